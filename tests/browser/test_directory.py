"""Directory journey: a lead searches without accents, imports a CSV with one bad row
(imports the valid rows), opens an organisation and adds a tie; screenshots in EN and FR."""

from __future__ import annotations

import pytest

from consortium.demo.load import DEMO_PASSWORD, load_demo
from consortium.extensions import db
from tests.browser.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.browser

CSV = (
    "nom;type;pays;ville;pic;effectif\n"
    "Atelier Réemploi Nord;association;France;Lille;;4\n"
    "Ligne cassée;association;Atlantide;Paris;12345;-1\n"
    "Vélo Solidaire;SCOP;FR;Marseille;;7\n"
)


@pytest.fixture
def demo_server(live_app, live_server):
    with live_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
    return live_server


def _shot(page, name: str) -> None:
    folder = ARTIFACTS / "directory"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_lead_searches_imports_and_adds_a_tie(page, demo_server, tmp_path):
    log_in(page, demo_server, "lead@example.org", DEMO_PASSWORD)
    page.click("nav >> text=Directory")
    assert page.locator("h1").inner_text() == "Directory of organisations"

    page.fill("input[name=q]", "reemploi")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**q=reemploi**")
    assert page.locator("table.dir-list a", has_text="Réemploi Bâtiment Sud").count() == 1
    _shot(page, "index-en")

    # Import a CSV with one bad row: see the row error, import the valid rows.
    path = tmp_path / "orgs.csv"
    path.write_text(CSV, encoding="cp1252")
    page.goto(f"{demo_server}/directory")
    page.click("text=Import organisations")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('Preview')")
    summary = page.locator("[data-testid=import-summary]").inner_text()
    assert "2 valid rows, 1 rows with errors, out of 3 rows read." in summary
    errors = page.locator("[data-testid=row-errors] tbody tr")
    assert errors.count() == 3
    assert errors.nth(0).inner_text().split("\t") == [
        "3",
        "pays",
        "Unknown country “Atlantide”: use its English or French name or its two-letter ISO code.",
    ]
    _shot(page, "import-preview-en")
    page.check("input[value=valid]")
    page.click("button:has-text('Import')")
    assert page.locator(".flash-success").inner_text() == "2 organisations imported."
    assert page.locator("table.dir-list a", has_text="Vélo Solidaire").count() == 1

    # Open an organisation and add a tie.
    page.fill("input[name=q]", "velo solidaire")
    page.click("button:has-text('Filter')")
    page.click("table.dir-list a:has-text('Vélo Solidaire')")
    assert page.locator("h1").inner_text() == "Vélo Solidaire"
    page.select_option("select[name=other]", label="Réemploi Bâtiment Sud (Marseille)")
    page.select_option("select[name=kind]", "supplier_client")
    page.fill("input[name=year]", "2024")
    page.fill("textarea[name=note]", "Atelier de réparation commun")
    page.click("button:has-text('Add the tie')")
    assert page.locator(".flash-success").inner_text() == "The tie is saved."
    row = page.locator("[data-testid=ties] tbody tr").first.inner_text()
    assert row.split("\t")[:4] == [
        "Réemploi Bâtiment Sud",
        "Supplier / client",
        "2024",
        "Atelier de réparation commun",
    ]
    _shot(page, "detail-en")
    page.click("text=Edit")
    _shot(page, "form-en")

    # The same pages in French, and at a phone's width.
    page.click("[data-testid=switch-language]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Modifier Vélo Solidaire"
    _shot(page, "form-fr")
    page.goto(f"{demo_server}/directory?q=r%C3%A9emploi")
    assert page.locator("h1").inner_text() == "Annuaire des organisations"
    assert page.locator("[data-testid=pic-missing]").first.inner_text() == "PIC manquant"
    _shot(page, "index-fr")
    page.click("table.dir-list a:has-text('Réemploi Bâtiment Sud')")
    assert page.locator("h2", has_text="Liens de coopération").count() == 1
    _shot(page, "detail-fr")
    page.goto(f"{demo_server}/directory/import")
    _shot(page, "import-fr")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{demo_server}/directory")
    _shot(page, "index-mobile-fr")

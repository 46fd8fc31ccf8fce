"""The lead reads the product in English and in French: counts take their plural, dates are
written the European way, percentages and amounts follow the reader's language, and the
French dossier is French through and through, articles before organisation names included."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document

from consortium.demo.load import DEMO_PASSWORD, load_demo
from consortium.extensions import db
from tests.browser.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(live_app, live_server):
    with live_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
    return live_server


def test_pages_and_the_dossier_speak_the_readers_language(page, demo_server, tmp_path):
    log_in(page, demo_server, "lead@example.org", DEMO_PASSWORD)
    page.click("text=REBATIR")
    commitments = page.locator("section.card:has(h2:text('Commitments')) .muted").inner_text()
    assert commitments == "signed letter received; 1 invitation pending"
    page.goto(f"{demo_server}/calls")
    assert "22 Sept 2026" in page.locator("main").inner_text()  # never 9/22/26

    page.click("[data-testid=switch-language]")
    page.goto(f"{demo_server}/calls/LIFE-2026-SAP-ENV-ENVIRONMENT")
    assert "60\u00a0%" in page.locator("main").inner_text()
    page.goto(f"{demo_server}/")
    page.click("text=REBATIR")
    engagements = page.locator("section.card:has(h2:text('Engagements')) .muted").inner_text()
    assert engagements == "lettre signée reçue\u202f; 1 invitation en attente"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "language-dashboard-fr.png"), full_page=True)

    page.click("[data-area=dossier]")
    page.click("[data-testid=export-link]")
    page.check("input[name=lang][value=fr]")
    with page.expect_download() as download_info:
        page.click("[data-testid=download]")
    path = tmp_path / "dossier.docx"
    download_info.value.save_as(path)
    text = "\n".join(p.text for p in Document(BytesIO(path.read_bytes())).paragraphs)
    assert "Coordonné par la Ville de Marseille" in text
    assert "La Ville de Marseille coordonne le projet" in text
    for english in (
        "brings what no other member offers",
        "strengthens the consortium on",
        "Network analysis: not yet available",
        "The partners",
    ):
        assert english not in text

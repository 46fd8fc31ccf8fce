"""A writer goes from the dashboard to a Word dossier in French, editing a section on the way."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

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


def test_writer_edits_a_section_and_downloads_the_french_dossier(page, demo_server, tmp_path):
    log_in(page, demo_server, "writer@example.org", DEMO_PASSWORD)
    page.click("text=REBATIR")
    page.click("[data-area=dossier]")
    assert page.locator("h1").inner_text() == "Dossier — Part B"
    page.click("text=1.2 Vision for 2030")
    assert page.locator("h1").inner_text() == "1.2 Vision for 2030"
    assert (
        page.locator(".sourced-sources a").count() > 0
        or page.locator(".sourced-sources li").count() > 0
    )
    page.fill("textarea[name=body]", "Our **shared** vision: Marseille réemploie.\n\n- one\n- two")
    page.select_option("select[name=status]", "in_review")
    page.click("[data-testid=save]")
    assert "Saved as version 2." in page.locator(".flash").inner_text()
    assert page.locator(".sourced-text strong").inner_text() == "shared"
    page.click("text=History (2)")
    assert page.locator("[data-testid=diff] ins").count() > 0
    page.goto(page.url.split("/dossier")[0] + "/dossier")
    page.click("[data-testid=export-link]")
    page.check("input[name=lang][value=fr]")
    with page.expect_download() as download_info:
        page.click("[data-testid=download]")
    download = download_info.value
    assert download.suggested_filename == "REBATIR-part-b-fr.docx"
    path = tmp_path / "dossier.docx"
    download.save_as(path)
    doc = Document(BytesIO(path.read_bytes()))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "1.1 Conformité avec les objectifs du programme LIFE et le sujet de l'appel" in headings


def test_screenshots_of_the_dossier_pages(page, demo_server):
    """Pictures of the pages, in English, French and at a phone's width (test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    log_in(page, demo_server, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{demo_server}/proposals/1/dossier")
    page.screenshot(path=str(ARTIFACTS / "dossier-index-en.png"), full_page=True)
    page.click("text=2.1 Work plan: actions and work packages")
    page.screenshot(path=str(ARTIFACTS / "dossier-section-en.png"), full_page=True)
    page.click("[data-testid=switch-language]")
    page.wait_for_load_state()
    page.screenshot(path=str(ARTIFACTS / "dossier-section-fr.png"), full_page=True)
    page.goto(f"{demo_server}/proposals/1/dossier/export")
    page.screenshot(path=str(ARTIFACTS / "dossier-export-fr.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{demo_server}/proposals/1/dossier?lang=fr")
    page.screenshot(path=str(ARTIFACTS / "dossier-index-mobile.png"), full_page=True)
    assert Path(ARTIFACTS / "dossier-index-mobile.png").exists()

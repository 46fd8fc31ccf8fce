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


def _edit_in_word(data: bytes) -> bytes:
    """What a writer does in Word: rewrite a paragraph of 1.2, add a row to the risk table of
    2.6, and a colleague's tracked insertion in 1.3 (raw w:ins XML)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = Document(BytesIO(data))
    paragraphs = doc.paragraphs

    def after_heading(prefix: str):
        index = next(
            i
            for i, p in enumerate(paragraphs)
            if p.style.name.startswith("Heading") and p.text.startswith(prefix)
        )
        return paragraphs[index + 1]

    vision = after_heading("1.2 ")
    for run in vision.runs[1:]:
        run._r.getparent().remove(run._r)
    vision.runs[0].text = "By 2030 half of public building materials are reused in Marseille."
    risks = next(t for t in doc.tables if t.cell(0, 0).text == "Risk")
    row = risks.add_row()
    for cell, text in zip(
        row.cells, ("Supplier bankruptcy", "VdM", "Second supplier"), strict=True
    ):
        cell.text = text
    needs = after_heading("1.3 ")
    insertion = OxmlElement("w:ins")
    insertion.set(qn("w:id"), "901")
    insertion.set(qn("w:author"), "Colleague")
    insertion.set(qn("w:date"), "2026-12-01T10:00:00Z")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = " Inserted with track changes."
    run.append(text)
    insertion.append(run)
    needs._p.append(insertion)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_word_round_trip_accepts_two_sections_and_rejects_one(
    page, demo_server, tmp_path, live_app
):
    from sqlalchemy import select

    from consortium.dossier.models import Section

    log_in(page, demo_server, "writer@example.org", DEMO_PASSWORD)
    page.goto(f"{demo_server}/proposals/1/dossier?lang=en")  # the sections get their drafts
    page.click("[data-testid=export-link]")
    with page.expect_download() as download_info:
        page.click("[data-testid=download]")
    exported = tmp_path / "exported.docx"
    download_info.value.save_as(exported)
    edited = tmp_path / "edited.docx"
    edited.write_bytes(_edit_in_word(exported.read_bytes()))

    page.goto(f"{demo_server}/proposals/1/dossier")
    page.click("[data-testid=import-link]")
    page.set_input_files("input[name=file]", str(edited))
    page.click("[data-testid=import-upload]")
    assert page.locator("h1").inner_text() == "Review the Word import"
    changed = page.locator("section[data-state=changed]")
    assert [changed.nth(i).get_attribute("data-testid") for i in range(changed.count())] == [
        "import-1.2",
        "import-1.3",
        "import-2.6",
    ]
    tracked = page.locator("[data-testid='changes-1.3']").inner_text()
    assert "Inserted with track changes." in tracked and "Colleague" in tracked
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dossier-import-review-en.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "dossier-import-review-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.check("[data-testid='accept-1.2']")
    page.check("[data-testid='accept-2.6']")
    page.check("[data-testid='keep-1.3']")
    page.click("[data-testid=apply]")
    assert "2 sections saved as new versions." in page.locator(".flash").inner_text()

    with live_app.app_context():
        rows = {
            s.code: s
            for s in db.session.scalars(
                select(Section).where(Section.proposal_id == 1, Section.language == "en")
            )
        }
        vision, risks, needs = rows["1.2"], rows["2.6"], rows["1.3"]
        assert vision.body.startswith("By 2030 half of public building materials are reused")
        assert "| Supplier bankruptcy | VdM | Second supplier |" in risks.body
        assert "Inserted with track changes." not in needs.body
        for section in (vision, risks):
            newest = section.versions[0]
            assert (newest.origin, newest.author.email) == ("import", "writer@example.org")
        assert all(v.origin != "import" for v in needs.versions)
        vision_id = vision.id
    page.goto(f"{demo_server}/proposals/1/dossier/sections/{vision_id}/history")
    inserted = " ".join(page.locator("[data-testid=diff] ins").all_inner_texts())
    assert "By 2030 half" in inserted and "Marseille." in inserted
    assert "Word import" in page.locator("[data-testid=versions]").inner_text()
    page.goto(f"{demo_server}/proposals/1/dossier/import")
    page.click("[data-testid=switch-language]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Importer depuis Word"
    page.screenshot(path=str(ARTIFACTS / "dossier-import-fr.png"), full_page=True)

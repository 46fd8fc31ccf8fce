"""The budget grid in a real browser: the lead types rates and person-months for the
partners, saves, sees the computed personnel costs and totals, sets the reporting periods and
downloads the LIFE budget table.  Screenshots (1366 and 390 px, English and French) go to
test-artifacts/."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import PASSWORD


def _world(app):
    from consortium.extensions import db
    from tests import factories

    with app.app_context():
        ids = factories.standard_world()
        proposal = db.session.get(factories.Proposal, ids["proposal"])
        org_a = db.session.get(factories.Organisation, ids["org_a"])
        org_b = db.session.get(factories.Organisation, ids["org_b"])
        a1 = factories.make_action(proposal, "Reuse platform", code="A1", lead=org_b)
        a1.start_month, a1.end_month = 1, 24
        factories.make_action(proposal, "Training", code="A2", lead=org_a)
        parts = {p.organisation_id: p.id for p in proposal.participations}
        db.session.commit()
        return ids["proposal"], parts[ids["org_a"]], parts[ids["org_b"]], a1.id


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"grid-{name}.png"), full_page=True)


def test_lead_fills_the_grid_and_downloads_the_table(live_app, live_server, browser):
    proposal_id, part_a, part_b, a1 = _world(live_app)
    context = browser.new_context(
        locale="en-GB", accept_downloads=True, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, "lead@example.org", PASSWORD)
    page.goto(f"{live_server}/proposals/{proposal_id}/commitments")
    page.click("[data-testid=grid-link]")
    page.fill(f"#r{part_a}-monthly_rate", "5000")
    page.fill(f"#r{part_a}-pm_{a1}", "12")
    page.fill(f"#r{part_a}-own_cofinancing", "25 680")
    page.fill(f"#r{part_b}-monthly_rate", "250")
    page.fill(f"#r{part_b}-pm_{a1}", "6")
    page.click("button:has-text('Save the grid')")
    page.wait_for_selector(".flash, [role=status], .success", state="attached")
    row_a = page.locator(f"[data-participation='{part_a}']")
    # 12 x 5 000 = 60 000 personnel, + 7 % indirect = 64 200
    assert row_a.locator("[data-testid=computed-personnel]").inner_text() == "€60,000.00"
    assert row_a.locator("[data-testid=row-total]").inner_text() == "€64,200.00"
    assert page.locator("[data-testid=grid-checks] [data-code=RATE_IMPLAUSIBLE]").count() == 1
    page.fill("#ends", "12, 24")
    page.click("button:has-text('Set the periods')")
    page.wait_for_selector("text=Period 3 (months 25-48)")
    _shot(page, "en-1366")
    with page.expect_download() as download:
        page.click("[data-testid=grid-export]")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames[0] == "Summary" and len(book.sheetnames) == 4
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    _shot(page, "en-390")
    context.close()
    for width in (1366, 390):
        fr = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
        page = fr.new_page()
        log_in(page, live_server, "lead@example.org", PASSWORD)
        page.goto(f"{live_server}/proposals/{proposal_id}/commitments/grid?lang=fr")
        assert page.locator("h1").inner_text() == "Grille budgétaire"
        _shot(page, f"fr-{width}")
        fr.close()

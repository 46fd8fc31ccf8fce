"""The commitments journey in a real browser: the lead invites, the partner follows the link,
fills and confirms its commitment with live totals, downloads its letter; the lead's board
updates.  Screenshots (English, French, mobile) go to test-artifacts/."""

from __future__ import annotations

import re

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import PASSWORD

NEW_PASSWORD = "partner password 2030"


def _world(app):
    from consortium.extensions import db
    from tests import factories

    with app.app_context():
        ids = factories.standard_world()
        proposal = db.session.get(factories.Proposal, ids["proposal"])
        org_a = db.session.get(factories.Organisation, ids["org_a"])
        org_b = db.session.get(factories.Organisation, ids["org_b"])
        factories.make_action(proposal, "Reuse platform", code="A1", lead=org_b)
        action = factories.make_action(proposal, "Training", code="A2", lead=org_a)
        newcomer = factories.make_org("Atelier Bois Marseille", acronym="ABM", pic="111222333")
        part = factories.make_participation(proposal, newcomer, status="shortlisted")
        db.session.commit()
        return ids["proposal"], part.id, action.id


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"commitments-{name}.png"), full_page=True)


def test_invite_fill_confirm_letter_and_board(live_app, live_server, browser):
    proposal_id, part_id, action_id = _world(live_app)
    lead_context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    lead = lead_context.new_page()
    log_in(lead, live_server, "lead@example.org", PASSWORD)
    lead.goto(f"{live_server}/proposals/{proposal_id}/commitments/{part_id}")
    lead.fill("#invite-email", "marc@abm.example")
    lead.fill("#invite-name", "Marc Bois")
    lead.click("[data-testid=invite]")
    lead.wait_for_url(re.compile(r"/commitments/outbox$"))
    body = lead.locator("[data-testid=outbox-body]").first.input_value()
    link = re.search(r"https?://\S+/invitations/\S+", body).group(0)
    _shot(lead, "outbox")

    partner_context = browser.new_context(
        locale="en-GB", accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    partner = partner_context.new_page()
    partner.goto(link)
    partner.wait_for_url(re.compile(r"/invitation$"))  # the token left the address bar
    assert "/invitations/" not in partner.url
    partner.fill("input[name=name]", "Marc Bois")
    partner.fill("input[name=password]", NEW_PASSWORD)
    partner.fill("input[name=confirm]", NEW_PASSWORD)
    partner.click("button[type=submit]:has-text('Create my account and join')")
    partner.wait_for_url(re.compile(rf"/proposals/{proposal_id}/commitments/mine$"))
    partner.fill("input[name=cost_personnel]", "100 000")
    partner.fill("input[name=cost_travel]", "5000")
    partner.fill(f"input[name=pm_{action_id}]", "12")
    # live totals: E = 7% of (A + C) = 7,350; total 112,350; max EU 60% = 67,410
    assert partner.locator("[data-total=total]").inner_text() == "€112,350.00"
    assert partner.locator("[data-total=max_eu]").inner_text() == "€67,410.00"
    partner.fill("input[name=own_cofinancing]", "44940")
    assert partner.locator("[data-total=gap]").inner_text() == "€0.00"
    _shot(partner, "mine-en")
    partner.click("[data-testid=save-commitment]")
    partner.wait_for_selector(".flash-success")
    assert partner.locator("[data-total=total]").inner_text() == "€112,350.00"
    partner.fill("input[name=name]", "Marc Bois")
    partner.fill("input[name=function]", "Gérant")
    partner.click("[data-testid=confirm]")
    partner.wait_for_selector("[data-testid=confirmed]")
    with partner.expect_download() as download_info:
        partner.click("[data-testid=letter-fr]")
    download = download_info.value
    assert download.suggested_filename.endswith("-letter-fr.docx")
    with open(download.path(), "rb") as handle:
        assert handle.read(2) == b"PK"
    # French
    partner.click("[data-testid=switch-language]")
    partner.wait_for_selector("html[lang=fr]")
    assert "Votre engagement" in partner.content()
    _shot(partner, "mine-fr")
    partner.set_viewport_size({"width": 390, "height": 844})
    _shot(partner, "mine-mobile")

    lead.goto(f"{live_server}/proposals/{proposal_id}/commitments")
    row = lead.locator(f"tr[data-participation='{part_id}']")
    assert "Confirmed" in row.inner_text()
    assert "€112,350.00" in row.locator("[data-testid=row-total]").inner_text()
    assert lead.locator(f"tr[data-participation='{part_id}'] svg.stacked rect").count() >= 3
    _shot(lead, "board-en")
    lead.click("[data-testid=switch-language]")
    lead.wait_for_selector("html[lang=fr]")
    assert "Engagements du consortium" in lead.content()
    _shot(lead, "board-fr")
    lead.set_viewport_size({"width": 390, "height": 844})
    _shot(lead, "board-mobile")
    lead.goto(f"{live_server}/proposals/{proposal_id}/commitments/{part_id}")
    _shot(lead, "participation-fr")
    partner_context.close()
    lead_context.close()

"""Issue #14 walked in Chromium, in English and in French: every flow tells the truth.

1 confirmation rules · 2 network analysis in the dossier · 3 one answer about the coordinator ·
5 counts · 7 closed calls · 8 the smaller items (409, weights, shortlist, codes, money, favicon,
directory order and countries).  Screenshots go to test-artifacts/truth-*.png.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from docx import Document

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import PASSWORD

LANGS = {"en": "en-GB", "fr": "fr-FR"}
TEXT = {
    "en": {
        "gaps": "Before you can confirm, complete:",
        "no_pm": "No person-months are entered.",
        "no_costs": "No eligible costs are entered.",
        "funding_gap": "€24,940.00 missing",
        "accepted": "The coordinator accepts that you confirm",
        "candidate_coordinator": "No coordinator in the consortium yet: Ville de Marseille has "
        "the coordinator role but is still a candidate",
        "board_candidate_coordinator": "No coordinator in the consortium yet: VDM has the "
        "coordinator role but is still a candidate",
        "coordinator_ok": "The coordinator is VDM.",
        "closed": "Closed",
        "closed_refused": "This topic closed on 2026-09-23",
        "created": "The proposal is created; you are its lead.",
        "not_counted": "1 candidate, declined or withdrawn organisation is not counted as a "
        "member.",
        "text_label": "Text",
        "status_value": "In review",
        "weights_error": "At least one weight must be above zero",
        "money": "€400,000",
    },
    "fr": {
        "gaps": "Avant de pouvoir confirmer, complétez\u00a0:",
        "no_pm": "Aucun mois-personne n’est saisi.",
        "no_costs": "Aucun coût éligible n’est saisi.",
        "funding_gap": "il manque 24\u00a0940,00\u00a0€",
        "accepted": "Le coordinateur accepte que vous confirmiez",
        "candidate_coordinator": "Pas encore de coordinateur dans le consortium\u00a0: Ville de "
        "Marseille a le rôle de coordinateur mais n’est encore que "
        "candidat",
        "board_candidate_coordinator": "Pas encore de coordinateur dans le consortium\u00a0: VDM "
        "a le rôle de coordinateur mais n’est encore que candidat",
        "coordinator_ok": "Le coordinateur est VDM.",
        "closed": "Clos",
        "closed_refused": "Ce sujet a été clos le 2026-09-23",
        "created": None,
        "not_counted": "1 organisation candidate, déclinée ou retirée n’est pas comptée comme "
        "membre.",
        "text_label": "Texte",
        "status_value": None,
        "weights_error": None,
        "money": "400\u202f000\u00a0€",
    },
}


def _n(text: str) -> str:
    """Text as compared here: browsers report no-break spaces as plain spaces."""
    return re.sub(r"[\u00a0\u202f ]+", " ", text)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"truth-{name}.png"), full_page=True)


def _context(browser, lang: str, width: int = 1366):
    return browser.new_context(
        locale=LANGS[lang], accept_downloads=True, viewport={"width": width, "height": 900}
    )


def _world(app, *, city_in_proposal: bool = True) -> dict:
    """The standard world, an action for ARS (the invited partner, nothing filled yet)."""
    from sqlalchemy import delete

    from consortium.extensions import db
    from consortium.proposals.models import Participation
    from tests import factories

    with app.app_context():
        ids = factories.standard_world()
        proposal = db.session.get(factories.Proposal, ids["proposal"])
        org_a = db.session.get(factories.Organisation, ids["org_a"])
        a2 = factories.make_action(proposal, "Training", code="A2", lead=org_a)
        parts = {p.organisation_id: p for p in proposal.participations}
        pa = parts[ids["org_a"]]
        pa.contact_name, pa.contact_email = "Anne Ars", "anne@ars.example"
        org_a.annual_budget_eur = Decimal("400000")
        if not city_in_proposal:
            db.session.execute(
                delete(Participation).where(Participation.id == parts[ids["org_b"]].id)
            )
        db.session.commit()
        ids.update(a2=a2.id, part_a=pa.id)
        return ids


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_point1_partner_sees_what_is_missing_and_lead_may_accept_a_gap(
    live_app, live_server, browser, lang
):
    ids = _world(live_app)
    pid, t = ids["proposal"], TEXT[lang]
    partner_context = _context(browser, lang)
    partner = partner_context.new_page()
    log_in(partner, live_server, "partner@example.org", PASSWORD)
    partner.goto(f"{live_server}/proposals/{pid}/commitments/mine")
    # Only "Function" filled: the page says exactly what is missing and will not confirm.
    gaps = partner.locator("[data-testid=confirmation-gaps]")
    assert _n(t["gaps"]) in _n(gaps.inner_text())
    assert _n(t["no_pm"]) in _n(gaps.inner_text())
    assert _n(t["no_costs"]) in _n(gaps.inner_text())
    assert partner.locator("[data-testid=confirm]").is_disabled()
    _shot(partner, f"mine-gaps-{lang}")
    # Costs and person-months, but co-financing short of the costs: still refused.
    partner.fill("input[name=cost_personnel]", "100 000")
    partner.fill("input[name=cost_travel]", "5000")
    partner.fill(f"input[name=pm_{ids['a2']}]", "12")
    partner.fill("input[name=own_cofinancing]", "20000")
    partner.click("[data-testid=save-commitment]")
    partner.wait_for_selector(".flash-success")
    assert _n(t["funding_gap"]) in _n(
        partner.locator("[data-testid=confirmation-gaps]").inner_text()
    )
    assert partner.locator("[data-testid=confirm]").is_disabled()
    # The lead records an audited "confirmed despite…" for the uncovered costs only.
    lead_context = _context(browser, lang)
    lead = lead_context.new_page()
    log_in(lead, live_server, "lead@example.org", PASSWORD)
    lead.goto(f"{live_server}/proposals/{pid}/commitments/{ids['part_a']}")
    assert lead.locator("[data-testid=confirmation-rules] [data-code=FUNDING_GAP]").count() == 1
    lead.fill("textarea[name=reason]", "Board vote on 12 January")
    lead.click("[data-testid=accept-gaps]")
    lead.wait_for_selector(".flash-success")
    _shot(lead, f"lead-accepted-{lang}")
    partner.reload()
    assert _n(t["accepted"]) in _n(partner.locator("[data-testid=accepted-gaps]").inner_text())
    partner.fill("input[name=name]", "Anne Ars")
    partner.fill("input[name=function]", "Directrice")
    partner.click("[data-testid=confirm]")
    partner.wait_for_selector("[data-testid=confirmed]")
    # The letter states the uncovered amount instead of certifying the plan.
    with partner.expect_download() as download_info:
        partner.click(f"[data-testid=letter-{lang}]")
    text = "\n".join(
        p.text for p in Document(io.BytesIO(download_info.value.path().read_bytes())).paragraphs
    )
    assert _n(
        "leaves €24,940.00 of the costs uncovered"
        if lang == "en"
        else "laisse 24\u00a0940,00\u00a0€ de coûts non couverts"
    ) in _n(text)
    partner_context.close()
    lead_context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_point3_board_fit_and_what_if_agree_on_the_coordinator(
    live_app, live_server, browser, lang
):
    ids = _world(live_app, city_in_proposal=False)
    pid, t = ids["proposal"], TEXT[lang]
    context = _context(browser, lang)
    page = context.new_page()
    log_in(page, live_server, "lead@example.org", PASSWORD)
    page.goto(f"{live_server}/proposals/{pid}/commitments")
    page.select_option("select[name=organisation]", label="Ville de Marseille")
    page.select_option("select[name=role]", value="coordinator")
    page.click("form[action$='/commitments/add'] button[type=submit]")
    page.wait_for_selector(".flash-success")
    page.goto(f"{live_server}/proposals/{pid}/commitments")
    board = _n(page.locator("[data-testid=board-checks]").inner_text())
    assert _n(t["board_candidate_coordinator"]) in board
    page.goto(f"{live_server}/proposals/{pid}/fit/checks")
    checks = _n(page.locator("[data-testid=checks]").inner_text())
    assert _n(t["candidate_coordinator"]) in checks
    assert "NO_COORDINATOR" not in checks  # codes are for programs, not for people
    _shot(page, f"fit-checks-candidate-coordinator-{lang}")
    # Shortlisted, the city is the coordinator on both pages.
    page.goto(f"{live_server}/proposals/{pid}/commitments")
    page.locator("[data-testid=board] a", has_text="VDM").click()
    page.wait_for_url(re.compile(r"/commitments/\d+$"))
    page.click("[data-action=shortlist]")
    page.wait_for_load_state()
    _shot(page, f"shortlisted-coordinator-{lang}")
    page.goto(f"{live_server}/proposals/{pid}/commitments")
    assert _n(t["coordinator_ok"]) in _n(page.locator("[data-testid=board-checks]").inner_text())
    page.goto(f"{live_server}/proposals/{pid}/fit/checks")
    assert page.locator("[data-code=NO_COORDINATOR]").count() == 0
    page.goto(f"{live_server}/proposals/{pid}/fit/what-if?org={ids['org_c']}")
    assert page.locator("[data-testid=checks-after] [data-code=NO_COORDINATOR]").count() == 0
    context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_point2_network_then_dossier_then_export_keeps_the_analysis(
    live_app, live_server, browser, lang
):
    from consortium.demo.load import DEMO_PASSWORD, load_demo
    from consortium.dossier.models import Section
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    with live_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        pid = db.session.query(Proposal).filter_by(acronym="REBATIR").one().id
        db.session.query(Section).filter_by(proposal_id=pid).delete()  # as before the fix
        db.session.commit()
    context = _context(browser, lang)
    page = context.new_page()
    log_in(page, live_server, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server}/proposals/{pid}/network")
    page.goto(f"{live_server}/proposals/{pid}/dossier?lang={lang}")
    export = page.request.get(f"{live_server}/proposals/{pid}/dossier/export.docx?lang={lang}")
    text = "\n".join(p.text for p in Document(io.BytesIO(export.body())).paragraphs)
    assert "not yet available" not in text and "pas encore disponible" not in text.lower()
    assert (
        "cooperation network of the consortium counts"
        if lang == "en"
        else "réseau de coopération du consortium compte"
    ) in text
    context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_points5_and_7_new_proposal_counts_and_closed_calls(live_app, live_server, browser, lang):
    ids = _world(live_app)
    t = TEXT[lang]
    with live_app.app_context():
        from consortium.extensions import db
        from consortium.proposals.models import Participation
        from tests import factories

        proposal = db.session.get(factories.Proposal, ids["proposal"])
        db.session.add(
            Participation(
                proposal=proposal,
                status="candidate",
                organisation=factories.make_org("Candidat Vert"),
            )
        )
        db.session.commit()
    context = _context(browser, lang)
    page = context.new_page()
    log_in(page, live_server, "lead@example.org", PASSWORD)
    page.goto(f"{live_server}/calls/")
    assert page.locator("[data-testid=closed-badge]").first.inner_text() == t["closed"]
    page.goto(f"{live_server}/calls/LIFE-2026-SAP-ENV-ENVIRONMENT")
    assert page.locator("[data-testid=topic-closed]").count() == 1
    page.goto(f"{live_server}/proposals/new")
    page.fill("input[name=acronym]", f"TRY{lang.upper()}")
    page.fill("input[name=title]", "Practice run")
    page.select_option("select[name=topic]", value="LIFE-2026-SAP-ENV-ENVIRONMENT")
    option = page.locator("select[name=topic] option[value='LIFE-2026-SAP-ENV-ENVIRONMENT']")
    assert "2026" in option.inner_text()  # the deadline is in the list
    page.click("button[type=submit].primary")
    assert _n(t["closed_refused"]) in _n(page.content())
    page.select_option("select[name=closed_call]", value="practice")
    page.click("button[type=submit].primary")
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    final, total = page.locator("[data-testid=sections-count]").inner_text().split(" / ")
    assert final == "0" and int(total) > 0  # the sections exist before anyone opens them
    _shot(page, f"dashboard-new-{lang}")
    # The demo-like proposal: the Consortium figure is the number of members listed.
    page.goto(f"{live_server}/proposals/{ids['proposal']}")
    listed = page.locator("[data-testid=members-table] tbody tr").count()
    count = int(page.locator("[data-testid=participants-count]").inner_text())
    assert count == listed == 3  # VDM confirmed, ARS and BV invited; not the candidate
    assert _n(t["not_counted"]) in _n(page.locator("[data-testid=not-listed]").inner_text())
    context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_point8_conflict_weights_shortlist_money_favicon_directory(
    live_app, live_server, browser, lang
):
    ids = _world(live_app)
    pid, t = ids["proposal"], TEXT[lang]
    with live_app.app_context():
        from consortium.dossier.services import start_sections
        from consortium.extensions import db
        from tests import factories

        start_sections(db.session.get(factories.Proposal, pid))
        factories.make_org("École de la 2e chance", country="FR")
        factories.make_org("Ökopolis", country="DE", pic="555666777")
        db.session.commit()
    context = _context(browser, lang)
    page = context.new_page()
    log_in(page, live_server, "lead@example.org", PASSWORD)
    # 409: two tabs save the same section; the second sees labels and the difference.
    page.goto(f"{live_server}/proposals/{pid}/dossier")
    section_url = page.locator("a[href*='/dossier/sections/']").first.get_attribute("href")
    other = context.new_page()
    other.goto(f"{live_server}{section_url}")
    page.goto(f"{live_server}{section_url}")
    page.fill("textarea[name=body]", "First writer's words")
    page.click(
        "form.section-form button[type=submit].primary, button:has-text('Save'), "
        "button:has-text('Enregistrer')"
    )
    other.fill("textarea[name=body]", "Second writer's words")
    other.select_option("select[name=status]", value="in_review")
    other.locator("button:has-text('Save'), button:has-text('Enregistrer')").first.click()
    assert other.locator("label[for=kept-1]").inner_text() == t["text_label"]
    assert other.locator("[data-testid=conflict-diff] ins").first.inner_text() == "Second"
    if t["status_value"]:
        assert other.locator("#kept-2").input_value() == t["status_value"]
    _shot(other, f"conflict-{lang}")
    # All-zero weights: the browser lands on the weights form, where the error is.
    page.goto(f"{live_server}/proposals/{pid}/fit")
    for field in page.locator("#weights input[type=number], #weights input[type=text]").all():
        field.fill("0")
    page.click("#weights button[name=save]")
    assert page.url.endswith("#weights")
    if t["weights_error"]:
        assert _n(t["weights_error"]) in _n(page.locator("#weights").inner_text())
    # Shortlist: back at the organisation's row.
    page.goto(f"{live_server}/proposals/{pid}/fit")
    row = page.locator("tr[id^=org-]:has(button)").first
    row_id = row.get_attribute("id")
    row.locator("button").click()
    page.wait_for_selector(".flash-success")
    assert page.url.endswith(f"#{row_id}")
    # Money, favicon, directory order and countries.
    page.goto(f"{live_server}/directory/{ids['org_a']}")
    assert _n(page.locator("[data-testid=annual-budget]").inner_text()) == _n(t["money"])
    assert page.request.get(f"{live_server}/favicon.ico").status == 200
    page.goto(f"{live_server}/directory")
    names = page.locator("table a[href^='/directory/']").all_inner_texts()
    assert names.index("École de la 2e chance") < names.index("Ville de Marseille")
    assert names.index("Ökopolis") < names.index("Ville de Marseille")
    codes = page.locator("#f-country option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)"
    )
    assert sorted(codes) == ["DE", "FR"]
    _shot(page, f"directory-{lang}")
    context.close()

"""Confirmation rules on the pages: the partner sees what is missing, the lead may accept an
uncovered funding plan (audited), and the letter then says so instead of certifying it."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from consortium.extensions import db
from consortium.proposals.models import AuditEvent, Participation
from tests.commitments.helpers import log_in

EMAILS = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
    "other_partner": "partner2@example.org",
    "outsider": "outsider@example.org",
}
ACCEPT_EXPECTED = {
    "admin": 302,
    "lead": 302,
    "writer": 403,
    "viewer": 403,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}


def _version(app, part):
    with app.app_context():
        return db.session.get(Participation, part).version


def _accept(client, cworld, version, reason="The partner's board votes on 12 January"):
    return client.post(
        f"/proposals/{cworld['proposal']}/commitments/{cworld['part_a']}/accept-gaps",
        data={"version": version, "reason": reason},
    )


def _confirm(client, cworld, version):
    return client.post(
        f"/proposals/{cworld['proposal']}/commitments/mine/confirm",
        data={"version": version, "name": "Anne Ars", "function": "Director"},
        follow_redirects=True,
    )


@pytest.mark.parametrize("who", [*EMAILS, "anonymous"])
def test_accept_gaps_by_role(app, cworld, who):
    client = app.test_client()
    if who != "anonymous":
        log_in(client, EMAILS[who])
    response = _accept(client, cworld, _version(app, cworld["part_a"]))
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == ACCEPT_EXPECTED[who]
    with app.app_context():
        accepted = db.session.get(Participation, cworld["part_a"]).accepted_gaps
    assert accepted == (["FUNDING_GAP"] if ACCEPT_EXPECTED.get(who) == 302 else None)


def test_accept_gaps_needs_csrf(make_app):
    from tests import factories

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        ids = factories.standard_world()
        part = db.session.scalar(
            select(Participation.id).where(Participation.organisation_id == ids["org_a"])
        )
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={
            "email": "lead@example.org",
            "csrf_token": token,
            "password": "correct horse battery staple",
        },
    )
    response = client.post(
        f"/proposals/{ids['proposal']}/commitments/{part}/accept-gaps",
        data={"version": "1", "reason": "because"},
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Participation, part).accepted_gaps is None


def test_partner_sees_the_gap_and_cannot_confirm_until_the_lead_accepts(app, cworld):
    partner = log_in(app.test_client(), "partner@example.org")
    page = partner.get(f"/proposals/{cworld['proposal']}/commitments/mine").get_data(as_text=True)
    assert 'data-testid="confirmation-gaps"' in page and 'data-code="FUNDING_GAP"' in page
    assert "€24,940.00 missing" in page  # 112,350 - 67,410 EU - 20,000 own
    refused = _confirm(partner, cworld, _version(app, cworld["part_a"]))
    assert "cannot be confirmed yet" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participation, cworld["part_a"]).status == "invited"

    lead = log_in(app.test_client(), "lead@example.org")
    assert _accept(lead, cworld, _version(app, cworld["part_a"])).status_code == 302
    confirmed = _confirm(partner, cworld, _version(app, cworld["part_a"]))
    assert "is confirmed" in confirmed.get_data(as_text=True)
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        assert p.status == "confirmed"
        trail = {
            (e.field, e.after): e.details
            for e in db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.entity_id == p.id, AuditEvent.entity == "participation"
                )
            )
        }
        assert trail[("accepted_gaps", "FUNDING_GAP")]["reason"] == (
            "The partner's board votes on 12 January"
        )
        assert ("confirmed_despite", "FUNDING_GAP") in trail
    letter = partner.get(
        f"/proposals/{cworld['proposal']}/commitments/{cworld['part_a']}/letter.docx?lang=en"
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.data)).paragraphs)
    assert (
        "The funding plan above leaves €24,940.00 of the costs uncovered: the organisation "
        "does not certify how this amount will be financed yet."
    ) in text


def test_a_changed_commitment_forgets_the_acceptance(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    _accept(lead, cworld, _version(app, cworld["part_a"]))
    partner = log_in(app.test_client(), "partner@example.org")
    partner.post(
        f"/proposals/{cworld['proposal']}/commitments/mine",
        data={
            "version": _version(app, cworld["part_a"]),
            "contact_name": "Anne Ars",
            "contact_email": "anne@ars.example",
            "tasks": "Collect",
            "cost_personnel": "100000",
            "cost_travel": "6000",
            "own_cofinancing": "20000",
            f"pm_{cworld['a2']}": "12",
        },
    )
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        assert (p.cost_travel, p.accepted_gaps) == (Decimal("6000.00"), None)


def test_missing_person_months_cannot_be_accepted(app, cworld):
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        p.efforts.clear()
        p.own_cofinancing = Decimal("44940")  # covers 112,350 - 67,410 EU
        db.session.commit()
    lead = log_in(app.test_client(), "lead@example.org")
    page = lead.get(f"/proposals/{cworld['proposal']}/commitments/{cworld['part_a']}")
    text = page.get_data(as_text=True)
    assert 'data-code="NO_PERSON_MONTHS"' in text and 'data-testid="accept-gaps"' not in text
    refused = _accept(lead, cworld, _version(app, cworld["part_a"]))
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Participation, cworld["part_a"]).accepted_gaps is None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reason=st.text(max_size=300))
def test_any_reason_is_kept_or_refused_never_a_500(app, cworld, reason):
    lead = log_in(app.test_client(), "lead@example.org")
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        p.accepted_gaps, p.accepted_gaps_reason = None, None
        db.session.commit()
    response = _accept(lead, cworld, _version(app, cworld["part_a"]), reason=reason)
    assert response.status_code == 302
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        if p.accepted_gaps:
            assert p.accepted_gaps_reason == reason.strip() and reason.strip()


def test_status_buttons_carry_one_version_the_current_one(app, cworld):
    # The buttons used to post an empty "version" before the real one: every click on
    # "Shortlist", "Withdraw"... said that someone else had changed the participation.
    lead = log_in(app.test_client(), "lead@example.org")
    url = f"/proposals/{cworld['proposal']}/commitments/{cworld['part_a']}"
    page = lead.get(url).get_data(as_text=True)
    form = page[page.index('data-testid="status-actions"') :]
    form = form[: form.index("</form>")]
    assert re.findall(r'name="version"[^>]*value="(\d*)"', form) == [
        str(_version(app, cworld["part_a"]))
    ]
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    response = lead.post(f"{url}/status/withdraw", data={"version": version}, follow_redirects=True)
    assert "is now “Withdrawn”" in response.get_data(as_text=True)

"""The lead's actions (add, statuses, role and budget), the partner's profile, and bad input
that must give a clear message and change nothing, never a 500."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from consortium.directory.models import Organisation
from consortium.extensions import db
from consortium.proposals.models import AuditEvent, Participation
from tests import factories
from tests.commitments.helpers import log_in


def _version(app, part):
    with app.app_context():
        return db.session.get(Participation, part).version


def _form(version, **values):
    data = {
        "version": version,
        "contact_name": "",
        "contact_function": "",
        "contact_email": "",
        "tasks": "",
        "cost_personnel": "0",
        "cost_subcontracting": "0",
        "cost_travel": "0",
        "cost_equipment": "0",
        "cost_other_goods": "0",
        "cost_other": "0",
        "eu_requested": "",
        "own_cofinancing": "0",
        "other_funding": "0",
    }
    data.update(values)
    return data


def test_lead_adds_shortlists_and_withdraws(app, cworld):
    pid = cworld["proposal"]
    with app.app_context():
        org = factories.make_org("Atelier Bois", acronym="AB")
        db.session.commit()
        org_id = org.id
    lead = log_in(app.test_client(), "lead@example.org")
    response = lead.post(
        f"/proposals/{pid}/commitments/add",
        data={"organisation": str(org_id), "role": "subcontractor"},
    )
    assert response.status_code == 302
    with app.app_context():
        p = db.session.scalar(select(Participation).where(Participation.organisation_id == org_id))
        assert (p.status, p.role) == ("candidate", "subcontractor")
        part = p.id
    again = lead.post(
        f"/proposals/{pid}/commitments/add",
        data={"organisation": str(org_id), "role": "beneficiary"},
    )
    assert again.status_code == 302
    for action, expected in [
        ("shortlist", "shortlisted"),
        ("confirm", "shortlisted"),
        ("invite", "invited"),
        ("withdraw", "withdrawn"),
        ("reopen", "candidate"),
    ]:
        lead.post(
            f"/proposals/{pid}/commitments/{part}/status/{action}",
            data={"version": _version(app, part)},
        )
        with app.app_context():
            assert db.session.get(Participation, part).status == expected, action
    stale = lead.post(
        f"/proposals/{pid}/commitments/{part}/status/shortlist", data={"version": "0"}
    )
    assert stale.status_code == 302
    with app.app_context():
        assert db.session.get(Participation, part).status == "candidate"
        statuses = db.session.scalars(
            select(AuditEvent.after)
            .where(AuditEvent.entity_id == part, AuditEvent.field == "status")
            .order_by(AuditEvent.id)
        ).all()
    assert statuses == ["candidate", "shortlisted", "invited", "withdrawn", "candidate"]
    assert (
        lead.post(
            f"/proposals/{pid}/commitments/{part}/status/explode", data={"version": 1}
        ).status_code
        == 400
    )


def test_lead_sets_role_and_budget_and_affiliation(app, cworld):
    pid, part = cworld["proposal"], cworld["part_c"]
    lead = log_in(app.test_client(), "lead@example.org")
    response = lead.post(
        f"/proposals/{pid}/commitments/{part}",
        data=_form(
            _version(app, part),
            role="affiliated_entity",
            affiliated_to=str(cworld["part_a"]),
            cost_personnel="1.234,56",
            eu_requested="500",
            notes="Good",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        p = db.session.get(Participation, part)
        assert (p.role, p.affiliated_to_id, p.cost_personnel, p.eu_requested, p.notes) == (
            "affiliated_entity",
            cworld["part_a"],
            Decimal("1234.56"),
            Decimal("500.00"),
            "Good",
        )
    bad = lead.post(
        f"/proposals/{pid}/commitments/{part}",
        data=_form(_version(app, part), role="affiliated_entity", affiliated_to=str(part)),
    )
    assert bad.status_code == 200
    assert "An affiliated entity is linked to a beneficiary" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("cost_personnel", "-5", "Amounts cannot be negative."),
        ("cost_personnel", "12,500", "is ambiguous"),
        ("cost_travel", "abc", "is not an amount"),
        ("cost_travel", "1e400", "is not an amount"),
        ("cost_equipment", "99999999999999999", "are not accepted"),
        ("tasks", "nul\x00byte", "Remove the control characters"),
        ("contact_name", "x" * 500, "Field cannot be longer than 120 characters."),
        ("contact_email", "not-an-email", "Enter a valid email address."),
        ("pm_A2", "-3", "between 0 and 9999"),
        ("pm_A2", "lots", "Enter a number of person-months"),
    ],
)
def test_bad_input_is_refused_with_a_message(app, cworld, field, value, message):
    pid, part = cworld["proposal"], cworld["part_a"]
    partner = log_in(app.test_client(), "partner@example.org")
    before = _version(app, part)
    if field == "pm_A2":
        field = f"pm_{cworld['a2']}"
    response = partner.post(
        f"/proposals/{pid}/commitments/mine", data=_form(before, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _version(app, part) == before


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60))
def test_any_amount_text_never_breaks_the_form(app, cworld, text):
    partner = log_in(app.test_client(), "partner@example.org")
    pid, part = cworld["proposal"], cworld["part_a"]
    response = partner.post(
        f"/proposals/{pid}/commitments/mine",
        data=_form(_version(app, part), cost_other=text, tasks=text),
    )
    assert response.status_code in (200, 302)


def test_partner_edits_its_own_profile_with_pic_check(app, cworld):
    pid = cworld["proposal"]
    partner = log_in(app.test_client(), "partner@example.org")
    with app.app_context():
        version = db.session.get(Organisation, cworld["org_a"]).version
    bad = partner.post(
        f"/proposals/{pid}/commitments/mine/organisation",
        data={"version": version, "pic": "12345", "website": "https://ars.example"},
    )
    assert bad.status_code == 200 and "A PIC has exactly 9 digits." in bad.get_data(as_text=True)
    ok = partner.post(
        f"/proposals/{pid}/commitments/mine/organisation",
        data={
            "version": version,
            "pic": "987654321",
            "website": "https://ars.example",
            "city": "Marseille",
            "staff": "12",
            "annual_budget": "450 000",
            "description": "Reuse",
            "contact_name": "Anne Ars",
            "contact_email": "A@ARS.example",
        },
    )
    assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]
    with app.app_context():
        org = db.session.get(Organisation, cworld["org_a"])
        assert (org.pic, org.staff, org.annual_budget_eur, org.website) == (
            "987654321",
            12,
            Decimal("450000.00"),
            "https://ars.example",
        )
        assert [(c.name, c.email) for c in org.contacts] == [("Anne Ars", "a@ars.example")]
        stale_version = version
    stale = partner.post(
        f"/proposals/{pid}/commitments/mine/organisation",
        data={"version": stale_version, "description": "Stale words"},
    )
    assert stale.status_code == 409 and "Stale words" in stale.get_data(as_text=True)


def test_partner_declines_with_a_reason(app, cworld):
    pid, part = cworld["proposal"], cworld["part_a"]
    partner = log_in(app.test_client(), "partner@example.org")
    partner.post(
        f"/proposals/{pid}/commitments/mine/decline",
        data={"version": _version(app, part), "reason": ""},
    )
    with app.app_context():
        assert db.session.get(Participation, part).status == "invited"
    partner.post(
        f"/proposals/{pid}/commitments/mine/decline",
        data={"version": _version(app, part), "reason": "No staff this year"},
    )
    with app.app_context():
        p = db.session.get(Participation, part)
        assert (p.status, p.decline_reason) == ("declined", "No staff this year")


def test_french_pages(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    lead.post("/language/fr")
    board = lead.get(f"/proposals/{cworld['proposal']}/commitments").get_data(as_text=True)
    assert "Engagements du consortium" in board and "Vérifications" in board
    # A 1,287,654.32 + C1 5,000 + E 7% = 1,383,140.12, French format
    assert "1\u202f383\u202f140,12\u00a0€" in board

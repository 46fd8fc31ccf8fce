"""Directory to consortium in one step: "Add to proposal…" (one or several organisations),
bulk invitation of shortlisted partners, copy buttons in the outbox."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from consortium.commitments.models import Invitation, OutboxMessage
from consortium.extensions import db
from consortium.proposals.models import AuditEvent, Participation
from tests import factories
from tests.conftest import PASSWORD

ROLES = ("admin", "lead", "writer", "viewer", "partner", "outsider")
EMAILS = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
    "outsider": "outsider@example.org",
}
MANAGE = {"admin": 302, "lead": 302, "writer": 403, "viewer": 403, "partner": 403, "outsider": 404}


def _as(client, role):
    client.post("/logout")
    assert client.post("/login", data={"email": EMAILS[role], "password": PASSWORD}).status_code
    return client


@pytest.fixture
def newcomers(app, world) -> dict:
    """Two organisations of the directory not yet in the proposal, with a contact each."""
    with app.app_context():
        d = factories.make_org("Déchets Zéro", acronym="DZ")
        e = factories.make_org("Entreprise Est", acronym="EE")
        db.session.commit()
        return {**world, "org_d": d.id, "org_e": e.id}


def _statuses(app, proposal_id) -> dict[int, str]:
    with app.app_context():
        return {
            p.organisation_id: p.status
            for p in db.session.scalars(
                select(Participation).where(Participation.proposal_id == proposal_id)
            )
        }


@pytest.mark.parametrize("role", ROLES)
def test_add_to_proposal_per_role(app, client, newcomers, role):
    _as(client, role)
    pid = newcomers["proposal"]
    response = client.post(
        "/commitments/shortlist",
        data={"proposal_id": pid, "organisation_ids": [newcomers["org_d"], newcomers["org_e"]]},
    )
    assert response.status_code == MANAGE[role]
    statuses = _statuses(app, pid)
    if MANAGE[role] == 302:
        assert response.headers["Location"].endswith(f"/proposals/{pid}/commitments")
        assert statuses[newcomers["org_d"]] == statuses[newcomers["org_e"]] == "shortlisted"
    else:
        assert newcomers["org_d"] not in statuses and newcomers["org_e"] not in statuses


def test_add_to_proposal_reports_refusals_and_keeps_the_rest(app, client, newcomers):
    _as(client, "lead")
    pid = newcomers["proposal"]
    response = client.post(
        "/commitments/shortlist",
        data={"proposal_id": pid, "organisation_ids": [newcomers["org_a"], newcomers["org_d"]]},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Shortlisted in REUSE: Déchets Zéro." in page
    assert "Association Réemploi Sud" in page and "already in the proposal" in page
    statuses = _statuses(app, pid)
    assert (
        statuses[newcomers["org_a"]] == "invited" and statuses[newcomers["org_d"]] == "shortlisted"
    )
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "participation", AuditEvent.after == "shortlisted"
            )
        ).one()
        assert event.actor_id == newcomers["lead"]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    proposal_id=st.one_of(st.text(max_size=12), st.integers(-5, 10**12).map(str)),
    ids=st.lists(st.one_of(st.text(max_size=12), st.integers(-5, 10**12).map(str)), max_size=5),
)
def test_bad_ids_never_fail(app, client, newcomers, proposal_id, ids):
    _as(client, "lead")
    response = client.post(
        "/commitments/shortlist", data={"proposal_id": proposal_id, "organisation_ids": ids}
    )
    assert response.status_code in (302, 400, 403, 404)


def test_pages_offer_add_to_proposal_only_to_those_who_build_the_consortium(client, newcomers):
    for role, shown in (("lead", True), ("writer", False), ("admin", True)):
        _as(client, role)
        detail = client.get(f"/directory/{newcomers['org_d']}").get_data(as_text=True)
        index = client.get("/directory").get_data(as_text=True)
        assert ('data-testid="add-to-proposal"' in detail) is shown, role
        assert ('data-testid="bulk-shortlist"' in index) is shown, role


@pytest.mark.parametrize("role", ROLES)
def test_bulk_invite_per_role(app, client, newcomers, role):
    pid = newcomers["proposal"]
    with app.app_context():
        for key in ("org_d", "org_e"):
            factories.make_participation(
                db.session.get(factories.Proposal, pid),
                db.session.get(factories.Organisation, newcomers[key]),
                status="shortlisted",
            ).contact_email = f"{key}@example.org"
        db.session.commit()
    _as(client, role)
    response = client.post(
        f"/proposals/{pid}/commitments/invite-selected",
        data={
            "participation_ids": [
                str(p) for p in _participation_ids(app, pid, newcomers["org_d"], newcomers["org_e"])
            ]
        },
    )
    assert response.status_code == MANAGE[role]
    with app.app_context():
        invitations = sorted(i.email for i in db.session.scalars(select(Invitation)))
    if MANAGE[role] == 302:
        assert invitations == ["org_d@example.org", "org_e@example.org"]
        assert _statuses(app, pid)[newcomers["org_d"]] == "invited"
    else:
        assert invitations == []


def _participation_ids(app, pid, *org_ids) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Participation.id).where(
                    Participation.proposal_id == pid, Participation.organisation_id.in_(org_ids)
                )
            )
        )


def test_outbox_has_copy_buttons_with_the_invitation_link(app, client, newcomers):
    pid = newcomers["proposal"]
    with app.app_context():
        p = factories.make_participation(
            db.session.get(factories.Proposal, pid),
            db.session.get(factories.Organisation, newcomers["org_d"]),
            status="shortlisted",
        )
        p.contact_email = "dz@example.org"
        db.session.commit()
        participation_id = p.id
    _as(client, "lead")
    client.post(
        f"/proposals/{pid}/commitments/invite-selected",
        data={"participation_ids": [participation_id]},
    )
    page = client.get(f"/proposals/{pid}/commitments/outbox").get_data(as_text=True)
    link = re.search(r'id="link-\d+" value="([^"]+)"', page).group(1)
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage)).one().body
    assert link.startswith("http://localhost/invitations/") and link.split()[0] in body.split()
    assert 'data-testid="copy-link"' in page and 'data-testid="copy-message"' in page
    assert "js/copy.js" in page


def test_csrf_is_enforced(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = factories.standard_world()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": "lead@example.org", "password": PASSWORD, "csrf_token": token}
    )
    pid = world["proposal"]
    assert (
        client.post(
            "/commitments/shortlist",
            data={"proposal_id": pid, "organisation_ids": [world["org_a"]]},
        ).status_code
        == 400
    )
    assert client.post(f"/proposals/{pid}/commitments/invite-selected", data={}).status_code == 400

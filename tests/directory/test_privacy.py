"""The directory respects proposal boundaries (issue #15, item 2).

The model: an organisation's public fields (name, type, place, PIC, website, description,
themes, past projects, ties) are the shared directory. Its private fields (annual budget,
contact people, private notes) and the proposals it takes part in belong to the proposals
that hold it (a participation of any status, or a partner account for it): only the leads,
writers and viewers of those proposals, the partner of that organisation and administrators
see them. An organisation held by no proposal is the directory's own: every lead, writer and
viewer sees it whole. Editing, merging or deleting an organisation held by a proposal needs
the lead of that proposal (merge and delete: of every proposal holding it) or an
administrator. The API applies the same rules.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from consortium.auth.models import User
from consortium.directory.models import Contact, Organisation
from consortium.extensions import db
from consortium.proposals.models import Proposal
from tests import factories
from tests.conftest import PASSWORD
from tests.directory.conftest import EMAILS

NOTE = "CANARY-NOTE of the other lead"
CONTACT = "canary.contact@rebatir.example"
PHONE = "+33 4 91 00 00 99"
BUDGET = "987654.00"

ROLES = ["admin", "lead", "writer", "viewer", "partner", "other_lead", "outsider"]


@pytest.fixture
def two(app, world):
    """The world's proposal REUSE, plus REBATIR led by someone else; an organisation held only
    by REBATIR (with private canaries), and a free one held by no proposal."""
    with app.app_context():
        other_lead = factories.make_user("other.lead@example.org", name="Oscar Other")
        rebatir = factories.make_proposal(lead=other_lead, acronym="REBATIR")
        theirs = factories.make_org(
            "Atelier Rebâtir", notes=NOTE, annual_budget_eur=Decimal(BUDGET)
        )
        theirs.contacts = [Contact(name="Rita Rebâtir", email=CONTACT, phone=PHONE)]
        factories.make_participation(rebatir, theirs, status="candidate")
        free = factories.make_org(
            "Collectif Libre", notes="free note", annual_budget_eur=Decimal("1000.00")
        )
        free.contacts = [Contact(name="Fred Free", email="fred@free.example")]
        db.session.commit()
        return {
            **world,
            "rebatir": rebatir.id,
            "theirs": theirs.id,
            "free": free.id,
            "other_lead": other_lead.id,
        }


def _client(app, role: str):
    email = {**EMAILS, "other_lead": "other.lead@example.org"}[role]
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code in (
        302,
        303,
    )
    return client


# Who sees the private fields of the organisation held only by REBATIR.
THEIRS_PAGE = {
    "admin": "private",
    "lead": "public",
    "writer": "public",
    "viewer": "public",
    "partner": 404,
    "other_lead": "private",
    "outsider": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_private_fields_of_another_proposals_organisation_stay_with_it(app, two, role):
    page = _client(app, role).get(f"/directory/{two['theirs']}")
    expected = THEIRS_PAGE[role]
    if isinstance(expected, int):
        assert page.status_code == expected
        return
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Atelier Rebâtir" in body
    private = [NOTE in body, CONTACT in body, PHONE in body, "987,654" in body, "REBATIR" in body]
    assert private == [expected == "private"] * 5, private


@pytest.mark.parametrize("role", ["admin", "lead", "writer", "viewer", "other_lead"])
def test_an_organisation_held_by_no_proposal_is_seen_whole(app, two, role):
    body = _client(app, role).get(f"/directory/{two['free']}").get_data(as_text=True)
    assert "free note" in body and "fred@free.example" in body


def test_takes_part_in_names_only_the_proposals_one_can_see(app, two):
    with app.app_context():
        reuse = db.session.get(Proposal, two["proposal"])
        factories.make_participation(reuse, db.session.get(Organisation, two["theirs"]))
        db.session.commit()
    body = _client(app, "lead").get(f"/directory/{two['theirs']}").get_data(as_text=True)
    assert "REUSE" in body and "REBATIR" not in body
    assert NOTE in body  # now held by REUSE too: its lead sees the private fields


# Merge and delete of the organisation held by REBATIR.
RESTRUCTURE = {
    "admin": True,
    "lead": False,
    "writer": False,
    "viewer": False,
    "partner": False,
    "other_lead": True,
    "outsider": False,
}


def _exists(app, org_id: int) -> bool:
    with app.app_context():
        return db.session.get(Organisation, org_id) is not None


@pytest.mark.parametrize("role", ROLES)
def test_merging_another_proposals_organisation_needs_its_lead_or_an_admin(app, two, role):
    client = _client(app, role)
    # Folding it into a free organisation deletes it: the hardest case.
    response = client.post(
        f"/directory/{two['free']}/merge", data={"other": str(two["theirs"]), "confirm": "1"}
    )
    assert _exists(app, two["theirs"]) is not RESTRUCTURE[role] or role == "other_lead"
    if RESTRUCTURE[role] and role == "admin":
        assert not _exists(app, two["theirs"])
    if not RESTRUCTURE[role]:
        assert response.status_code in (403, 404)
    # Keeping it and folding another organisation into it.
    client.post(
        f"/directory/{two['theirs']}/merge", data={"other": str(two["org_c"]), "confirm": "1"}
    )
    if not RESTRUCTURE[role]:
        assert _exists(app, two["org_c"]) and _exists(app, two["theirs"])


def test_the_other_lead_cannot_merge_into_an_organisation_held_by_a_proposal_it_does_not_lead(
    app, two
):
    """Other lead leads REBATIR only; the free organisation is fine, REUSE's org_b is not."""
    client = _client(app, "other_lead")
    refused = client.post(
        f"/directory/{two['org_b']}/merge", data={"other": str(two["theirs"]), "confirm": "1"}
    )
    assert refused.status_code == 403 and _exists(app, two["theirs"])
    client.post(
        f"/directory/{two['free']}/merge", data={"other": str(two["theirs"]), "confirm": "1"}
    )
    assert not _exists(app, two["theirs"])


@pytest.mark.parametrize("role", ROLES)
def test_deleting_or_editing_another_proposals_organisation_is_refused(app, two, role):
    with app.app_context():
        # Held by REBATIR through a partner account only (no participation left).
        db.session.execute(
            db.delete(factories.Participation).where(
                factories.Participation.organisation_id == two["theirs"]
            )
        )
        partner_of_theirs = factories.make_user("rita@rebatir.example")
        factories.add_role(
            db.session.get(Proposal, two["rebatir"]),
            partner_of_theirs,
            "partner",
            db.session.get(Organisation, two["theirs"]),
        )
        db.session.commit()
    client = _client(app, role)
    edit = client.get(f"/directory/{two['theirs']}/edit")
    assert edit.status_code == (
        200 if RESTRUCTURE[role] else {"partner": 404, "outsider": 403}.get(role, 403)
    )
    client.post(f"/directory/{two['theirs']}/delete")
    # Even the admin cannot delete it while a proposal holds it (the existing rule).
    assert _exists(app, two["theirs"])


def test_a_lead_deletes_and_merges_free_organisations(app, two):
    with app.app_context():
        spare = factories.make_org("Collectif Doublon").id
        db.session.commit()
    client = _client(app, "lead")
    client.post(f"/directory/{two['free']}/merge", data={"other": str(spare), "confirm": "1"})
    assert not _exists(app, spare)
    client.post(f"/directory/{two['free']}/delete")
    assert not _exists(app, two["free"])


@pytest.mark.parametrize(
    "role, sees", [("lead", False), ("other_lead", True), ("admin", True), ("writer", False)]
)
def test_exports_carry_private_fields_only_where_the_pages_show_them(app, two, role, sees):
    csv = _client(app, role).get("/directory/export?format=csv&contacts=1").get_data(as_text=True)
    assert "Atelier Rebâtir" in csv
    assert (CONTACT in csv, "987654" in csv) == (sees, sees)


def _bearer(app, role: str) -> dict:
    from consortium.auth.services import create_api_token

    email = {**EMAILS, "other_lead": "other.lead@example.org"}[role]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = create_api_token(user, name="t")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ROLES)
def test_the_api_applies_the_same_rules(app, two, role):
    client = app.test_client()
    headers = _bearer(app, role)
    one = client.get(f"/api/v1/organisations/{two['theirs']}", headers=headers)
    expected = THEIRS_PAGE[role]
    if isinstance(expected, int):
        assert one.status_code == expected
        return
    data = one.get_json()
    assert ("notes" in data, "contacts" in data) == (expected == "private",) * 2
    listed = client.get("/api/v1/organisations?per_page=100", headers=headers).get_json()
    theirs = next(o for o in listed["items"] if o["id"] == two["theirs"])
    assert ("notes" in theirs) is (expected == "private")
    free = next(o for o in listed["items"] if o["id"] == two["free"])
    assert free.get("notes") == "free note"


def test_a_partner_sees_through_the_api_the_members_its_pages_show(app, two):
    with app.app_context():
        reuse = db.session.get(Proposal, two["proposal"])
        factories.make_participation(
            reuse, factories.make_org("Candidate Hidden"), status="candidate"
        )
        db.session.commit()
    client = app.test_client()
    listed = client.get(
        f"/api/v1/proposals/{two['proposal']}", headers=_bearer(app, "partner")
    ).get_json()
    assert "Candidate Hidden" not in [m["organisation"] for m in listed["members"]]
    page = _client(app, "partner").get(f"/proposals/{two['proposal']}/commitments/mine")
    assert "Candidate Hidden" not in page.get_data(as_text=True)
    lead = client.get(
        f"/api/v1/proposals/{two['proposal']}", headers=_bearer(app, "lead")
    ).get_json()
    assert "Candidate Hidden" in [m["organisation"] for m in lead["members"]]

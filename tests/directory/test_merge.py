"""Merging two organisations keeps every link and records what was merged."""

from __future__ import annotations

from sqlalchemy import select

from consortium.directory.models import (
    Contact,
    Organisation,
    OrganisationMerge,
    PastProject,
    Tie,
)
from consortium.directory.services import merge_organisations
from consortium.errors import DomainError
from consortium.extensions import db
from consortium.proposals.models import Participation, ProposalMember
from consortium.workshops.models import (
    ActionParticipant,
    Attendee,
    OutputOrganisation,
    WorkshopAttendance,
)
from tests import factories


def _tie(a, b, kind="informal"):
    a, b = sorted((a.id, b.id))
    tie = Tie(organisation_a_id=a, organisation_b_id=b, kind=kind)
    db.session.add(tie)
    return tie


def test_merge_moves_every_link(app, as_role, world):
    with app.app_context():
        keep = db.session.get(Organisation, world["org_b"])  # Ville de Marseille, in REUSE
        other = factories.make_org(
            "Mairie de Marseille",
            pic="222333444",
            themes=("water",),
            acronym="MDM",
            website="https://mairie.example.org",
            keywords=["eau"],
        )
        third = db.session.get(Organisation, world["org_c"])
        ars = db.session.get(Organisation, world["org_a"])
        proposal = factories.make_proposal(acronym="OTHER")
        factories.make_participation(proposal, other, status="invited")
        user = factories.make_user("p3@example.org")
        factories.add_role(proposal, user, "partner", other)
        reuse = db.session.get(factories.Proposal, world["proposal"])
        workshop = factories.make_workshop(reuse)
        db.session.add_all(
            [
                WorkshopAttendance(workshop_id=workshop.id, organisation_id=keep.id),
                WorkshopAttendance(workshop_id=workshop.id, organisation_id=other.id),
                Attendee(workshop_id=workshop.id, organisation_id=other.id, name="Jo"),
            ]
        )
        output = factories.make_output(workshop, "Need storage", organisations=(other,))
        action = factories.make_action(reuse, lead=other)
        db.session.add(ActionParticipant(action_id=action.id, organisation_id=other.id))
        db.session.add(Contact(organisation_id=other.id, name="Claire"))
        db.session.add(PastProject(organisation_id=other.id, programme="LIFE", title="Old"))
        _tie(other, keep)  # becomes a self-tie: dropped
        _tie(other, third)  # duplicate of keep-third: dropped
        _tie(keep, third)
        _tie(other, ars, "formal_agreement")  # moves
        db.session.commit()
        other_id, output_id, action_id = other.id, output.id, action.id

    # "other" takes part in OTHER, which this lead does not lead: an administrator merges
    # (tests/directory/test_privacy.py checks the lead is refused).
    response = as_role("admin").post(
        f"/directory/{world['org_b']}/merge", data={"other": other_id, "confirm": "1"}
    )
    assert response.status_code == 302

    with app.app_context():
        assert db.session.get(Organisation, other_id) is None
        keep = db.session.get(Organisation, world["org_b"])
        kid = keep.id
        assert keep.pic == "222333444" and keep.acronym == "VDM"
        assert keep.website == "https://mairie.example.org" and keep.keywords == ["eau"]
        assert keep.theme_codes == ["water"]
        assert [c.name for c in keep.contacts] == ["Claire"]
        assert [p.title for p in keep.past_projects] == ["Old"]
        assert db.session.scalars(
            select(Participation.organisation_id).where(Participation.proposal.has(acronym="OTHER"))
        ).all() == [kid]
        assert (
            db.session.scalar(
                select(ProposalMember.organisation_id).where(
                    ProposalMember.user.has(email="p3@example.org")
                )
            )
            == kid
        )
        assert db.session.scalars(select(WorkshopAttendance.organisation_id)).all() == [kid]
        assert db.session.scalars(select(Attendee.organisation_id)).all() == [kid]
        assert db.session.scalars(
            select(OutputOrganisation.organisation_id).where(
                OutputOrganisation.output_id == output_id
            )
        ).all() == [kid]
        assert db.session.get(factories.Action, action_id).lead_organisation_id == kid
        assert db.session.scalars(select(ActionParticipant.organisation_id)).all() == [kid]
        ties = sorted(
            (t.organisation_a_id, t.organisation_b_id, t.kind)
            for t in db.session.scalars(select(Tie))
        )
        assert ties == sorted(
            [
                (min(kid, world["org_c"]), max(kid, world["org_c"]), "informal"),
                (min(kid, world["org_a"]), max(kid, world["org_a"]), "formal_agreement"),
            ]
        )
        merge = db.session.scalar(select(OrganisationMerge))
        assert (merge.kept_id, merge.merged_name, merge.merged_pic) == (
            kid,
            "Mairie de Marseille",
            "222333444",
        )
        assert merge.details["ties_moved"] == 1 and merge.details["ties_dropped"] == 2
        assert merge.details["participations"] == 1 and merge.details["contacts"] == 1
        assert merge.details["dropped_duplicate_links"] == 1  # the second workshop attendance
        assert keep.search_text.startswith("ville de marseille vdm marseille")


def test_merge_refuses_two_participations_in_the_same_proposal(app, as_role, world):
    response = as_role("lead").post(
        f"/directory/{world['org_a']}/merge",
        data={"other": world["org_c"], "confirm": "1"},
        follow_redirects=True,
    )
    assert (
        "Both organisations take part in REUSE; remove one of the two participations "
        "before merging."
    ) in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, world["org_c"]) is not None


def test_merge_asks_for_confirmation_first(app, as_role, world):
    with app.app_context():
        other = factories.make_org("Doublon")
        db.session.commit()
        other_id = other.id
    page = as_role("lead").post(f"/directory/{world['org_b']}/merge", data={"other": other_id})
    assert "“Doublon” will be merged into “Ville de Marseille”." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Organisation, other_id) is not None


def test_merge_into_itself_is_refused(app, world):
    with app.app_context():
        org = db.session.get(Organisation, world["org_a"])
        try:
            merge_organisations(org, org, actor=None)
        except DomainError as error:
            assert error.template == "Choose another organisation to merge."
        else:  # pragma: no cover
            raise AssertionError("merge into itself accepted")

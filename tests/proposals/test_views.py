from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from consortium.calls.models import Topic
from consortium.dossier.models import Section
from consortium.dossier.services import structure_for
from consortium.extensions import db
from consortium.proposals.models import Proposal, ProposalMember
from tests import factories

ROLE_EMAILS = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
    "outsider": "outsider@example.org",
}


@pytest.mark.parametrize(
    ("who", "dashboard", "edit", "members"),
    [
        ("admin", 200, 200, 200),
        ("lead", 200, 200, 200),
        ("writer", 200, 403, 200),
        ("viewer", 200, 403, 200),
        ("partner", 200, 403, 200),
        ("outsider", 404, 404, 404),
    ],
)
def test_proposal_pages_per_role(client, login, world, who, dashboard, edit, members):
    login(ROLE_EMAILS[who])
    pid = world["proposal"]

    assert client.get(f"/proposals/{pid}").status_code == dashboard
    assert client.get(f"/proposals/{pid}/edit").status_code == edit
    assert client.get(f"/proposals/{pid}/members").status_code == members


def test_unknown_proposal_is_404_like_a_hidden_one(client, login, world):
    login("lead@example.org")
    assert client.get("/proposals/999999").status_code == 404


def test_index_lists_only_my_proposals(app, client, login, world):
    with app.app_context():
        factories.make_proposal(acronym="SECRET", title="Someone else's")
        db.session.commit()
    login("writer@example.org")

    page = client.get("/").get_data(as_text=True)

    assert "REUSE" in page
    assert "SECRET" not in page


def test_dashboard_links_every_area_the_role_allows(client, login, world):
    login("lead@example.org")
    page = client.get(f"/proposals/{world['proposal']}").get_data(as_text=True)
    assert "Reuse in construction" in page
    assert 'data-testid="countdown"' in page
    assert "No action yet." in page


def test_dashboard_lists_the_actions_with_their_lead(app, client, login, world):
    with app.app_context():
        proposal = db.session.get(Proposal, world["proposal"])
        lead_org = db.session.get(factories.Organisation, world["org_a"])
        factories.make_action(
            proposal, "Reuse platform", code="A1", lead=lead_org, start_month=3, end_month=30
        )
        db.session.commit()
    login("viewer@example.org")

    page = client.get(f"/proposals/{world['proposal']}").get_data(as_text=True)

    assert "<td>A1</td><td>Reuse platform</td><td>ARS</td>" in page
    assert "M3–M30" in page


def test_lead_creates_a_proposal_and_becomes_its_lead(app, client, login, world):
    login("lead@example.org")

    response = client.post(
        "/proposals/new",
        data={
            "acronym": "VERDIR",
            "title": "Greening Marseille",
            "topic": "LIFE-2026-SAP-ENV-ENVIRONMENT",
            "subtopics": ["Water"],
            "territory": "Marseille",
            "summary": "Trees 🌳 and שלום",
            "working_language": "fr",
            "document_language": "en",
            "duration_months": "48",
            "closed_call": "practice",  # the factory's topic closed on 23 September 2026
        },
    )

    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == "VERDIR"))
        assert proposal.summary == "Trees 🌳 and שלום"
        assert proposal.subtopics == ["Water"]
        assert [(m.user.email, m.role) for m in proposal.members] == [("lead@example.org", "lead")]
        # the dossier's sections exist from the start, in the document language (issue #14, 5)
        sections = db.session.scalars(select(Section).where(Section.proposal_id == proposal.id))
        drafted = [s for s in sections if s.language == "en" and s.body]
        assert (
            len(drafted)
            == len([s for s in structure_for(proposal) if s.drafting_key != "heading"])
            > 0
        )


def test_create_refuses_a_duplicate_acronym_and_too_many_subtopics(app, client, login, world):
    login("lead@example.org")
    response = client.post(
        "/proposals/new",
        data={
            "acronym": "reuse",
            "title": "Again",
            "topic": "LIFE-2026-SAP-ENV-ENVIRONMENT",
            "subtopics": [
                "Water",
                "Circular Economy and Waste",
                "Circular Economy and the Environment",
            ],
            "working_language": "fr",
            "document_language": "en",
            "duration_months": "48",
        },
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Another proposal already uses this acronym." in page
    with app.app_context():
        assert db.session.scalar(select(Proposal).where(Proposal.title == "Again")) is None


@pytest.mark.parametrize("bad", ["a\x00b", "x" * 301, "bell\x07"])
def test_create_refuses_control_characters_and_overlong_titles(app, client, login, world, bad):
    login("lead@example.org")
    response = client.post(
        "/proposals/new",
        data={
            "acronym": "NEWONE",
            "title": bad,
            "topic": "LIFE-2026-SAP-ENV-ENVIRONMENT",
            "working_language": "fr",
            "document_language": "en",
            "duration_months": "48",
        },
    )

    assert response.status_code == 200
    assert 'class="error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Proposal).where(Proposal.acronym == "NEWONE")) is None


def _new_proposal(client, acronym, **extra):
    return client.post(
        "/proposals/new",
        data={
            "acronym": acronym,
            "title": "Practice run",
            "topic": "LIFE-2026-SAP-ENV-ENVIRONMENT",
            "working_language": "fr",
            "document_language": "fr",
            "duration_months": "48",
            **extra,
        },
    )


def test_closed_topic_is_refused_unless_practice_or_resubmission(app, client, login, world):
    login("lead@example.org")
    with app.app_context():
        deadline = db.session.scalar(select(Topic.deadline))
    assert deadline < datetime.now(UTC).date()  # the shipped LIFE 2026 topics have closed
    refused = _new_proposal(client, "LATE")
    assert refused.status_code == 200
    assert "This topic closed on 2026-09-23" in refused.get_data(as_text=True)
    assert _new_proposal(client, "LATE", closed_call="resubmission").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Proposal.acronym).where(Proposal.acronym == "LATE"))


def test_open_topic_needs_no_reason_and_lists_its_deadline(app, client, login, world):
    login("lead@example.org")
    with app.app_context():
        topic = db.session.scalar(select(Topic))
        topic.deadline = datetime.now(UTC).date() + timedelta(days=30)
        db.session.commit()
    page = client.get("/proposals/new").get_data(as_text=True)
    assert "LIFE-2026-SAP-ENV-ENVIRONMENT — " in page and " · deadline " in page
    assert _new_proposal(client, "EARLY").status_code == 302


def test_writer_cannot_create_proposals(client, login, world):
    login("writer@example.org")
    assert client.get("/proposals/new").status_code == 403


def test_edit_with_a_stale_version_is_a_409_that_keeps_the_text(app, client, login, world):
    login("lead@example.org")
    pid = world["proposal"]
    with app.app_context():
        version = db.session.get(Proposal, pid).version
    data = {
        "version": str(version),
        "title": "First save",
        "topic": "LIFE-2026-SAP-ENV-ENVIRONMENT",
        "working_language": "fr",
        "document_language": "en",
        "duration_months": "36",
        "summary": "mine",
    }
    assert client.post(f"/proposals/{pid}/edit", data=data).status_code == 302

    data["summary"] = "My long careful summary"
    stale = client.post(f"/proposals/{pid}/edit", data=data)

    assert stale.status_code == 409
    assert "My long careful summary" in stale.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Proposal, pid).summary == "mine"


def test_lead_gives_and_removes_roles(app, client, login, world):
    login("lead@example.org")
    pid = world["proposal"]

    response = client.post(
        f"/proposals/{pid}/members",
        data={"email": "outsider@example.org", "role": "viewer", "organisation": ""},
    )

    assert response.status_code == 302
    with app.app_context():
        member = db.session.scalar(
            select(ProposalMember).where(ProposalMember.user_id == world["outsider"])
        )
        assert member.role == "viewer"
        member_id = member.id
    client.post(f"/proposals/{pid}/members/{member_id}/remove")
    with app.app_context():
        assert db.session.get(ProposalMember, member_id) is None


def test_partner_role_needs_an_organisation(client, login, world):
    login("lead@example.org")
    response = client.post(
        f"/proposals/{world['proposal']}/members",
        data={"email": "outsider@example.org", "role": "partner", "organisation": ""},
    )
    assert "A partner must be tied to an organisation." in response.get_data(as_text=True)


def test_the_last_lead_cannot_leave(app, client, login, world):
    login("lead@example.org")
    with app.app_context():
        lead_member = db.session.scalar(
            select(ProposalMember).where(ProposalMember.user_id == world["lead"])
        )
        member_id = lead_member.id
    response = client.post(
        f"/proposals/{world['proposal']}/members/{member_id}/remove", follow_redirects=True
    )
    assert "A proposal keeps at least one lead." in response.get_data(as_text=True)


def test_viewer_cannot_give_roles(client, login, world):
    login("viewer@example.org")
    response = client.post(
        f"/proposals/{world['proposal']}/members",
        data={"email": "outsider@example.org", "role": "lead"},
    )
    assert response.status_code == 403


def test_member_of_another_proposal_cannot_be_removed_through_this_one(app, client, login, world):
    with app.app_context():
        other = factories.make_proposal(acronym="OTHER")
        member = factories.add_role(
            other, db.session.get(factories.User, world["outsider"]), "lead"
        )
        db.session.commit()
        member_id = member.id
    login("lead@example.org")

    response = client.post(f"/proposals/{world['proposal']}/members/{member_id}/remove")

    assert response.status_code == 404


def test_cli_creates_a_proposal(app, runner, world):
    result = runner.invoke(
        args=[
            "proposals",
            "create",
            "--topic",
            "LIFE-2026-SAP-ENV-ENVIRONMENT",
            "--acronym",
            "CLIPROP",
            "--title",
            "From the terminal",
            "--lead",
            "lead@example.org",
            "--closed-call",
            "practice",
        ]
    )

    assert result.output == (
        "Proposal CLIPROP created on LIFE-2026-SAP-ENV-ENVIRONMENT, led by lead@example.org.\n"
    )
    missing = runner.invoke(
        args=["proposals", "create", "--topic", "LIFE-1999-X", "--acronym", "X", "--title", "Y"]
    )
    assert missing.exit_code == 1
    assert "unknown topic LIFE-1999-X" in missing.output


def test_cli_users(app, runner, world):
    created = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "new@example.org",
            "--name",
            "New",
            "--password",
            "long enough password",
        ]
    )
    granted = runner.invoke(
        args=[
            "users",
            "grant",
            "new@example.org",
            "REUSE",
            "partner",
            "--organisation",
            "123456789",
        ]
    )
    unknown = runner.invoke(
        args=["users", "grant", "new@example.org", "REUSE", "partner", "--organisation", "nobody"]
    )

    assert created.output == "Account new@example.org created.\n"
    assert granted.output == "new@example.org is now partner on REUSE.\n"
    assert unknown.exit_code == 1
    assert "organisation 'nobody' is unknown" in unknown.output

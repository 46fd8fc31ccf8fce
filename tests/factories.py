"""Plain factory functions: keyword defaults, add + flush, return the object."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from werkzeug.security import generate_password_hash

from consortium.auth.models import User
from consortium.calls.models import AwardCriterion, Call, Programme, Topic
from consortium.directory.dedupe import normalise_name
from consortium.directory.models import Organisation, OrganisationTheme
from consortium.extensions import db
from consortium.folding import fold
from consortium.proposals.models import Participation, Proposal, ProposalMember
from consortium.workshops.models import Action, Output, OutputOrganisation, Workshop
from tests.conftest import PASSWORD

_sequence = count(1)
_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_user(
    email: str | None = None,
    *,
    name: str = "Test User",
    is_admin: bool = False,
    active: bool = True,
) -> User:
    user = User(
        email=email or f"user{next(_sequence)}@example.org",
        name=name,
        password_hash=_HASH,
        is_admin=is_admin,
        active=active,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_topic(identifier: str = "LIFE-2026-SAP-ENV-ENVIRONMENT", **values) -> Topic:
    programme = db.session.query(Programme).filter_by(code="LIFE").one_or_none()
    if programme is None:
        programme = Programme(code="LIFE", name="LIFE", portal_id="43252405")
        db.session.add(programme)
    call_identifier = values.pop("call_identifier", "-".join(identifier.split("-")[:3]))
    call = db.session.query(Call).filter_by(identifier=call_identifier).one_or_none()
    if call is None:
        call = Call(programme=programme, identifier=call_identifier, title="Test call")
        db.session.add(call)
    defaults = dict(
        title="Environment topic",
        sub_programme="ENV",
        action_type="SAP",
        deadline=date(2026, 9, 23),
        deadline_model="single-stage",
        funding_rate=Decimal("0.60"),
        indirect_rate=Decimal("0.07"),
        min_beneficiaries=1,
        min_countries=1,
        max_subtopics=2,
        subtopics=["Circular Economy and Waste", "Circular Economy and the Environment", "Water"],
        description="Circular economy, reuse of construction materials.",
        mandatory_annexes=["Detailed budget table (LIFE)", "Participant information (LIFE)"],
        optional_annexes=["Letters of support"],
        defaulted_fields=["funding_rate", "criteria"],
    )
    defaults.update(values)
    topic = Topic(identifier=identifier, call=call, **defaults)
    topic.criteria = [
        AwardCriterion(
            position=1,
            code="relevance",
            name="Relevance",
            max_points=Decimal("20"),
            threshold=Decimal("10"),
        )
    ]
    db.session.add(topic)
    db.session.flush()
    return topic


def make_org(
    name: str | None = None,
    *,
    country: str = "FR",
    city: str = "Marseille",
    org_type: str = "ngo",
    themes: tuple[str, ...] = (),
    **values,
) -> Organisation:
    name = name or f"Organisation {next(_sequence)}"
    org = Organisation(name=name, country=country, city=city, org_type=org_type, **values)
    org.search_text = fold(
        " ".join(
            filter(None, [name, org.acronym, city, org.description, " ".join(org.keywords or [])])
        )
    )
    org.name_key = normalise_name(name)
    org.themes = [OrganisationTheme(theme=code) for code in themes]
    db.session.add(org)
    db.session.flush()
    return org


def make_proposal(
    *, lead: User | None = None, topic: Topic | None = None, acronym: str | None = None, **values
) -> Proposal:
    topic = topic or db.session.query(Topic).first() or make_topic()
    proposal = Proposal(
        acronym=acronym or f"PROP{next(_sequence)}",
        title=values.pop("title", "A test proposal"),
        topic=topic,
        **values,
    )
    db.session.add(proposal)
    db.session.flush()
    if lead is not None:
        add_role(proposal, lead, "lead")
    return proposal


def add_role(
    proposal: Proposal, user: User, role: str, organisation: Organisation | None = None
) -> ProposalMember:
    member = ProposalMember(
        proposal=proposal,
        user_id=user.id,
        role=role,
        organisation_id=organisation.id if organisation else None,
    )
    db.session.add(member)
    db.session.flush()
    return member


def make_participation(
    proposal: Proposal,
    organisation: Organisation,
    *,
    role: str = "beneficiary",
    status: str = "shortlisted",
    **values,
) -> Participation:
    participation = Participation(
        proposal=proposal, organisation=organisation, role=role, status=status, **values
    )
    db.session.add(participation)
    db.session.flush()
    return participation


def make_workshop(
    proposal: Proposal,
    *,
    step: str = "vision",
    title: str = "Vision 2030",
    held_on: date | None = date(2025, 3, 14),
    **values,
) -> Workshop:
    workshop = Workshop(proposal_id=proposal.id, step=step, title=title, held_on=held_on, **values)
    db.session.add(workshop)
    db.session.flush()
    return workshop


def make_output(
    workshop: Workshop,
    text: str,
    *,
    kind: str = "need",
    organisations: tuple[Organisation, ...] = (),
    relation: str = "raised",
    **values,
) -> Output:
    output = Output(workshop=workshop, kind=kind, text=text, **values)
    output.organisations = [
        OutputOrganisation(organisation_id=o.id, relation=relation) for o in organisations
    ]
    db.session.add(output)
    db.session.flush()
    return output


def make_action(
    proposal: Proposal,
    title: str = "Reuse platform",
    *,
    code: str = "A1",
    lead: Organisation | None = None,
    **values,
) -> Action:
    action = Action(
        proposal_id=proposal.id,
        code=code,
        title=title,
        lead_organisation_id=lead.id if lead else None,
        **values,
    )
    db.session.add(action)
    db.session.flush()
    return action


def standard_world() -> dict:
    """Admin, lead, writer, viewer, partner (of org_a), outsider; one proposal; three orgs."""
    admin = make_user("admin@example.org", name="Admin", is_admin=True)
    lead = make_user("lead@example.org", name="Lea Lead")
    writer = make_user("writer@example.org", name="Wanda Writer")
    viewer = make_user("viewer@example.org", name="Victor Viewer")
    partner = make_user("partner@example.org", name="Paul Partner")
    other_partner = make_user("partner2@example.org", name="Pia Partner")
    outsider = make_user("outsider@example.org", name="Olga Outsider")
    topic = make_topic()
    proposal = make_proposal(lead=lead, acronym="REUSE", title="Reuse in construction")
    org_a = make_org("Association Réemploi Sud", acronym="ARS", pic="123456789")
    org_b = make_org("Ville de Marseille", acronym="VDM", org_type="public_authority")
    org_c = make_org("Bureau Vert", acronym="BV", org_type="sme")
    add_role(proposal, writer, "writer")
    add_role(proposal, viewer, "viewer")
    add_role(proposal, partner, "partner", org_a)
    add_role(proposal, other_partner, "partner", org_c)
    make_participation(proposal, org_b, role="coordinator", status="confirmed")
    make_participation(proposal, org_a, status="invited")
    make_participation(proposal, org_c, status="invited")
    db.session.commit()
    return {
        "admin": admin.id,
        "lead": lead.id,
        "writer": writer.id,
        "viewer": viewer.id,
        "partner": partner.id,
        "other_partner": other_partner.id,
        "outsider": outsider.id,
        "topic": topic.id,
        "proposal": proposal.id,
        "org_a": org_a.id,
        "org_b": org_b.id,
        "org_c": org_c.id,
    }

"""Load the Marseille demo; every record is found by its natural key first, so loading twice
changes nothing."""

from __future__ import annotations

import importlib
import importlib.util
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..auth.models import User
from ..calls.catalogue import DEFAULT_CATALOGUE, parse_catalogue
from ..calls.models import Topic
from ..calls.services import import_topics
from ..directory.models import Contact, Organisation, OrganisationTheme, PastProject, Tie
from ..extensions import db
from ..folding import fold
from ..proposals.models import ActionEffort, Participation, Proposal, ProposalMember
from ..workshops.models import (
    Action,
    ActionOutput,
    ActionParticipant,
    Attendee,
    Output,
    OutputOrganisation,
    Workshop,
    WorkshopAttendance,
)
from . import data

# Areas that add their own demo records (a module consortium/demo/<area>.py with load()).
AREA_LOADERS = ("directory", "commitments", "dossier", "opendata", "tasks")
# The documented demo password (README), not a secret.
DEMO_PASSWORD = "marseille2030"  # nosec B105
DEMO_ACCOUNTS = [
    ("admin@example.org", "administrator of the instance"),
    ("lead@example.org", "lead of REBATIR and VERDIR (Ville de Marseille)"),
    ("writer@example.org", "writer on both proposals"),
    ("partner@example.org", "partner of REBATIR for Réemploi Bâtiment Sud"),
    ("viewer@example.org", "viewer of both proposals"),
]


def organisation_search_text(org: Organisation) -> str:
    return fold(
        " ".join(
            filter(
                None,
                [org.name, org.acronym, org.city, org.description, " ".join(org.keywords or [])],
            )
        )
    )


def load_demo(*, password_method: str) -> str:
    """Load everything; returns a one-line report of what was created."""
    created = {
        "topics": 0,
        "organisations": 0,
        "ties": 0,
        "proposals": 0,
        "workshops": 0,
        "outputs": 0,
        "actions": 0,
        "accounts": 0,
    }
    if db.session.scalar(select(Topic.id).limit(1)) is None:
        created["topics"] = import_topics(parse_catalogue(DEFAULT_CATALOGUE.read_bytes())).created

    users = _accounts(password_method, created)
    lead = users["lead@example.org"]
    orgs = _organisations(lead, created)
    _ties(orgs, lead, created)
    for spec in data.PROPOSALS:
        _proposal(spec, orgs, users, created)
    db.session.flush()
    proposals = {
        spec["key"]: db.session.scalar(select(Proposal).where(Proposal.acronym == spec["acronym"]))
        for spec in data.PROPOSALS
    }
    for area in AREA_LOADERS:
        if importlib.util.find_spec(f"{__package__}.{area}") is not None:
            importlib.import_module(f"{__package__}.{area}").load(
                proposals=proposals, orgs=orgs, users=users
            )
    db.session.flush()
    return ", ".join(f"{count} {name}" for name, count in created.items()) + " created."


def _accounts(method: str, created: dict) -> dict[str, User]:
    users = {}
    password_hash = None
    for email, name, is_admin, _roles in data.ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password_hash = password_hash or generate_password_hash(DEMO_PASSWORD, method=method)
            user = User(email=email, name=name, is_admin=is_admin, password_hash=password_hash)
            db.session.add(user)
            created["accounts"] += 1
        users[email] = user
    db.session.flush()
    return users


def _organisations(actor: User, created: dict) -> dict[str, Organisation]:
    orgs = {}
    for (
        key,
        name,
        acronym,
        org_type,
        country,
        city,
        pic,
        themes,
        keywords,
        staff,
        budget,
        experience,
        description,
        shared,
        natural_person,
    ) in data.ORGANISATIONS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(
                name=name,
                acronym=acronym,
                org_type=org_type,
                country=country,
                city=city,
                region="Provence-Alpes-Côte d'Azur" if country == "FR" else None,
                pic=pic,
                keywords=keywords,
                staff=staff,
                annual_budget_eur=Decimal(budget),
                eu_experience=experience,
                description=description,
                shared_with_partners=shared,
                natural_person=natural_person,
                languages=["fr"] if country == "FR" else ["en"],
                created_by_id=actor.id,
                updated_by_id=actor.id,
            )
            org.search_text = organisation_search_text(org)
            org.name_key = fold(name)
            org.themes = [OrganisationTheme(theme=theme) for theme in themes]
            org.contacts = [
                Contact(name=n, function=f, email=e, phone=p)
                for n, f, e, p in data.CONTACTS.get(key, [])
            ]
            org.past_projects = [
                PastProject(programme=prog, reference=ref, title=title, year=year, role=role)
                for prog, ref, title, year, role in data.PAST_PROJECTS.get(key, [])
            ]
            db.session.add(org)
            created["organisations"] += 1
        orgs[key] = org
    db.session.flush()
    return orgs


def _ties(orgs: dict[str, Organisation], actor: User, created: dict) -> None:
    for a_key, b_key, kind, year, note in data.TIES:
        a, b = sorted((orgs[a_key].id, orgs[b_key].id))
        exists = db.session.scalar(
            select(Tie.id).where(
                Tie.organisation_a_id == a, Tie.organisation_b_id == b, Tie.kind == kind
            )
        )
        if exists is None:
            db.session.add(
                Tie(
                    organisation_a_id=a,
                    organisation_b_id=b,
                    kind=kind,
                    year=year,
                    note=note or "",
                    created_by_id=actor.id,
                )
            )
            created["ties"] += 1
    db.session.flush()


def _new_proposal(spec: dict, orgs: dict[str, Organisation], users: dict[str, User]) -> Proposal:
    """The proposal with its members (the demo accounts that have a role in it)."""
    key = spec["key"]
    topic = db.session.scalar(select(Topic).where(Topic.identifier == spec["topic"]))
    proposal = Proposal(
        acronym=spec["acronym"],
        title=spec["title"],
        topic=topic,
        territory=spec["territory"],
        summary=spec["summary"],
        working_language=spec["working_language"],
        document_language=spec["document_language"],
        subtopics=spec["subtopics"],
        duration_months=spec["duration_months"],
        created_by_id=users["lead@example.org"].id,
    )
    db.session.add(proposal)
    db.session.flush()
    for email, _name, _admin, roles in data.ACCOUNTS:
        if key in roles:
            role, org_key = roles[key]
            db.session.add(
                ProposalMember(
                    proposal=proposal,
                    user_id=users[email].id,
                    role=role,
                    organisation_id=orgs[org_key].id if org_key else None,
                )
            )
    return proposal


def _workshop_outputs(workshop: Workshop, specs: list, orgs: dict[str, Organisation]):
    """The workshop's outputs with the organisations that raised or carry them."""
    for position, (kind, subkind, text, raised, carried, tags, priority, votes) in enumerate(
        specs, 1
    ):
        output = Output(
            kind=kind,
            subkind=subkind,
            text=text,
            tags=tags,
            priority=priority,
            votes=votes,
            position=position,
        )
        output.organisations = [
            OutputOrganisation(organisation_id=orgs[k].id, relation="raised") for k in raised
        ] + [OutputOrganisation(organisation_id=orgs[k].id, relation="carries") for k in carried]
        workshop.outputs.append(output)
        yield output


def _workshops(
    proposal: Proposal, key: str, orgs: dict[str, Organisation], created: dict
) -> list[Output]:
    """The proposal's workshops with attendance and outputs; returns the outputs."""
    outputs: list[Output] = []
    for workshop_spec in data.WORKSHOPS[key]:
        workshop = Workshop(
            proposal_id=proposal.id,
            step=workshop_spec["step"],
            title=workshop_spec["title"],
            held_on=date.fromisoformat(workshop_spec["held_on"]),
            place=workshop_spec["place"],
            facilitator=workshop_spec["facilitator"],
            agenda=workshop_spec["agenda"],
        )
        workshop.attendances = [
            WorkshopAttendance(organisation_id=orgs[k].id) for k in workshop_spec["attendance"]
        ]
        workshop.attendees = [
            Attendee(name=name, organisation_id=orgs[k].id if k else None)
            for name, k in workshop_spec["people"]
        ]
        outputs += _workshop_outputs(workshop, workshop_spec["outputs"], orgs)
        db.session.add(workshop)
        created["workshops"] += 1
    created["outputs"] += len(outputs)
    db.session.flush()
    return outputs


def _actions(
    proposal: Proposal,
    key: str,
    orgs: dict[str, Organisation],
    outputs: list[Output],
    created: dict,
) -> dict[str, Action]:
    """The work plan's actions, linked to the outputs they stem from; by code."""
    actions = {}
    for position, row in enumerate(data.ACTIONS[key], 1):
        code, title, objective, lead_key, participants, start, end, deliverables, sources = row
        action = Action(
            proposal_id=proposal.id,
            code=code,
            title=title,
            objective=objective,
            lead_organisation_id=orgs[lead_key].id,
            start_month=start,
            end_month=end,
            deliverables=deliverables,
            position=position,
            milestones=data.MILESTONES[key].get(code, ""),
        )
        action.participants = [ActionParticipant(organisation_id=orgs[k].id) for k in participants]
        action.sources = [
            ActionOutput(output_id=o.id)
            for o in outputs
            if any(o.text.startswith(prefix) for prefix in sources)
        ]
        db.session.add(action)
        actions[code] = action
        created["actions"] += 1
    db.session.flush()
    return actions


def _participations(
    proposal: Proposal, key: str, orgs: dict[str, Organisation], actions: dict[str, Action]
) -> None:
    """The partners' commitments: role, status, costs, contact and person-months."""
    now = datetime.now(UTC)
    for row in data.PARTICIPATIONS[key]:
        org_key, role, status, personnel, subcontracting, travel = row[:6]
        equipment, other_goods, other, cofinancing, contact = row[6:]
        participation = Participation(
            proposal=proposal,
            organisation_id=orgs[org_key].id,
            role=role,
            status=status,
            cost_personnel=Decimal(personnel),
            cost_subcontracting=Decimal(subcontracting),
            cost_travel=Decimal(travel),
            cost_equipment=Decimal(equipment),
            cost_other_goods=Decimal(other_goods),
            cost_other=Decimal(other),
            own_cofinancing=Decimal(cofinancing),
            contact_name=contact[0] if contact else None,
            contact_function=contact[1] if contact else None,
            contact_email=contact[2] if contact else None,
        )
        if status == "confirmed":
            participation.confirmed_at = now
            participation.confirmed_by_name = contact[0] if contact else None
            participation.confirmed_by_function = contact[1] if contact else None
        participation.efforts = [
            ActionEffort(action_id=actions[code].id, person_months=Decimal(months))
            for code, months in data.EFFORTS[key].get(org_key, {}).items()
        ]
        db.session.add(participation)
    db.session.flush()


def _proposal(
    spec: dict, orgs: dict[str, Organisation], users: dict[str, User], created: dict
) -> None:
    """One demo proposal with its workshops, actions and commitments (once)."""
    if db.session.scalar(select(Proposal).where(Proposal.acronym == spec["acronym"])):
        return
    key = spec["key"]
    proposal = _new_proposal(spec, orgs, users)
    created["proposals"] += 1
    outputs = _workshops(proposal, key, orgs, created)
    actions = _actions(proposal, key, orgs, outputs, created)
    _participations(proposal, key, orgs, actions)

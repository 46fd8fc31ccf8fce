"""Workshops, their attendance and outputs, and the actions grown from them.

Services validate everything before changing anything, so a refused call leaves the session as
it was; they add/flush and never commit.  Errors are :class:`ValidationFailed` keyed by form
field names (rows of a batch as ``rows-<i>-<field>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select, true

from ..auth.models import User
from ..characters import without_control_characters
from ..directory.models import Organisation
from ..errors import ValidationFailed
from ..extensions import db
from ..proposals.models import Participation, Proposal
from . import capture, schedule
from .capture import N_
from .models import (
    OUTPUT_KINDS,
    STEPS,
    Action,
    ActionOutput,
    ActionParticipant,
    Attendee,
    Output,
    OutputOrganisation,
    Workshop,
    WorkshopAttendance,
)

Errors = dict[str, tuple[str, dict]]

LIMITS = {
    "title": 200,
    "place": 200,
    "facilitator": 120,
    "agenda": 20000,
    "person_name": 120,
    "person_function": 120,
    "text": 5000,
    "action_title": 300,
    "code": 20,
    "objective": 10000,
    "deliverables": 10000,
    "milestones": 10000,
}
MAX_PEOPLE = 500
MAX_VOTES = 100000
MAX_PRIORITY = 5


def _too_long(errors: Errors, name: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        errors[name] = (
            N_("At most %(max)d characters (%(length)d given)."),
            {"max": limit, "length": len(value)},
        )


# --- organisations ---------------------------------------------------------------------------


def resolve_organisations(
    value: str | Iterable[str] | None, errors: Errors, name: str
) -> list[Organisation]:
    """The organisations a field refers to; unknown or ambiguous references go to ``errors``."""
    references = capture.split_references(value)
    if len(references) > capture.MAX_REFERENCES:
        errors[name] = (
            N_("Give at most %(max)d organisations."),
            {"max": capture.MAX_REFERENCES},
        )
        return []
    found: list[Organisation] = []
    for reference in references:
        organisation = _resolve_one(reference, errors, name)
        if organisation is None:
            return []
        if organisation not in found:
            found.append(organisation)
    return found


def _resolve_one(reference: capture.Reference, errors: Errors, name: str) -> Organisation | None:
    if reference.id is not None:
        organisation = db.session.get(Organisation, reference.id) if reference.id < 2**31 else None
        if organisation is None:
            errors[name] = (
                N_("No organisation #%(id)d in the directory."),
                {"id": reference.id},
            )
        return organisation
    text = reference.text or ""
    if len(text) > 300:
        errors[name] = (
            N_("No organisation in the directory is called “%(text)s…”."),
            {"text": text[:40]},
        )
        return None
    lowered = text.lower()
    matches = db.session.scalars(
        select(Organisation)
        .where(
            or_(
                func.lower(Organisation.acronym) == lowered,
                func.lower(Organisation.name) == lowered,
            )
        )
        .order_by(Organisation.id)
        .limit(3)
    ).all()
    if len(matches) == 1:
        return matches[0]
    if not matches:
        errors[name] = (
            N_(
                "No organisation in the directory is called “%(text)s”; pick one from the "
                "suggestions or give its number (#id)."
            ),
            {"text": text[:80]},
        )
    else:
        errors[name] = (
            N_(
                "Several organisations are called “%(text)s”; pick one from the suggestions "
                "(they end with #id)."
            ),
            {"text": text[:80]},
        )
    return None


def search_organisations(query: str, *, limit: int = 20) -> list[Organisation]:
    """Organisations whose name, acronym or city contains the folded query."""
    from ..folding import fold

    # A search box may carry anything: PostgreSQL refuses NUL in a parameter, so drop the
    # control characters (and keep the pattern short) before the query.
    query = without_control_characters(query or "")[:200]
    folded = fold(query).strip()
    statement = select(Organisation).order_by(Organisation.name, Organisation.id).limit(limit)
    if folded:
        like = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                Organisation.search_text.like(like, escape="\\"),
                func.lower(Organisation.acronym) == query.strip().lower(),
            )
        )
    return list(db.session.scalars(statement))


def suggested_organisations(proposal: Proposal, *, limit: int = 300) -> list[Organisation]:
    """The organisations offered first in pickers: the proposal's participants and those who
    attended its workshops, then the rest of the directory by name, up to ``limit``."""
    near_ids = set(
        db.session.scalars(
            select(Participation.organisation_id).where(Participation.proposal_id == proposal.id)
        )
    ) | set(
        db.session.scalars(
            select(WorkshopAttendance.organisation_id)
            .join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
            .where(Workshop.proposal_id == proposal.id)
        )
    )
    near = (
        list(
            db.session.scalars(
                select(Organisation)
                .where(Organisation.id.in_(near_ids))
                .order_by(Organisation.name)
            )
        )
        if near_ids
        else []
    )
    rest = db.session.scalars(
        select(Organisation)
        .where(Organisation.id.not_in(near_ids) if near_ids else true())
        .order_by(Organisation.name, Organisation.id)
        .limit(max(limit - len(near), 0))
    ).all()
    return near + list(rest)


def label(organisation: Organisation) -> str:
    return capture.reference_label(organisation.name, organisation.acronym, organisation.id)


# --- workshops -------------------------------------------------------------------------------


@dataclass
class WorkshopData:
    step: str
    title: str
    held_on: date | None = None
    place: str | None = None
    facilitator: str | None = None
    agenda: str = ""
    organisations: Sequence[str] | str = ()
    people: str = ""


@dataclass
class _People:
    rows: list[tuple[str, str | None, Organisation | None]] = field(default_factory=list)


def _validate_workshop(data: WorkshopData) -> tuple[list[Organisation], _People]:
    errors: Errors = {}
    if data.step not in STEPS:
        errors["step"] = (N_("Choose a step of the method."), {})
    if not (data.title or "").strip():
        errors["title"] = (N_("Give the workshop a title."), {})
    _too_long(errors, "title", data.title, LIMITS["title"])
    _too_long(errors, "place", data.place, LIMITS["place"])
    _too_long(errors, "facilitator", data.facilitator, LIMITS["facilitator"])
    _too_long(errors, "agenda", data.agenda, LIMITS["agenda"])
    organisations = resolve_organisations(data.organisations, errors, "organisations")
    people = _People()
    lines = [line for line in (data.people or "").splitlines() if line.strip()]
    if len(lines) > MAX_PEOPLE:
        errors["people"] = (N_("List at most %(max)d people."), {"max": MAX_PEOPLE})
        lines = []
    for number, line in enumerate(lines, 1):
        name, function, organisation_ref = capture.parse_person(line)
        if not name:
            errors["people"] = (
                N_("Line %(line)d: start with the person's name."),
                {"line": number},
            )
            break
        if len(name) > LIMITS["person_name"] or len(function or "") > LIMITS["person_function"]:
            errors["people"] = (
                N_("Line %(line)d: a name or function has at most %(max)d characters."),
                {"line": number, "max": LIMITS["person_name"]},
            )
            break
        organisation = None
        if organisation_ref:
            line_errors: Errors = {}
            found = resolve_organisations(organisation_ref, line_errors, "people")
            if line_errors:
                errors["people"] = (
                    N_(
                        "Line %(line)d: no single organisation of the directory matches "
                        "“%(text)s”; give its acronym, exact name or #id."
                    ),
                    {"line": number, "text": organisation_ref[:80]},
                )
                break
            if len(found) != 1:
                errors["people"] = (
                    N_("Line %(line)d: give one organisation per person."),
                    {"line": number},
                )
                break
            organisation = found[0]
            if organisation not in organisations:
                organisations.append(organisation)
        people.rows.append((name, function, organisation))
    if errors:
        raise ValidationFailed(errors)
    return organisations, people


def _apply_workshop(
    workshop: Workshop, data: WorkshopData, organisations: list[Organisation], people: _People
) -> None:
    workshop.step = data.step
    workshop.title = data.title.strip()
    workshop.held_on = data.held_on
    workshop.place = (data.place or "").strip() or None
    workshop.facilitator = (data.facilitator or "").strip() or None
    workshop.agenda = data.agenda or ""
    wanted = [o.id for o in organisations]
    kept = [a for a in workshop.attendances if a.organisation_id in wanted]
    have = {a.organisation_id for a in kept}
    workshop.attendances = kept + [
        WorkshopAttendance(organisation_id=i) for i in wanted if i not in have
    ]
    workshop.attendees = [
        Attendee(name=name, function=function, organisation_id=o.id if o else None)
        for name, function, o in people.rows
    ]


def create_workshop(proposal: Proposal, data: WorkshopData, *, actor: User) -> Workshop:
    organisations, people = _validate_workshop(data)
    workshop = Workshop(proposal_id=proposal.id, step=data.step, title=data.title)
    _apply_workshop(workshop, data, organisations, people)
    db.session.add(workshop)
    db.session.flush()
    return workshop


def update_workshop(workshop: Workshop, data: WorkshopData, *, actor: User) -> None:
    organisations, people = _validate_workshop(data)
    _apply_workshop(workshop, data, organisations, people)
    db.session.flush()


def delete_workshop(workshop: Workshop, *, actor: User) -> None:
    db.session.delete(workshop)
    db.session.flush()


def people_text(workshop: Workshop) -> str:
    """The attendees as the form's lines (``Name; function; organisation``)."""
    lines = []
    for person in workshop.attendees:
        parts = [person.name, person.function or ""]
        if person.organisation is not None:
            parts.append(label(person.organisation))
        lines.append("; ".join(parts) if person.organisation else "; ".join(parts).rstrip("; "))
    return "\n".join(lines)


def references_text(organisations: Iterable[Organisation]) -> str:
    return "; ".join(label(o) for o in organisations)


# --- outputs ---------------------------------------------------------------------------------


@dataclass
class OutputData:
    kind: str
    text: str
    subkind: str | None = None
    raised: str = ""
    carries: str = ""
    tags: str = ""
    priority: int | None = None
    votes: int | None = None


@dataclass
class _CheckedOutput:
    data: OutputData
    tags: list[str]
    raised: list[Organisation]
    carries: list[Organisation]


def _check_output(data: OutputData, prefix: str, errors: Errors) -> _CheckedOutput:
    if data.kind not in OUTPUT_KINDS:
        errors[prefix + "kind"] = (N_("Choose the kind of output."), {})
    text = (data.text or "").strip()
    if not text:
        errors[prefix + "text"] = (N_("Write the output's text."), {})
    _too_long(errors, prefix + "text", text, LIMITS["text"])
    problem = capture.check_subkind(data.kind, data.subkind or None)
    if problem:
        errors[prefix + "subkind"] = problem
    tags = capture.split_tags(data.tags)
    problem = capture.check_tags(tags)
    if problem:
        errors[prefix + "tags"] = problem
    if data.priority is not None and not 1 <= data.priority <= MAX_PRIORITY:
        errors[prefix + "priority"] = (
            N_("Priority goes from 1 (highest) to %(max)d."),
            {"max": MAX_PRIORITY},
        )
    if data.votes is not None and not 0 <= data.votes <= MAX_VOTES:
        errors[prefix + "votes"] = (N_("Votes go from 0 to %(max)d."), {"max": MAX_VOTES})
    raised = resolve_organisations(data.raised, errors, prefix + "raised")
    carries = resolve_organisations(data.carries, errors, prefix + "carries")
    return _CheckedOutput(data=data, tags=tags, raised=raised, carries=carries)


def _apply_output(output: Output, checked: _CheckedOutput) -> None:
    data = checked.data
    output.kind = data.kind
    output.subkind = data.subkind or None
    output.text = data.text.strip()
    output.tags = checked.tags
    output.priority = data.priority
    output.votes = data.votes or 0
    output.organisations = [
        OutputOrganisation(organisation_id=o.id, relation="raised") for o in checked.raised
    ] + [OutputOrganisation(organisation_id=o.id, relation="carries") for o in checked.carries]


def add_outputs(
    workshop: Workshop, rows: Sequence[tuple[int, OutputData]], *, actor: User
) -> list[Output]:
    """Record several outputs at once, all or none; ``rows`` pairs each row's index in the
    form with its data (empty rows are the caller's to skip)."""
    errors: Errors = {}
    checked = [_check_output(data, f"rows-{index}-", errors) for index, data in rows]
    if not rows:
        errors["rows"] = (N_("Write at least one output."), {})
    if errors:
        raise ValidationFailed(errors)
    position = max((o.position for o in workshop.outputs), default=0)
    created = []
    for item in checked:
        position += 1
        output = Output(position=position)
        _apply_output(output, item)
        workshop.outputs.append(output)
        created.append(output)
    db.session.flush()
    return created


def update_output(output: Output, data: OutputData, *, actor: User) -> None:
    errors: Errors = {}
    checked = _check_output(data, "", errors)
    if errors:
        raise ValidationFailed(errors)
    # Replace the organisation links in a separate flush so the unique constraint holds.
    output.organisations = []
    db.session.flush()
    _apply_output(output, checked)
    db.session.flush()


def delete_output(output: Output, *, actor: User) -> None:
    db.session.delete(output)
    db.session.flush()


# --- actions ---------------------------------------------------------------------------------


@dataclass
class ActionData:
    title: str
    code: str = ""
    objective: str = ""
    lead: str = ""
    participants: str = ""
    start_month: int | None = None
    end_month: int | None = None
    deliverables: str = ""
    output_ids: Sequence[int] = ()
    milestones: str = ""


def _validate_action(
    proposal: Proposal, data: ActionData, action: Action | None
) -> tuple[str, Organisation | None, list[Organisation], list[Output]]:
    errors: Errors = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = (N_("Give the action a title."), {})
    _too_long(errors, "title", title, LIMITS["action_title"])
    _too_long(errors, "objective", data.objective, LIMITS["objective"])
    _too_long(errors, "deliverables", data.deliverables, LIMITS["deliverables"])
    code = (data.code or "").strip()
    _too_long(errors, "code", code, LIMITS["code"])
    others = db.session.scalars(
        select(Action.code).where(
            Action.proposal_id == proposal.id, Action.id != (action.id if action else -1)
        )
    ).all()
    if not code:
        code = capture.next_code(others)
    elif code.casefold() in {c.casefold() for c in others}:
        errors["code"] = (N_("Another action already has the code %(code)s."), {"code": code})
    errors.update(capture.check_months(data.start_month, data.end_month, proposal.duration_months))
    try:
        schedule.parse_milestones(data.milestones, proposal.duration_months)
    except schedule.MilestoneError as error:
        errors["milestones"] = (error.message, error.params)
    leads = resolve_organisations(data.lead, errors, "lead")
    if len(leads) > 1:
        errors["lead"] = (N_("An action has one lead organisation."), {})
    participants = resolve_organisations(data.participants, errors, "participants")
    outputs: list[Output] = []
    wanted = list(dict.fromkeys(data.output_ids))
    if wanted:
        outputs = list(
            db.session.scalars(
                select(Output)
                .join(Workshop, Workshop.id == Output.workshop_id)
                .where(Output.id.in_(wanted), Workshop.proposal_id == proposal.id)
            )
        )
        if len(outputs) != len(wanted):
            errors["outputs"] = (N_("Link only outputs of this proposal's workshops."), {})
    if errors:
        raise ValidationFailed(errors)
    order = {i: n for n, i in enumerate(wanted)}
    outputs.sort(key=lambda o: order[o.id])
    return code, (leads[0] if leads else None), participants, outputs


def _apply_action(
    action: Action,
    data: ActionData,
    code: str,
    lead: Organisation | None,
    participants: list[Organisation],
    outputs: list[Output],
    milestones: str,
) -> None:
    action.code = code
    action.title = data.title.strip()
    action.objective = data.objective or ""
    action.lead_organisation_id = lead.id if lead else None
    action.start_month = data.start_month
    action.end_month = data.end_month
    action.deliverables = data.deliverables or ""
    action.milestones = milestones
    wanted = [o.id for o in participants if not lead or o.id != lead.id]
    kept = [p for p in action.participants if p.organisation_id in wanted]
    have = {p.organisation_id for p in kept}
    action.participants = kept + [
        ActionParticipant(organisation_id=i) for i in wanted if i not in have
    ]
    wanted_outputs = [o.id for o in outputs]
    kept_sources = [s for s in action.sources if s.output_id in wanted_outputs]
    have = {s.output_id for s in kept_sources}
    action.sources = kept_sources + [
        ActionOutput(output_id=i) for i in wanted_outputs if i not in have
    ]


def _milestones(data: ActionData, proposal: Proposal) -> str:
    """The milestones as stored (already validated): in month order, one normalised line each."""
    return schedule.milestones_text(
        schedule.parse_milestones(data.milestones, proposal.duration_months)
    )


def create_action(proposal: Proposal, data: ActionData, *, actor: User) -> Action:
    code, lead, participants, outputs = _validate_action(proposal, data, None)
    position = (
        db.session.scalar(
            select(func.max(Action.position)).where(Action.proposal_id == proposal.id)
        )
        or 0
    )
    action = Action(proposal_id=proposal.id, code=code, title=data.title, position=position + 1)
    _apply_action(action, data, code, lead, participants, outputs, _milestones(data, proposal))
    db.session.add(action)
    db.session.flush()
    return action


def update_action(proposal: Proposal, action: Action, data: ActionData, *, actor: User) -> None:
    code, lead, participants, outputs = _validate_action(proposal, data, action)
    _apply_action(action, data, code, lead, participants, outputs, _milestones(data, proposal))
    db.session.flush()


def delete_action(action: Action, *, actor: User) -> None:
    db.session.delete(action)
    db.session.flush()


def prefill_from_output(output: Output) -> ActionData:
    """An action drafted from an output: its text as title (shortened) and objective, the
    organisation that carries it as lead, and the output linked."""
    text = " ".join(output.text.split())
    title = text if len(text) <= 120 else text[:119].rstrip() + "…"
    carriers = [link.organisation for link in output.organisations if link.relation == "carries"]
    raisers = [link.organisation for link in output.organisations if link.relation == "raised"]
    return ActionData(
        title=title,
        objective=output.text,
        lead=label(carriers[0]) if carriers else "",
        participants=references_text([*carriers[1:], *raisers]),
        output_ids=[output.id],
    )


# --- reading ---------------------------------------------------------------------------------


def workshops_of(proposal: Proposal) -> list[Workshop]:
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.proposal_id == proposal.id)
    ).all()
    step_rank = {s: n for n, s in enumerate(capture.STEP_ORDER)}
    return sorted(
        workshops,
        key=lambda w: (step_rank.get(w.step, 99), w.held_on or date.max, w.id),
    )


def actions_of(proposal: Proposal) -> list[Action]:
    return list(
        db.session.scalars(
            select(Action)
            .where(Action.proposal_id == proposal.id)
            .order_by(Action.position, Action.code, Action.id)
        )
    )


def work_plan(proposal: Proposal, actions: Sequence[Action]) -> schedule.Gantt:
    """The Gantt chart of ``actions`` over the proposal's duration."""
    return schedule.gantt(
        [
            schedule.PlannedAction(
                code=a.code,
                title=a.title,
                lead=a.lead_organisation.short_name if a.lead_organisation else "",
                start_month=a.start_month,
                end_month=a.end_month,
                milestones=schedule.read_milestones(a.milestones),
            )
            for a in actions
        ],
        proposal.duration_months,
    )


def outcomes_by_output(proposal: Proposal) -> dict[int, list[Action]]:
    """For each output id, the actions it became (or feeds)."""
    rows = db.session.execute(
        select(ActionOutput.output_id, Action)
        .join(Action, Action.id == ActionOutput.action_id)
        .where(Action.proposal_id == proposal.id)
        .order_by(Action.position, Action.id)
    ).all()
    found: dict[int, list[Action]] = {}
    for output_id, action in rows:
        found.setdefault(output_id, []).append(action)
    return found


def outputs_of(proposal: Proposal) -> list[Output]:
    return list(
        db.session.scalars(
            select(Output)
            .join(Workshop, Workshop.id == Output.workshop_id)
            .where(Workshop.proposal_id == proposal.id)
            .order_by(Workshop.held_on, Workshop.id, Output.position, Output.id)
        )
    )

"""Tasks and deadlines: assigning sections and missing items, my tasks, reminders, and the
proposal-wide activity log (read from the audit events every area already writes).

Services add and flush, never commit; the view or CLI command commits once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consortium.errors import N_

from ..auth.models import User
from ..commitments import rules
from ..commitments.services import queue_mail
from ..dossier.services import structure_for
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..proposals.models import AuditEvent, Proposal, ProposalMember
from . import schedule
from .models import SentReminder, Task

MAX_TITLE = 300
#: Roles reminded of the call deadline: those who finish and submit the dossier.
DEADLINE_ROLES = ("lead", "writer")


@dataclass(frozen=True)
class Subject:
    """Something a task can be about: ``value`` as posted (``section:1.2``, ``pic:7``)."""

    value: str
    kind: str
    label: str


def subjects_of(proposal: Proposal, lang: str) -> list[Subject]:
    """Sections of the structure and, per partner, the letter, PIC and budget."""
    out = [
        Subject(f"section:{spec.code}", "section", spec.heading(lang))
        for spec in structure_for(proposal)
        if spec.drafting_key != "heading"
    ]
    for participation in sorted(
        (p for p in proposal.participations if rules.is_member(p.status)),
        key=lambda p: p.organisation.name.casefold(),
    ):
        name = participation.organisation.acronym or participation.organisation.name
        for kind in ("letter", "pic", "budget"):
            out.append(Subject(f"{kind}:{participation.id}", kind, name))
    out.append(Subject("other:", "other", ""))
    return out


def assignable(proposal: Proposal) -> list[User]:
    """Members of the proposal, who alone may be given its tasks."""
    return list(
        db.session.scalars(
            select(User)
            .join(ProposalMember, ProposalMember.user_id == User.id)
            .where(ProposalMember.proposal_id == proposal.id)
            .order_by(User.name)
        )
    )


def _audit(task: Task, field: str, before: object, after: object, actor: User) -> None:
    db.session.add(
        AuditEvent(
            proposal_id=task.proposal_id,
            entity="task",
            entity_id=task.id,
            field=field,
            before=None if before is None else str(before),
            after=None if after is None else str(after),
            actor_id=actor.id,
            details={"title": task.title, "kind": task.kind, "subject": task.subject},
        )
    )


def create_task(
    proposal: Proposal,
    *,
    subject: str,
    title: str,
    assignee_id: int | None,
    due_date: dt.date | None,
    today: dt.date,
    actor: User,
) -> Task:
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    known = {s.value: s for s in subjects_of(proposal, "en")}
    chosen = known.get(subject or "")
    if chosen is None:
        errors["subject"] = (N_("Choose what the task is about from the list."), {})
    title = " ".join((title or "").split())
    if len(title) > MAX_TITLE:
        errors["title"] = (N_("At most %(max)d characters."), {"max": MAX_TITLE})
    if chosen is not None and chosen.kind == "other" and not title:
        errors["title"] = (N_("Say what is to be done."), {})
    members = {u.id for u in assignable(proposal)}
    if assignee_id not in members:
        errors["assignee"] = (N_("Choose a member of the proposal."), {})
    if due_date is None:
        errors["due_date"] = (N_("Give a due date."), {})
    elif not today - dt.timedelta(days=366) <= due_date <= today + dt.timedelta(days=3660):
        errors["due_date"] = (N_("Give a date within the next ten years."), {})
    if errors:
        raise ValidationFailed(errors)
    assert chosen is not None and due_date is not None
    task = Task(
        proposal_id=proposal.id,
        kind=chosen.kind,
        subject=chosen.value.split(":", 1)[1],
        title=title or chosen.label,
        assignee_id=assignee_id,
        due_date=due_date,
        created_by_id=actor.id,
    )
    db.session.add(task)
    db.session.flush()
    _audit(task, "created", None, due_date.isoformat(), actor)
    db.session.flush()
    return task


def find_task(proposal: Proposal, task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or task.proposal_id != proposal.id:
        raise NotFound(N_("No such task."))
    return task


def set_done(task: Task, *, done: bool, expected_version: object, actor: User) -> None:
    if str(task.version) != str(expected_version):
        raise Conflict(N_("This task changed since you opened it."))
    if (task.done_at is not None) == done:
        return
    _audit(task, "done", task.done_at is not None, done, actor)
    task.done_at = dt.datetime.now(dt.UTC) if done else None
    db.session.flush()


def tasks_of(proposal: Proposal) -> list[Task]:
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.proposal_id == proposal.id)
            .options(selectinload(Task.assignee))
            .order_by(Task.done_at.is_not(None), Task.due_date, Task.id)
        )
    )


def my_tasks(user: User) -> list[tuple[Task, Proposal]]:
    """The user's tasks on every proposal they are still a member of, open ones first."""
    rows = db.session.execute(
        select(Task, Proposal)
        .join(Proposal, Proposal.id == Task.proposal_id)
        .join(
            ProposalMember,
            (ProposalMember.proposal_id == Task.proposal_id) & (ProposalMember.user_id == user.id),
        )
        .where(Task.assignee_id == user.id)
        .order_by(Task.done_at.is_not(None), Task.due_date, Task.id)
    )
    return [(task, proposal) for task, proposal in rows]


# --------------------------------------------------------------------------- activity log


@dataclass(frozen=True)
class ActivityFilter:
    entity: str | None = None
    actor_id: int | None = None
    since: dt.date | None = None


ACTIVITY_PAGE = 200


def activity(proposal: Proposal, filters: ActivityFilter) -> list[AuditEvent]:
    """The proposal's audit events, newest first, filtered; at most ACTIVITY_PAGE rows."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.proposal_id == proposal.id)
        .options(selectinload(AuditEvent.actor))
    )
    if filters.entity:
        query = query.where(AuditEvent.entity == filters.entity)
    if filters.actor_id is not None:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.since is not None:
        start = dt.datetime.combine(filters.since, dt.time(), tzinfo=dt.UTC)
        query = query.where(AuditEvent.at >= start)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(ACTIVITY_PAGE)
    return list(db.session.scalars(query))


def activity_entities(proposal: Proposal) -> list[str]:
    return sorted(
        db.session.scalars(
            select(AuditEvent.entity).where(AuditEvent.proposal_id == proposal.id).distinct()
        )
    )


# --------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Reminder:
    """What a reminder says; the CLI turns it into a message in the proposal's language."""

    proposal: Proposal
    recipient: User
    due: dt.date
    days_left: int
    task: Task | None  # None: the call deadline


Compose = Callable[[Reminder], tuple[str, str]]


def send_reminders(
    *,
    today: dt.date,
    task_days: Sequence[int],
    deadline_days: Sequence[int],
    compose: Compose,
    config: Mapping[str, object],
) -> int:
    """Queue every reminder due today (one message per task or person and run); returns
    the number of messages. Run it as often as wanted: sent reminders are recorded."""
    count = 0
    for proposal in db.session.scalars(select(Proposal).order_by(Proposal.id)):
        sent = {
            (r.key, r.threshold, r.due_date)
            for r in db.session.scalars(
                select(SentReminder).where(SentReminder.proposal_id == proposal.id)
            )
        }
        tasks = {
            f"task:{t.id}": t
            for t in db.session.scalars(
                select(Task).where(
                    Task.proposal_id == proposal.id,
                    Task.done_at.is_(None),
                    Task.assignee_id.is_not(None),
                )
            )
        }
        items = [schedule.Due(key, t.due_date) for key, t in tasks.items()]
        due = schedule.due_reminders(items, task_days, today, sent)
        people: dict[str, User] = {}
        deadline = proposal.topic.deadline if proposal.topic else None
        if deadline is not None:
            for member in proposal.members:
                if member.role in DEADLINE_ROLES:
                    people[f"deadline:{member.user_id}"] = db.session.get(User, member.user_id)
            deadline_items = [schedule.Due(key, deadline) for key in people]
            due += schedule.due_reminders(deadline_items, deadline_days, today, sent)
        by_key: dict[str, list[schedule.ReminderDue]] = {}
        for reminder in due:
            by_key.setdefault(reminder.key, []).append(reminder)
        for key, reminders in by_key.items():
            task = tasks.get(key)
            recipient = task.assignee if task is not None else people.get(key)
            if recipient is None:
                continue
            first = reminders[0]
            subject, body = compose(
                Reminder(proposal, recipient, first.due, (first.due - today).days, task)
            )
            queue_mail(
                proposal_id=proposal.id,
                recipient=recipient.email,
                subject=subject,
                body=body,
                config=config,
            )
            count += 1
            for reminder in reminders:
                db.session.add(
                    SentReminder(
                        proposal_id=proposal.id,
                        key=key,
                        threshold=reminder.threshold,
                        due_date=reminder.due,
                        recipient=recipient.email,
                    )
                )
        db.session.flush()
    return count

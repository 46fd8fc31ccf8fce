"""Pages of the tasks area: a proposal's tasks, my tasks, the proposal activity log."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.permissions import Capability
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..proposals.access import allowed, load_proposal
from ..proposals.models import Proposal
from ..web.errors import render_conflict
from ..web.forms import attach_errors
from ..web.locale import reader_language
from . import services
from .forms import DoneForm, TaskForm

bp = Blueprint("tasks", __name__)


def _kind_labels() -> dict[str, str]:
    return {
        "section": _("Section"),
        "letter": _("Letter of commitment"),
        "pic": _("PIC"),
        "budget": _("Budget"),
        "other": _("Other"),
    }


def _subject_label(subject: services.Subject) -> str:
    if subject.kind in ("section", "other"):
        return subject.label or _("Other")
    return f"{_kind_labels()[subject.kind]} — {subject.label}"


def _form(proposal: Proposal, formdata=None) -> TaskForm:  # type: ignore[no-untyped-def]
    form = TaskForm(formdata=formdata) if formdata is not None else TaskForm()
    form.subject.choices = [
        (s.value, _subject_label(s)) for s in services.subjects_of(proposal, reader_language())
    ]
    form.assignee.choices = [(u.id, u.name) for u in services.assignable(proposal)]
    return form


def _render(proposal: Proposal, member, form: TaskForm, status: int = 200):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "tasks/index.html",
            proposal=proposal,
            tasks=services.tasks_of(proposal),
            form=form,
            may_assign=allowed(member, Capability.MANAGE_COMMITMENTS),
            kinds=_kind_labels(),
            today=dt.datetime.now(dt.UTC).date(),
            done_form=DoneForm(formdata=None),
        ),
        status,
    )


@bp.get("/proposals/<int:proposal_id>/tasks")
@login_required
def index(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_SECTIONS)
    return _render(proposal, member, _form(proposal, formdata=None))


@bp.post("/proposals/<int:proposal_id>/tasks")
@login_required
def create(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    form = _form(proposal)
    if form.validate_on_submit():
        try:
            task = services.create_task(
                proposal,
                subject=form.subject.data or "",
                title=form.title.data or "",
                assignee_id=form.assignee.data,
                due_date=form.due_date.data,
                today=dt.datetime.now(dt.UTC).date(),
                actor=current_user,
            )
        except ValidationFailed as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Task “%(title)s” assigned.", title=task.title), "success")
            return redirect(url_for("tasks.index", proposal_id=proposal.id))
    return _render(proposal, member, form, 400)


@bp.post("/proposals/<int:proposal_id>/tasks/<int:task_id>/done")
@login_required
def done(proposal_id: int, task_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW)
    try:
        task = services.find_task(proposal, task_id)
    except NotFound:
        abort(404)
    if task.assignee_id != current_user.id and not allowed(member, Capability.MANAGE_COMMITMENTS):
        abort(403)
    form = DoneForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_done(
            task, done=form.done.data == "1", expected_version=form.version.data, actor=current_user
        )
    except Conflict:
        return render_conflict()
    db.session.commit()
    flash(_("Task updated."), "success")
    target = request.form.get("next")
    if target == "mine":
        return redirect(url_for("tasks.mine"))
    return redirect(url_for("tasks.index", proposal_id=proposal.id))


@bp.get("/tasks")
@login_required
def mine():
    rows = services.my_tasks(current_user)
    return render_template(
        "tasks/mine.html",
        rows=rows,
        kinds=_kind_labels(),
        today=dt.datetime.now(dt.UTC).date(),
        done_form=DoneForm(formdata=None),
    )


def _activity_filter() -> services.ActivityFilter:
    """The log's filter from the query string; one it cannot read shows everything."""
    entity = request.args.get("entity") or None
    actor = request.args.get("actor") or None
    since = request.args.get("since") or None
    try:
        filters = services.ActivityFilter(
            entity=entity[:30] if entity else None,
            actor_id=int(actor) if actor else None,
            since=dt.date.fromisoformat(since) if since else None,
        )
    except ValueError:
        flash(_("The filter was not understood; everything is shown."), "warning")
        return services.ActivityFilter()
    if filters.actor_id is not None and not -(2**31) <= filters.actor_id < 2**31:
        return services.ActivityFilter(entity=filters.entity, since=filters.since)
    return filters


@bp.get("/proposals/<int:proposal_id>/activity")
@login_required
def activity(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    filters = _activity_filter()
    return render_template(
        "tasks/activity.html",
        entity_labels={
            "task": _("Task"),
            "section": _("Section"),
            "participation": _("Participation"),
        },
        values={"True": _("yes"), "False": _("no")},
        proposal=proposal,
        events=services.activity(proposal, filters),
        entities=services.activity_entities(proposal),
        people=services.assignable(proposal),
        filters=filters,
        limit=services.ACTIVITY_PAGE,
    )

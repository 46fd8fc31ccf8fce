"""Pages of the workshops area: workshops, live capture of outputs, and the action list."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.permissions import Capability
from ..errors import ValidationFailed
from ..extensions import db
from ..identifiers import parse_id
from ..proposals.access import allowed, load_proposal
from ..proposals.models import Proposal
from ..web.errors import current_values, render_conflict
from ..web.forms import attach_errors
from ..web.transactions import commit_or_refuse
from . import capture as live
from . import services
from .forms import MAX_ROWS, ActionForm, CaptureForm, OutputForm, WorkshopForm
from .models import OUTPUT_KINDS, Action, Output, Workshop

bp = Blueprint("workshops", __name__)


def _labels() -> dict:
    return {
        "steps": {k: _(v) for k, v in live.STEP_LABELS.items()},
        "kinds": {k: _(v) for k, v in live.KIND_LABELS.items()},
        "kind_plurals": {k: _(v) for k, v in live.KIND_PLURALS.items()},
        "needs": {k: _(v) for k, v in live.NEED_LABELS.items()},
        "rules": {k: _(v) for k, v in live.RULE_LABELS.items()},
    }


def _workshop_of(proposal: Proposal, workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.proposal_id != proposal.id:
        abort(404)
    return workshop


def _output_of(workshop: Workshop, output_id: int) -> Output:
    output = db.session.get(Output, output_id)
    if output is None or output.workshop_id != workshop.id:
        abort(404)
    return output


def _action_of(proposal: Proposal, action_id: int) -> Action:
    action = db.session.get(Action, action_id)
    if action is None or action.proposal_id != proposal.id:
        abort(404)
    return action


def _picker(proposal: Proposal) -> list[tuple[str, str]]:
    """(label, value) suggestions for the organisation datalist."""
    return [
        (services.label(o), services.label(o)) for o in services.suggested_organisations(proposal)
    ]


def _attach(form, error: ValidationFailed) -> None:
    """Service errors next to their fields; the linked outputs have their own list."""
    shown = {n: e for n, e in error.errors.items() if n != "outputs"}
    if shown:
        attach_errors(form, ValidationFailed(shown))


# --- workshops -------------------------------------------------------------------------------


@bp.get("/proposals/<int:proposal_id>/workshops")
@login_required
def index(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_WORKSHOPS)
    workshops = services.workshops_of(proposal)
    steps = live.narrowing(
        [
            {
                "step": w.step,
                "organisation_ids": [a.organisation_id for a in w.attendances],
                "people": len(w.attendees),
            }
            for w in workshops
        ]
    )
    widest = max(
        [len(w.attendances) for w in workshops] + [len(w.attendees) for w in workshops] + [1]
    )
    return render_template(
        "workshops/index.html",
        proposal=proposal,
        workshops=workshops,
        steps=steps,
        widest=widest,
        labels=_labels(),
        may_edit=allowed(member, Capability.EDIT_WORKSHOPS),
        n_actions=len(services.actions_of(proposal)),
    )


def _workshop_data(form: WorkshopForm) -> services.WorkshopData:
    return services.WorkshopData(
        step=form.step.data,
        title=form.title.data or "",
        held_on=form.held_on.data,
        place=form.place.data,
        facilitator=form.facilitator.data,
        agenda=form.agenda.data or "",
        organisations=form.organisations.data or [],
        people=form.people.data or "",
    )


@bp.route("/proposals/<int:proposal_id>/workshops/new", methods=["GET", "POST"])
@login_required
def create(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    form = WorkshopForm()
    if request.method == "GET":
        form.organisations.data = []
        if request.args.get("step") in dict(form.step.choices):
            form.step.data = request.args["step"]
    if form.validate_on_submit():
        with commit_or_refuse(partial(_attach, form), refusals=(ValidationFailed,)) as outcome:
            workshop = services.create_workshop(proposal, _workshop_data(form), actor=current_user)
        if outcome.saved:
            flash(_("The workshop is recorded. Capture its outputs below."), "success")
            return redirect(
                url_for("workshops.capture", proposal_id=proposal.id, workshop_id=workshop.id)
            )
    return render_template(
        "workshops/form.html",
        proposal=proposal,
        workshop=None,
        form=form,
        picker=_picker(proposal),
    )


@bp.route("/proposals/<int:proposal_id>/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int, workshop_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    workshop = _workshop_of(proposal, workshop_id)
    form = WorkshopForm(obj=None if request.method == "POST" else workshop)
    if request.method == "GET":
        form.version.data = workshop.version
        form.organisations.data = [services.label(a.organisation) for a in workshop.attendances]
        form.people.data = services.people_text(workshop)
    if form.validate_on_submit():
        if str(workshop.version) != (form.version.data or ""):
            return render_conflict(form, current_values(workshop))
        with commit_or_refuse(partial(_attach, form), refusals=(ValidationFailed,)) as outcome:
            services.update_workshop(workshop, _workshop_data(form), actor=current_user)
        if outcome.saved:
            flash(_("The workshop is saved."), "success")
            return redirect(
                url_for("workshops.detail", proposal_id=proposal.id, workshop_id=workshop.id)
            )
    return render_template(
        "workshops/form.html",
        proposal=proposal,
        workshop=workshop,
        form=form,
        picker=_picker(proposal),
    )


@bp.post("/proposals/<int:proposal_id>/workshops/<int:workshop_id>/delete")
@login_required
def delete(proposal_id: int, workshop_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    workshop = _workshop_of(proposal, workshop_id)
    if request.form.get("version") not in (None, str(workshop.version)):
        return render_conflict()
    services.delete_workshop(workshop, actor=current_user)
    db.session.commit()
    flash(_("The workshop and its outputs are deleted."), "success")
    return redirect(url_for("workshops.index", proposal_id=proposal.id))


@bp.get("/proposals/<int:proposal_id>/workshops/<int:workshop_id>")
@login_required
def detail(proposal_id: int, workshop_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_WORKSHOPS)
    workshop = _workshop_of(proposal, workshop_id)
    grouped = {kind: [] for kind in OUTPUT_KINDS}
    for output in workshop.outputs:
        grouped.setdefault(output.kind, []).append(output)
    people_by_org: dict[int | None, int] = {}
    for person in workshop.attendees:
        people_by_org[person.organisation_id] = people_by_org.get(person.organisation_id, 0) + 1
    return render_template(
        "workshops/detail.html",
        proposal=proposal,
        workshop=workshop,
        grouped=grouped,
        became=services.outcomes_by_output(proposal),
        people_by_org=people_by_org,
        labels=_labels(),
        may_edit=allowed(member, Capability.EDIT_WORKSHOPS),
    )


# --- outputs ---------------------------------------------------------------------------------


def _row_data(row) -> services.OutputData:
    return services.OutputData(
        kind=row.kind.data,
        subkind=row.subkind.data or None,
        text=row.text.data or "",
        raised=row.raised.data or "",
        carries=row.carries.data or "",
        tags=row.tags.data or "",
        priority=row.priority.data,
        votes=row.votes.data,
    )


@bp.route(
    "/proposals/<int:proposal_id>/workshops/<int:workshop_id>/outputs", methods=["GET", "POST"]
)
@login_required
def capture(proposal_id: int, workshop_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    workshop = _workshop_of(proposal, workshop_id)
    form = CaptureForm()
    page = {"proposal": proposal, "workshop": workshop, "form": form}
    if request.method == "GET":
        return _capture_page(page, saved=workshop.outputs[-10:])
    if len({k.split("-")[1] for k in request.form if k.startswith("rows-")}) > MAX_ROWS:
        flash(_("Send at most %(max)d rows at once.", max=MAX_ROWS), "error")
        return _capture_page(page, saved=[]), 400
    if form.validate_on_submit():
        rows = [
            (i, _row_data(row.form)) for i, row in enumerate(form.rows) if not row.form.is_blank()
        ]
        with commit_or_refuse(partial(_attach_rows, form), refusals=(ValidationFailed,)) as outcome:
            created = services.add_outputs(workshop, rows, actor=current_user)
        if outcome.saved:
            flash(
                _("%(n)d outputs recorded.", n=len(created))
                if len(created) != 1
                else _("1 output recorded."),
                "success",
            )
            return redirect(
                url_for("workshops.capture", proposal_id=proposal.id, workshop_id=workshop.id)
            )
    # errors are shown next to each row; nothing typed is lost
    return _capture_page(page, saved=workshop.outputs[-10:], failed=True)


def _capture_page(page: dict, *, saved, failed: bool = False) -> str:
    return render_template(
        "workshops/capture.html",
        picker=_picker(page["proposal"]),
        labels=_labels(),
        saved=saved,
        failed=failed,
        **page,
    )


def _fill_output_form(form: OutputForm, output: Output) -> None:
    """The fields ``obj=`` cannot fill: version, tags and the organisations by relation."""
    form.version.data = output.version
    form.subkind.data = output.subkind or ""
    form.tags.data = ", ".join(output.tags or [])
    form.raised.data = services.references_text(
        link.organisation for link in output.organisations if link.relation == "raised"
    )
    form.carries.data = services.references_text(
        link.organisation for link in output.organisations if link.relation == "carries"
    )


def _attach_rows(form: CaptureForm, error: ValidationFailed) -> None:
    for name, (template, params) in error.errors.items():
        message = _(template, **params)
        parts = name.split("-")
        index = parse_id(parts[1]) if len(parts) == 3 and parts[0] == "rows" else None
        if index is not None:
            field_name = parts[2]
            if index < len(form.rows.entries):
                field = form.rows.entries[index].form[field_name]
                field.errors = [*field.errors, message]
                continue
        flash(message, "error")


@bp.route(
    "/proposals/<int:proposal_id>/workshops/<int:workshop_id>/outputs/<int:output_id>/edit",
    methods=["GET", "POST"],
)
@login_required
def edit_output(proposal_id: int, workshop_id: int, output_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    workshop = _workshop_of(proposal, workshop_id)
    output = _output_of(workshop, output_id)
    form = OutputForm(obj=None if request.method == "POST" else output)
    if request.method == "GET":
        _fill_output_form(form, output)
    if form.validate_on_submit():
        if str(output.version) != (form.version.data or ""):
            return render_conflict(form, current_values(output))
        with commit_or_refuse(partial(_attach, form), refusals=(ValidationFailed,)) as outcome:
            services.update_output(output, _row_data(form), actor=current_user)
        if outcome.saved:
            flash(_("The output is saved."), "success")
            return redirect(
                url_for(
                    "workshops.detail",
                    proposal_id=proposal.id,
                    workshop_id=workshop.id,
                    _anchor=f"output-{output.id}",
                )
            )
    return render_template(
        "workshops/output_form.html",
        proposal=proposal,
        workshop=workshop,
        output=output,
        form=form,
        picker=_picker(proposal),
    )


@bp.post("/proposals/<int:proposal_id>/workshops/<int:workshop_id>/outputs/<int:output_id>/delete")
@login_required
def delete_output(proposal_id: int, workshop_id: int, output_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    workshop = _workshop_of(proposal, workshop_id)
    output = _output_of(workshop, output_id)
    if request.form.get("version") not in (None, str(output.version)):
        return render_conflict()
    services.delete_output(output, actor=current_user)
    db.session.commit()
    flash(_("The output is deleted."), "success")
    return redirect(url_for("workshops.detail", proposal_id=proposal.id, workshop_id=workshop.id))


@bp.get("/proposals/<int:proposal_id>/workshops/organisations")
@login_required
def organisations(proposal_id: int):
    """Suggestions for the organisation pickers (used by static/js/workshops.js)."""
    load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    query = request.args.get("q", "")[:100]
    found = services.search_organisations(query, limit=20)
    return jsonify([{"id": o.id, "label": services.label(o)} for o in found])


# --- actions ---------------------------------------------------------------------------------


@bp.get("/proposals/<int:proposal_id>/actions")
@login_required
def actions(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_WORKSHOPS)
    actions = services.actions_of(proposal)
    return render_template(
        "workshops/actions.html",
        proposal=proposal,
        actions=actions,
        plan=services.work_plan(proposal, actions),
        labels=_labels(),
        may_edit=allowed(member, Capability.EDIT_WORKSHOPS),
    )


def _output_ids(form: ActionForm) -> list[int] | None:
    ids = [parse_id(v) for v in request.form.getlist("outputs")]
    if len(ids) > 500 or None in ids:
        form.outputs_errors = [_("Link only outputs of this proposal's workshops.")]
        return None
    return [i for i in ids if i is not None]


def _action_data(form: ActionForm, output_ids: list[int]) -> services.ActionData:
    return services.ActionData(
        code=form.code.data or "",
        title=form.title.data or "",
        objective=form.objective.data or "",
        lead=form.lead.data or "",
        participants=form.participants.data or "",
        start_month=form.start_month.data,
        end_month=form.end_month.data,
        deliverables=form.deliverables.data or "",
        output_ids=output_ids,
        milestones=form.milestones.data or "",
    )


def _render_action_form(proposal, action, form, linked: list[int]):
    outputs = services.outputs_of(proposal)
    return render_template(
        "workshops/action_form.html",
        proposal=proposal,
        action=action,
        form=form,
        outputs=outputs,
        linked=set(linked),
        labels=_labels(),
        picker=_picker(proposal),
        outputs_errors=getattr(form, "outputs_errors", []),
    )


@bp.route("/proposals/<int:proposal_id>/actions/new", methods=["GET", "POST"])
@login_required
def create_action(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    form = ActionForm()
    linked: list[int] = []
    if request.method == "GET":
        linked = _prefill_action(form, proposal, request.args.get("output", ""))
    else:
        output_ids = _output_ids(form)
        linked = output_ids or []
        if form.validate_on_submit() and output_ids is not None:
            with commit_or_refuse(
                partial(_attach_action_errors, form), refusals=(ValidationFailed,)
            ) as outcome:
                action = services.create_action(
                    proposal, _action_data(form, output_ids), actor=current_user
                )
            if outcome.saved:
                flash(_("Action %(code)s is added.", code=action.code), "success")
                return _to_action(proposal, action)
    return _render_action_form(proposal, None, form, linked)


def _to_action(proposal: Proposal, action: Action):
    return redirect(
        url_for("workshops.actions", proposal_id=proposal.id, _anchor=f"action-{action.id}")
    )


def _prefill_action(form: ActionForm, proposal: Proposal, source: str) -> list[int]:
    """A new action's next code, drafted from an output when the link names one: the ids
    of the outputs it starts from."""
    form.code.data = live.next_code(a.code for a in services.actions_of(proposal))
    if not source:
        return []
    source_id = parse_id(source)
    output = db.session.get(Output, source_id) if source_id is not None else None
    if output is None or output.workshop.proposal_id != proposal.id:
        abort(404)
    draft = services.prefill_from_output(output)
    form.title.data = draft.title
    form.objective.data = draft.objective
    form.lead.data = draft.lead
    form.participants.data = draft.participants
    return list(draft.output_ids)


def _attach_action_errors(form, error: ValidationFailed) -> None:
    _attach(form, error)
    form.outputs_errors = [_(t, **p) for n, (t, p) in error.errors.items() if n == "outputs"]


@bp.route("/proposals/<int:proposal_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(proposal_id: int, action_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    action = _action_of(proposal, action_id)
    form = ActionForm(obj=None if request.method == "POST" else action)
    if request.method == "GET":
        form.version.data = action.version
        form.lead.data = (
            services.label(action.lead_organisation) if action.lead_organisation else ""
        )
        form.participants.data = services.references_text(
            p.organisation for p in action.participants
        )
        linked = [s.output_id for s in action.sources]
    else:
        output_ids = _output_ids(form)
        linked = output_ids or []
        if form.validate_on_submit() and output_ids is not None:
            if str(action.version) != (form.version.data or ""):
                return render_conflict(form, current_values(action))
            with commit_or_refuse(
                partial(_attach_action_errors, form), refusals=(ValidationFailed,)
            ) as outcome:
                services.update_action(
                    proposal, action, _action_data(form, output_ids), actor=current_user
                )
            if outcome.saved:
                flash(_("Action %(code)s is saved.", code=action.code), "success")
                return _to_action(proposal, action)
    return _render_action_form(proposal, action, form, linked)


@bp.post("/proposals/<int:proposal_id>/actions/<int:action_id>/delete")
@login_required
def delete_action(proposal_id: int, action_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    action = _action_of(proposal, action_id)
    code = action.code
    services.delete_action(action, actor=current_user)
    db.session.commit()
    flash(_("Action %(code)s is deleted.", code=code), "success")
    return redirect(url_for("workshops.actions", proposal_id=proposal.id))

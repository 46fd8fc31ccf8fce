"""Proposals: the list, creation and editing, roles, and the dashboard linking every area."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.models import User
from ..auth.permissions import Capability, can_create_proposal
from ..calls.models import Topic
from ..directory.models import Organisation
from ..dossier import services as dossier_services
from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..identifiers import parse_id
from ..web.errors import current_values, render_conflict
from ..web.forms import attach_errors
from ..web.transactions import commit_or_refuse
from . import services
from .access import allowed, load_proposal
from .forms import MemberForm, ProposalForm
from .models import Proposal, ProposalMember

bp = Blueprint("proposals", __name__)


def _my_roles() -> list[str]:
    return list(
        db.session.scalars(
            select(ProposalMember.role).where(ProposalMember.user_id == current_user.id)
        )
    )


@bp.get("/")
@login_required
def index():
    if current_user.is_admin:
        proposals = db.session.scalars(select(Proposal).order_by(Proposal.acronym)).all()
        roles = {
            m.proposal_id: m.role
            for m in db.session.scalars(
                select(ProposalMember).where(ProposalMember.user_id == current_user.id)
            )
        }
    else:
        rows = db.session.execute(
            select(Proposal, ProposalMember.role)
            .join(ProposalMember, ProposalMember.proposal_id == Proposal.id)
            .where(ProposalMember.user_id == current_user.id)
            .order_by(Proposal.acronym)
        ).all()
        proposals = [row[0] for row in rows]
        roles = {row[0].id: row[1] for row in rows}
    return render_template(
        "proposals/index.html",
        proposals=proposals,
        roles=roles,
        may_create=can_create_proposal(_my_roles(), is_admin=current_user.is_admin),
        today=datetime.now(UTC).date(),
    )


def _topic_choices(form: ProposalForm) -> None:
    topics = db.session.scalars(select(Topic).order_by(Topic.identifier)).all()
    today = datetime.now(UTC).date()
    form.topic.choices = [("", _("Choose a topic"))] + [
        (t.identifier, _topic_label(t, today)) for t in topics
    ]
    chosen = form.topic.data and next((t for t in topics if t.identifier == form.topic.data), None)
    form.subtopics.choices = [(s, s) for s in (chosen.subtopics if chosen else [])]
    form.topics_by_id = {t.identifier: t for t in topics}


def _topic_label(topic: Topic, today) -> str:
    """ "LIFE-2026-… — title · deadline 23 Sept 2026 (closed)": the deadline in the list."""
    label = f"{topic.identifier} — {topic.title}"
    if topic.deadline is None:
        return label
    deadline = format_date(topic.deadline, "medium")
    if topic.is_closed(today):
        return _("%(label)s · closed on %(deadline)s", label=label, deadline=deadline)
    return _("%(label)s · deadline %(deadline)s", label=label, deadline=deadline)


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def create():
    if not can_create_proposal(_my_roles(), is_admin=current_user.is_admin):
        abort(403)
    form = ProposalForm()
    if request.method == "GET" and request.args.get("topic"):
        form.topic.data = request.args["topic"]
    _topic_choices(form)
    if form.validate_on_submit():
        topic = form.topics_by_id.get(form.topic.data)
        if topic is None:
            form.topic.errors = [_("Choose a topic from the catalogue.")]
        else:
            with commit_or_refuse(_form_errors(form), refusals=(ValidationFailed,)) as outcome:
                proposal = services.create_proposal(
                    actor=current_user,
                    acronym=form.acronym.data,
                    topic=topic,
                    closed_call=form.closed_call.data or "",
                    **_proposal_fields(form),
                )
                dossier_services.start_sections(proposal, actor=current_user)
            if outcome.saved:
                flash(_("The proposal is created; you are its lead."), "success")
                return redirect(url_for("proposals.dashboard", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, proposal=None)


def _form_errors(form):
    """A refusal's field errors shown on ``form``."""
    return lambda error: attach_errors(form, error)


def _proposal_fields(form: ProposalForm) -> dict:
    """What the create and edit forms both save."""
    return {
        "title": form.title.data,
        "territory": form.territory.data or "",
        "summary": form.summary.data or "",
        "working_language": form.working_language.data,
        "document_language": form.document_language.data,
        "subtopics": form.subtopics.data or [],
        "duration_months": form.duration_months.data,
    }


# The areas linked from the dashboard: (endpoint, capability, takes proposal_id, key).
AREA_LINKS = (
    ("directory.index", Capability.VIEW_WORKSHOPS, False, "directory"),
    ("workshops.index", Capability.VIEW_WORKSHOPS, True, "workshops"),
    ("fit.ranking", Capability.VIEW_FIT, True, "fit"),
    ("opendata.partners", Capability.VIEW_FIT, True, "europe"),
    ("network.proposal_map", Capability.VIEW_NETWORK, True, "network"),
    ("commitments.board", Capability.VIEW_BUDGETS, True, "commitments"),
    ("commitments.mine", Capability.EDIT_OWN_COMMITMENT, True, "my_commitment"),
    ("dossier.index", Capability.VIEW_SECTIONS, True, "dossier"),
    ("tasks.index", Capability.VIEW_SECTIONS, True, "tasks"),
    ("tasks.activity", Capability.MANAGE_COMMITMENTS, True, "activity"),
)


def area_links(proposal: Proposal, member) -> dict[str, str]:
    """Links to the areas this user may open; an area not installed yet has no link."""
    links = {}
    for endpoint, capability, per_proposal, key in AREA_LINKS:
        if endpoint in current_app.view_functions and allowed(member, capability):
            links[key] = (
                url_for(endpoint, proposal_id=proposal.id) if per_proposal else url_for(endpoint)
            )
    return links


@bp.get("/proposals/<int:proposal_id>")
@login_required
def dashboard(proposal_id: int):
    proposal, member = load_proposal(proposal_id)
    standing = services.standing(proposal, today=datetime.now(UTC).date())
    return render_template(
        "proposals/dashboard.html",
        proposal=proposal,
        member=member,
        standing=standing,
        links=area_links(proposal, member),
        actions=services.actions_of(proposal),
        may_edit=allowed(member, Capability.EDIT_PROPOSAL),
    )


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_PROPOSAL)
    form = ProposalForm(obj=None if request.method == "POST" else proposal)
    if request.method == "GET":
        form.topic.data = proposal.topic.identifier
        form.subtopics.data = list(proposal.subtopics)
        form.version.data = proposal.version
    _topic_choices(form)
    form.acronym.data = proposal.acronym
    if form.validate_on_submit():
        if str(proposal.version) != (form.version.data or ""):
            return render_conflict(form, current_values(proposal))
        topic = form.topics_by_id.get(form.topic.data)
        if topic is None:
            form.topic.errors = [_("Choose a topic from the catalogue.")]
        else:
            with commit_or_refuse(_form_errors(form), refusals=(ValidationFailed,)) as outcome:
                services.update_proposal(
                    proposal, actor=current_user, topic=topic, **_proposal_fields(form)
                )
                dossier_services.start_sections(proposal, actor=current_user)
            if outcome.saved:
                flash(_("The proposal is saved."), "success")
                return redirect(url_for("proposals.dashboard", proposal_id=proposal.id))
    return render_template("proposals/form.html", form=form, proposal=proposal)


def _organisation_choices(form: MemberForm) -> None:
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    form.organisation.choices = [("", "—")] + [(str(i), n) for i, n in organisations]


def _give_role(proposal: Proposal, form: MemberForm) -> bool:
    """Give the form's role to the account with its e-mail; whether it was saved."""
    user = db.session.scalar(select(User).where(User.email == form.email.data.lower()))
    if user is None:
        form.email.errors = [
            _(
                "No account has this email; create it first or invite "
                "the partner from the commitments board."
            )
        ]
        return False
    org_id = parse_id(form.organisation.data)
    organisation = db.session.get(Organisation, org_id) if org_id is not None else None

    def refuse(error: Exception) -> None:
        if isinstance(error, ValidationFailed):
            attach_errors(form, error)
        else:
            flash(_(error.template, **error.params), "error")

    with commit_or_refuse(refuse) as outcome:
        services.give_role(
            proposal, user, form.role.data, actor=current_user, organisation=organisation
        )
    return outcome.saved


@bp.route("/proposals/<int:proposal_id>/members", methods=["GET", "POST"])
@login_required
def members(proposal_id: int):
    proposal, member = load_proposal(proposal_id)
    manage = allowed(member, Capability.MANAGE_MEMBERS)
    form = MemberForm()
    if manage:
        _organisation_choices(form)
    if request.method == "POST":
        if not manage:
            abort(403)
        if form.validate_on_submit() and _give_role(proposal, form):
            flash(_("The role is saved."), "success")
            return redirect(url_for("proposals.members", proposal_id=proposal.id))
    return render_template(
        "proposals/members.html", proposal=proposal, member=member, form=form, manage=manage
    )


@bp.post("/proposals/<int:proposal_id>/members/<int:member_id>/remove")
@login_required
def remove_member(proposal_id: int, member_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_MEMBERS)
    target = db.session.get(ProposalMember, member_id)
    if target is None or target.proposal_id != proposal.id:
        abort(404)
    try:
        services.remove_member(target, actor=current_user)
    except DomainError as error:
        flash(_(error.template, **error.params), "error")
    else:
        db.session.commit()
        flash(_("The role is removed."), "success")
    return redirect(url_for("proposals.members", proposal_id=proposal.id))

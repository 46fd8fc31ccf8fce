"""Pages of the commitments area: the lead's board, the partner's own commitment, invitation
links, letters of commitment and signed copies.

Access: the board is for Capability.VIEW_BUDGETS; leads and administrators
(Capability.MANAGE_COMMITMENTS) act on it, writers and viewers get it read only (no invite,
no edit, no private notes, no outbox).  Partners (Capability.EDIT_OWN_COMMITMENT) only reach
``mine`` and the pages of their own organisation's participation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from ..auth import services as auth_services
from ..auth.models import User
from ..auth.permissions import Capability, sees_participation
from ..directory import services as directory_services
from ..directory.models import Organisation
from ..errors import N_, Conflict, DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..formatting import format_money, format_number, format_percent
from ..identifiers import parse_id
from ..proposals.access import allowed, load_proposal
from ..proposals.models import Participation
from ..translation import translator
from ..web.errors import current_values, render_conflict
from ..web.finding_filters import finding_text, shown_params
from ..web.forms import attach_errors
from ..web.locale import reader_language
from ..web.transactions import commit_or_refuse, flash_refusal
from . import exports, forms, services
from .budget import CATEGORY_LABELS, CostCategory
from .letter import build_letter
from .models import Invitation, SignedLetter
from .rules import WAIVABLE_GAPS
from .workflow import ACTION_LABELS, STATUS_LABELS, Action, ActorRole, InvalidTransition, Status

bp = Blueprint("commitments", __name__)

# Endpoints reachable without logging in (the coordinator's anonymous sweep allows them).
PUBLIC_ENDPOINTS = ("commitments.accept", "commitments.accept_finish")

ROLE_LABELS = dict(forms.ROLE_CHOICES)
CATEGORY_CSS = {
    CostCategory.A: "cat-a",
    CostCategory.B: "cat-b",
    CostCategory.C1: "cat-c",
    CostCategory.C2: "cat-d",
    CostCategory.C3: "cat-e",
    CostCategory.D: "cat-f",
    CostCategory.E: "cat-g",
}


def _percent(rate) -> str:
    return format_percent(Decimal(rate), reader_language())


def money(value) -> str:
    return format_money(Decimal(value or 0), reader_language(), 2)


def _refusal(error) -> str:
    return tr(error.template, error.params)


def tr(template: str | tuple[str, str], params: dict | None = None) -> str:
    """Translate a domain message with its params shown as findings show them; a
    (singular, plural) template marked with ``NP_`` takes its form from ``num``."""
    shown = shown_params(params or {})
    if isinstance(template, tuple):
        return ngettext(*template, num=shown.pop("num"), **shown)
    return _(template, **shown)


MISSING_LABELS = {
    "contact person": N_("contact person"),
    "PIC": N_("PIC"),
    "budget": N_("budget"),
    "person-months": N_("person-months"),
    "confirmation": N_("confirmation"),
    "re-confirmation": N_("re-confirmation"),
    "signed letter": N_("signed letter"),
}


def _missing_label(key: str) -> str:
    label = MISSING_LABELS.get(key)
    return _(label) if label is not None else key


@bp.app_context_processor
def helpers() -> dict:
    return {
        "commitment_money": money,
        "commitment_tr": tr,
        "commitment_status_label": lambda s: (
            _(STATUS_LABELS[Status(s)]) if s in Status._value2member_map_ else s
        ),
        "commitment_role_label": lambda r: ROLE_LABELS.get(r, r),
        "commitment_missing_label": _missing_label,
        "commitment_now": _now(),
        "commitment_percent": lambda rate: _percent(rate),
        "commitment_number": lambda value: format_number(
            Decimal(value or 0), reader_language(), None
        ),
    }


def _now() -> datetime:
    return datetime.now(UTC)


def _participation(proposal, participation_id: int) -> Participation:
    try:
        return services.find_participation(proposal, participation_id)
    except NotFound:
        abort(404)


def _readable_participation(proposal_id: int, participation_id: int):
    """Leads, admins, writers and viewers read every participation; a partner only its own
    organisation's (404 otherwise, so ids of others reveal nothing)."""
    proposal, member = load_proposal(proposal_id)
    p = _participation(proposal, participation_id)
    if allowed(member, Capability.VIEW_BUDGETS):
        return proposal, member, p
    if (
        allowed(member, Capability.EDIT_OWN_COMMITMENT)
        and member is not None
        and member.organisation_id == p.organisation_id
    ):
        return proposal, member, p
    abort(404)


def _own_participation(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.EDIT_OWN_COMMITMENT)
    p = services.participation_for(proposal, member.organisation_id if member else None)
    if p is None:
        abort(404)
    return proposal, member, p


def _participation_issues(p, budget) -> list:
    """The monthly rate's plausibility, then the budget's coherence checks."""
    return [*services.grid.rate_findings(p.monthly_rate), *services.b.coherence_checks(budget)]


def _category_parts(budget) -> list[tuple[Decimal, str, str]]:
    return [
        (
            amount,
            CATEGORY_CSS[cat],
            _("%(label)s: %(value)s", label=_(CATEGORY_LABELS[cat]), value=money(amount)),
        )
        for cat, amount in budget.by_category.items()
    ]


# --------------------------------------------------------------------------------------
# The lead's board


@bp.get("/proposals/<int:proposal_id>/commitments")
@login_required
def board(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_BUDGETS)
    manage = allowed(member, Capability.MANAGE_COMMITMENTS)
    data = services.board(proposal)
    add_form = forms.AddParticipationForm()
    if manage:
        _organisation_choices(add_form, proposal)
    return render_template(
        "commitments/board.html",
        proposal=proposal,
        board=data,
        manage=manage,
        add_form=add_form,
        category_parts=_category_parts,
        categories=list(CostCategory),
        category_css=CATEGORY_CSS,
        category_labels=CATEGORY_LABELS,
        pending=len(services.pending_for_reminder(proposal)),
        invitable=services.invitable(proposal) if manage else [],
    )


def _organisation_choices(form, proposal) -> None:
    taken = {p.organisation_id for p in proposal.participations}
    rows = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    form.organisation.choices = [("", "—")] + [(str(i), n) for i, n in rows if i not in taken]


@bp.post("/proposals/<int:proposal_id>/commitments/add")
@login_required
def add(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    form = forms.AddParticipationForm()
    _organisation_choices(form, proposal)
    org_id = parse_id(form.organisation.data)
    organisation = db.session.get(Organisation, org_id) if org_id is not None else None
    if not form.validate_on_submit() or organisation is None:
        flash(_("Choose an organisation of the directory."), "error")
        return redirect(url_for("commitments.board", proposal_id=proposal.id))
    try:
        p = services.add_participation(
            proposal, organisation, actor=current_user, role=form.role.data
        )
    except ValidationFailed as error:
        for template, params in error.errors.values():
            flash(tr(template, params), "error")
        return redirect(url_for("commitments.board", proposal_id=proposal.id))
    db.session.commit()
    flash(_("%(name)s is added as a candidate.", name=organisation.short_name), "success")
    return redirect(url_for("commitments.edit", proposal_id=proposal.id, participation_id=p.id))


def _board_table(proposal, data):
    header = [_("Organisation"), _("Role"), _("Status"), _("Person-months")]
    header += [_(CATEGORY_LABELS[c]) for c in CostCategory]
    header += [
        _("Total eligible costs"),
        _("EU contribution"),
        _("Own co-financing"),
        _("Other funding"),
        _("Share of the total"),
        _("Contact person"),
        _("Email"),
        _("Signed letter"),
        _("Last activity"),
        _("Missing"),
    ]
    rows = []
    for row in data.rows:
        p, bud = row.participation, row.budget
        rows.append(
            [
                p.organisation.name,
                ROLE_LABELS.get(p.role, p.role),
                _(STATUS_LABELS[Status(p.status)])
                if p.status in Status._value2member_map_
                else p.status,
                bud.person_months_total,
                *[bud.by_category[c] for c in CostCategory],
                bud.total,
                bud.eu_contribution,
                bud.own_cofinancing,
                bud.other_funding,
                row.share,
                p.contact_name or "",
                p.contact_email or "",
                _("yes") if row.letter else _("no"),
                p.last_activity_at.strftime("%Y-%m-%d %H:%M") if p.last_activity_at else "",
                ", ".join(_missing_label(m) for m, _params in row.missing),
            ]
        )
    c = data.consortium
    rows.append(
        [
            _("Total"),
            "",
            "",
            c.person_months_total,
            *[c.by_category[cat] for cat in CostCategory],
            c.total,
            c.eu_total,
            c.own_cofinancing_total,
            c.other_funding_total,
            c.eu_share,
            "",
            "",
            "",
            "",
            "",
        ]
    )
    return header, rows


@bp.get("/proposals/<int:proposal_id>/commitments/board.<fmt>")
@login_required
def export(proposal_id: int, fmt: str):
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_BUDGETS)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = _board_table(proposal, services.board(proposal))
    name = f"{proposal.acronym}-commitments.{fmt}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(header, rows), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(proposal.acronym, header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{_ascii(name)}"'
    return response


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)


@bp.post("/proposals/<int:proposal_id>/commitments/remind")
@login_required
def remind(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    sent = 0
    for p in services.pending_for_reminder(proposal):
        _remind(proposal, p)
        sent += 1
    db.session.commit()
    flash(ngettext("%(num)d reminder written.", "%(num)d reminders written.", sent), "success")
    return redirect(url_for("commitments.board", proposal_id=proposal.id))


def _remind(proposal, p) -> None:
    """One reminder, in the recipient's language, with a fresh link while the invitation is
    pending (else the link to the partner's commitment page)."""
    pending = services.pending_invitations([p.id]).get(p.id)
    if pending is not None:
        _invitation, token = services.create_invitation(
            p, actor=current_user, email=pending.email, name=pending.name, **_token_config()
        )
        link = url_for("commitments.accept", token=token, _external=True)
    else:
        link = url_for("commitments.mine", proposal_id=proposal.id, _external=True)
    recipient = p.contact_email if pending is None else pending.email
    mail_tr = translator(services.recipient_language(proposal, recipient))
    services.queue_mail(
        proposal_id=proposal.id,
        recipient=recipient,
        subject=mail_tr.gettext(
            "Reminder: your commitment to %(acronym)s", acronym=proposal.acronym
        ),
        body=mail_tr.gettext(
            "Hello,\n\nThe coordinator of %(acronym)s is waiting for the commitment of "
            "%(organisation)s. Please fill it in and confirm it here:\n%(link)s\n",
            acronym=proposal.acronym,
            organisation=p.organisation.name,
            link=link,
        ),
        config=current_app.config,
    )
    services.audit(p, "reminder", None, p.contact_email, actor=current_user)


@bp.get("/proposals/<int:proposal_id>/commitments/outbox")
@login_required
def outbox(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    messages = services.outbox(proposal)
    return render_template(
        "commitments/outbox.html",
        proposal=proposal,
        messages=messages,
        links=_invitation_links(messages),
        mail_configured=bool(current_app.config.get("MAIL_SERVER")),
    )


def _invitation_links(messages) -> dict[int, str]:
    """The invitation link in each message, for its copy button."""
    placeholder = "PLACEHOLDER"  # the link up to its token: url_for with a stand-in, cut off
    prefix = url_for("commitments.accept", token=placeholder, _external=True).removesuffix(
        placeholder
    )
    links = {}
    for m in messages:
        start = m.body.find(prefix)
        if start >= 0:
            links[m.id] = m.body[start:].split()[0]
    return links


# --------------------------------------------------------------------------------------
# One participation, for the lead


def _fill_amounts(form, p) -> None:
    for name in services.AMOUNT_FIELDS:
        getattr(form, name).data = forms.amount_text(getattr(p, name))


def _values(form, lead: bool) -> dict:
    values = {name: getattr(form, name).amount for name in services.AMOUNT_FIELDS}
    values.update(
        contact_name=form.contact_name.data or None,
        contact_function=form.contact_function.data or None,
        contact_email=(form.contact_email.data or "").lower() or None,
        tasks=form.tasks.data or "",
    )
    if lead:
        values["role"] = form.role.data
        target = form.affiliated_to.data
        values["affiliated_to_id"] = parse_id(target)
        values["notes"] = form.notes.data or ""
    return values


def _efforts_view(p, actions):
    efforts = {e.action_id: e.person_months for e in p.efforts}
    return [(a, efforts.get(a.id)) for a in actions.values()]


def _conflict(p, form, lead: bool):
    db.session.rollback()
    current = db.session.get(Participation, p.id)
    rows = []
    for field in form:
        if field.type in ("HiddenField", "CSRFTokenField"):
            continue
        saved = getattr(current, field.name, None)
        if field.name == "affiliated_to":
            saved = current.affiliated_to_id
        saved_text = forms.amount_text(saved) if isinstance(saved, Decimal) else (saved or "")
        typed = request.form.get(field.name, "")
        rows.append(
            (field.label.text, typed, str(saved_text), str(saved_text).strip() != typed.strip())
        )
    return render_template(
        "commitments/conflict.html", participation=current, rows=rows, back=request.path
    ), 409


def _save_commitment(p, form, actions, *, lead: bool):
    """Validate and save; returns a response on success or conflict, else None."""
    pm_values, pm_errors = forms.parse_person_months(request.form, list(actions))
    valid = form.validate_on_submit()
    if not valid or pm_errors:
        form.pm_errors = pm_errors
        return None
    try:
        changed = services.update_commitment(
            p,
            actor=current_user,
            actor_role=ActorRole.LEAD if lead else ActorRole.PARTNER,
            values=_values(form, lead),
            person_months=pm_values,
            expected_version=form.version.data,
            actions=actions,
        )
        db.session.commit()
    except Conflict:
        return _conflict(p, form, lead)
    except ValidationFailed as error:
        db.session.rollback()
        attach_errors(form, error)
        form.pm_errors = {
            k: tr(t, pa) for k, (t, pa) in error.errors.items() if k.startswith("pm_")
        }
        return None
    except InvalidTransition as error:
        db.session.rollback()
        flash(tr(error.template, error.params), "error")
        return None
    if changed:
        flash(_("The commitment is saved."), "success")
    else:
        flash(_("Nothing changed."), "info")
    target = "commitments.edit" if lead else "commitments.mine"
    kwargs = {"participation_id": p.id} if lead else {}
    return redirect(url_for(target, proposal_id=p.proposal_id, **kwargs))


@bp.route(
    "/proposals/<int:proposal_id>/commitments/<int:participation_id>", methods=["GET", "POST"]
)
@login_required
def edit(proposal_id: int, participation_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_BUDGETS)
    p = _participation(proposal, participation_id)
    manage = allowed(member, Capability.MANAGE_COMMITMENTS)
    if request.method == "POST" and not manage:
        abort(403)
    form = forms.LeadCommitmentForm(obj=None if request.method == "POST" else p)
    form.affiliated_to.choices = [("", "—")] + [
        (str(o.id), o.organisation.name) for o in proposal.participations if o.id != p.id
    ]
    form.pm_errors = {}
    if request.method == "GET":
        form.version.data = p.version
        form.affiliated_to.data = str(p.affiliated_to_id or "")
        _fill_amounts(form, p)
    actions = services.actions_by_id(proposal)
    if request.method == "POST":
        response = _save_commitment(p, form, actions, lead=True)
        if response is not None:
            return response
    return _edit_page(proposal, p, form, actions, manage)


def _edit_page(proposal, p, form, actions, manage: bool) -> str:
    """The lead's page of one participation (read-only for writers and viewers)."""
    bud = services.budget_of(p, actions)
    funding, indirect = services.rates(proposal)
    return render_template(
        "commitments/edit.html",
        proposal=proposal,
        p=p,
        form=form,
        manage=manage,
        budget=bud,
        issues=_participation_issues(p, bud),
        efforts=_efforts_view(p, actions),
        funding_rate=funding,
        indirect_rate=indirect,
        trail=services.audit_trail(p) if manage else [],
        invitations=_invitations(p) if manage else [],
        letters=services.letters_of(p),
        actions=services.lead_actions(p) if manage else (),
        action_labels=ACTION_LABELS,
        invite_form=forms.InviteForm(formdata=None),
        # the status buttons carry the version the lead saw (an empty duplicate "version"
        # field used to come first and turn every click into "someone else changed this")
        action_form=forms.ActionForm(formdata=None, version=p.version),
        category_parts=_category_parts,
        upload=forms.UploadForm(formdata=None),
        posted_pm=request.form if request.method == "POST" else None,
        gaps=services.confirmation_gaps(p, bud),
        waivable=WAIVABLE_GAPS,
        accept_form=_accept_form(p),
    )


def _accept_form(p) -> forms.AcceptGapsForm:
    form = forms.AcceptGapsForm(formdata=None)
    form.version.data = p.version
    return form


@bp.post("/proposals/<int:proposal_id>/commitments/<int:participation_id>/accept-gaps")
@login_required
def accept_gaps(proposal_id: int, participation_id: int):
    """The lead records that the partner may confirm despite a gap the rules allow."""
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    p = _participation(proposal, participation_id)
    form = forms.AcceptGapsForm()
    if not form.validate_on_submit():
        flash(_("Say why the commitment may be confirmed despite this."), "error")
    else:
        with commit_or_refuse(_flash_conflict_or_refusal) as outcome:
            services.accept_gaps(
                p, actor=current_user, reason=form.reason.data, expected_version=form.version.data
            )
        if outcome.saved:
            flash(
                _(
                    "Recorded: %(name)s may confirm despite the uncovered costs.",
                    name=p.organisation.short_name,
                ),
                "success",
            )
    return redirect(
        url_for(
            "commitments.edit",
            proposal_id=proposal.id,
            participation_id=p.id,
            _anchor="confirmation-rules",
        )
    )


def _invitations(p):
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.participation_id == p.id)
            .order_by(Invitation.id.desc())
        )
    )


@bp.post("/proposals/<int:proposal_id>/commitments/<int:participation_id>/status/<action>")
@login_required
def change_status(proposal_id: int, participation_id: int, action: str):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    p = _participation(proposal, participation_id)
    form = forms.ActionForm()
    if action not in Action._value2member_map_ or not form.validate_on_submit():
        abort(400)
    with commit_or_refuse(_flash_conflict_or_refusal) as outcome:
        status = services.apply_action(
            p,
            action,
            actor=current_user,
            actor_role=ActorRole.LEAD,
            expected_version=form.version.data,
        )
        if status in (Status.WITHDRAWN, Status.CANDIDATE):
            services.revoke_pending(p, actor=current_user)
    if outcome.saved:
        flash(
            _(
                "%(name)s is now “%(status)s”.",
                name=p.organisation.short_name,
                status=_(STATUS_LABELS[status]),
            ),
            "success",
        )
    return redirect(url_for("commitments.edit", proposal_id=proposal.id, participation_id=p.id))


def _token_config() -> dict:
    return {
        "secret_key": current_app.config["SECRET_KEY"],
        "max_age": int(current_app.config["INVITATION_MAX_AGE"]),
    }


def _invitation_mail(proposal, p, link: str, recipient: str) -> tuple[str, str]:
    """Written in the recipient's language (their account's, else the proposal's)."""
    mail_tr = translator(services.recipient_language(proposal, recipient))
    subject = mail_tr.gettext(
        "Invitation to the LIFE proposal %(acronym)s", acronym=proposal.acronym
    )
    body = mail_tr.ngettext(
        "Hello,\n\n%(lead)s invites %(organisation)s to the consortium of the LIFE proposal "
        "%(acronym)s “%(title)s”.\n\nFollow this personal link to set your password, fill in "
        "your organisation's commitment and download its letter (the link works once and "
        "expires in %(num)s day):\n%(link)s\n",
        "Hello,\n\n%(lead)s invites %(organisation)s to the consortium of the LIFE proposal "
        "%(acronym)s “%(title)s”.\n\nFollow this personal link to set your password, fill in "
        "your organisation's commitment and download its letter (the link works once and "
        "expires in %(num)s days):\n%(link)s\n",
        int(current_app.config["INVITATION_MAX_AGE"]) // 86400,
        lead=current_user.name,
        organisation=p.organisation.name,
        acronym=proposal.acronym,
        title=proposal.title,
        link=link,
    )
    return subject, body


@bp.post("/proposals/<int:proposal_id>/commitments/<int:participation_id>/invite")
@login_required
def invite(proposal_id: int, participation_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    p = _participation(proposal, participation_id)
    form = forms.InviteForm()
    if not form.validate_on_submit():
        flash(_("Enter a valid email address."), "error")
        return redirect(url_for("commitments.edit", proposal_id=proposal.id, participation_id=p.id))
    with commit_or_refuse(_flash_each_error) as outcome:
        message = _send_new_link(proposal, p, form.email.data, form.name.data)
    if outcome.saved and message.sent_at:
        flash(_("The invitation is sent to %(email)s.", email=form.email.data), "success")
    elif outcome.saved:
        flash(
            _(
                "The invitation is in the outbox: copy the link and send it to %(email)s.",
                email=form.email.data,
            ),
            "success",
        )
        return redirect(url_for("commitments.outbox", proposal_id=proposal.id))
    return redirect(url_for("commitments.edit", proposal_id=proposal.id, participation_id=p.id))


def _fill_profile_form(form, org, first) -> None:
    """The organisation's fields and its first contact, as the partner sees them."""
    form.version.data = org.version
    form.annual_budget.data = forms.amount_text(org.annual_budget_eur)
    if first is not None:
        form.contact_name.data = first.name
        form.contact_function.data = first.function
        form.contact_email.data = first.email
        form.contact_phone.data = first.phone


def _save_profile(org, form) -> None:
    """The partner's edits: the first contact replaced, the other contacts kept."""
    contacts = [
        {
            "name": form.contact_name.data,
            "function": form.contact_function.data,
            "email": (form.contact_email.data or "").lower(),
            "phone": form.contact_phone.data,
        }
    ]
    contacts += [
        {"name": c.name, "function": c.function, "email": c.email, "phone": c.phone}
        for c in org.contacts[1:]
    ]
    values = {
        "description": form.description.data,
        "website": form.website.data,
        "city": form.city.data,
        "staff": form.staff.data,
        "annual_budget_eur": form.annual_budget.amount,
        "pic": form.pic.data,
    }
    services.update_profile(
        org,
        actor=current_user,
        values=values,
        contacts=contacts,
        expected_version=form.version.data,
    )


def _letter_page(proposal, member, p) -> str:
    """Where the letter's uploader returns: the lead to the participation, the partner to its
    own page; anyone else may not upload."""
    if allowed(member, Capability.MANAGE_COMMITMENTS):
        return url_for("commitments.edit", proposal_id=proposal.id, participation_id=p.id)
    if member is not None and member.role == "partner":
        return url_for("commitments.mine", proposal_id=proposal.id)
    abort(403)


def _flash_confirmation_refused(error: Exception) -> None:
    """Why the partner cannot confirm, with every gap the rules found."""
    gaps = error.gaps if isinstance(error, services.ConfirmationRefused) else ()
    flash(" ".join([tr(error.template, error.params), *(finding_text(g) for g in gaps)]), "error")


def _flash_conflict_or_refusal(error: Exception) -> None:
    """A stale version says someone else changed the participation; any other refusal says
    why it was refused."""
    if isinstance(error, Conflict):
        flash(_("Someone else changed this participation; check it and try again."), "error")
    else:
        flash(tr(error.template, error.params), "error")


def _flash_each_error(error: Exception) -> None:
    """A refusal as messages: one per field error, or its own message."""
    if isinstance(error, ValidationFailed):
        for template, params in error.errors.values():
            flash(tr(template, params), "error")
    else:
        flash(tr(error.template, error.params), "error")


def _invitation_of(proposal, invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.participation.proposal_id != proposal.id:
        abort(404)
    return invitation


@bp.post("/proposals/<int:proposal_id>/commitments/invitations/<int:invitation_id>/resend")
@login_required
def resend(proposal_id: int, invitation_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    old = _invitation_of(proposal, invitation_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    p = old.participation
    with commit_or_refuse(flash_refusal(_refusal)) as outcome:
        message = _send_new_link(proposal, p, old.email, old.name)
    to_edit = url_for("commitments.edit", proposal_id=proposal.id, participation_id=p.id)
    if not outcome.saved:
        return redirect(to_edit)
    flash(
        _(
            "A new link is written for %(email)s; the previous one no longer works.",
            email=old.email,
        ),
        "success",
    )
    return redirect(
        to_edit if message.sent_at else url_for("commitments.outbox", proposal_id=proposal.id)
    )


def _send_new_link(proposal, p, email: str, name: str):
    """A new invitation link for ``email`` (the previous one stops working), in the outbox."""
    _invitation, token = services.create_invitation(
        p, actor=current_user, email=email, name=name, **_token_config()
    )
    return _mail_invitation(proposal, p, email, token)


def _mail_invitation(proposal, p, email: str, token: str):
    """The invitation message with its link, written to the outbox (or sent)."""
    link = url_for("commitments.accept", token=token, _external=True)
    subject, body = _invitation_mail(proposal, p, link, email)
    return services.queue_mail(
        proposal_id=proposal.id,
        recipient=email,
        subject=subject,
        body=body,
        config=current_app.config,
    )


def _contact_of(p) -> dict:
    return {"email": p.contact_email or "", "name": p.contact_name}


def _first_reason(error: DomainError) -> tuple[str, dict]:
    """(template, params) of a refusal: a field error's first, or the refusal's own."""
    if isinstance(error, ValidationFailed):
        template, params = next(iter(error.errors.values()))
        return template, dict(params)
    return error.template, dict(error.params)


@bp.post("/proposals/<int:proposal_id>/commitments/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(proposal_id: int, invitation_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    invitation = _invitation_of(proposal, invitation_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    with commit_or_refuse(flash_refusal(_refusal)) as outcome:
        services.revoke_invitation(invitation, actor=current_user)
    if outcome.saved:
        current_app.logger.info("invitation %s revoked by user %s", invitation.id, current_user.id)
        flash(_("The invitation link is revoked."), "success")
    return redirect(
        url_for(
            "commitments.edit",
            proposal_id=proposal.id,
            participation_id=invitation.participation_id,
        )
    )


# --------------------------------------------------------------------------------------
# Invitation links (public)

REFUSAL_STATUS = {
    "invalid": 404,
    "expired": 410,
    "used": 410,
    "revoked": 410,
    "other": 403,
    "address": 403,
}


def _refused(reason: str):
    session.pop("invitation_token", None)
    return render_template(
        "commitments/invitation_refused.html", reason=reason
    ), REFUSAL_STATUS.get(reason, 400)


@bp.get("/invitations/<path:token>")
def accept(token: str):
    """Check the link, keep the token in the session and drop it from the address bar."""
    try:
        services.resolve_token(token, **_token_config())
    except services.InvitationRefused as error:
        return _refused(error.reason)
    session["invitation_token"] = token
    response = redirect(url_for("commitments.accept_finish"))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _log_in(user: User) -> None:
    token = auth_services.open_session(
        user,
        user_agent=request.user_agent.string,
        max_seconds=current_app.config["SESSION_MAX_SECONDS"],
    )
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    user.session_token = token
    login_user(user)


def _join_form(invitation):
    """The form for this visitor: logged in already, an existing account, or a new one; a
    refusal reason when the logged-in user cannot take this invitation."""
    if current_user.is_authenticated:
        if services.conflicting_membership(current_user, invitation):
            return "other"
        if current_user.email != invitation.email.strip().lower():
            return "address"
        return forms.JoinLoggedInForm(), "logged_in", current_user
    user = db.session.scalar(select(User).where(User.email == invitation.email))
    if user is not None:
        return forms.JoinExistingForm(), "existing", user
    form = forms.JoinNewForm()
    if request.method == "GET":
        form.name.data = invitation.name or invitation.participation.contact_name
    return form, "new", None


def _joining_user(invitation, form, mode: str, user):
    """The account that joins: created, checked by its password (None when wrong) or the
    logged-in one."""
    config = current_app.config
    if mode == "new":
        services.take_invitation(invitation)  # first, so concurrent joins wait
        return auth_services.create_user(
            email=invitation.email,
            name=form.name.data,
            password=form.password.data,
            method=config["PASSWORD_HASH_METHOD"],
            min_length=config["PASSWORD_MIN_LENGTH"],
        )
    if mode == "existing":
        return auth_services.authenticate(
            email=invitation.email,
            password=form.password.data,
            address=request.remote_addr or "unknown",
            **auth_services.login_limits(config),
        )
    return user


def _join(invitation, form, mode: str, user):
    """Join in one transaction; a response when the join ended (refused or done), else None
    with the form's errors set."""
    try:
        user = _joining_user(invitation, form, mode, user)
        if user is None:
            db.session.commit()  # the failed attempt counts
            form.password.errors = [_("Wrong password.")]
            return None
        services.claim_invitation(invitation, user, taken=mode == "new")
        if mode != "logged_in":
            _log_in(user)
        db.session.commit()
    except auth_services.TooManyAttempts as error:
        db.session.rollback()
        flash(_(error.template, **error.params), "error")
        return None
    except ValidationFailed as error:
        db.session.rollback()
        attach_errors(form, error)
        if "password" in error.errors and hasattr(form, "password"):
            template, params = error.errors["password"]
            form.password.errors = [_(template, **params)]
        return None
    except services.InvitationRefused as error:
        db.session.rollback()
        return _refused(error.reason)
    session.pop("invitation_token", None)
    p = invitation.participation
    flash(
        _(
            "Welcome! You can now fill in the commitment of %(organisation)s.",
            organisation=p.organisation.name,
        ),
        "success",
    )
    return redirect(url_for("commitments.mine", proposal_id=p.proposal_id))


@bp.route("/invitation", methods=["GET", "POST"])
def accept_finish():
    token = session.get("invitation_token")
    if not token:
        return _refused("invalid")
    try:
        invitation = services.resolve_token(token, **_token_config())
    except services.InvitationRefused as error:
        return _refused(error.reason)
    chosen = _join_form(invitation)
    if isinstance(chosen, str):
        return _refused(chosen)
    form, mode, user = chosen
    if form.validate_on_submit():
        done = _join(invitation, form, mode, user)
        if done is not None:
            return done
    return render_template(
        "commitments/join.html",
        form=form,
        mode=mode,
        invitation=invitation,
        p=invitation.participation,
    )


# --------------------------------------------------------------------------------------
# The partner's side


@bp.route("/proposals/<int:proposal_id>/commitments/mine", methods=["GET", "POST"])
@login_required
def mine(proposal_id: int):
    proposal, _member, p = _own_participation(proposal_id)
    form = forms.CommitmentForm(obj=None if request.method == "POST" else p)
    form.pm_errors = {}
    if request.method == "GET":
        form.version.data = p.version
        _fill_amounts(form, p)
    actions = services.actions_by_id(proposal)
    if request.method == "POST":
        response = _save_commitment(p, form, actions, lead=False)
        if response is not None:
            return response
    return _mine_page(proposal, p, form, actions)


def _mine_page(proposal, p, form: forms.CommitmentForm, actions) -> str:
    """The partner's own page: its commitment, budget, gaps, letters and the other members."""
    bud = services.budget_of(p, actions)
    funding, indirect = services.rates(proposal)
    confirm_form = forms.ConfirmForm(formdata=None)
    confirm_form.version.data = p.version
    confirm_form.name.data = p.confirmed_by_name or p.contact_name
    confirm_form.function.data = p.confirmed_by_function or p.contact_function
    decline_form = forms.DeclineForm(formdata=None)
    decline_form.version.data = p.version
    members = [
        o for o in proposal.participations if sees_participation("partner", o.status)
    ]  # the API shows partners the same
    return render_template(
        "commitments/mine.html",
        proposal=proposal,
        p=p,
        form=form,
        budget=bud,
        issues=_participation_issues(p, bud),
        efforts=_efforts_view(p, actions),
        funding_rate=funding,
        indirect_rate=indirect,
        confirm_form=confirm_form,
        decline_form=decline_form,
        upload=forms.UploadForm(formdata=None),
        letters=services.letters_of(p),
        members=members,
        category_parts=_category_parts,
        may_confirm=p.status in ("invited", "to_reconfirm"),
        gaps=services.blocking_gaps(p, bud),
        posted_pm=request.form if request.method == "POST" else None,
    )


@bp.post("/proposals/<int:proposal_id>/commitments/mine/confirm")
@login_required
def confirm(proposal_id: int):
    proposal, _member, p = _own_participation(proposal_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Enter the name and function of the signatory."), "error")
        return redirect(url_for("commitments.mine", proposal_id=proposal.id))
    try:
        with commit_or_refuse(
            _flash_confirmation_refused,
            refusals=(services.ConfirmationRefused, InvalidTransition, ValidationFailed),
        ) as outcome:
            services.confirm(
                p,
                actor=current_user,
                name=form.name.data,
                function=form.function.data,
                expected_version=form.version.data,
            )
    except Conflict:
        return _conflict(p, form, False)
    if outcome.saved:
        flash(
            _(
                "Thank you: the commitment of %(organisation)s is confirmed.",
                organisation=p.organisation.name,
            ),
            "success",
        )
    return redirect(url_for("commitments.mine", proposal_id=proposal.id))


@bp.post("/proposals/<int:proposal_id>/commitments/mine/decline")
@login_required
def decline(proposal_id: int):
    proposal, _member, p = _own_participation(proposal_id)
    form = forms.DeclineForm()
    if not form.validate_on_submit():
        flash(_("Tell the coordinator why you decline."), "error")
        return redirect(url_for("commitments.mine", proposal_id=proposal.id))
    try:
        with commit_or_refuse(
            flash_refusal(_refusal), refusals=(InvalidTransition, ValidationFailed)
        ) as outcome:
            services.decline(
                p, actor=current_user, reason=form.reason.data, expected_version=form.version.data
            )
    except Conflict:
        return _conflict(p, form, False)
    if outcome.saved:
        flash(_("Your answer is recorded; the coordinator is informed."), "success")
    return redirect(url_for("commitments.mine", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>/commitments/mine/organisation", methods=["GET", "POST"])
@login_required
def profile(proposal_id: int):
    proposal, _member, p = _own_participation(proposal_id)
    org = p.organisation
    first = org.contacts[0] if org.contacts else None
    form = forms.ProfileForm(obj=None if request.method == "POST" else org)
    if request.method == "GET":
        _fill_profile_form(form, org, first)
    elif form.validate_on_submit():
        try:
            with commit_or_refuse(
                partial(attach_errors, form), refusals=(ValidationFailed,)
            ) as done:
                _save_profile(org, form)
        except Conflict:
            db.session.rollback()
            return render_conflict(form, current_values(org))
        if done.saved:
            flash(_("The profile of %(organisation)s is saved.", organisation=org.name), "success")
            return redirect(url_for("commitments.profile", proposal_id=proposal.id))
    return render_template("commitments/profile.html", proposal=proposal, p=p, org=org, form=form)


# --------------------------------------------------------------------------------------
# Letters


@bp.get("/proposals/<int:proposal_id>/commitments/<int:participation_id>/letter.docx")
@login_required
def letter(proposal_id: int, participation_id: int):
    proposal, _member, p = _readable_participation(proposal_id, participation_id)
    lang = request.args.get("lang") or proposal.document_language
    if lang not in ("en", "fr"):
        abort(404)
    data = services.letter_data(p, today=_now().date())
    body = build_letter(data, translator(lang))
    name = _ascii(f"{proposal.acronym}-{p.organisation.short_name}-letter-{lang}.docx")
    response = Response(
        body, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.post("/proposals/<int:proposal_id>/commitments/<int:participation_id>/signed")
@login_required
def upload(proposal_id: int, participation_id: int):
    proposal, member, p = _readable_participation(proposal_id, participation_id)
    back = _letter_page(proposal, member, p)
    form = forms.UploadForm()
    file = request.files.get("file")
    if not form.validate_on_submit() or file is None:
        flash(_("Choose a file."), "error")
        return redirect(back)
    try:
        content = file.stream.read(services.LETTER_MAX_BYTES + 1)
    finally:
        for stored in request.files.values():
            stored.close()
    with commit_or_refuse(_flash_each_error, refusals=(ValidationFailed,)) as outcome:
        services.store_signed_letter(
            p,
            actor=current_user,
            filename=file.filename or "",
            content=content,
            upload_folder=current_app.config["UPLOAD_FOLDER"],
            quota=services.UploadQuota.from_config(current_app.config),
        )
    if outcome.saved:
        flash(_("The signed letter is received."), "success")
    return redirect(back)


@bp.get("/proposals/<int:proposal_id>/commitments/<int:participation_id>/signed/<int:letter_id>")
@login_required
def signed(proposal_id: int, participation_id: int, letter_id: int):
    _proposal, _member, p = _readable_participation(proposal_id, participation_id)
    row = db.session.get(SignedLetter, letter_id)
    if row is None or row.participation_id != p.id:
        abort(404)
    path = services.letter_path(row, current_app.config["UPLOAD_FOLDER"])
    if not path.is_file():
        abort(404)
    response = Response(path.read_bytes(), mimetype=row.content_type)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_ascii(row.original_name) or "letter"}"'
    )
    return response


# --------------------------------------------------------------------------------------
# Directory to consortium in one step


def _ids(name: str) -> list[int]:
    """Ids posted as repeated fields; anything that is not a sane id is dropped."""
    values = request.form.getlist(name)[: services.MAX_BULK]
    return [int(v) for v in values if v.isascii() and v.isdigit() and 0 < len(v) < 10]


def _flash_refused(refused: list[tuple[str, str, dict]]) -> None:
    for name, template, params in refused:
        flash(_("%(name)s: %(problem)s", name=name, problem=tr(template, params)), "error")


@bp.post("/commitments/shortlist")
@login_required
def shortlist_selected():
    """ "Add to proposal…" from an organisation page or the directory's search results."""
    proposal_id = request.form.get("proposal_id", "")
    if not (proposal_id.isascii() and proposal_id.isdigit() and 0 < len(proposal_id) < 10):
        abort(404)
    proposal, _member = load_proposal(int(proposal_id), Capability.MANAGE_COMMITMENTS)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    viewer = directory_services.viewer_for(current_user)
    organisations = [
        org
        for org in (db.session.get(Organisation, i) for i in _ids("organisation_ids"))
        if org is not None and viewer.sees(org)
    ]
    if not organisations:
        flash(_("Choose at least one organisation."), "error")
        return redirect(
            request.referrer if _same_site(request.referrer) else url_for("directory.index")
        )
    outcome = services.shortlist_organisations(proposal, organisations, actor=current_user)
    db.session.commit()
    if outcome.done:
        names = ", ".join(outcome.done)
        flash(
            _("Shortlisted in %(acronym)s: %(names)s.", acronym=proposal.acronym, names=names),
            "success",
        )
    _flash_refused(outcome.refused)
    return redirect(url_for("commitments.board", proposal_id=proposal.id))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.post("/proposals/<int:proposal_id>/commitments/invite-selected")
@login_required
def invite_selected(proposal_id: int):
    """Invite several shortlisted partners at once, each at its contact's address."""
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    chosen = set(_ids("participation_ids"))
    targets = [p for p in services.invitable(proposal) if p.id in chosen]
    if not targets:
        flash(_("Choose at least one shortlisted partner with a contact e-mail."), "error")
        return redirect(url_for("commitments.board", proposal_id=proposal.id))
    invited, refused, queued = [], [], 0
    for p in targets:
        try:
            with db.session.begin_nested():  # one refused partner does not undo the others
                invitation, token = services.create_invitation(
                    p, actor=current_user, **_contact_of(p), **_token_config()
                )
        except DomainError as error:
            refused.append((p.organisation.name, *_first_reason(error)))
            continue
        queued += _mail_invitation(proposal, p, invitation.email, token).sent_at is None
        invited.append(p.organisation.name)
    db.session.commit()
    if invited:
        flash(_("Invited: %(names)s.", names=", ".join(invited)), "success")
    _flash_refused(refused)
    if queued:
        return redirect(url_for("commitments.outbox", proposal_id=proposal.id))
    return redirect(url_for("commitments.board", proposal_id=proposal.id))


# --------------------------------------------------------------------------------------
# The budget grid: every partner at once


GRID_MAX_BYTES = 5 * 1024 * 1024


def _grid_page(
    proposal,
    member,
    *,
    posted=None,
    errors=None,
    conflicts=(),
    status=200,
    import_errors=(),
    periods_form=None,
):
    manage = allowed(member, Capability.MANAGE_COMMITMENTS)
    data = services.budget_grid(proposal)
    if periods_form is None:
        periods_form = forms.PeriodsForm(formdata=None)
        periods_form.version.data = data.periods_version or ""
        periods_form.ends.data = ", ".join(str(p.end) for p in data.periods)
    return render_template(
        "commitments/grid.html",
        proposal=proposal,
        grid=data,
        manage=manage,
        posted=posted,
        errors=errors or {},
        conflicts=set(conflicts),
        field=forms.grid_field,
        amount_text=forms.amount_text,
        amount_fields=forms.GRID_AMOUNTS,
        category_labels=CATEGORY_LABELS,
        funding_rate=services.rates(proposal)[0],
        periods_form=periods_form,
        import_form=forms.GridImportForm(formdata=None),
        import_errors=import_errors,
    ), status


def _posted_grid(proposal):
    """The grid's members present in the form and their parsed rows (or the cells' errors).
    Rows absent from the form (a member added since the page was shown) are left alone."""
    members = [
        r.participation
        for r in services.budget_grid(proposal).rows
        if forms.grid_field(r.participation.id, "version") in request.form
    ]
    actions = services.actions_by_id(proposal)
    rows, errors = forms.parse_grid(
        request.form, [p.id for p in members], list(actions), services.grid.RATE_MAXIMUM
    )
    return members, rows, errors


def _save_grid(proposal, member, members, rows):
    """Save the parsed rows in one transaction; the page to show again when refused, else
    None with the outcome flashed."""
    entries = {
        pid: services.GridEntry(
            version=row["version"], values=row["values"], person_months=row["person_months"]
        )
        for pid, row in rows.items()
    }
    try:
        changed = services.save_grid(proposal, entries, actor=current_user)
        db.session.commit()
    except Conflict:
        db.session.rollback()
        return _grid_conflict(proposal, member, members)
    except ValidationFailed as error:
        db.session.rollback()
        flash(_("Nothing was saved: correct the marked cells."), "error")
        for template, params in error.errors.values():
            flash(tr(template, params), "error")
        return _grid_page(proposal, member, posted=request.form, status=400)
    except InvalidTransition as error:
        db.session.rollback()
        flash(tr(error.template, error.params), "error")
        return _grid_page(proposal, member, posted=request.form, status=400)
    if changed:
        flash(
            ngettext(
                "The budget of %(num)d partner is saved.",
                "The budgets of %(num)d partners are saved.",
                len(changed),
            ),
            "success",
        )
    else:
        flash(_("Nothing changed."), "info")
    return None


@bp.route("/proposals/<int:proposal_id>/commitments/grid", methods=["GET", "POST"])
@login_required
def grid(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_BUDGETS)
    if request.method == "GET":
        return _grid_page(proposal, member)
    if not allowed(member, Capability.MANAGE_COMMITMENTS):
        abort(403)
    members, rows, errors = _posted_grid(proposal)
    if errors:
        flash(_("Nothing was saved: correct the marked cells."), "error")
        return _grid_page(proposal, member, posted=request.form, errors=errors, status=400)
    stale = [p for p in members if str(p.version) != str(rows[p.id]["version"])]
    if stale:
        return _grid_conflict(proposal, member, stale)
    refused = _save_grid(proposal, member, members, rows)
    if refused is not None:
        return refused
    return redirect(url_for("commitments.grid", proposal_id=proposal.id))


def _grid_conflict(proposal, member, stale):
    """409: someone saved a row meanwhile; the typed grid is shown again, nothing saved, and
    the rows saved by someone else are marked (their versions are refreshed, so saving again
    overwrites them knowingly)."""
    db.session.rollback()
    posted = request.form.to_dict()
    for p in stale:
        current = db.session.get(Participation, p.id)
        posted[forms.grid_field(p.id, "version")] = str(current.version)
    flash(
        _(
            "Someone else saved a budget while you were editing: nothing was saved. Your "
            "input is kept below; check the marked rows and save again."
        ),
        "error",
    )
    return _grid_page(proposal, member, posted=posted, conflicts=[p.id for p in stale], status=409)


@bp.post("/proposals/<int:proposal_id>/commitments/grid/periods")
@login_required
def grid_periods(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    form = forms.PeriodsForm()
    if not form.validate_on_submit():
        return _grid_page(proposal, member, periods_form=form, status=400)
    try:
        ends = services.grid.parse_period_ends(form.ends.data or "", proposal.duration_months)
        changed = services.set_budget_periods(
            proposal, ends, actor=current_user, expected_version=form.version.data
        )
        db.session.commit()
    except services.grid.PeriodError as error:
        form.ends.errors = [tr(error.template, error.params)]
        return _grid_page(proposal, member, periods_form=form, status=400)
    except Conflict as error:
        db.session.rollback()
        form.ends.errors = [tr(error.template, error.params)]
        return _grid_page(proposal, member, periods_form=form, status=409)
    flash(
        _("The reporting periods are saved.") if changed else _("Nothing changed."),
        "success" if changed else "info",
    )
    return redirect(url_for("commitments.grid", proposal_id=proposal.id))


@bp.get("/proposals/<int:proposal_id>/commitments/grid.xlsx")
@login_required
def grid_export(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_BUDGETS)
    partners, totals = services.grid_sheets(
        services.budget_grid(proposal), lambda role: str(ROLE_LABELS.get(role, role))
    )
    body = services.grid_workbook.write(partners, totals, lambda t, **params: tr(t, params))
    response = Response(
        body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{proposal.acronym}-budget-grid.xlsx"
    response.headers["Content-Disposition"] = f'attachment; filename="{_ascii(name)}"'
    return response


def _uploaded_grid(form) -> bytes | str:
    """The uploaded workbook's bytes, or the message saying why there are none."""
    file = request.files.get("file")
    if not form.validate_on_submit() or file is None or not file.filename:
        return _("Choose a file.")
    try:
        content = file.stream.read(GRID_MAX_BYTES + 1)
    finally:
        for stored in request.files.values():
            stored.close()
    if len(content) > GRID_MAX_BYTES:
        return _("This file is larger than %(size)s MB.", size=5)
    return content


def _import_grid(proposal, member, content: bytes):
    """Apply the workbook in one transaction; the page to show again when refused, else None
    with the outcome flashed."""
    try:
        changed, errors = services.import_grid_workbook(proposal, content, actor=current_user)
        if errors:
            db.session.rollback()
            shown = [(e.cell, tr(e.template, dict(e.params))) for e in errors]
            return _grid_page(proposal, member, import_errors=shown, status=400)
        db.session.commit()
    except Conflict:
        db.session.rollback()
        flash(
            _(
                "Someone else saved a budget while the file was read: nothing was imported. "
                "Export the grid again."
            ),
            "error",
        )
        return _grid_page(proposal, member, status=409)
    except (ValidationFailed, InvalidTransition) as error:
        db.session.rollback()
        messages = (
            error.errors.values()
            if isinstance(error, ValidationFailed)
            else [(error.template, error.params)]
        )
        shown = [("", tr(template, params)) for template, params in messages]
        return _grid_page(proposal, member, import_errors=shown, status=400)
    if changed:
        flash(
            ngettext(
                "The workbook changed the budget of %(num)d partner.",
                "The workbook changed the budgets of %(num)d partners.",
                len(changed),
            ),
            "success",
        )
    else:
        flash(_("The workbook changes nothing."), "info")
    return None


@bp.post("/proposals/<int:proposal_id>/commitments/grid/import")
@login_required
def grid_import(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    content = _uploaded_grid(forms.GridImportForm())
    if isinstance(content, str):
        flash(content, "error")
        return redirect(url_for("commitments.grid", proposal_id=proposal.id))
    refused = _import_grid(proposal, member, content)
    if refused is not None:
        return refused
    return redirect(url_for("commitments.grid", proposal_id=proposal.id))

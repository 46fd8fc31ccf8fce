"""Commitments: participations, their budget, invitations, outbox mail and signed letters.

Services add and flush, never commit; they raise ``consortium.errors`` DomainError subclasses
with English templates the views translate.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from consortium.errors import N_

from ..auth.models import User
from ..directory.models import Organisation
from ..directory.spreadsheet import check_ooxml
from ..emails import valid_email
from ..errors import Conflict, DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..findings import Finding, Severity, finding
from ..fit.scoring import load_eligible_countries
from ..proposals import services as proposal_services
from ..proposals.models import (
    ActionEffort,
    AuditEvent,
    Participation,
    Proposal,
    ProposalMember,
)
from ..translation import supported
from ..web.storage import write_upload
from . import budget as b
from . import budget_charts, grid, grid_workbook, rules
from .letter import LetterAction, LetterData
from .models import BudgetPeriods, Invitation, OutboxMessage, SignedLetter
from .workflow import (
    Action,
    ActorRole,
    ParticipantRole,
    Status,
    allowed_actions,
    next_status,
)

log = logging.getLogger(__name__)

INVITATION_SALT = "partner-invite"
DEFAULT_FUNDING_RATE = Decimal("0.60")
DEFAULT_INDIRECT_RATE = Decimal("0.07")
MAX_PERSON_MONTHS = Decimal("9999")
LETTER_MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class UploadQuota:
    """How much uploaded files may take: signed letters per participation (every kept
    version counts), and all stored files of the instance together."""

    letters_per_participation: int = 10
    bytes_per_participation: int = 30 * 1024 * 1024
    bytes_per_instance: int = 2 * 1024**3

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> UploadQuota:
        return cls(
            letters_per_participation=int(config["UPLOAD_MAX_LETTERS_PER_PARTICIPATION"]),
            bytes_per_participation=int(config["UPLOAD_MAX_BYTES_PER_PARTICIPATION"]),
            bytes_per_instance=int(config["UPLOAD_MAX_BYTES_PER_INSTANCE"]),
        )


def stored_upload_bytes() -> int:
    """What the stored uploads take, from their recorded sizes (letters and references)."""
    from ..dossier.models import ReferenceDocument

    letters = db.session.scalar(select(func.coalesce(func.sum(SignedLetter.size), 0)))
    references = db.session.scalar(select(func.coalesce(func.sum(ReferenceDocument.size), 0)))
    return int(letters) + int(references)


def check_instance_quota(adding: int, quota: UploadQuota, *, freeing: int = 0) -> None:
    if stored_upload_bytes() - freeing + adding > quota.bytes_per_instance:
        raise ValidationFailed(
            {
                "file": (
                    N_(
                        "The storage space of this instance is full: nothing was stored. Tell the "
                        "administrator."
                    ),
                    {},
                )
            }
        )


PENDING_STATUSES = (Status.INVITED.value, Status.TO_RECONFIRM.value)

# Fields of a participation that make up the commitment (a change asks for re-confirmation).
COMMITMENT_FIELDS = (
    "role",
    "affiliated_to_id",
    "tasks",
    "monthly_rate",
    "cost_personnel",
    "cost_subcontracting",
    "cost_travel",
    "cost_equipment",
    "cost_other_goods",
    "cost_other",
    "eu_requested",
    "own_cofinancing",
    "other_funding",
)
CONTACT_FIELDS = ("contact_name", "contact_function", "contact_email")
PARTNER_FIELDS = (
    *CONTACT_FIELDS,
    *[f for f in COMMITMENT_FIELDS if f not in ("role", "affiliated_to_id")],
)
LEAD_FIELDS = (*CONTACT_FIELDS, *COMMITMENT_FIELDS, "notes")
AMOUNT_FIELDS = (
    "monthly_rate",
    "cost_personnel",
    "cost_subcontracting",
    "cost_travel",
    "cost_equipment",
    "cost_other_goods",
    "cost_other",
    "eu_requested",
    "own_cofinancing",
    "other_funding",
)
ROLE_VALUES = (
    "coordinator",
    "beneficiary",
    "affiliated_entity",
    "associated_partner",
    "subcontractor",
)


def now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------
# Budget of participations


def participant_role(participation: Participation) -> ParticipantRole | None:
    try:
        return ParticipantRole.parse(participation.role or "")
    except ValueError:
        return None


def rates(proposal: Proposal) -> tuple[Decimal, Decimal]:
    """(funding rate, indirect rate) of the proposal's topic, with LIFE defaults."""
    topic = proposal.topic
    funding = topic.funding_rate if topic.funding_rate is not None else DEFAULT_FUNDING_RATE
    indirect = topic.indirect_rate if topic.indirect_rate is not None else DEFAULT_INDIRECT_RATE
    return Decimal(funding), Decimal(indirect)


def actions_by_id(proposal: Proposal) -> dict:
    return {a.id: a for a in proposal_services.actions_of(proposal)}


def cost_lines(p: Participation) -> b.CostLines:
    return b.CostLines(
        personnel=p.cost_personnel or 0,
        subcontracting=p.cost_subcontracting or 0,
        travel=p.cost_travel or 0,
        equipment=p.cost_equipment or 0,
        other_goods=p.cost_other_goods or 0,
        other_costs=p.cost_other or 0,
    )


def budget_of(
    p: Participation, actions: Mapping[int, object] | None = None
) -> b.ParticipationBudget:
    actions = actions if actions is not None else actions_by_id(p.proposal)
    funding, indirect = rates(p.proposal)
    months = {}
    for effort in p.efforts:
        action = actions.get(effort.action_id)
        if action is not None:
            months[action.code] = Decimal(effort.person_months or 0)
    return b.participation_budget(
        cost_lines(p),
        indirect_rate=indirect,
        funding_rate=funding,
        requested_eu=p.eu_requested,
        own_cofinancing=p.own_cofinancing or 0,
        other_funding=p.other_funding or 0,
        person_months=months,
        role=participant_role(p),
    )


@dataclass
class BoardRow:
    participation: Participation
    budget: b.ParticipationBudget
    share: Decimal | None
    missing: list[tuple[str, dict]]
    issues: list[Finding]
    letter: SignedLetter | None
    invitation: Invitation | None
    leads: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)


@dataclass
class Board:
    rows: list[BoardRow]
    consortium: b.ConsortiumBudget
    checks: list[Finding]
    funding_rate: Decimal
    indirect_rate: Decimal
    max_total: Decimal
    charts: budget_charts.BudgetCharts | None = None


def current_letters(participation_ids: list[int]) -> dict[int, SignedLetter]:
    if not participation_ids:
        return {}
    letters = db.session.scalars(
        select(SignedLetter)
        .where(
            SignedLetter.participation_id.in_(participation_ids),
            SignedLetter.superseded_at.is_(None),
        )
        .order_by(SignedLetter.id)
    )
    return {letter.participation_id: letter for letter in letters}


def pending_invitations(participation_ids: list[int]) -> dict[int, Invitation]:
    if not participation_ids:
        return {}
    rows = db.session.scalars(
        select(Invitation)
        .where(
            Invitation.participation_id.in_(participation_ids),
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .order_by(Invitation.id)
    )
    return {inv.participation_id: inv for inv in rows}


def missing_items(
    p: Participation, budget: b.ParticipationBudget, letter
) -> list[tuple[str, dict]]:
    role = participant_role(p)
    missing: list[tuple[str, dict]] = []
    if not p.contact_email:
        missing.append(("contact person", {}))
    if role is not None and role.pic_required and not p.organisation.pic:
        missing.append(("PIC", {}))
    if role is not None and role.receives_eu_funding and budget.total == 0:
        missing.append(("budget", {}))
    if budget.person_months_total == 0 and role is not None and role.receives_eu_funding:
        missing.append(("person-months", {}))
    if p.status == Status.INVITED.value:
        missing.append(("confirmation", {}))
    if p.status == Status.TO_RECONFIRM.value:
        missing.append(("re-confirmation", {}))
    if p.status in (Status.CONFIRMED.value, Status.TO_RECONFIRM.value) and letter is None:
        missing.append(("signed letter", {}))
    return missing


def board(proposal: Proposal) -> Board:
    from ..workshops.models import ActionParticipant

    actions = actions_by_id(proposal)
    participations = list(proposal.participations)
    ids = [p.id for p in participations]
    letters = current_letters(ids)
    invitations = pending_invitations(ids)
    joined: dict[int, list[str]] = {}
    if actions:
        for action_id, org_id in db.session.execute(
            select(ActionParticipant.action_id, ActionParticipant.organisation_id).where(
                ActionParticipant.action_id.in_(list(actions))
            )
        ):
            joined.setdefault(org_id, []).append(actions[action_id].code)
    budgets = [(p, budget_of(p, actions)) for p in participations]
    # the consortium's totals count its members only (rules.MEMBER_STATUSES), as the fit
    # checks and the dossier do; candidates are listed with their figures but not added up
    consortium = (
        b.consortium_budget(
            [
                b.ConsortiumRow(str(p.id), p.organisation.short_name, bud)
                for p, bud in budgets
                if rules.is_member(p.status)
            ]
        )
        if budgets
        else b.consortium_budget([])
    )
    rows = []
    for p, bud in budgets:
        letter = letters.get(p.id)
        rows.append(
            BoardRow(
                participation=p,
                budget=bud,
                share=consortium.shares.get(str(p.id)),
                missing=missing_items(p, bud, letter),
                issues=b.coherence_checks(bud, annual_budget=p.organisation.annual_budget_eur),
                letter=letter,
                invitation=invitations.get(p.id),
                leads=sorted(
                    a.code for a in actions.values() if a.lead_organisation_id == p.organisation_id
                ),
                joins=sorted(joined.get(p.organisation_id, [])),
            )
        )
    funding, indirect = rates(proposal)
    return Board(
        rows=rows,
        consortium=consortium,
        checks=board_checks(proposal, rows, consortium, actions),
        funding_rate=funding,
        indirect_rate=indirect,
        max_total=max((r.budget.total for r in rows), default=Decimal(0)),
        charts=budget_charts.budget_charts(
            consortium, [(a.code, f"{a.code} {a.title}") for a in actions.values()]
        ),
    )


def participants_of(rows: list[BoardRow]) -> list[rules.Participant]:
    """The board's rows as the consortium rules see them."""
    return [
        rules.Participant(
            r.participation.organisation_id,
            r.participation.organisation.short_name,
            participant_role(r.participation),
            Status(r.participation.status),
            r.letter is not None,
        )
        for r in rows
    ]


def board_checks(proposal, rows: list[BoardRow], consortium, actions) -> list[Finding]:
    """The lead's checklist, from the consortium rules; severity OK when a rule is satisfied."""
    participants = participants_of(rows)
    members = [r for r in rows if rules.is_member(r.participation.status)]
    checks: list[Finding] = []
    topic_rate = proposal.topic.funding_rate
    checks += rules.funding_rate_findings(
        consortium.eu_total, consortium.max_eu, None if topic_rate is None else Decimal(topic_rate)
    )
    checks += rules.coordinator_findings(participants)
    without_lead = sorted(a.code for a in actions.values() if a.lead_organisation_id is None)
    if not actions:
        checks.append(
            finding(
                "NO_ACTIONS",
                Severity.WARNING,
                N_("No action yet: the work packages come from the workshops."),
            )
        )
    elif without_lead:
        checks.append(
            finding(
                "ACTIONS_WITHOUT_LEAD",
                Severity.ERROR,
                N_("Actions without a lead: %(codes)s."),
                {"codes": ", ".join(without_lead)},
            )
        )
    else:
        checks.append(finding("ACTIONS_LED", Severity.OK, N_("Every action has a lead.")))
    no_pic = [
        r.participation.organisation.short_name
        for r in members
        if (role := participant_role(r.participation)) is not None
        and role.counts_as_beneficiary
        and not r.participation.organisation.pic
    ]
    if no_pic:
        checks.append(
            finding(
                "PIC_MISSING",
                Severity.WARNING,
                N_("Beneficiaries without a PIC: %(names)s."),
                {"names": ", ".join(no_pic)},
            )
        )
    else:
        checks.append(finding("PICS_SET", Severity.OK, N_("Every beneficiary has a PIC.")))
    checks += rules.letters_findings(participants)
    return checks


# --------------------------------------------------------------------------------------
# Audit and editing


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def audit(
    p: Participation, field_name: str, before, after, *, actor: User | None, **details
) -> None:
    db.session.add(
        AuditEvent(
            proposal_id=p.proposal_id,
            entity="participation",
            entity_id=p.id,
            field=field_name,
            before=_as_text(before),
            after=_as_text(after),
            actor_id=actor.id if actor else None,
            details=details,
        )
    )


def _same(a, b_) -> bool:
    if isinstance(a, Decimal) or isinstance(b_, Decimal):
        if a is None or b_ is None:
            return a is None and b_ is None
        return Decimal(a) == Decimal(b_)
    return (a or None) == (b_ or None)


def check_version(p: Participation, expected_version) -> None:
    if expected_version is None or str(p.version) != str(expected_version):
        raise Conflict(N_("Someone else saved this commitment first."))


def validate_values(p: Participation, values: Mapping[str, object]) -> None:
    errors: dict = {}
    if "role" in values and values["role"] not in ROLE_VALUES:
        errors["role"] = (N_("Choose a role."), {})
    if values.get("role") == "affiliated_entity":
        target = values.get("affiliated_to_id")
        linked = db.session.get(Participation, target) if target else None
        if linked is None or linked.proposal_id != p.proposal_id or linked.id == p.id:
            errors["affiliated_to_id"] = (
                N_("An affiliated entity is linked to a beneficiary of this proposal."),
                {},
            )
    for name in AMOUNT_FIELDS:
        value = values.get(name)
        maximum = grid.RATE_MAXIMUM if name == "monthly_rate" else b.MAX_AMOUNT
        if value is not None and (not isinstance(value, Decimal) or value < 0 or value > maximum):
            errors[name] = (
                N_("Enter an amount between 0 and %(maximum)s."),
                {"maximum": "1,000,000" if name == "monthly_rate" else "1,000,000,000,000"},
            )
    email = values.get("contact_email")
    if email and not valid_email(str(email)):
        errors["contact_email"] = (N_("Enter a valid email address."), {})
    if errors:
        raise ValidationFailed(errors)


def _apply_person_months(
    p: Participation,
    person_months: Mapping[int, Decimal],
    actions: Mapping[int, object],
    *,
    actor: User,
    origin: Mapping[str, str],
) -> list[str]:
    """Set the person-months per action (none or zero removes the effort), audited; returns
    the changed ``person_months:<code>`` names."""
    changed = []
    current = {e.action_id: e for e in p.efforts}
    for action_id, months in person_months.items():
        action = actions.get(action_id)
        if action is None:
            continue
        if months is not None and (months < 0 or months > MAX_PERSON_MONTHS):
            raise ValidationFailed(
                {
                    f"pm_{action_id}": (
                        N_("Enter person-months between 0 and %(maximum)s."),
                        {"maximum": 9999},
                    )
                }
            )
        effort = current.get(action_id)
        before = effort.person_months if effort else None
        after = months if months else None
        if _same(before, after):
            continue
        if after is None:
            p.efforts.remove(effort)
        elif effort is None:
            p.efforts.append(ActionEffort(action_id=action_id, person_months=after))
        else:
            effort.person_months = after
        audit(p, f"person_months:{action.code}", before, after, actor=actor, **origin)
        changed.append(f"person_months:{action.code}")
    return changed


def _recompute_personnel_cost(p: Participation, *, actor: User, origin) -> list[str]:
    """Personnel cost = person-months x monthly rate when a rate is set (audited)."""
    if p.monthly_rate is None:
        return []
    computed = grid.personnel_cost(
        sum((Decimal(e.person_months or 0) for e in p.efforts), Decimal(0)), p.monthly_rate
    )
    if _same(p.cost_personnel, computed):
        return []
    audit(
        p,
        "cost_personnel",
        p.cost_personnel,
        computed,
        actor=actor,
        reason="person-months x monthly rate",
        **origin,
    )
    p.cost_personnel = computed
    return ["cost_personnel"]


def update_commitment(
    p: Participation,
    *,
    actor: User,
    actor_role: ActorRole,
    values: Mapping[str, object],
    person_months: Mapping[int, Decimal] | None = None,
    expected_version,
    actions: Mapping[int, object] | None = None,
    source: str | None = None,
) -> list[str]:
    """Apply ``values`` (only the fields the actor may change), record each change in the
    audit trail, and send a confirmed commitment back to "to re-confirm" when a commitment
    field changed.  ``source`` (e.g. "xlsx") is noted in the audit entries.  Returns the
    changed field names."""
    origin = {"source": source} if source else {}
    check_version(p, expected_version)
    allowed = PARTNER_FIELDS if actor_role is ActorRole.PARTNER else LEAD_FIELDS
    values = {k: v for k, v in values.items() if k in allowed}
    if values.get("role") != "affiliated_entity" and "role" in values:
        values["affiliated_to_id"] = None
    validate_values(p, values)
    changed = []
    for name, value in values.items():
        before = getattr(p, name)
        if _same(before, value):
            continue
        setattr(p, name, value)
        audit(p, name, before, value, actor=actor, **origin)
        changed.append(name)
    if person_months is not None:
        actions = actions if actions is not None else actions_by_id(p.proposal)
        changed += _apply_person_months(p, person_months, actions, actor=actor, origin=origin)
    changed += _recompute_personnel_cost(p, actor=actor, origin=origin)
    if any(c in COMMITMENT_FIELDS or c.startswith("person_months:") for c in changed):
        _forget_accepted_gaps(p, actor)
        status = next_status(p.status, Action.CHANGE, actor_role=actor_role)
        if status != p.status:
            audit(p, "status", p.status, status.value, actor=actor)
            p.status = status.value
    p.last_activity_at = now()
    db.session.flush()
    return changed


def apply_action(
    p: Participation,
    action: Action | str,
    *,
    actor: User,
    actor_role: ActorRole,
    expected_version=None,
) -> Status:
    if expected_version is not None:
        check_version(p, expected_version)
    status = next_status(p.status, action, actor_role=actor_role)
    audit(p, "status", p.status, status.value, actor=actor, action=str(action))
    p.status = status.value
    p.last_activity_at = now()
    db.session.flush()
    return status


class ConfirmationRefused(DomainError):
    """The commitment misses something the rules require; ``gaps`` says what."""

    def __init__(self, gaps: list[Finding]) -> None:
        super().__init__(
            N_("This commitment cannot be confirmed yet: complete what is missing first.")
        )
        self.gaps = gaps


def confirmation_gaps(
    p: Participation, budget: b.ParticipationBudget | None = None
) -> list[Finding]:
    """Everything the rules want before this commitment is confirmed (accepted gaps included)."""
    return rules.confirmation_gaps(participant_role(p), budget or budget_of(p), p.tasks or "")


def blocking_gaps(p: Participation, budget: b.ParticipationBudget | None = None) -> list[Finding]:
    """The gaps that still stop the partner's confirmation."""
    return rules.blocking_gaps(confirmation_gaps(p, budget), p.accepted_gaps or ())


def accept_gaps(p: Participation, *, actor: User, reason: str, expected_version) -> list[str]:
    """The lead accepts the current waivable gaps ("confirmed despite…"), with a reason.

    Only gaps the rules allow (``rules.WAIVABLE_GAPS``); the acceptance is audited and lasts
    until the commitment changes.  Returns the accepted codes.
    """
    check_version(p, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            {"reason": (N_("Say why the commitment may be confirmed despite this."), {})}
        )
    codes = sorted(g.code for g in rules.waivable(confirmation_gaps(p)))
    if not codes:
        raise DomainError(
            N_(
                "Nothing here may be accepted: the rules require every missing "
                "point to be completed."
            )
        )
    audit(
        p,
        "accepted_gaps",
        ", ".join(p.accepted_gaps or ()) or None,
        ", ".join(codes),
        actor=actor,
        reason=reason,
    )
    p.accepted_gaps = codes
    p.accepted_gaps_reason = reason
    p.last_activity_at = now()
    db.session.flush()
    return codes


def _forget_accepted_gaps(p: Participation, actor: User) -> None:
    """A changed commitment is a new plan: the lead's earlier acceptance no longer holds."""
    if p.accepted_gaps:
        audit(p, "accepted_gaps", ", ".join(p.accepted_gaps), None, actor=actor)
        p.accepted_gaps = None
        p.accepted_gaps_reason = None


def confirm(p: Participation, *, actor: User, name: str, function: str, expected_version) -> None:
    """The partner's confirmation, refused while the rules find a gap nobody accepted."""
    check_version(p, expected_version)
    errors = {}
    if not name.strip():
        errors["name"] = (N_("Enter the name of the person who commits the organisation."), {})
    if not function.strip():
        errors["function"] = (
            N_("Enter the function of the person who commits the organisation."),
            {},
        )
    if errors:
        raise ValidationFailed(errors)
    gaps = blocking_gaps(p)
    if gaps:
        raise ConfirmationRefused(gaps)
    action = Action.RECONFIRM if p.status == Status.TO_RECONFIRM.value else Action.CONFIRM
    apply_action(p, action, actor=actor, actor_role=ActorRole.PARTNER)
    for attr, value in (
        ("confirmed_by_name", name.strip()),
        ("confirmed_by_function", function.strip()),
        ("confirmed_at", now()),
    ):
        audit(p, attr, getattr(p, attr), value, actor=actor)
        setattr(p, attr, value)
    if p.accepted_gaps:
        audit(
            p,
            "confirmed_despite",
            None,
            ", ".join(p.accepted_gaps),
            actor=actor,
            reason=p.accepted_gaps_reason,
        )
    db.session.flush()


def decline(p: Participation, *, actor: User, reason: str, expected_version) -> None:
    check_version(p, expected_version)
    if not reason.strip():
        raise ValidationFailed({"reason": (N_("Tell the coordinator why you decline."), {})})
    apply_action(p, Action.DECLINE, actor=actor, actor_role=ActorRole.PARTNER)
    audit(p, "decline_reason", p.decline_reason, reason.strip(), actor=actor)
    p.decline_reason = reason.strip()
    db.session.flush()


def add_participation(
    proposal: Proposal, organisation: Organisation, *, actor: User, role: str = "beneficiary"
) -> Participation:
    exists = db.session.scalar(
        select(Participation.id).where(
            Participation.proposal_id == proposal.id,
            Participation.organisation_id == organisation.id,
        )
    )
    if exists is not None:
        raise ValidationFailed(
            {"organisation": (N_("This organisation already takes part in the proposal."), {})}
        )
    if role not in ROLE_VALUES:
        raise ValidationFailed({"role": (N_("Choose a role."), {})})
    contact = organisation.contacts[0] if organisation.contacts else None
    p = Participation(
        proposal=proposal,
        organisation=organisation,
        role=role,
        status="candidate",
        contact_name=contact.name if contact else None,
        contact_function=contact.function if contact else None,
        contact_email=contact.email if contact else None,
    )
    db.session.add(p)
    db.session.flush()
    audit(p, "status", None, "candidate", actor=actor)
    db.session.flush()
    return p


def audit_trail(p: Participation) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity == "participation",
                AuditEvent.entity_id == p.id,
                AuditEvent.proposal_id == p.proposal_id,
            )
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        )
    )


# --------------------------------------------------------------------------------------
# Organisation profile (the partner's own)

PROFILE_FIELDS = ("description", "website", "city", "staff", "annual_budget_eur", "pic")


def update_profile(
    org: Organisation,
    *,
    actor: User,
    values: Mapping[str, object],
    contacts: list[dict],
    expected_version,
) -> None:
    from ..directory.models import Contact

    if expected_version is None or str(org.version) != str(expected_version):
        raise Conflict(N_("Someone else saved this organisation first."))
    errors = {}
    pic = values.get("pic") or None
    if pic is not None and not (len(pic) == 9 and pic.isascii() and pic.isdigit()):
        errors["pic"] = (N_("A PIC has exactly 9 digits."), {})
    elif (
        pic is not None
        and db.session.scalar(
            select(Organisation.id).where(Organisation.pic == pic, Organisation.id != org.id)
        )
        is not None
    ):
        errors["pic"] = (N_("Another organisation already has this PIC."), {})
    if errors:
        raise ValidationFailed(errors)
    for name in PROFILE_FIELDS:
        value = values.get(name)
        if name in ("website", "city", "pic"):
            value = value or None
        if name == "description":
            value = value or ""
        setattr(org, name, value)
    org.contacts = [
        Contact(
            name=c["name"],
            function=c.get("function") or None,
            email=c.get("email") or None,
            phone=c.get("phone") or None,
        )
        for c in contacts
        if c.get("name")
    ]
    org.updated_by_id = actor.id
    db.session.flush()


# --------------------------------------------------------------------------------------
# Invitations


class InvitationRefused(DomainError):
    """A link that cannot be used; ``reason`` is invalid, expired, used, revoked, other
    (the account belongs elsewhere) or address (the link was sent to another address)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            N_("This invitation link cannot be used (%(reason)s)."), {"reason": reason}
        )


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=INVITATION_SALT)


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def create_invitation(
    p: Participation, *, actor: User, email: str, name: str | None, secret_key: str, max_age: int
) -> tuple[Invitation, str]:
    """A new single-use link for ``email``; returns the invitation and its token.

    A shortlisted participation becomes invited; earlier pending links are revoked.
    """
    email = (email or "").strip().lower()
    if not valid_email(email):
        raise ValidationFailed({"email": (N_("Enter a valid email address."), {})})
    if p.status == Status.SHORTLISTED.value:
        apply_action(p, Action.INVITE, actor=actor, actor_role=ActorRole.LEAD)
    elif p.status not in (Status.INVITED.value, Status.CONFIRMED.value, Status.TO_RECONFIRM.value):
        raise DomainError(N_("Shortlist the organisation before inviting it."))
    revoke_pending(p, actor=actor)
    nonce = secrets.token_urlsafe(24)
    invitation = Invitation(
        participation=p,
        email=email,
        name=(name or "").strip() or None,
        nonce_hash=_digest(nonce),
        expires_at=now() + timedelta(seconds=max_age),
        created_by_id=actor.id,
    )
    db.session.add(invitation)
    if not p.contact_email:
        audit(p, "contact_email", None, email, actor=actor)
        p.contact_email = email
        if name and not p.contact_name:
            p.contact_name = name.strip()[:120]
    p.last_activity_at = now()
    db.session.flush()
    audit(p, "invitation", None, email, actor=actor, invitation_id=invitation.id)
    token = _serializer(secret_key).dumps({"i": invitation.id, "n": nonce})
    return invitation, token


def revoke_pending(p: Participation, *, actor: User) -> int:
    result = db.session.execute(
        update(Invitation)
        .where(
            Invitation.participation_id == p.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def revoke_invitation(invitation: Invitation, *, actor: User) -> None:
    if invitation.used_at is not None:
        raise DomainError(N_("This invitation was already used."))
    if invitation.revoked_at is None:
        invitation.revoked_at = now()
        audit(
            invitation.participation,
            "invitation",
            invitation.email,
            None,
            actor=actor,
            invitation_id=invitation.id,
            revoked=True,
        )
    db.session.flush()


def resolve_token(token: str, *, secret_key: str, max_age: int) -> Invitation:
    """The invitation a token designates, or InvitationRefused with the reason."""
    if not isinstance(token, str) or len(token) > 500:
        raise InvitationRefused("invalid")
    serializer = _serializer(secret_key)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvitationRefused("expired") from None
    except BadSignature:
        raise InvitationRefused("invalid") from None
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("i"), int)
        or not isinstance(payload.get("n"), str)
    ):
        raise InvitationRefused("invalid")
    invitation = db.session.get(Invitation, payload["i"])
    if invitation is None or not secrets.compare_digest(
        invitation.nonce_hash or "", _digest(payload["n"])
    ):
        raise InvitationRefused("invalid")
    if invitation.used_at is not None:
        raise InvitationRefused("used")
    if invitation.revoked_at is not None:
        raise InvitationRefused("revoked")
    if invitation.expires_at <= now():
        raise InvitationRefused("expired")
    return invitation


def conflicting_membership(user: User, invitation: Invitation) -> bool:
    """True when ``user`` belongs to another organisation (as a partner anywhere) or holds
    a different role on this proposal: the link is not theirs to use."""
    organisation_id = invitation.participation.organisation_id
    proposal_id = invitation.participation.proposal_id
    for member in db.session.scalars(
        select(ProposalMember).where(ProposalMember.user_id == user.id)
    ):
        if member.role == "partner" and member.organisation_id != organisation_id:
            return True
        if member.proposal_id == proposal_id and member.role != "partner":
            return True
    return False


def take_invitation(invitation: Invitation) -> None:
    """Mark the link used with a conditional UPDATE, before anything else is written: of
    concurrent claims, the others wait on the row (or the SQLite write lock) and then find
    it used, so they get the "already used" answer instead of a duplicate account."""
    result = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now(),
        )
        .values(used_at=now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise InvitationRefused("used")


def claim_invitation(invitation: Invitation, user: User, *, taken: bool = False) -> ProposalMember:
    """Use the invitation once and give ``user`` the partner role for the invited
    organisation on that proposal only. The link is bound to the address it was sent to:
    only the account with that e-mail may use it (``address``)."""
    if conflicting_membership(user, invitation):
        raise InvitationRefused("other")
    if user.email != invitation.email.strip().lower():
        raise InvitationRefused("address")
    if not taken:
        take_invitation(invitation)
    db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id)
        .values(used_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    p = invitation.participation
    member = proposal_services.give_role(
        p.proposal, user, "partner", actor=user, organisation=p.organisation
    )
    audit(p, "partner_account", None, user.email, actor=user, invitation_id=invitation.id)
    p.last_activity_at = now()
    db.session.flush()
    log.info("invitation %s accepted by user %s", invitation.id, user.id)
    return member


# --------------------------------------------------------------------------------------
# Mail: outbox, and SMTP when configured


def recipient_language(proposal: Proposal, email: str) -> str:
    """The language a mail to ``email`` is written in: the recipient's account's, else the
    proposal's working language (never the language of whoever clicks "send")."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    return supported(
        user.language if user is not None and user.language else proposal.working_language
    )


def queue_mail(
    *,
    proposal_id: int | None,
    recipient: str,
    subject: str,
    body: str,
    config: Mapping[str, object],
) -> OutboxMessage:
    message = OutboxMessage(
        proposal_id=proposal_id, recipient=recipient, subject=subject[:300], body=body
    )
    db.session.add(message)
    if config.get("MAIL_SERVER"):
        try:
            send_smtp(message, config)
        except (OSError, smtplib.SMTPException) as error:
            message.error = f"{type(error).__name__}: {error}"[:2000]
            log.warning("mail to %s not sent: %s", recipient, error)
        else:
            message.sent_at = now()
    db.session.flush()
    return message


def send_smtp(message: OutboxMessage, config: Mapping[str, object]) -> None:
    email = EmailMessage()
    email["From"] = str(config.get("MAIL_SENDER") or "consortium@localhost")
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(
        str(config["MAIL_SERVER"]), int(config.get("MAIL_PORT") or 25), timeout=10
    ) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(str(config["MAIL_USERNAME"]), str(config.get("MAIL_PASSWORD") or ""))
        smtp.send_message(email)


def outbox(proposal: Proposal) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.proposal_id == proposal.id)
            .order_by(OutboxMessage.id.desc())
        )
    )


def pending_for_reminder(proposal: Proposal) -> list[Participation]:
    return [p for p in proposal.participations if p.status in PENDING_STATUSES and p.contact_email]


# --------------------------------------------------------------------------------------
# Letters


def coordinator_of(proposal: Proposal) -> Participation | None:
    """The consortium's coordinator (``rules.coordinator``): the single member with the role."""
    by_org = {p.organisation_id: p for p in proposal.participations}
    found = rules.coordinator(
        rules.Participant(
            p.organisation_id, p.organisation.short_name, participant_role(p), Status(p.status)
        )
        for p in by_org.values()
    )
    return by_org[found.id] if found else None


def letter_data(p: Participation, *, today: date) -> LetterData:
    proposal = p.proposal
    actions = actions_by_id(proposal)
    months = {e.action_id: Decimal(e.person_months or 0) for e in p.efforts}
    involved = [
        a
        for a in actions.values()
        if a.lead_organisation_id == p.organisation_id
        or a.id in months
        or any(x.organisation_id == p.organisation_id for x in a.participants)
    ]
    coordinator = coordinator_of(proposal)
    org = p.organisation
    role = participant_role(p) or ParticipantRole.BENEFICIARY
    return LetterData(
        organisation_legal_name=org.name,
        organisation_acronym=org.acronym or "",
        proposal_acronym=proposal.acronym,
        proposal_title=proposal.title,
        topic_id=proposal.topic.identifier,
        coordinator_name=coordinator.organisation.name if coordinator else "—",
        role=role,
        city=org.city or "",
        country=org.country or "",
        pic=org.pic,
        affiliated_to=p.affiliated_to.organisation.name if p.affiliated_to else None,
        actions=[
            LetterAction(
                code=a.code,
                title=a.title,
                leads=a.lead_organisation_id == p.organisation_id,
                person_months=months.get(a.id, Decimal(0)),
            )
            for a in involved
        ],
        tasks=p.tasks or "",
        budget=budget_of(p, actions),
        signatory_name=p.confirmed_by_name or p.contact_name or "",
        signatory_function=p.confirmed_by_function or p.contact_function or "",
        place=org.city or "",
        date=p.confirmed_at.date() if p.confirmed_at else today,
    )


SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def sniff(content: bytes) -> tuple[str, str] | None:
    for magic, content_type, extension in SIGNATURES:
        if content.startswith(magic):
            return content_type, extension
    return None


def _letter_file(filename: str, content: bytes, max_bytes: int) -> tuple[str, str, str]:
    """``(name, content type, suffix)`` of an acceptable letter file: not empty, not too
    large, a PDF, PNG or JPEG by its content and its extension."""
    name = (filename or "letter").replace("\\", "/").rsplit("/", 1)[-1][:255] or "letter"
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if not content:
        raise ValidationFailed({"file": (N_("Choose a file."), {})})
    if len(content) > max_bytes:
        raise ValidationFailed(
            {
                "file": (
                    N_("The file is larger than %(size)s MB."),
                    {"size": max_bytes // (1024 * 1024)},
                )
            }
        )
    detected = sniff(content)
    if detected is None or EXTENSIONS.get(extension) != detected[0]:
        raise ValidationFailed(
            {"file": (N_("Upload the signed letter as a PDF, PNG or JPEG file."), {})}
        )
    return name, *detected


def _check_letter_quota(p: Participation, size: int, quota: UploadQuota, stamp) -> None:
    """Refuse a letter beyond the participation's count or space, or the instance's space."""
    # Written first: the row lock (PostgreSQL) or write lock (SQLite) makes concurrent
    # uploads for this participation wait here, so the counts below are exact.
    db.session.execute(
        update(Participation)
        .where(Participation.id == p.id)
        .values(last_activity_at=stamp)
        .execution_options(synchronize_session=False)
    )
    count, total = db.session.execute(
        select(func.count(SignedLetter.id), func.coalesce(func.sum(SignedLetter.size), 0)).where(
            SignedLetter.participation_id == p.id
        )
    ).one()
    if count >= quota.letters_per_participation:
        raise ValidationFailed(
            {
                "file": (
                    N_(
                        "This organisation has reached the limit of stored signed letters "
                        "(%(count)d). Tell the administrator."
                    ),
                    {"count": count},
                )
            }
        )
    if total + size > quota.bytes_per_participation:
        raise ValidationFailed(
            {
                "file": (
                    N_(
                        "The signed letters of this organisation would take more than the space "
                        "allowed (%(size)s MB). Tell the administrator."
                    ),
                    {"size": quota.bytes_per_participation // (1024 * 1024)},
                )
            }
        )
    check_instance_quota(size, quota)


def store_signed_letter(
    p: Participation,
    *,
    actor: User,
    filename: str,
    content: bytes,
    upload_folder: str,
    max_bytes: int = LETTER_MAX_BYTES,
    quota: UploadQuota | None = None,
) -> SignedLetter:
    """Keep an uploaded signed letter (PDF, PNG or JPEG by content); older ones are kept
    with ``superseded_at`` set, and count towards the participation's quota."""
    name, content_type, suffix = _letter_file(filename, content, max_bytes)
    stamp = now()
    _check_letter_quota(p, len(content), quota or UploadQuota(), stamp)
    stored = secrets.token_hex(16) + suffix
    write_upload(Path(upload_folder) / "letters" / stored, content)
    db.session.execute(
        update(SignedLetter)
        .where(SignedLetter.participation_id == p.id, SignedLetter.superseded_at.is_(None))
        .values(superseded_at=stamp)
        .execution_options(synchronize_session=False)
    )
    letter = SignedLetter(
        participation_id=p.id,
        original_name=name,
        stored_name=stored,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by_id=actor.id,
    )
    db.session.add(letter)
    audit(p, "signed_letter", None, name, actor=actor, sha256=letter.sha256)
    p.last_activity_at = stamp
    db.session.flush()
    return letter


def letter_path(letter: SignedLetter, upload_folder: str) -> Path:
    return Path(upload_folder) / "letters" / letter.stored_name


def letters_of(p: Participation) -> list[SignedLetter]:
    return list(
        db.session.scalars(
            select(SignedLetter)
            .where(SignedLetter.participation_id == p.id)
            .order_by(SignedLetter.id.desc())
        )
    )


def participation_for(proposal: Proposal, organisation_id: int | None) -> Participation | None:
    if organisation_id is None:
        return None
    return db.session.scalar(
        select(Participation).where(
            Participation.proposal_id == proposal.id,
            Participation.organisation_id == organisation_id,
        )
    )


def last_activity(proposal: Proposal) -> datetime | None:
    return db.session.scalar(
        select(func.max(Participation.last_activity_at)).where(
            Participation.proposal_id == proposal.id
        )
    )


def lead_actions(p: Participation) -> tuple[Action, ...]:
    try:
        return tuple(a for a in allowed_actions(p.status, ActorRole.LEAD) if a is not Action.CHANGE)
    except ValueError:
        return ()


def find_participation(proposal: Proposal, participation_id: int) -> Participation:
    p = db.session.get(Participation, participation_id)
    if p is None or p.proposal_id != proposal.id:
        raise NotFound(N_("No such participation."))
    return p


def shortlist(proposal: Proposal, organisation_id: int, *, actor) -> Participation:
    """Put an organisation on the proposal's shortlist (status ``shortlisted``).

    Role ``beneficiary``, or ``associated_partner`` for an organisation of a non-associated
    third country (it may only take part at its own cost). A natural person is refused. An
    existing ``candidate`` participation is promoted; the commitments area handles the rest.
    """
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(N_("This organisation is not in the directory."))
    if org.natural_person:
        raise DomainError(
            N_("%(name)s is a natural person and cannot take part in LIFE."), {"name": org.name}
        )
    existing = db.session.scalar(
        select(Participation).where(
            Participation.proposal_id == proposal.id,
            Participation.organisation_id == organisation_id,
        )
    )
    countries = load_eligible_countries()
    role = (
        "associated_partner"
        if countries.category(org.country) == "third_country"
        else ("beneficiary")
    )
    if existing is not None:
        if existing.status != "candidate":
            raise DomainError(
                N_("%(name)s is already in the proposal (status: %(status)s)."),
                {"name": org.name, "status": existing.status},
            )
        existing.status = "shortlisted"
        if existing.role not in ("coordinator", "beneficiary", "associated_partner"):
            existing.role = role
        db.session.flush()
        return existing
    participation = Participation(
        proposal_id=proposal.id, organisation_id=org.id, role=role, status="shortlisted"
    )
    db.session.add(participation)
    db.session.flush()
    return participation


# --------------------------------------------------------------------------------------
# Directory to consortium in one step: several organisations shortlisted, several invited

MAX_BULK = 200


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: names done, and (name, message template, params) refused."""

    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str, dict]] = field(default_factory=list)


def shortlist_organisations(
    proposal: Proposal, organisations: list[Organisation], *, actor: User
) -> BulkOutcome:
    """Put each organisation on the proposal's shortlist; one refusal (already in, a natural
    person) leaves the others done."""
    outcome = BulkOutcome()
    for org in organisations[:MAX_BULK]:
        before = participation_for(proposal, org.id)
        status_before = before.status if before is not None else None
        try:
            with db.session.begin_nested():
                p = shortlist(proposal, org.id, actor=actor)
                contact = org.contacts[0] if org.contacts else None
                if contact is not None and not p.contact_email:  # so it can be invited next
                    p.contact_name = p.contact_name or contact.name
                    p.contact_function = p.contact_function or contact.function
                    p.contact_email = contact.email
                audit(p, "status", status_before, "shortlisted", actor=actor)
                db.session.flush()
        except DomainError as error:
            outcome.refused.append((org.name, error.template, dict(error.params)))
        else:
            outcome.done.append(org.name)
    return outcome


def invitable(proposal: Proposal) -> list[Participation]:
    """Shortlisted participations with a contact e-mail: those a bulk invitation can reach."""
    return sorted(
        (
            p
            for p in proposal.participations
            if p.status == Status.SHORTLISTED.value and p.contact_email
        ),
        key=lambda p: p.organisation.name.casefold(),
    )


# --------------------------------------------------------------------------------------
# Budget grid: every partner at once, by action and reporting period


@dataclass
class GridRow:
    participation: Participation
    budget: b.ParticipationBudget
    by_action: dict[str, Decimal]
    by_period: list[Decimal]
    issues: list[Finding]


@dataclass
class Grid:
    proposal: Proposal
    actions: list
    periods: list[grid.Period]
    periods_version: int | None
    rows: list[GridRow]
    consortium: b.ConsortiumBudget
    by_action: dict[str, Decimal]
    by_period: list[Decimal]
    findings: list[Finding]


def budget_periods(proposal: Proposal) -> BudgetPeriods | None:
    return db.session.scalar(select(BudgetPeriods).filter_by(proposal_id=proposal.id))


def budget_grid(proposal: Proposal) -> Grid:
    """Every member's budget with its splits, the consortium totals and the checks.

    Rows are the consortium's members (``rules.MEMBER_STATUSES``), as the board counts them."""
    actions = actions_by_id(proposal)
    spans = {
        a.code: (a.start_month or 1, a.end_month or proposal.duration_months)
        for a in actions.values()
    }
    stored = budget_periods(proposal)
    project_periods = grid.periods(stored.end_months if stored else [], proposal.duration_months)
    rows = []
    for p in proposal.participations:
        if not rules.is_member(p.status):
            continue
        bud = budget_of(p, actions)
        split = grid.by_action(bud, p.monthly_rate)
        rows.append(
            GridRow(
                participation=p,
                budget=bud,
                by_action=split,
                by_period=grid.by_period(split, spans, project_periods, proposal.duration_months),
                issues=[
                    *grid.rate_findings(p.monthly_rate, subject=p.organisation_id),
                    *b.coherence_checks(bud),
                ],
            )
        )
    funding, _indirect = rates(proposal)
    consortium = b.consortium_budget(
        [
            b.ConsortiumRow(str(r.participation.id), r.participation.organisation.name, r.budget)
            for r in rows
        ],
        funding_rate=funding,
    )
    counted = [
        r
        for r in rows
        if participant_role(r.participation) is None
        or participant_role(r.participation).receives_eu_funding
    ]
    action_totals: dict[str, Decimal] = {}
    for row in counted:
        for code, amount in row.by_action.items():
            action_totals[code] = action_totals.get(code, b.ZERO) + amount
    period_totals = [
        sum((r.by_period[i] for r in counted), b.ZERO) for i in range(len(project_periods))
    ]
    findings = rules.funding_rate_findings(consortium.eu_total, consortium.max_eu, funding)
    gap = sum((r.budget.balance_gap for r in counted), b.ZERO)
    if gap > 0:
        findings.append(
            finding(
                "COFINANCING_GAP",
                Severity.WARNING,
                N_("The funding plans leave %(gap)s of the eligible costs uncovered."),
                {"gap": gap},
                fix=N_("Raise co-financing or other funding where a row shows a gap."),
            )
        )
    return Grid(
        proposal=proposal,
        actions=list(actions.values()),
        periods=project_periods,
        periods_version=stored.version if stored else None,
        rows=rows,
        consortium=consortium,
        by_action=action_totals,
        by_period=period_totals,
        findings=findings,
    )


@dataclass
class GridEntry:
    """What the grid (or its workbook) says about one participation."""

    version: object
    values: dict[str, Decimal | None]
    person_months: dict[int, Decimal | None]


GRID_FIELDS = (
    "monthly_rate",
    "cost_personnel",
    "cost_subcontracting",
    "cost_travel",
    "cost_equipment",
    "cost_other_goods",
    "cost_other",
    "eu_requested",
    "own_cofinancing",
    "other_funding",
)
"""The commitment fields the grid shows and edits, in the order of the EU table."""


def save_grid(
    proposal: Proposal, entries: Mapping[int, GridEntry], *, actor: User, source: str = "grid"
) -> dict[int, list[str]]:
    """Save every row as the lead would on the partner's page (version check, audit,
    re-confirmation).  Raises Conflict for the first row someone else saved meanwhile;
    the caller commits once, or rolls back everything."""
    actions = actions_by_id(proposal)
    changed = {}
    for participation_id, entry in entries.items():
        p = find_participation(proposal, participation_id)
        values = {k: v for k, v in entry.values.items() if k in GRID_FIELDS}
        if values.get("monthly_rate") is not None:
            values.pop("cost_personnel", None)  # computed from the rate
        fields_changed = update_commitment(
            p,
            actor=actor,
            actor_role=ActorRole.LEAD,
            values=values,
            person_months=entry.person_months,
            expected_version=entry.version,
            actions=actions,
            source=source,
        )
        if fields_changed:
            changed[participation_id] = fields_changed
    return changed


def set_budget_periods(
    proposal: Proposal, end_months: list[int], *, actor: User, expected_version
) -> bool:
    """Store the reporting periods' end months (audited on the proposal); False if unchanged."""
    stored = budget_periods(proposal)
    if stored is not None and str(stored.version) != str(expected_version or ""):
        raise Conflict(N_("Someone else changed the reporting periods first."))
    before = stored.end_months if stored else []
    if list(before) == list(end_months):
        return False
    if stored is None:
        stored = BudgetPeriods(proposal_id=proposal.id, end_months=end_months)
        db.session.add(stored)
    else:
        stored.end_months = list(end_months)
    db.session.add(
        AuditEvent(
            proposal_id=proposal.id,
            entity="proposal",
            entity_id=proposal.id,
            field="reporting_periods",
            before=", ".join(map(str, before)) or None,
            after=", ".join(map(str, end_months)),
            actor_id=actor.id,
            details={},
        )
    )
    db.session.flush()
    return True


def grid_sheets(data: Grid, role_label) -> tuple[list, object]:
    """The grid as the workbook module's plain data (``role_label`` names a role)."""
    codes = [a.code for a in data.actions]
    partners = []
    for row in data.rows:
        p = row.participation
        partners.append(
            grid_workbook.PartnerSheet(
                participation_id=p.id,
                version=p.version,
                name=p.organisation.name,
                role=role_label(p.role),
                monthly_rate=p.monthly_rate,
                person_months={code: row.budget.person_months.get(code) for code in codes},
                amounts={k: getattr(p, k) for k in GRID_FIELDS if k != "monthly_rate"},
                indirect=row.budget.indirect,
                total=row.budget.total,
                eu=row.budget.eu_contribution,
                funding_rate=row.budget.eu_share,
            )
        )
    totals = grid_workbook.GridTotals(
        by_action=data.by_action,
        periods=[
            (period.number, period.start, period.end, amount)
            for period, amount in zip(data.periods, data.by_period, strict=True)
        ],
    )
    return partners, totals


def import_grid_workbook(
    proposal: Proposal, content: bytes, *, actor: User
) -> tuple[dict[int, list[str]], list[grid_workbook.CellError]]:
    """Read an exported grid back: either every cell is valid and the changes are saved
    (audited with source "xlsx"), or the errors by cell and nothing is saved."""
    problem = check_ooxml(content)
    if problem is not None:
        return {}, [grid_workbook.CellError("", problem.template, problem.params)]
    actions = actions_by_id(proposal)
    ids_by_code = {a.code: a.id for a in actions.values()}
    sheets, errors = grid_workbook.read(content, list(ids_by_code))
    members = {p.id: p for p in proposal.participations if rules.is_member(p.status)}
    entries: dict[int, GridEntry] = {}
    for sheet in sheets:
        p = members.get(sheet.participation_id)
        if p is None:
            errors.append(
                grid_workbook.CellError(
                    sheet.id_cell,
                    grid_workbook.ERRORS["unknown_participation"],
                    {"value": sheet.participation_id},
                )
            )
            continue
        if p.id in entries:
            errors.append(
                grid_workbook.CellError(
                    sheet.id_cell, grid_workbook.ERRORS["twice"], {"value": p.id}
                )
            )
            continue
        if sheet.version != str(p.version):
            errors.append(
                grid_workbook.CellError(
                    sheet.version_cell,
                    grid_workbook.ERRORS["stale"],
                    {"exported": sheet.version[:12], "current": p.version},
                )
            )
            continue
        entries[p.id] = GridEntry(
            version=sheet.version,
            values=sheet.values,
            person_months={
                ids_by_code[code]: months for code, months in sheet.person_months.items()
            },
        )
    if errors:
        return {}, errors
    return save_grid(proposal, entries, actor=actor, source="xlsx"), []

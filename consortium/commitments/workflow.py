"""Participation status workflow and consortium roles (pure: plain data in, plain data out).

A participation (one organisation in one proposal) moves through::

    candidate -> shortlisted -> invited -> confirmed | declined | withdrawn
    confirmed --change--> to_reconfirm --reconfirm--> confirmed

The whole workflow is data: :data:`TRANSITIONS` says where an action leads from a status and
:data:`ACTION_ACTORS` says who may perform it.  Decisions (documented here, tested in
``tests/commitments/test_workflow.py``):

* Only the **partner** confirms, re-confirms or declines: a commitment is the partner's own
  word, so the lead cannot confirm or decline *on the partner's behalf*.  A partner who
  answers by e-mail or on paper is recorded by the lead as ``withdraw`` (for a "no") or
  left ``invited`` until the partner confirms through its link.
* The **lead** shortlists, unshortlists, invites, withdraws (removes a partner, or records
  that a partner left) and reopens (puts a declined or withdrawn organisation back to
  ``candidate``).  A partner who wants to leave after confirming tells the lead.
* ``change`` (a commitment field changed: role, tasks, person-months, budget, co-financing)
  may be done by either side in any status.  It sets a ``confirmed`` participation back to
  ``to_reconfirm`` and leaves every other status unchanged.
* ``confirm`` and ``reconfirm`` are synonyms from ``to_reconfirm``; only ``confirm`` is
  valid from ``invited``.
* Inviting requires shortlisting first (candidate -> shortlisted -> invited).

Messages are English templates marked with :func:`N_`; the view translates them with the
``commitments`` catalogue and interpolates the params (which are themselves ``N_`` labels).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from consortium.errors import N_, DomainError


class Status(StrEnum):
    """Where a participation stands."""

    CANDIDATE = "candidate"
    SHORTLISTED = "shortlisted"
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    TO_RECONFIRM = "to_reconfirm"


class Action(StrEnum):
    """What someone does to a participation."""

    SHORTLIST = "shortlist"
    UNSHORTLIST = "unshortlist"
    INVITE = "invite"
    CONFIRM = "confirm"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"
    CHANGE = "change"
    RECONFIRM = "reconfirm"


class ActorRole(StrEnum):
    """Who acts: the coordinator's project team (lead) or the partner's contact."""

    LEAD = "lead"
    PARTNER = "partner"


S, A = Status, Action
_E = TypeVar("_E", bound=StrEnum)

TRANSITIONS: Mapping[tuple[Status, Action], Status] = MappingProxyType(
    {
        (S.CANDIDATE, A.SHORTLIST): S.SHORTLISTED,
        (S.SHORTLISTED, A.UNSHORTLIST): S.CANDIDATE,
        (S.SHORTLISTED, A.INVITE): S.INVITED,
        (S.INVITED, A.CONFIRM): S.CONFIRMED,
        (S.INVITED, A.DECLINE): S.DECLINED,
        (S.INVITED, A.WITHDRAW): S.WITHDRAWN,
        (S.CONFIRMED, A.WITHDRAW): S.WITHDRAWN,
        (S.TO_RECONFIRM, A.CONFIRM): S.CONFIRMED,
        (S.TO_RECONFIRM, A.RECONFIRM): S.CONFIRMED,
        (S.TO_RECONFIRM, A.DECLINE): S.DECLINED,
        (S.TO_RECONFIRM, A.WITHDRAW): S.WITHDRAWN,
        (S.DECLINED, A.REOPEN): S.CANDIDATE,
        (S.WITHDRAWN, A.REOPEN): S.CANDIDATE,
        # A changed commitment field: only a confirmed commitment needs a new confirmation.
        **{(status, A.CHANGE): status for status in Status if status is not S.CONFIRMED},
        (S.CONFIRMED, A.CHANGE): S.TO_RECONFIRM,
    }
)
"""Where each allowed (status, action) pair leads; a missing pair is not allowed."""

ACTION_ACTORS: Mapping[Action, frozenset[ActorRole]] = MappingProxyType(
    {
        A.SHORTLIST: frozenset({ActorRole.LEAD}),
        A.UNSHORTLIST: frozenset({ActorRole.LEAD}),
        A.INVITE: frozenset({ActorRole.LEAD}),
        A.CONFIRM: frozenset({ActorRole.PARTNER}),
        A.RECONFIRM: frozenset({ActorRole.PARTNER}),
        A.DECLINE: frozenset({ActorRole.PARTNER}),
        A.WITHDRAW: frozenset({ActorRole.LEAD}),
        A.REOPEN: frozenset({ActorRole.LEAD}),
        A.CHANGE: frozenset({ActorRole.LEAD, ActorRole.PARTNER}),
    }
)
"""Who may perform each action (the partner only ever acts on its own participation)."""

STATUS_LABELS: Mapping[Status, str] = MappingProxyType(
    {
        S.CANDIDATE: N_("Candidate"),
        S.SHORTLISTED: N_("Shortlisted"),
        S.INVITED: N_("Invited"),
        S.CONFIRMED: N_("Confirmed"),
        S.DECLINED: N_("Declined"),
        S.WITHDRAWN: N_("Withdrawn"),
        S.TO_RECONFIRM: N_("To re-confirm"),
    }
)

ACTION_LABELS: Mapping[Action, str] = MappingProxyType(
    {
        A.SHORTLIST: N_("Shortlist"),
        A.UNSHORTLIST: N_("Remove from shortlist"),
        A.INVITE: N_("Invite"),
        A.CONFIRM: N_("Confirm"),
        A.DECLINE: N_("Decline"),
        A.WITHDRAW: N_("Withdraw"),
        A.REOPEN: N_("Reopen"),
        A.CHANGE: N_("Record a change"),
        A.RECONFIRM: N_("Re-confirm"),
    }
)

ACTOR_LABELS: Mapping[ActorRole, str] = MappingProxyType(
    {
        ActorRole.LEAD: N_("the lead"),
        ActorRole.PARTNER: N_("the partner"),
    }
)

TERMINAL_STATUSES: frozenset[Status] = frozenset({S.DECLINED, S.WITHDRAWN})
"""Statuses from which only ``reopen`` (and ``change``) lead anywhere."""

COMMITTED_STATUSES: frozenset[Status] = frozenset({S.CONFIRMED, S.TO_RECONFIRM})
"""Statuses whose budget counts in the consortium's committed totals."""

_NOT_FROM_STATUS = N_("“%(action)s” is not possible for a participation that is “%(status)s”.")
_NOT_FOR_ACTOR = N_("Only %(actors)s may “%(action)s” a participation.")


class InvalidTransition(DomainError, ValueError):
    """An action that the workflow does not allow (wrong status or wrong actor).

    ``template`` is an English ``N_`` template and ``params`` hold ``N_`` labels: translate
    both, then interpolate.  ``status``, ``action`` and ``actor_role`` keep the raw values.
    """

    TEMPLATE_STATUS = _NOT_FROM_STATUS
    TEMPLATE_ACTOR = _NOT_FOR_ACTOR

    def __init__(
        self,
        template: str,
        params: Mapping[str, object],
        *,
        status: Status,
        action: Action,
        actor_role: ActorRole,
    ) -> None:
        super().__init__(template, params)
        self.status = status
        self.action = action
        self.actor_role = actor_role


def _as_enum(enum: type[_E], value: _E | str, what: str) -> _E:
    """Coerce ``value`` (an enum member or its string value) to ``enum``."""
    try:
        return enum(value)
    except ValueError:
        raise ValueError(f"unknown {what}: {value!r}") from None


def next_status(
    status: Status | str, action: Action | str, *, actor_role: ActorRole | str
) -> Status:
    """Status after ``actor_role`` performs ``action`` on a participation in ``status``.

    Raises :class:`InvalidTransition` when the pair is not in :data:`TRANSITIONS` or the
    actor may not perform the action; unknown strings raise a plain ``ValueError``.
    """
    status = _as_enum(Status, status, "status")
    action = _as_enum(Action, action, "action")
    actor_role = _as_enum(ActorRole, actor_role, "actor role")
    if actor_role not in ACTION_ACTORS[action]:
        actors = sorted(ACTION_ACTORS[action])
        raise InvalidTransition(
            _NOT_FOR_ACTOR,
            {"actors": ACTOR_LABELS[actors[0]], "action": ACTION_LABELS[action]},
            status=status,
            action=action,
            actor_role=actor_role,
        )
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise InvalidTransition(
            _NOT_FROM_STATUS,
            {"action": ACTION_LABELS[action], "status": STATUS_LABELS[status]},
            status=status,
            action=action,
            actor_role=actor_role,
        ) from None


def allowed_actions(status: Status | str, actor_role: ActorRole | str) -> tuple[Action, ...]:
    """Actions ``actor_role`` may perform from ``status``, in :class:`Action` order."""
    status = _as_enum(Status, status, "status")
    actor_role = _as_enum(ActorRole, actor_role, "actor role")
    return tuple(
        action
        for action in Action
        if (status, action) in TRANSITIONS and actor_role in ACTION_ACTORS[action]
    )


def status_label(status: Status | str) -> str:
    """English ``N_`` label of ``status`` (the view translates it)."""
    return STATUS_LABELS[_as_enum(Status, status, "status")]


# --------------------------------------------------------------------------------------
# Roles in the consortium (life-domain.md section 3.3)


class ParticipantRole(StrEnum):
    """Role of an organisation in a LIFE proposal (corporate EU grant model)."""

    COORDINATING_BENEFICIARY = "coordinating_beneficiary"
    BENEFICIARY = "beneficiary"
    AFFILIATED_ENTITY = "affiliated_entity"
    ASSOCIATED_PARTNER = "associated_partner"
    SUBCONTRACTOR = "subcontractor"

    @property
    def flags(self) -> RoleFlags:
        """The role's rules (see :data:`ROLE_FLAGS`)."""
        return ROLE_FLAGS[self]

    @property
    def short(self) -> str:
        """Short machine name: ``coordinator`` for the coordinating beneficiary."""
        return self.flags.short

    @property
    def label(self) -> str:
        """English ``N_`` label (the view translates it)."""
        return self.flags.label

    @property
    def receives_eu_funding(self) -> bool:
        """Whether the EU grant pays this participant's own costs."""
        return self.flags.receives_eu_funding

    @property
    def counts_as_beneficiary(self) -> bool:
        """Whether it counts for consortium rules such as "at least 3 beneficiaries"."""
        return self.flags.counts_as_beneficiary

    @property
    def pic_required(self) -> bool:
        """Whether a 9-digit PIC is mandatory for this role."""
        return self.flags.pic_required

    @classmethod
    def parse(cls, text: str) -> ParticipantRole:
        """Role from its value or short name (``"coordinator"``); ``ValueError`` otherwise."""
        key = text.strip().casefold().replace("-", "_").replace(" ", "_")
        for role in cls:
            if key in (role.value, role.short):
                return role
        raise ValueError(f"unknown role: {text!r}")


@dataclass(frozen=True, slots=True)
class RoleFlags:
    """Rules attached to a role."""

    short: str
    label: str
    receives_eu_funding: bool
    counts_as_beneficiary: bool
    pic_required: bool
    signs_grant_agreement: bool
    linked_to_beneficiary: bool  # affiliated entity: of a named beneficiary


_R = ParticipantRole
ROLE_FLAGS: Mapping[ParticipantRole, RoleFlags] = MappingProxyType(
    {
        _R.COORDINATING_BENEFICIARY: RoleFlags(
            "coordinator",
            N_("Coordinating beneficiary"),
            receives_eu_funding=True,
            counts_as_beneficiary=True,
            pic_required=True,
            signs_grant_agreement=True,
            linked_to_beneficiary=False,
        ),
        _R.BENEFICIARY: RoleFlags(
            "beneficiary",
            N_("Beneficiary"),
            receives_eu_funding=True,
            counts_as_beneficiary=True,
            pic_required=True,
            signs_grant_agreement=True,
            linked_to_beneficiary=False,
        ),
        # Declares its own costs through its beneficiary; does not count for "N beneficiaries".
        _R.AFFILIATED_ENTITY: RoleFlags(
            "affiliated_entity",
            N_("Affiliated entity"),
            receives_eu_funding=True,
            counts_as_beneficiary=False,
            pic_required=True,
            signs_grant_agreement=False,
            linked_to_beneficiary=True,
        ),
        _R.ASSOCIATED_PARTNER: RoleFlags(
            "associated_partner",
            N_("Associated partner"),
            receives_eu_funding=False,
            counts_as_beneficiary=False,
            pic_required=True,
            signs_grant_agreement=False,
            linked_to_beneficiary=False,
        ),
        # Paid by a beneficiary under cost category B, never by the EU directly; PIC optional.
        _R.SUBCONTRACTOR: RoleFlags(
            "subcontractor",
            N_("Subcontractor"),
            receives_eu_funding=False,
            counts_as_beneficiary=False,
            pic_required=False,
            signs_grant_agreement=False,
            linked_to_beneficiary=False,
        ),
    }
)
"""Role rules from life-domain.md section 3.3."""

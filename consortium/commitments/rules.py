"""The consortium's rules, in one place (pure: plain data in, findings out).

Before this module the commitments board, the fit checks, what-if and the dossier each decided
for themselves who is in the consortium and who coordinates it, and they disagreed (the board
counted a *candidate* set as coordinator; the fit checks did not, and said no coordinator was
set).  Every page now asks these functions:

* **members**: participations whose status is shortlisted, invited, confirmed or to re-confirm
  (:data:`MEMBER_STATUSES`).  Candidates are not members yet; declined and withdrawn ones no
  longer are.  Budget totals, coordinator, beneficiaries, countries and letters count members only.
* **coordinator**: the one member with the coordinating-beneficiary role.  A candidate holding
  the role is named in the finding, with the fix (shortlist it).
* **letters**: expected from every committed member (confirmed or to re-confirm) except the
  coordinator, which submits the proposal, and subcontractors, which sign no commitment.
* **confirmation**: what a participation still needs before its partner may confirm it
  (:func:`confirmation_gaps`), and which of those gaps the lead may accept explicitly
  (:data:`WAIVABLE_GAPS`).

Messages are English ``N_`` templates; pages translate them (``consortium.findings``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from consortium.commitments.budget import ParticipationBudget
from consortium.commitments.workflow import COMMITTED_STATUSES, ParticipantRole, Status
from consortium.errors import N_
from consortium.findings import Finding, Severity, finding

MEMBER_STATUSES: frozenset[Status] = frozenset(
    {Status.SHORTLISTED, Status.INVITED, Status.CONFIRMED, Status.TO_RECONFIRM}
)
"""Statuses that make a participation a member of the consortium."""


@dataclass(frozen=True, slots=True)
class Participant:
    """What the rules need to know about one participation."""

    id: int  # the organisation's id
    name: str
    role: ParticipantRole | None
    status: Status
    has_letter: bool = False

    @property
    def is_member(self) -> bool:
        """Whether it counts in the consortium (see :data:`MEMBER_STATUSES`)."""
        return self.status in MEMBER_STATUSES

    @property
    def is_coordinator(self) -> bool:
        """Whether it holds the coordinating-beneficiary role (member or not)."""
        return self.role is ParticipantRole.COORDINATING_BENEFICIARY


def is_member(status: Status | str) -> bool:
    """Whether a participation in ``status`` counts in the consortium."""
    return Status(status) in MEMBER_STATUSES


def role_of(text: str | None) -> ParticipantRole | None:
    """The role stored as ``text`` (value or short name); None when unknown or empty."""
    try:
        return ParticipantRole.parse(text or "")
    except ValueError:
        return None


def members(participants: Iterable[Participant]) -> list[Participant]:
    """The participants that count in the consortium, in the given order."""
    return [p for p in participants if p.is_member]


def coordinator(participants: Iterable[Participant]) -> Participant | None:
    """The consortium's coordinator: the single member with the role, else None."""
    found = [p for p in members(participants) if p.is_coordinator]
    return found[0] if len(found) == 1 else None


def beneficiaries(participants: Iterable[Participant]) -> list[Participant]:
    """Members that count as beneficiaries (the coordinator and the beneficiaries)."""
    return [p for p in members(participants) if p.role is not None and p.role.counts_as_beneficiary]


def coordinator_findings(participants: Sequence[Participant]) -> list[Finding]:
    """One finding about the coordinator: set (OK), missing, waiting as a candidate, or several."""
    chosen = [p for p in members(participants) if p.is_coordinator]
    if len(chosen) == 1:
        return [
            finding(
                "COORDINATOR_SET",
                Severity.OK,
                N_("The coordinator is %(name)s."),
                {"name": chosen[0].name},
                subjects=[chosen[0].id],
            )
        ]
    if len(chosen) > 1:
        names = ", ".join(p.name for p in chosen)
        return [
            finding(
                "SEVERAL_COORDINATORS",
                Severity.ERROR,
                N_("%(count)s organisations have the coordinator role: %(names)s"),
                {"count": len(chosen), "names": names},
                fix=N_("Keep a single coordinator; the others can be beneficiaries"),
                subjects=[p.id for p in chosen],
            )
        ]
    waiting = [p for p in participants if p.is_coordinator and p.status is Status.CANDIDATE]
    if waiting:
        return [
            finding(
                "NO_COORDINATOR",
                Severity.ERROR,
                N_(
                    "No coordinator in the consortium yet: %(name)s has the coordinator "
                    "role but is still a candidate"
                ),
                {"name": waiting[0].name},
                fix=N_("Shortlist %(name)s to make it a member of the consortium"),
                fix_params={"name": waiting[0].name},
                subjects=[waiting[0].id],
            )
        ]
    return [
        finding(
            "NO_COORDINATOR",
            Severity.ERROR,
            N_("No coordinator is set"),
            fix=N_("Give the coordinator role to one eligible organisation"),
        )
    ]


def letters_expected(participants: Iterable[Participant]) -> list[Participant]:
    """Committed members that owe a signed letter (not the coordinator, not subcontractors)."""
    return [
        p
        for p in participants
        if p.status in COMMITTED_STATUSES
        and not p.is_coordinator
        and p.role is not ParticipantRole.SUBCONTRACTOR
    ]


def letters_findings(participants: Sequence[Participant]) -> list[Finding]:
    """Letters received against letters expected: OK when none is missing."""
    expected = letters_expected(participants)
    missing = [p for p in expected if not p.has_letter]
    received = len(expected) - len(missing)
    if not missing:
        return [
            finding(
                "LETTERS_RECEIVED",
                Severity.OK,
                N_("Signed letters: %(received)s of %(expected)s received."),
                {"received": received, "expected": len(expected)},
            )
        ]
    return [
        finding(
            "LETTERS_MISSING",
            Severity.WARNING,
            N_("%(received)s of %(expected)s letters of commitment received"),
            {"received": received, "expected": len(expected)},
            fix=N_("Remind the partners whose letter is missing: %(names)s"),
            fix_params={"names": ", ".join(p.name for p in missing)},
            subjects=[p.id for p in missing],
        )
    ]


def funding_rate_findings(
    eu_total: Decimal, max_eu: Decimal, funding_rate: Decimal | None
) -> list[Finding]:
    """The EU request against the topic's rate, at project level (the rule is per project)."""
    if funding_rate is None:
        return [
            finding(
                "FUNDING_RATE_UNKNOWN",
                Severity.INFO,
                N_("The topic has no funding rate recorded: the EU request cannot be checked"),
                fix=N_("Enter the topic's maximum funding rate from the call document"),
            )
        ]
    if eu_total <= max_eu:
        return [
            finding(
                "FUNDING_RATE_RESPECTED",
                Severity.OK,
                N_("The EU contribution respects the funding rate (%(rate)s)."),
                {"rate": funding_rate},
            )
        ]
    return [
        finding(
            "EU_OVER_RATE",
            Severity.ERROR,
            N_(
                "The consortium requests %(eu)s from the EU, above %(rate)s of the "
                "eligible costs (%(max_eu)s)."
            ),
            {"eu": eu_total, "rate": funding_rate, "max_eu": max_eu},
            fix=N_("Lower the EU contribution by %(excess)s or raise co-financing"),
            fix_params={"excess": eu_total - max_eu},
        )
    ]


# --------------------------------------------------------------------------------------
# Confirmation


WAIVABLE_GAPS: frozenset[str] = frozenset({"FUNDING_GAP"})
"""Gaps the lead may accept explicitly ("confirmed despite…").

Only an uncovered part of the costs: a partner may commit while its board still has to vote
the co-financing.  Missing person-months or costs, a surplus, or EU money requested by a role
that receives none make the commitment itself false, so nobody may accept them.  The letter of
a commitment confirmed despite a gap says how much is uncovered instead of certifying the plan.
"""


def confirmation_gaps(
    role: ParticipantRole | None, budget: ParticipationBudget, tasks: str = ""
) -> list[Finding]:
    """What is missing before the partner may confirm this commitment (empty: nothing).

    A role that receives EU funding (coordinator, beneficiary, affiliated entity) needs
    person-months, eligible costs and a funding plan (EU contribution + co-financing + other
    funding) equal to its costs.  An associated partner or a subcontractor receives no EU
    funding (LIFE rules) and needs its tasks described.
    """
    role = role or ParticipantRole.BENEFICIARY
    gaps: list[Finding] = []
    resources = budget.eu_contribution + budget.cofinancing_total
    if not role.receives_eu_funding:
        if budget.eu_contribution > 0:
            gaps.append(
                finding(
                    "EU_FOR_UNFUNDED_ROLE",
                    Severity.ERROR,
                    N_("%(role)s: this role receives no EU funding, yet %(eu)s is requested."),
                    {"role": role.label, "eu": budget.eu_contribution},
                    fix=N_("Set the EU contribution to 0."),
                )
            )
        if not tasks.strip():
            gaps.append(
                finding(
                    "NO_TASKS",
                    Severity.ERROR,
                    N_("The tasks of the organisation are not described."),
                    fix=N_("Describe what the organisation will do in the project."),
                )
            )
        return gaps
    if budget.person_months_total <= 0:
        gaps.append(
            finding(
                "NO_PERSON_MONTHS",
                Severity.ERROR,
                N_("No person-months are entered."),
                fix=N_("Enter the person-months the organisation works on the actions."),
            )
        )
    if budget.total <= 0:
        gaps.append(
            finding(
                "NO_BUDGET",
                Severity.ERROR,
                N_("No eligible costs are entered."),
                fix=N_("Enter the organisation's costs by category."),
            )
        )
    elif budget.balance_gap > 0:
        gaps.append(
            finding(
                "FUNDING_GAP",
                Severity.ERROR,
                N_(
                    "The funding plan (%(resources)s) does not cover the total costs (%(total)s): "
                    "%(gap)s missing."
                ),
                {"resources": resources, "total": budget.total, "gap": budget.balance_gap},
                fix=N_("Raise the co-financing or other funding, or lower the costs."),
            )
        )
    elif budget.balance_gap < 0:
        gaps.append(
            finding(
                "FUNDING_SURPLUS",
                Severity.ERROR,
                N_(
                    "The funding plan (%(resources)s) exceeds the total costs (%(total)s) by "
                    "%(surplus)s."
                ),
                {"resources": resources, "total": budget.total, "surplus": -budget.balance_gap},
                fix=N_("Lower the co-financing or the EU contribution."),
            )
        )
    return gaps


def blocking_gaps(gaps: Iterable[Finding], accepted: Collection[str]) -> list[Finding]:
    """The gaps that still stop a confirmation once the lead's accepted ones are set aside."""
    return [g for g in gaps if not (g.code in WAIVABLE_GAPS and g.code in accepted)]


def waivable(gaps: Iterable[Finding]) -> list[Finding]:
    """The gaps the lead may accept."""
    return [g for g in gaps if g.code in WAIVABLE_GAPS]

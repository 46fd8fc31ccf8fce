"""Checks of a whole consortium against the topic's rules and common sense.

Pure module: takes plain dataclasses, returns :class:`Check` records with a code, a severity, an
English message template with params and a fix hint template with params (the web layer
translates both). Checks come back ordered by severity (errors, warnings, infos), then in the
order of the rules below, then in member order:

``NO_MEMBERS``, ``NO_COORDINATOR``, ``SEVERAL_COORDINATORS``, ``COORDINATOR_NOT_ELIGIBLE``,
``MEMBER_NOT_ELIGIBLE``, ``COUNTRY_UNKNOWN``, ``NEEDS_ASSOCIATED_PARTNER_ROLE``,
``MIN_BENEFICIARIES``, ``MIN_COUNTRIES``, ``PIC_MISSING``, ``PIC_INVALID``, ``ACTION_NO_LEAD``,
``ACTION_LEAD_NOT_MEMBER``, ``NEED_UNCOVERED``, ``FUNDING_RATE_UNKNOWN``, ``EU_OVER_RATE``,
``SHARE_OVER_BUDGET``, ``ANNEX_MISSING``, ``LETTERS_MISSING``.

Beneficiaries are the coordinator and the beneficiaries; affiliated entities, associated partners
and subcontractors never count towards the minimum numbers of beneficiaries and countries
(LIFE 2026 CET topics: "beneficiaries, not affiliated entities").

Capacity rule (``SHARE_OVER_BUDGET``): a coordinator, beneficiary or affiliated entity whose
costs in the project (total costs, else its EU contribution) per year of project exceed
``MAX_YEARLY_SHARE_OF_BUDGET`` (50 %) of its annual budget is flagged: it would have to
pre-finance and co-finance more than it can carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from consortium.errors import N_
from consortium.fit.scoring import (
    DEFAULT_DURATION_MONTHS,
    MAX_YEARLY_SHARE_OF_BUDGET,
    CountryList,
    EligibilityStatus,
    OrgProfile,
    TopicProfile,
    assess_eligibility,
    load_eligible_countries,
    round_half_up,
)
from consortium.fit.thesaurus import Thesaurus, load_thesaurus

_PIC = re.compile(r"^\d{9}$")
#: Euro amounts are compared with this tolerance (rounding of cent amounts).
_TOLERANCE_EUR = 0.5


class Severity(StrEnum):
    """How serious a finding is."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Role(StrEnum):
    """Roles in a LIFE consortium (corporate EU grant model)."""

    COORDINATOR = "coordinator"
    BENEFICIARY = "beneficiary"
    AFFILIATED_ENTITY = "affiliated_entity"
    ASSOCIATED_PARTNER = "associated_partner"
    SUBCONTRACTOR = "subcontractor"


#: Roles that sign the grant agreement and count as beneficiaries.
BENEFICIARY_ROLES = frozenset({Role.COORDINATOR, Role.BENEFICIARY})
#: Roles that receive EU funds and need a validated PIC.
FUNDED_ROLES = frozenset({Role.COORDINATOR, Role.BENEFICIARY, Role.AFFILIATED_ENTITY})


@dataclass(frozen=True)
class MemberInfo:
    """One organisation in the consortium with its role and money."""

    org: OrgProfile
    role: Role
    has_letter: bool = False
    eu_contribution_eur: float | None = None
    total_costs_eur: float | None = None  # its eligible costs


@dataclass(frozen=True)
class ActionInfo:
    """An action (work package) of the proposal and its lead organisation."""

    title: str
    lead_id: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class NeedInfo:
    """A need from the workshops and the organisations that will carry it."""

    text: str
    carrier_ids: frozenset[int] = frozenset()
    id: int | None = None


@dataclass(frozen=True)
class AnnexInfo:
    """An annex of the application and whether it is there yet."""

    name: str
    present: bool
    mandatory: bool = True


@dataclass(frozen=True)
class Check:
    """One finding: code, severity, message and fix hint (templates + params)."""

    code: str
    severity: Severity
    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    fix_template: str = ""
    fix_params: Mapping[str, object] = field(default_factory=dict)
    subject_ids: tuple[int, ...] = ()  # organisations concerned, if any

    def text(self) -> str:
        """English message."""
        return self.template % dict(self.params) if self.params else self.template

    def fix_text(self) -> str:
        """English fix hint."""
        return self.fix_template % dict(self.fix_params) if self.fix_params else self.fix_template

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the API."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "template": self.template,
            "params": dict(self.params),
            "text": self.text(),
            "fix_template": self.fix_template,
            "fix_params": dict(self.fix_params),
            "fix_text": self.fix_text(),
            "subject_ids": list(self.subject_ids),
        }


def _check(
    code: str,
    severity: Severity,
    template: str,
    fix: str,
    params: Mapping[str, object] | None = None,
    fix_params: Mapping[str, object] | None = None,
    subjects: Iterable[int] = (),
) -> Check:
    return Check(
        code,
        severity,
        template,
        MappingProxyType(dict(params or {})),
        fix,
        MappingProxyType(dict(fix_params or {})),
        tuple(subjects),
    )


def _money(value: float) -> str:
    return f"{value:,.0f}"


def check_consortium(
    topic: TopicProfile,
    members: Sequence[MemberInfo],
    actions: Sequence[ActionInfo] = (),
    needs: Sequence[NeedInfo] = (),
    annexes: Sequence[AnnexInfo] = (),
    letters_received: int | None = None,
    *,
    duration_months: int | None = None,
    thesaurus: Thesaurus | None = None,
    countries: CountryList | None = None,
) -> list[Check]:
    """Run every consortium check; see the module docstring for codes and ordering.

    ``letters_received`` overrides the count of ``MemberInfo.has_letter`` when given.
    """
    countries = countries or load_eligible_countries()
    thesaurus = thesaurus or load_thesaurus()
    out: list[Check] = []
    out += _composition(topic, members, countries)
    out += _pics(members)
    out += _actions(actions, members)
    out += _needs(needs, members, thesaurus)
    out += _budget(topic, members, duration_months)
    out += _annexes(annexes, members, letters_received)
    order = {id(c): i for i, c in enumerate(out)}
    return sorted(out, key=lambda c: (_SEVERITY_ORDER[c.severity], order[id(c)]))


def _composition(
    topic: TopicProfile, members: Sequence[MemberInfo], countries: CountryList
) -> list[Check]:
    out: list[Check] = []
    if not members:
        out.append(
            _check(
                "NO_MEMBERS",
                Severity.ERROR,
                N_("The consortium has no member yet"),
                N_("Add organisations to the consortium, starting with the coordinator"),
            )
        )
    coordinators = [m for m in members if m.role == Role.COORDINATOR]
    if not coordinators:
        out.append(
            _check(
                "NO_COORDINATOR",
                Severity.ERROR,
                N_("No coordinator is set"),
                N_("Give the coordinator role to one eligible organisation"),
            )
        )
    elif len(coordinators) > 1:
        out.append(
            _check(
                "SEVERAL_COORDINATORS",
                Severity.ERROR,
                N_("%(count)s organisations have the coordinator role: %(names)s"),
                N_("Keep a single coordinator; the others can be beneficiaries"),
                {"count": len(coordinators), "names": ", ".join(m.org.name for m in coordinators)},
                subjects=[m.org.id for m in coordinators],
            )
        )
    beneficiaries: list[MemberInfo] = []
    for member in members:
        org = member.org
        elig = assess_eligibility(org, countries)
        funded = member.role in FUNDED_ROLES
        if member.role in BENEFICIARY_ROLES and elig.eligible:
            beneficiaries.append(member)
        if elig.status is EligibilityStatus.ELIGIBLE or member.role == Role.SUBCONTRACTOR:
            continue
        if elig.status is EligibilityStatus.UNKNOWN_COUNTRY:
            out.append(
                _check(
                    "COUNTRY_UNKNOWN",
                    Severity.WARNING,
                    N_(
                        "The country of %(name)s is not recorded: its eligibility cannot be checked"
                    ),
                    N_("Record the country where %(name)s is established"),
                    {"name": org.name},
                    {"name": org.name},
                    [org.id],
                )
            )
        elif elig.status is EligibilityStatus.NOT_ELIGIBLE:
            code = (
                "COORDINATOR_NOT_ELIGIBLE"
                if member.role == Role.COORDINATOR
                else ("MEMBER_NOT_ELIGIBLE")
            )
            out.append(
                _check(
                    code,
                    Severity.ERROR,
                    N_("%(name)s is a natural person: natural persons cannot take part in LIFE"),
                    N_("Replace %(name)s by the legal entity it works for"),
                    {"name": org.name},
                    {"name": org.name},
                    [org.id],
                )
            )
        elif funded:  # non-associated third country in a funded role
            code = (
                "COORDINATOR_NOT_ELIGIBLE"
                if member.role == Role.COORDINATOR
                else ("NEEDS_ASSOCIATED_PARTNER_ROLE")
            )
            country = countries.normalise(org.country)
            out.append(
                _check(
                    code,
                    Severity.ERROR,
                    N_(
                        "%(name)s is established in %(country)s, a country not associated to "
                        "LIFE: it can take part only as associated partner, at its own cost"
                    ),
                    N_("Make %(name)s an associated partner without EU funding"),
                    {"name": org.name, "country": country},
                    {"name": org.name},
                    [org.id],
                )
            )
    if topic.min_beneficiaries and len(beneficiaries) < topic.min_beneficiaries:
        out.append(
            _check(
                "MIN_BENEFICIARIES",
                Severity.ERROR,
                N_(
                    "The topic requires at least %(required)s eligible beneficiaries; the "
                    "consortium has %(count)s (affiliated entities and associated partners "
                    "do not count)"
                ),
                N_("Add %(missing)s eligible beneficiaries"),
                {"required": topic.min_beneficiaries, "count": len(beneficiaries)},
                {"missing": topic.min_beneficiaries - len(beneficiaries)},
            )
        )
    if topic.min_countries:
        codes = sorted({countries.normalise(m.org.country) or "" for m in beneficiaries} - {""})
        if len(codes) < topic.min_countries:
            out.append(
                _check(
                    "MIN_COUNTRIES",
                    Severity.ERROR,
                    N_(
                        "The topic requires beneficiaries from at least %(required)s different "
                        "eligible countries; the consortium has %(count)s (%(countries)s)"
                    ),
                    N_("Add beneficiaries from %(missing)s more eligible countries"),
                    {
                        "required": topic.min_countries,
                        "count": len(codes),
                        "countries": ", ".join(codes) or "-",
                    },
                    {"missing": topic.min_countries - len(codes)},
                )
            )
    return out


def _pics(members: Sequence[MemberInfo]) -> list[Check]:
    out: list[Check] = []
    for member in members:
        if member.role == Role.SUBCONTRACTOR:
            continue  # PIC optional for subcontractors
        org = member.org
        pic = (org.pic or "").strip()
        funded = member.role in FUNDED_ROLES
        if not pic:
            out.append(
                _check(
                    "PIC_MISSING",
                    Severity.WARNING if funded else Severity.INFO,
                    N_("%(name)s has no PIC yet"),
                    N_(
                        "Ask %(name)s to register in the Funding & Tenders Participant Register "
                        "and send its 9-digit PIC"
                    ),
                    {"name": org.name},
                    {"name": org.name},
                    [org.id],
                )
            )
        elif not _PIC.match(pic):
            out.append(
                _check(
                    "PIC_INVALID",
                    Severity.WARNING,
                    N_("The PIC of %(name)s (%(pic)s) is not a 9-digit number"),
                    N_("Correct the PIC of %(name)s"),
                    {"name": org.name, "pic": pic},
                    {"name": org.name},
                    [org.id],
                )
            )
    return out


def _actions(actions: Sequence[ActionInfo], members: Sequence[MemberInfo]) -> list[Check]:
    out: list[Check] = []
    member_ids = {m.org.id for m in members}
    for action in actions:
        if action.lead_id is None:
            out.append(
                _check(
                    "ACTION_NO_LEAD",
                    Severity.WARNING,
                    N_("Action “%(title)s” has no lead organisation"),
                    N_("Choose a member of the consortium to lead “%(title)s”"),
                    {"title": action.title},
                    {"title": action.title},
                )
            )
        elif action.lead_id not in member_ids:
            out.append(
                _check(
                    "ACTION_LEAD_NOT_MEMBER",
                    Severity.WARNING,
                    N_("Action “%(title)s” is led by an organisation outside the consortium"),
                    N_("Add the lead of “%(title)s” to the consortium or choose another lead"),
                    {"title": action.title},
                    {"title": action.title},
                    [action.lead_id],
                )
            )
    return out


def need_covered(
    need: NeedInfo, member_ids: frozenset[int], member_concepts: frozenset[str], th: Thesaurus
) -> bool:
    """A need is covered by a carrier in the consortium or by a concept a member covers."""
    if need.carrier_ids & member_ids:
        return True
    return bool(th.concept_ids(need.text) & member_concepts)


def _needs(needs: Sequence[NeedInfo], members: Sequence[MemberInfo], th: Thesaurus) -> list[Check]:
    if not needs:
        return []
    member_ids = frozenset(m.org.id for m in members)
    concepts: set[str] = set()
    for member in members:
        concepts |= th.concept_ids(member.org.text)
    frozen = frozenset(concepts)
    out: list[Check] = []
    for need in needs:
        if not need_covered(need, member_ids, frozen, th):
            out.append(
                _check(
                    "NEED_UNCOVERED",
                    Severity.WARNING,
                    N_("No member covers the need “%(need)s”"),
                    N_("Find a carrier for this need, or invite an organisation that covers it"),
                    {"need": need.text},
                )
            )
    return out


def _budget(
    topic: TopicProfile, members: Sequence[MemberInfo], duration_months: int | None
) -> list[Check]:
    out: list[Check] = []
    funded = [m for m in members if m.role in FUNDED_ROLES]
    requested = sum(m.eu_contribution_eur or 0.0 for m in funded)
    costs = sum(m.total_costs_eur or 0.0 for m in funded)
    if requested > 0 or costs > 0:
        if topic.funding_rate is None:
            out.append(
                _check(
                    "FUNDING_RATE_UNKNOWN",
                    Severity.INFO,
                    N_("The topic has no funding rate recorded: the EU request cannot be checked"),
                    N_("Enter the topic's maximum funding rate from the call document"),
                )
            )
        else:
            ceiling = topic.funding_rate * costs
            if requested > ceiling + _TOLERANCE_EUR:
                out.append(
                    _check(
                        "EU_OVER_RATE",
                        Severity.ERROR,
                        N_(
                            "The requested EU contribution (%(requested)s EUR) exceeds "
                            "%(rate)s%% of the eligible costs (%(ceiling)s EUR of %(costs)s EUR)"
                        ),
                        N_("Lower the EU contribution by %(excess)s EUR or raise co-financing"),
                        {
                            "requested": _money(requested),
                            "rate": f"{round_half_up(topic.funding_rate * 100, 1):g}",
                            "ceiling": _money(ceiling),
                            "costs": _money(costs),
                        },
                        {"excess": _money(requested - ceiling)},
                    )
                )
    years = (duration_months or DEFAULT_DURATION_MONTHS) / 12
    for member in funded:
        org = member.org
        carried = member.total_costs_eur or member.eu_contribution_eur
        budget = org.annual_budget_eur
        if not carried or not budget or budget <= 0:
            continue
        yearly = carried / years
        if yearly > MAX_YEARLY_SHARE_OF_BUDGET * budget + _TOLERANCE_EUR:
            out.append(
                _check(
                    "SHARE_OVER_BUDGET",
                    Severity.WARNING,
                    N_(
                        "%(name)s would carry %(yearly)s EUR a year, %(percent)s%% of its annual "
                        "budget (%(budget)s EUR)"
                    ),
                    N_(
                        "Reduce the share of %(name)s or check that it can pre-finance and "
                        "co-finance it"
                    ),
                    {
                        "name": org.name,
                        "yearly": _money(yearly),
                        "percent": int(round_half_up(min(yearly / budget, 1e6) * 100)),
                        "budget": _money(budget),
                    },
                    {"name": org.name},
                    [org.id],
                )
            )
    return out


def _annexes(
    annexes: Sequence[AnnexInfo], members: Sequence[MemberInfo], letters_received: int | None
) -> list[Check]:
    out: list[Check] = []
    for annex in annexes:
        if annex.mandatory and not annex.present:
            out.append(
                _check(
                    "ANNEX_MISSING",
                    Severity.ERROR,
                    N_("Mandatory annex missing: %(annex)s"),
                    N_("Prepare and upload the annex “%(annex)s”"),
                    {"annex": annex.name},
                    {"annex": annex.name},
                )
            )
    expected = [m for m in members if m.role not in (Role.COORDINATOR, Role.SUBCONTRACTOR)]
    if expected:
        received = (
            letters_received
            if letters_received is not None
            else sum(1 for m in expected if m.has_letter)
        )
        if received < len(expected):
            missing = [m for m in expected if not m.has_letter]
            out.append(
                _check(
                    "LETTERS_MISSING",
                    Severity.WARNING,
                    N_("%(received)s of %(expected)s letters of commitment received"),
                    N_("Remind the partners whose letter is missing: %(names)s"),
                    {"received": received, "expected": len(expected)},
                    {"names": ", ".join(m.org.name for m in missing) or "-"},
                    [m.org.id for m in missing],
                )
            )
    return out


def summary(checks: Iterable[Check]) -> dict[Severity, int]:
    """Number of checks per severity (all severities present, possibly 0)."""
    counts = dict.fromkeys(Severity, 0)
    for check in checks:
        counts[check.severity] += 1
    return counts

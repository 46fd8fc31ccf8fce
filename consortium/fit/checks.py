"""Checks of a whole consortium against the topic's rules and common sense.

Pure module: takes plain dataclasses, returns :class:`~consortium.findings.Finding` records with
a code, a severity, an English message template with params and a fix hint template with params
(the web layer translates both). The coordinator, letters and funding-rate findings come from
:mod:`consortium.commitments.rules`, the one place those rules are written. Checks come back
ordered by severity (errors, warnings, infos), then in the order of the rules below, then in
member order:

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
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from consortium.commitments import rules
from consortium.commitments.workflow import ParticipantRole, Status
from consortium.errors import N_
from consortium.findings import Finding, Severity, by_severity, finding
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


#: Roles that sign the grant agreement and count as beneficiaries.
BENEFICIARY_ROLES = frozenset(r for r in ParticipantRole if r.counts_as_beneficiary)
#: Roles that receive EU funds and need a validated PIC.
FUNDED_ROLES = frozenset(r for r in ParticipantRole if r.receives_eu_funding)


@dataclass(frozen=True)
class MemberInfo:
    """One organisation in the consortium with its role and money."""

    org: OrgProfile
    role: ParticipantRole
    has_letter: bool = False
    eu_contribution_eur: float | None = None
    total_costs_eur: float | None = None  # its eligible costs
    status: Status = Status.CONFIRMED  # a candidate is passed only to name it as coordinator

    def participant(self) -> rules.Participant:
        """The member as the consortium rules see it."""
        return rules.Participant(
            self.org.id, self.org.name, self.role, self.status, self.has_letter
        )


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


def _check(
    code: str,
    severity: Severity,
    template: str,
    fix: str,
    params: Mapping[str, object] | None = None,
    fix_params: Mapping[str, object] | None = None,
    subjects: Iterable[int] = (),
) -> Finding:
    return finding(
        code, severity, template, params, fix=fix, fix_params=fix_params, subjects=subjects
    )


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
) -> list[Finding]:
    """Run every consortium check; see the module docstring for codes and ordering.

    ``members`` may include candidates (``status``): they are not members, but a candidate
    holding the coordinator role is named in the coordinator finding
    (:func:`consortium.commitments.rules.coordinator_findings`).
    ``letters_received`` overrides the count of ``MemberInfo.has_letter`` when given.
    """
    countries = countries or load_eligible_countries()
    thesaurus = thesaurus or load_thesaurus()
    everyone = list(members)
    members = [m for m in everyone if rules.is_member(m.status)]
    out: list[Finding] = []
    out += _composition(topic, members, countries, everyone)
    out += _pics(members)
    out += _actions(actions, members)
    out += _needs(needs, members, thesaurus)
    out += _budget(topic, members, duration_months)
    out += _annexes(annexes, members, letters_received)
    return by_severity(c for c in out if c.severity is not Severity.OK)


def _composition(
    topic: TopicProfile,
    members: Sequence[MemberInfo],
    countries: CountryList,
    everyone: Sequence[MemberInfo],
) -> list[Finding]:
    out: list[Finding] = []
    if not members:
        out.append(
            _check(
                "NO_MEMBERS",
                Severity.ERROR,
                N_("The consortium has no member yet"),
                N_("Add organisations to the consortium, starting with the coordinator"),
            )
        )
    out += rules.coordinator_findings([m.participant() for m in everyone])
    beneficiaries: list[MemberInfo] = []
    for member in members:
        _member_findings(out, member, countries, beneficiaries)
    out += _size_findings(topic, beneficiaries, countries)
    return out


def _size_findings(
    topic: TopicProfile, beneficiaries: Sequence[MemberInfo], countries: CountryList
) -> list[Finding]:
    """Enough eligible beneficiaries, from enough countries, as the topic asks."""
    out: list[Finding] = []
    if topic.min_beneficiaries and len(beneficiaries) < topic.min_beneficiaries:
        out.append(
            _check(
                "MIN_BENEFICIARIES",
                Severity.ERROR,
                N_(
                    "Eligible beneficiaries: %(count)s, the topic requires at least "
                    "%(required)s (affiliated entities and associated partners do not count)"
                ),
                N_("Eligible beneficiaries to add: %(missing)s"),
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


def _member_findings(
    out: list[Finding],
    member: MemberInfo,
    countries: CountryList,
    beneficiaries: list[MemberInfo],
) -> None:
    """One member's eligibility findings; eligible beneficiaries are collected on the way."""
    org = member.org
    elig = assess_eligibility(org, countries)
    funded = member.role in FUNDED_ROLES
    if member.role in BENEFICIARY_ROLES and elig.eligible:
        beneficiaries.append(member)
    if elig.status is EligibilityStatus.ELIGIBLE or member.role is ParticipantRole.SUBCONTRACTOR:
        return
    if elig.status is EligibilityStatus.UNKNOWN_COUNTRY:
        out.append(
            _check(
                "COUNTRY_UNKNOWN",
                Severity.WARNING,
                N_("The country of %(name)s is not recorded: its eligibility cannot be checked"),
                N_("Record the country where %(name)s is established"),
                {"name": org.name},
                {"name": org.name},
                [org.id],
            )
        )
    elif elig.status is EligibilityStatus.NOT_ELIGIBLE:
        code = (
            "COORDINATOR_NOT_ELIGIBLE"
            if member.role == ParticipantRole.COORDINATING_BENEFICIARY
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
            if member.role == ParticipantRole.COORDINATING_BENEFICIARY
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


def _pics(members: Sequence[MemberInfo]) -> list[Finding]:
    out: list[Finding] = []
    for member in members:
        if member.role == ParticipantRole.SUBCONTRACTOR:
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


def _actions(actions: Sequence[ActionInfo], members: Sequence[MemberInfo]) -> list[Finding]:
    out: list[Finding] = []
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


def _needs(
    needs: Sequence[NeedInfo], members: Sequence[MemberInfo], th: Thesaurus
) -> list[Finding]:
    if not needs:
        return []
    member_ids = frozenset(m.org.id for m in members)
    concepts: set[str] = set()
    for member in members:
        concepts |= th.concept_ids(member.org.text)
    frozen = frozenset(concepts)
    out: list[Finding] = []
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
) -> list[Finding]:
    out: list[Finding] = []
    funded = [m for m in members if m.role in FUNDED_ROLES]
    requested = sum(m.eu_contribution_eur or 0.0 for m in funded)
    costs = sum(m.total_costs_eur or 0.0 for m in funded)
    if requested > 0 or costs > 0:
        rate = None if topic.funding_rate is None else Decimal(str(topic.funding_rate))
        eligible = Decimal(str(costs)).quantize(Decimal("0.01"))
        ceiling = ((rate or Decimal(0)) * eligible).quantize(Decimal("0.01"), ROUND_DOWN)
        out += rules.funding_rate_findings(
            Decimal(str(requested)).quantize(Decimal("0.01")), ceiling, rate
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
                        "%(name)s would carry %(yearly)s a year, %(share)s of its annual budget "
                        "(%(budget)s)"
                    ),
                    N_(
                        "Reduce the share of %(name)s or check that it can pre-finance and "
                        "co-finance it"
                    ),
                    {
                        "name": org.name,
                        "yearly": Decimal(round(yearly)),
                        "share": Decimal(round_half_up(min(yearly / budget, 1e6) * 100)) / 100,
                        "budget": Decimal(round(budget)),
                    },
                    {"name": org.name},
                    [org.id],
                )
            )
    return out


def _annexes(
    annexes: Sequence[AnnexInfo], members: Sequence[MemberInfo], letters_received: int | None
) -> list[Finding]:
    out: list[Finding] = []
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
    if letters_received is None:
        out += rules.letters_findings([m.participant() for m in members])
        return out
    expected = rules.letters_expected(m.participant() for m in members)
    if letters_received < len(expected):
        missing = [p for p in expected if not p.has_letter]
        out.append(
            _check(
                "LETTERS_MISSING",
                Severity.WARNING,
                N_("%(received)s of %(expected)s letters of commitment received"),
                N_("Remind the partners whose letter is missing: %(names)s"),
                {"received": letters_received, "expected": len(expected)},
                {"names": ", ".join(p.name for p in missing) or "-"},
                [p.id for p in missing],
            )
        )
    return out

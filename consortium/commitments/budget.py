"""Budget by LIFE cost category, for one participation and for the consortium (pure).

Categories (corporate budget-based MGA, life-domain.md section 4.2):

* A personnel, B subcontracting,
* C purchases: C1 travel and subsistence, C2 equipment, C3 other goods, works and services,
* D other cost categories,
* E indirect costs = flat rate x the direct costs in the *indirect base*.

**Assumption — check the call document.** By the corporate rules the flat rate for indirect
costs (passed in from the topic, e.g. ``Decimal("0.07")``) applies to A + C + D and **not** to
B subcontracting (:data:`DEFAULT_INDIRECT_BASE`).  The corporate MGA also excludes financial
support to third parties (D.1) from the base: when D holds such support, pass an
``indirect_base`` without D.

Money is :class:`~decimal.Decimal`, rounded to cents with ``ROUND_HALF_UP`` (indirect costs
E, shares), except the *maximum* EU contribution, a cap, which is rounded down so that it
never exceeds rate x costs; never float.  The topic's funding rate applies to the
whole project's eligible costs (A..E): one partner may be funded above the rate if others
are funded below it, so above-rate is a *warning* per participation and an *error* only for
the consortium.  Messages are English ``N_`` templates with params, translated by the view.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from types import MappingProxyType

from consortium.commitments.workflow import ParticipantRole
from consortium.errors import N_
from consortium.findings import Finding, Severity, by_severity, finding

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SHARE_QUANTUM = Decimal("0.0001")
MAX_AMOUNT = Decimal("1000000000000")  # 1e12 EUR: far beyond any LIFE project


def money(value: Decimal | int | str) -> Decimal:
    """``value`` rounded to cents, half up; floats are refused."""
    if isinstance(value, float):
        raise TypeError("money must be Decimal, int or str, never float")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"money must be finite, got {value!r}")
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


class CostCategory(StrEnum):
    """LIFE cost categories."""

    A = "A"
    B = "B"
    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    D = "D"
    E = "E"


DIRECT_CATEGORIES: tuple[CostCategory, ...] = tuple(c for c in CostCategory if c != "E")
DEFAULT_INDIRECT_BASE: frozenset[CostCategory] = frozenset(
    {CostCategory.A, CostCategory.C1, CostCategory.C2, CostCategory.C3, CostCategory.D}
)
"""Direct costs the indirect flat rate applies to: A + C + D, not B (check the call document)."""

CATEGORY_LABELS: Mapping[CostCategory, str] = MappingProxyType(
    {
        CostCategory.A: N_("A. Personnel costs"),
        CostCategory.B: N_("B. Subcontracting costs"),
        CostCategory.C1: N_("C.1 Travel and subsistence"),
        CostCategory.C2: N_("C.2 Equipment"),
        CostCategory.C3: N_("C.3 Other goods, works and services"),
        CostCategory.D: N_("D. Other cost categories"),
        CostCategory.E: N_("E. Indirect costs"),
    }
)


@dataclass(frozen=True, slots=True)
class CostLines:
    """Direct costs of one participation by category (EUR, Decimal)."""

    personnel: Decimal = ZERO  # A
    subcontracting: Decimal = ZERO  # B
    travel: Decimal = ZERO  # C1
    equipment: Decimal = ZERO  # C2
    other_goods: Decimal = ZERO  # C3
    other_costs: Decimal = ZERO  # D

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, money(getattr(self, f.name)))

    def by_category(self) -> dict[CostCategory, Decimal]:
        """Direct costs keyed by category A..D (no E)."""
        return dict(
            zip(DIRECT_CATEGORIES, (getattr(self, f.name) for f in fields(self)), strict=True)
        )

    @classmethod
    def from_categories(cls, amounts: Mapping[CostCategory | str, Decimal]) -> CostLines:
        """Build from ``{"A": ..., "C1": ...}``; missing categories are zero, E is refused."""
        keyed = {CostCategory(k): v for k, v in amounts.items()}
        if CostCategory.E in keyed:
            raise ValueError("indirect costs (E) are computed, not entered")
        names = [f.name for f in fields(cls)]
        return cls(
            **{
                name: keyed.get(cat, ZERO)
                for name, cat in zip(names, DIRECT_CATEGORIES, strict=True)
            }
        )


@dataclass(frozen=True, slots=True)
class ParticipationBudget:
    """Budget of one participation; every amount in EUR, rounded to cents."""

    costs: CostLines
    indirect_rate: Decimal
    funding_rate: Decimal
    indirect_base: Decimal  # the direct costs E is computed on
    direct: Decimal  # A + B + C1 + C2 + C3 + D
    indirect: Decimal  # E
    total: Decimal  # eligible costs: direct + indirect
    max_eu: Decimal  # funding_rate x total (0 for roles without EU funding)
    eu_contribution: Decimal  # requested, or max_eu when not given
    eu_overridden: bool  # True when the EU contribution was entered, not computed
    own_cofinancing: Decimal
    other_funding: Decimal
    cofinancing_total: Decimal  # own + other (never other EU funds)
    balance_gap: Decimal  # total - (EU + co-financing): > 0 gap, < 0 surplus
    eu_share: Decimal | None  # EU / total, 4 decimals; None when total is 0
    person_months: Mapping[str, Decimal] = field(default_factory=dict)
    person_months_total: Decimal = ZERO
    role: ParticipantRole | None = None

    @property
    def by_category(self) -> dict[CostCategory, Decimal]:
        """Every category A..E."""
        return {**self.costs.by_category(), CostCategory.E: self.indirect}

    @property
    def purchases(self) -> Decimal:
        """C = C1 + C2 + C3."""
        return self.costs.travel + self.costs.equipment + self.costs.other_goods


def _cap(rate: Decimal, amount: Decimal) -> Decimal:
    """``rate x amount`` rounded *down* to cents: a ceiling must never be exceeded."""
    return (rate * amount).quantize(CENT, rounding=ROUND_DOWN)


def _rate(value: Decimal, what: str) -> Decimal:
    """Check a rate is a Decimal in [0, 1]."""
    if not isinstance(value, Decimal) or not value.is_finite() or not 0 <= value <= 1:
        raise ValueError(f"{what} must be a Decimal between 0 and 1, got {value!r}")
    return value


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` to 4 decimals, None when ``whole`` is zero."""
    if not whole:
        return None
    return (part / whole).quantize(SHARE_QUANTUM, rounding=ROUND_HALF_UP)


def participation_budget(
    costs: CostLines,
    *,
    indirect_rate: Decimal,
    funding_rate: Decimal,
    requested_eu: Decimal | None = None,
    own_cofinancing: Decimal = ZERO,
    other_funding: Decimal = ZERO,
    person_months: Mapping[str, Decimal] | None = None,
    role: ParticipantRole | str | None = None,
    indirect_base: Iterable[CostCategory] = DEFAULT_INDIRECT_BASE,
) -> ParticipationBudget:
    """Compute one participation's budget.

    E = round(indirect_rate x sum of the ``indirect_base`` categories); total = direct + E;
    max EU = funding_rate x total rounded down, or 0 when ``role`` receives no EU funding;
    the EU contribution is ``requested_eu`` when given, else the maximum.
    ``person_months`` maps an action/work-package code to person-months.
    """
    _rate(indirect_rate, "indirect_rate")
    _rate(funding_rate, "funding_rate")
    role = ParticipantRole(role) if role is not None else None
    lines = costs.by_category()
    base = sum((lines[c] for c in set(indirect_base) if c != CostCategory.E), ZERO)
    direct = sum(lines.values(), ZERO)
    indirect = money(indirect_rate * base)
    total = direct + indirect
    funded = role is None or role.receives_eu_funding
    max_eu = _cap(funding_rate, total) if funded and total > 0 else ZERO
    eu = money(requested_eu) if requested_eu is not None else max_eu
    own, other = money(own_cofinancing), money(other_funding)
    if any(isinstance(v, float) for v in (person_months or {}).values()):
        raise TypeError("person-months must be Decimal, never float")
    pms = {str(k): Decimal(v) for k, v in (person_months or {}).items()}
    return ParticipationBudget(
        costs=costs,
        indirect_rate=indirect_rate,
        funding_rate=funding_rate,
        indirect_base=base,
        direct=direct,
        indirect=indirect,
        total=total,
        max_eu=max_eu,
        eu_contribution=eu,
        eu_overridden=requested_eu is not None,
        own_cofinancing=own,
        other_funding=other,
        cofinancing_total=own + other,
        balance_gap=total - eu - own - other,
        eu_share=_share(eu, total),
        person_months=MappingProxyType(pms),
        person_months_total=sum(pms.values(), Decimal(0)),
        role=role,
    )


# --------------------------------------------------------------------------------------
# Consortium


@dataclass(frozen=True, slots=True)
class ConsortiumRow:
    """One participation in the consortium table."""

    key: str  # e.g. participation id
    name: str  # organisation short name
    budget: ParticipationBudget

    @property
    def counted(self) -> bool:
        """Whether the row counts in the project's eligible budget.

        Associated partners and subcontractors are listed but not counted: they have no
        eligible costs of their own (a subcontractor is paid through a beneficiary's B line).
        """
        role = self.budget.role
        return role is None or role.receives_eu_funding


@dataclass(frozen=True, slots=True)
class ConsortiumBudget:
    """The consortium table: rows and exact totals over counted rows."""

    rows: tuple[ConsortiumRow, ...]
    funding_rate: Decimal | None
    by_category: Mapping[CostCategory, Decimal]  # A..E
    direct: Decimal
    indirect: Decimal
    total: Decimal
    eu_total: Decimal
    own_cofinancing_total: Decimal
    other_funding_total: Decimal
    person_months_total: Decimal  # every row, counted or not: associated partners work too
    person_months_by_action: Mapping[str, Decimal]
    max_eu: Decimal  # funding_rate x total, at project level
    funding_rate_respected: bool  # eu_total <= max_eu
    eu_share: Decimal | None  # eu_total / total, 4 decimals
    shares: Mapping[str, Decimal | None]  # row key -> row total / total (None: not counted)


def consortium_budget(
    rows: Sequence[ConsortiumRow], *, funding_rate: Decimal | None = None
) -> ConsortiumBudget:
    """Totals over the rows that count (see :attr:`ConsortiumRow.counted`).

    ``funding_rate`` defaults to the rows' common rate; rows with different rates raise
    ``ValueError`` (the rate belongs to the topic, so it is the same for every row).
    """
    rows = tuple(rows)
    if len({r.key for r in rows}) != len(rows):
        raise ValueError("consortium rows must have distinct keys")
    if funding_rate is None:
        rates = {r.budget.funding_rate for r in rows}
        if len(rates) > 1:
            raise ValueError(f"rows have different funding rates: {sorted(rates)}")
        funding_rate = rates.pop() if rates else None
    else:
        _rate(funding_rate, "funding_rate")
    counted = [r for r in rows if r.counted]
    by_cat = {c: sum((r.budget.by_category[c] for r in counted), ZERO) for c in CostCategory}
    total = sum((r.budget.total for r in counted), ZERO)
    eu_total = sum((r.budget.eu_contribution for r in counted), ZERO)
    max_eu = _cap(funding_rate, total) if funding_rate is not None and total > 0 else ZERO
    respected = funding_rate is None or eu_total <= max_eu
    pm_by_action: dict[str, Decimal] = {}
    for row in rows:
        for action, pm in row.budget.person_months.items():
            pm_by_action[action] = pm_by_action.get(action, Decimal(0)) + pm
    return ConsortiumBudget(
        rows=rows,
        funding_rate=funding_rate,
        by_category=MappingProxyType(by_cat),
        direct=sum((r.budget.direct for r in counted), ZERO),
        indirect=by_cat[CostCategory.E],
        total=total,
        eu_total=eu_total,
        own_cofinancing_total=sum((r.budget.own_cofinancing for r in counted), ZERO),
        other_funding_total=sum((r.budget.other_funding for r in counted), ZERO),
        person_months_total=sum((r.budget.person_months_total for r in rows), Decimal(0)),
        person_months_by_action=MappingProxyType(dict(sorted(pm_by_action.items()))),
        max_eu=max_eu,
        funding_rate_respected=respected,
        eu_share=_share(eu_total, total),
        shares=MappingProxyType(
            {r.key: _share(r.budget.total, total) if r.counted else None for r in rows}
        ),
    )


# --------------------------------------------------------------------------------------
# Coherence checks


ISSUE_TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        "negative_amount": N_("%(category)s is negative (%(amount)s)."),
        "negative_funding": N_("%(what)s is negative (%(amount)s)."),
        "negative_person_months": N_("Person-months for %(action)s are negative (%(value)s)."),
        "eu_above_costs": N_(
            "The EU contribution requested (%(eu)s) is higher than the total "
            "eligible costs (%(total)s)."
        ),
        "eu_above_rate": N_(
            "The EU contribution requested (%(eu)s) is above %(rate)s of the "
            "eligible costs (%(max_eu)s): other partners must request less."
        ),
        "eu_for_unfunded_role": N_(
            "%(role)s: this role receives no EU funding, yet %(eu)s is requested."
        ),
        "costs_for_unfunded_role": N_(
            "%(role)s: this role has no eligible costs of its own; "
            "its costs (%(total)s) are not counted in the project "
            "budget."
        ),
        "funding_gap": N_(
            "EU contribution, co-financing and other funding (%(resources)s) do "
            "not cover the total costs (%(total)s): %(gap)s missing."
        ),
        "funding_surplus": N_(
            "EU contribution, co-financing and other funding (%(resources)s) "
            "exceed the total costs (%(total)s) by %(surplus)s."
        ),
        "person_months_without_personnel": N_(
            "%(person_months)s person-months are declared but there are no personnel costs."
        ),
        "personnel_without_person_months": N_(
            "Personnel costs (%(amount)s) are declared but no person-months."
        ),
        "above_annual_budget": N_(
            "The total costs (%(total)s) are %(ratio)s of the "
            "organisation's annual budget (%(annual)s)."
        ),
        "consortium_above_rate": N_(
            "The consortium requests %(eu)s from the EU, above %(rate)s "
            "of the eligible costs (%(max_eu)s)."
        ),
    }
)

FUNDING_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "eu_contribution": N_("The EU contribution"),
        "own_cofinancing": N_("Own co-financing"),
        "other_funding": N_("Other funding"),
    }
)


def _issue(code: str, severity: Severity, **params: object) -> Finding:
    """The finding ``code`` with its template."""
    return finding(code, severity, ISSUE_TEMPLATES[code], params)


def _sign_checks(budget: ParticipationBudget) -> Iterator[Finding]:
    """Negative amounts, funding and person-months."""
    for cat, amount in budget.costs.by_category().items():
        if amount < 0:
            yield _issue(
                "negative_amount", Severity.ERROR, category=CATEGORY_LABELS[cat], amount=amount
            )
    for key in FUNDING_LABELS:
        amount = getattr(budget, key)
        if amount < 0:
            yield _issue(
                "negative_funding", Severity.ERROR, what=FUNDING_LABELS[key], amount=amount
            )
    for action, pm in budget.person_months.items():
        if pm < 0:
            yield _issue("negative_person_months", Severity.ERROR, action=action, value=pm)


def _funding_checks(budget: ParticipationBudget) -> Iterator[Finding]:
    """The EU contribution against the role, the costs and the rate; the balance of
    resources and costs."""
    role = budget.role
    unfunded = role is not None and not role.receives_eu_funding
    eu = budget.eu_contribution
    if unfunded and eu > 0:
        yield _issue("eu_for_unfunded_role", Severity.ERROR, role=role.label, eu=eu)
    elif eu > budget.total and eu > 0:
        yield _issue("eu_above_costs", Severity.ERROR, eu=eu, total=budget.total)
    elif eu > budget.max_eu:
        yield _issue(
            "eu_above_rate", Severity.WARNING, eu=eu, rate=budget.funding_rate, max_eu=budget.max_eu
        )
    resources = eu + budget.cofinancing_total
    if budget.balance_gap < 0:
        yield _issue(
            "funding_surplus",
            Severity.ERROR,
            resources=resources,
            total=budget.total,
            surplus=-budget.balance_gap,
        )
    if unfunded and budget.total > 0:
        yield _issue("costs_for_unfunded_role", Severity.INFO, role=role.label, total=budget.total)
    elif budget.balance_gap > 0:
        yield _issue(
            "funding_gap",
            Severity.WARNING,
            resources=resources,
            total=budget.total,
            gap=budget.balance_gap,
        )


def _effort_checks(budget: ParticipationBudget) -> Iterator[Finding]:
    """Person-months and personnel costs that go without each other."""
    pm_total = budget.person_months_total
    if pm_total > 0 and budget.costs.personnel == 0:
        yield _issue("person_months_without_personnel", Severity.WARNING, person_months=pm_total)
    if budget.costs.personnel > 0 and pm_total == 0:
        yield _issue(
            "personnel_without_person_months", Severity.WARNING, amount=budget.costs.personnel
        )


def coherence_checks(
    budget: ParticipationBudget,
    *,
    annual_budget: Decimal | None = None,
    annual_budget_ratio: Decimal = Decimal("1"),
) -> list[Finding]:
    """Findings for one participation, errors first then warnings, in a stable order.

    ``annual_budget`` (the organisation's yearly budget, if known) triggers a warning when
    the participation's total exceeds ``annual_budget_ratio`` x that budget.
    """
    issues = [*_sign_checks(budget), *_funding_checks(budget), *_effort_checks(budget)]
    if (
        annual_budget is not None
        and annual_budget > 0
        and (budget.total > annual_budget * annual_budget_ratio)
    ):
        issues.append(
            _issue(
                "above_annual_budget",
                Severity.WARNING,
                total=budget.total,
                ratio=budget.total / annual_budget,
                annual=money(annual_budget),
            )
        )
    return by_severity(issues)


def consortium_checks(consortium: ConsortiumBudget) -> list[Finding]:
    """Project-level findings: the funding rate applies to the whole project."""
    if consortium.funding_rate_respected or consortium.funding_rate is None:
        return []
    return [
        _issue(
            "consortium_above_rate",
            Severity.ERROR,
            eu=consortium.eu_total,
            rate=consortium.funding_rate,
            max_eu=consortium.max_eu,
        )
    ]

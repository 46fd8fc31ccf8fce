"""What the budget charts show: the consortium's costs by partner, by LIFE cost category and
by action (pure).

Partners enter costs by category and person-months by action, not costs by action; the costs
of an action are therefore *estimated* by sharing each partner's eligible costs out over its
actions in proportion to its person-months (the usual work-package estimate).  Costs of a
partner without person-months stay "not allocated".  Every share is in cents and a partner's
shares add up exactly to its costs, so the by-action chart sums to the same total as the
others.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from consortium.commitments.budget import (
    CENT,
    ZERO,
    ConsortiumBudget,
    ConsortiumRow,
    CostCategory,
)

NOT_ALLOCATED = ""  # key of the by-action bar holding the costs of partners without effort


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: ``key`` identifies it (row key, category, action code), ``label`` is shown."""

    key: str
    label: str
    value: Decimal
    percent: float  # length, as a percentage of the longest bar of its chart

    @property
    def empty(self) -> bool:
        return self.value == 0


def _bars(items: Iterable[tuple[str, str, Decimal]]) -> tuple[Bar, ...]:
    items = list(items)
    longest = max((value for _k, _l, value in items), default=ZERO)
    return tuple(
        Bar(key, label, value, float(value / longest * 100) if longest > 0 else 0.0)
        for key, label, value in items
    )


def by_partner(consortium: ConsortiumBudget) -> tuple[Bar, ...]:
    """Eligible costs of each partner that counts, largest first (ties by name)."""
    counted = [r for r in consortium.rows if r.counted]
    ordered = sorted(counted, key=lambda r: (-r.budget.total, r.name.casefold()))
    return _bars((r.key, r.name, r.budget.total) for r in ordered)


def by_category(consortium: ConsortiumBudget) -> tuple[Bar, ...]:
    """Costs of the consortium in each LIFE category A..E, in the categories' order."""
    return _bars((c.value, c.value, consortium.by_category[c]) for c in CostCategory)


def _shares(row: ConsortiumRow) -> dict[str, Decimal]:
    """``row``'s costs shared out over its actions by person-months; the last action takes
    the rounding remainder so the shares add up to the row's costs."""
    total = row.budget.total
    months = {code: pm for code, pm in row.budget.person_months.items() if pm > 0}
    effort = sum(months.values(), Decimal(0))
    if total == 0:
        return {}
    if effort == 0:
        return {NOT_ALLOCATED: total}
    shares: dict[str, Decimal] = {}
    left = total
    codes = sorted(months)
    for code in codes[:-1]:
        share = (total * months[code] / effort).quantize(CENT, rounding=ROUND_HALF_UP)
        shares[code] = share
        left -= share
    shares[codes[-1]] = left
    return shares


def by_action(consortium: ConsortiumBudget, actions: Sequence[tuple[str, str]]) -> tuple[Bar, ...]:
    """Estimated costs of each action, ``actions`` being (code, label) pairs in the order
    shown, then the costs not allocated (only when there are some).  Person-months of partners
    that do not count (associated partners) carry no costs."""
    labels = dict(actions)
    totals = dict.fromkeys(labels, ZERO)
    for row in consortium.rows:
        if not row.counted:
            continue
        for code, share in _shares(row).items():
            totals[code] = totals.get(code, ZERO) + share
    unallocated = totals.pop(NOT_ALLOCATED, ZERO)
    items = [(code, labels.get(code, code), value) for code, value in totals.items()]
    if unallocated:
        items.append((NOT_ALLOCATED, NOT_ALLOCATED, unallocated))
    return _bars(items)


@dataclass(frozen=True, slots=True)
class BudgetCharts:
    """The three charts of the commitments board and the dossier."""

    partners: tuple[Bar, ...]
    categories: tuple[Bar, ...]
    actions: tuple[Bar, ...]

    @property
    def empty(self) -> bool:
        return all(bar.empty for bar in self.categories)


def budget_charts(consortium: ConsortiumBudget, actions: Sequence[tuple[str, str]]) -> BudgetCharts:
    return BudgetCharts(
        partners=by_partner(consortium),
        categories=by_category(consortium),
        actions=by_action(consortium, actions),
    )

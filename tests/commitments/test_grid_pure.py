"""The grid computation without an app: personnel from rates, splits that add up exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consortium.commitments import grid
from consortium.commitments.budget import CostLines, participation_budget


def test_personnel_is_person_months_times_rate_in_cents():
    assert grid.personnel_cost(Decimal("12.5"), Decimal("4321.07")) == Decimal("54013.38")


def test_rate_inside_the_plausible_range_gives_no_finding():
    assert grid.rate_findings(Decimal("5000")) == []
    assert grid.rate_findings(None) == []


@pytest.mark.parametrize("rate", ["250", "15000.01"])
def test_rate_outside_the_range_warns(rate):
    (found,) = grid.rate_findings(Decimal(rate), subject=7)
    assert found.code == "RATE_IMPLAUSIBLE"
    assert found.severity == "warning"
    assert found.subject_ids == (7,)


def test_allocate_gives_the_leftover_cent_to_the_largest_remainder():
    parts = grid.allocate(Decimal("100.00"), {"A1": Decimal(1), "A2": Decimal(1), "A3": Decimal(1)})
    assert parts == {"A1": Decimal("33.34"), "A2": Decimal("33.33"), "A3": Decimal("33.33")}


@given(
    amount=st.decimals(min_value=0, max_value=10**9, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=9999, places=2), min_size=1, max_size=8),
)
def test_allocate_adds_up_to_the_amount(amount, weights):
    keyed = {f"k{i}": w for i, w in enumerate(weights)}
    parts = grid.allocate(amount, keyed)
    if any(w > 0 for w in weights):
        assert sum(parts.values()) == amount
    assert all(p >= 0 for p in parts.values())


def _budget(pm):
    return participation_budget(
        CostLines(personnel=Decimal("60000"), travel=Decimal("10000")),
        indirect_rate=Decimal("0.07"),
        funding_rate=Decimal("0.6"),
        person_months=pm,
    )


def test_by_action_follows_person_months_and_rate():
    bud = _budget({"A1": Decimal("8"), "A2": Decimal("4")})
    split = grid.by_action(bud, Decimal("5000"))
    # A1: 40 000 personnel + 2/3 of (10 000 + E 4 900) = 49 933.33; A2 the rest
    assert split == {"A1": Decimal("49933.33"), "A2": Decimal("24966.67")}
    assert sum(split.values()) == bud.total


def test_without_person_months_the_costs_are_not_assigned():
    bud = _budget({})
    assert grid.by_action(bud, None) == {grid.UNASSIGNED: bud.total}


def test_periods_from_typed_ends():
    assert grid.parse_period_ends("18, 36", 48) == [18, 36, 48]
    assert grid.parse_period_ends("", 36) == [36]
    assert [(p.start, p.end) for p in grid.periods([18, 36, 48], 48)] == [
        (1, 18),
        (19, 36),
        (37, 48),
    ]


@pytest.mark.parametrize(
    "text, code",
    [("36, 18", "not_ascending"), ("60", "beyond"), ("x", "not_a_month"), ("0", "not_a_month")],
)
def test_bad_period_ends_are_refused(text, code):
    with pytest.raises(grid.PeriodError) as error:
        grid.parse_period_ends(text, 48)
    assert error.value.template == grid.PERIOD_TEMPLATES[code]


@given(st.text(max_size=40))
def test_any_period_text_is_read_or_refused(text):
    try:
        ends = grid.parse_period_ends(text, 48)
    except grid.PeriodError:
        return
    assert ends == sorted(set(ends)) and ends[-1] == 48


def test_by_period_spreads_an_action_over_its_months():
    project = grid.periods([18, 36], 48)
    totals = grid.by_period(
        {"A1": Decimal("24000"), "": Decimal("4800")}, {"A1": (13, 24)}, project, 48
    )
    # A1 runs months 13-24: 6 months in period 1, 6 in period 2; the rest over 48 months
    assert totals == [
        Decimal("12000") + Decimal("1800"),
        Decimal("12000") + Decimal("1800"),
        Decimal("1200"),
    ]

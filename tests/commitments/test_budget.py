"""Budget by LIFE cost category: exact hand-computed values, properties, amount parsing."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.commitments.budget import (
    DEFAULT_INDIRECT_BASE,
    ISSUE_TEMPLATES,
    ConsortiumRow,
    CostCategory,
    CostLines,
    coherence_checks,
    consortium_budget,
    consortium_checks,
    money,
    participation_budget,
)
from consortium.commitments.workflow import ParticipantRole
from consortium.findings import Finding as Issue
from consortium.findings import Severity

SEVEN, SIXTY = D("0.07"), D("0.60")
NBSP = "\u00a0"


def example_costs() -> CostLines:
    """The brief's example: A=10000, B=2000, C1=500, C2=1000, C3=1500, D=0."""
    return CostLines(
        personnel=D(10000),
        subcontracting=D(2000),
        travel=D(500),
        equipment=D(1000),
        other_goods=D(1500),
        other_costs=D(0),
    )


def test_example_budget_exact_values() -> None:
    # E applies to A + C + D = 13 000 (not to B): 7 % -> 910.00.  B is still an eligible
    # direct cost, so total eligible costs = 15 000 + 910 = 15 910.00 and the maximum EU
    # contribution at 60 % = 9 546.00.  (13 910.00 / 8 346.00 would leave B out of the
    # total, which the corporate budget model does not do.)
    b = participation_budget(example_costs(), indirect_rate=SEVEN, funding_rate=SIXTY)
    assert b.indirect_base == D("13000.00")
    assert b.indirect == D("910.00")
    assert b.direct == D("15000.00")
    assert b.total == D("15910.00")
    assert b.max_eu == D("9546.00")
    assert b.eu_contribution == D("9546.00")
    assert b.eu_overridden is False
    assert b.purchases == D("3000.00")
    assert b.eu_share == D("0.6000")
    assert b.balance_gap == D("6364.00")
    assert b.by_category == {
        CostCategory.A: D("10000.00"),
        CostCategory.B: D("2000.00"),
        CostCategory.C1: D("500.00"),
        CostCategory.C2: D("1000.00"),
        CostCategory.C3: D("1500.00"),
        CostCategory.D: D("0.00"),
        CostCategory.E: D("910.00"),
    }


def test_example_without_subcontracting_gives_the_13910_figure() -> None:
    costs = dataclasses.replace(example_costs(), subcontracting=D(0))
    b = participation_budget(costs, indirect_rate=SEVEN, funding_rate=SIXTY)
    assert (b.indirect, b.total, b.max_eu) == (D("910.00"), D("13910.00"), D("8346.00"))


def test_indirect_costs_round_half_up_and_cap_rounds_down() -> None:
    # 17.50 x 7 % = 1.225 -> 1.23 (half-even would give 1.22)
    b = participation_budget(
        CostLines(personnel=D("17.50")), indirect_rate=SEVEN, funding_rate=SIXTY
    )
    assert b.indirect == D("1.23")
    assert b.total == D("18.73")
    # 18.73 x 60 % = 11.238 -> the cap is 11.23, never above rate x costs
    assert b.max_eu == D("11.23")


def test_custom_indirect_base_without_d() -> None:
    costs = CostLines(personnel=D(1000), other_costs=D(500))
    base = DEFAULT_INDIRECT_BASE - {CostCategory.D}
    b = participation_budget(costs, indirect_rate=SEVEN, funding_rate=SIXTY, indirect_base=base)
    assert (b.indirect_base, b.indirect, b.total) == (D("1000.00"), D("70.00"), D("1570.00"))


def test_requested_eu_override_co_financing_and_balance() -> None:
    b = participation_budget(
        example_costs(),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        requested_eu=D("8000"),
        own_cofinancing=D("6910"),
        other_funding=D("1000"),
        person_months={"WP1": D(12)},
    )
    assert (b.eu_contribution, b.eu_overridden) == (D("8000.00"), True)
    assert b.cofinancing_total == D("7910.00")
    assert b.balance_gap == D("0.00")
    assert b.eu_share == D("0.5028")
    assert coherence_checks(b) == []


def test_roles_without_eu_funding_get_no_maximum() -> None:
    b = participation_budget(
        example_costs(),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        role=ParticipantRole.ASSOCIATED_PARTNER,
    )
    assert (b.max_eu, b.eu_contribution) == (D("0.00"), D("0.00"))
    assert b.role is ParticipantRole.ASSOCIATED_PARTNER


def test_rates_and_floats_are_refused() -> None:
    with pytest.raises(ValueError, match="funding_rate must be a Decimal between 0 and 1"):
        participation_budget(CostLines(), indirect_rate=SEVEN, funding_rate=D("60"))
    with pytest.raises(ValueError, match="indirect_rate"):
        participation_budget(
            CostLines(),
            indirect_rate=0.07,  # type: ignore[arg-type]
            funding_rate=SIXTY,
        )
    with pytest.raises(TypeError, match="never float"):
        CostLines(personnel=1000.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="never float"):
        participation_budget(
            CostLines(), indirect_rate=SEVEN, funding_rate=SIXTY, requested_eu=10.5
        )  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="never float"):
        participation_budget(
            CostLines(), indirect_rate=SEVEN, funding_rate=SIXTY, person_months={"WP1": 2.5}
        )  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="finite"):
        CostLines(personnel=D("NaN"))


def test_cost_lines_from_categories() -> None:
    lines = CostLines.from_categories({"A": D("1.005"), CostCategory.C2: D(3)})
    assert lines == CostLines(personnel=D("1.01"), equipment=D("3.00"))
    with pytest.raises(ValueError, match="computed"):
        CostLines.from_categories({"E": D(1)})


# -- coherence checks ------------------------------------------------------------------


def codes(issues: list[Issue]) -> list[tuple[str, Severity]]:
    return [(i.code, i.severity) for i in issues]


def test_eu_above_rate_is_a_warning_with_exact_message() -> None:
    b = participation_budget(
        example_costs(),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        requested_eu=D("10000"),
        own_cofinancing=D("5910"),
        person_months={"WP2": D("6.5")},
    )
    issues = coherence_checks(b)
    assert codes(issues) == [("eu_above_rate", Severity.WARNING)]
    assert issues[0].params == {"eu": D("10000.00"), "rate": D("0.60"), "max_eu": D("9546.00")}
    assert issues[0].message == (
        "The EU contribution requested (10000.00) is above 60% of the eligible costs "
        "(9546.00): other partners must request less."
    )


def test_all_issue_kinds() -> None:
    costs = CostLines(personnel=D(-5), travel=D(100))
    b = participation_budget(
        costs,
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        requested_eu=D(500),
        own_cofinancing=D(-1),
        person_months={"WP1": D(-1)},
    )
    assert codes(coherence_checks(b)) == [
        ("negative_amount", Severity.ERROR),
        ("negative_funding", Severity.ERROR),
        ("negative_person_months", Severity.ERROR),
        ("eu_above_costs", Severity.ERROR),
        ("funding_surplus", Severity.ERROR),
    ]


def test_funding_gap_and_person_month_mismatches() -> None:
    b = participation_budget(
        CostLines(personnel=D(1000)),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        own_cofinancing=D(100),
    )
    issues = coherence_checks(b)
    assert codes(issues) == [
        ("funding_gap", Severity.WARNING),
        ("personnel_without_person_months", Severity.WARNING),
    ]
    assert issues[0].params == {"resources": D("742.00"), "total": D("1070.00"), "gap": D("328.00")}
    b2 = participation_budget(
        CostLines(travel=D(100)),
        indirect_rate=SEVEN,
        funding_rate=D("1"),
        person_months={"WP1": D(2)},
    )
    assert codes(coherence_checks(b2)) == [("person_months_without_personnel", Severity.WARNING)]


@pytest.mark.parametrize(
    "role", [ParticipantRole.ASSOCIATED_PARTNER, ParticipantRole.SUBCONTRACTOR]
)
def test_unfunded_roles_requesting_eu_money(role: ParticipantRole) -> None:
    b = participation_budget(
        CostLines(), indirect_rate=SEVEN, funding_rate=SIXTY, requested_eu=D(1000), role=role
    )
    issues = coherence_checks(b)
    assert codes(issues) == [
        ("eu_for_unfunded_role", Severity.ERROR),
        ("funding_surplus", Severity.ERROR),
    ]
    assert issues[0].params == {"role": role.label, "eu": D("1000.00")}
    b2 = participation_budget(
        CostLines(other_goods=D(200)),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        own_cofinancing=D(214),
        role=role,
    )
    assert codes(coherence_checks(b2)) == [("costs_for_unfunded_role", Severity.INFO)]


def test_share_of_annual_budget() -> None:
    b = participation_budget(
        example_costs(),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        own_cofinancing=D(6364),
        person_months={"WP1": D(8)},
    )
    assert coherence_checks(b, annual_budget=D(20000)) == []
    issues = coherence_checks(b, annual_budget=D(5000))
    assert issues == [
        Issue(
            "above_annual_budget",
            Severity.WARNING,
            ISSUE_TEMPLATES["above_annual_budget"],
            {"total": D("15910.00"), "ratio": D("3.182"), "annual": D("5000.00")},
        )
    ]
    assert codes(coherence_checks(b, annual_budget=D(20000), annual_budget_ratio=D("0.5"))) == [
        ("above_annual_budget", Severity.WARNING)
    ]


# -- consortium ------------------------------------------------------------------------


def _rows() -> list[ConsortiumRow]:
    coord = participation_budget(
        example_costs(),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        role="coordinating_beneficiary",
        person_months={"WP1": D(4), "WP2": D("2.5")},
    )
    ben = participation_budget(
        CostLines(personnel=D(4000), travel=D(300)),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        requested_eu=D(3000),
        role="beneficiary",
        person_months={"WP2": D(3)},
    )
    assoc = participation_budget(
        CostLines(personnel=D(999)),
        indirect_rate=SEVEN,
        funding_rate=SIXTY,
        role="associated_partner",
        person_months={"WP3": D(1)},
    )
    return [
        ConsortiumRow("1", "Ville de Marseille", coord),
        ConsortiumRow("2", "Cœur de Ville", ben),
        ConsortiumRow("3", "Jardin", assoc),
    ]


def test_consortium_totals_exact() -> None:
    c = consortium_budget(_rows())
    # beneficiary: direct 4300, E = 301.00, total 4601.00
    assert c.by_category[CostCategory.A] == D("14000.00")
    assert c.by_category[CostCategory.C1] == D("800.00")
    assert c.by_category[CostCategory.E] == D("1211.00")
    assert (c.direct, c.indirect, c.total) == (D("19300.00"), D("1211.00"), D("20511.00"))
    assert c.eu_total == D("12546.00")
    assert c.max_eu == D("12306.60")
    assert c.funding_rate_respected is False
    assert c.eu_share == D("0.6117")
    assert dict(c.shares) == {"1": D("0.7757"), "2": D("0.2243"), "3": None}
    assert c.person_months_total == D("10.5")
    assert dict(c.person_months_by_action) == {"WP1": D(4), "WP2": D("5.5"), "WP3": D(1)}
    assert codes(consortium_checks(c)) == [("consortium_above_rate", Severity.ERROR)]
    assert consortium_checks(c)[0].message == (
        "The consortium requests 12546.00 from the EU, above 60% of the eligible costs (12306.60)."
    )


def test_consortium_rejects_mixed_rates_and_duplicate_keys() -> None:
    rows = _rows()
    other = participation_budget(CostLines(), indirect_rate=SEVEN, funding_rate=D("0.75"))
    with pytest.raises(ValueError, match="different funding rates"):
        consortium_budget([*rows, ConsortiumRow("4", "x", other)])
    with pytest.raises(ValueError, match="distinct keys"):
        consortium_budget([rows[0], rows[0]])
    empty = consortium_budget([])
    assert (empty.total, empty.eu_total, empty.funding_rate_respected) == (
        D("0.00"),
        D("0.00"),
        True,
    )


# -- properties ------------------------------------------------------------------------

amounts = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)
rates = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 100)
cost_lines = st.builds(CostLines, amounts, amounts, amounts, amounts, amounts, amounts)
roles = st.sampled_from([None, *ParticipantRole])


def _walk_no_float(value: object) -> None:
    """Fail if a float hides anywhere in ``value``."""
    assert not isinstance(value, float)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _walk_no_float(getattr(value, f.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _walk_no_float(key)
            _walk_no_float(item)
    elif isinstance(value, tuple | list):
        for item in value:
            _walk_no_float(item)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(cost_lines, roles, st.one_of(st.none(), amounts)), max_size=6), rates, rates
)
def test_consortium_totals_are_exact_sums(rows_in, indirect_rate, funding_rate) -> None:
    rows = [
        ConsortiumRow(
            str(i),
            f"org {i}",
            participation_budget(
                costs,
                indirect_rate=indirect_rate,
                funding_rate=funding_rate,
                requested_eu=eu,
                role=role,
            ),
        )
        for i, (costs, role, eu) in enumerate(rows_in)
    ]
    c = consortium_budget(rows, funding_rate=funding_rate)
    counted = [r.budget for r in rows if r.counted]
    for cat in CostCategory:
        assert c.by_category[cat] == sum((b.by_category[cat] for b in counted), D(0))
    assert c.total == sum((b.total for b in counted), D(0))
    assert c.total == sum(c.by_category.values(), D(0))
    assert c.eu_total == sum((b.eu_contribution for b in counted), D(0))
    for b in (r.budget for r in rows):
        assert b.total == b.direct + b.indirect
        assert b.indirect == money(indirect_rate * b.indirect_base)
        assert b.eu_contribution + b.cofinancing_total + b.balance_gap == b.total
        if not b.eu_overridden:
            assert b.eu_contribution <= funding_rate * b.total
    if all(not r.budget.eu_overridden for r in rows):
        assert c.funding_rate_respected
    assert c.max_eu <= funding_rate * c.total
    _walk_no_float(c)

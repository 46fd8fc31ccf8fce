"""The budget charts' figures: by partner, by LIFE cost category, and by action (pure)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.commitments.budget import (
    ConsortiumRow,
    CostLines,
    consortium_budget,
    participation_budget,
)
from consortium.commitments.budget_charts import (
    NOT_ALLOCATED,
    budget_charts,
    by_action,
    by_category,
    by_partner,
)

D = Decimal
ACTIONS = [("A1", "A1 Audits"), ("A2", "A2 Platform"), ("A3", "A3 Training")]


def row(key, name, personnel, months=None, role="beneficiary", travel=0):
    budget = participation_budget(
        CostLines(personnel=D(personnel), travel=D(travel)),
        indirect_rate=D("0.07"),
        funding_rate=D("0.60"),
        person_months={k: D(v) for k, v in (months or {}).items()},
        role=role,
    )
    return ConsortiumRow(key, name, budget)


def test_partners_come_largest_first_and_associated_partners_are_left_out():
    consortium = consortium_budget(
        [
            row("1", "VDM", 100000),
            row("2", "MCP", 300000),
            row("3", "AMP", 0, role="associated_partner"),
            row("4", "BBS", 100000, travel=1000),
        ]
    )

    bars = by_partner(consortium)

    # 7% indirect costs on A + C: 107,000 / 321,000 / 108,070.
    assert [(b.label, b.value, round(b.percent, 2)) for b in bars] == [
        ("MCP", D("321000.00"), 100.0),
        ("BBS", D("108070.00"), 33.67),
        ("VDM", D("107000.00"), 33.33),
    ]


def test_categories_keep_the_life_order_with_indirect_costs_last():
    consortium = consortium_budget([row("1", "VDM", 100000, travel=2000)])

    assert [(b.key, b.value) for b in by_category(consortium)] == [
        ("A", D("100000.00")),
        ("B", D("0.00")),
        ("C1", D("2000.00")),
        ("C2", D("0.00")),
        ("C3", D("0.00")),
        ("D", D("0.00")),
        ("E", D("7140.00")),
    ]


def test_action_costs_share_each_partner_out_by_its_person_months():
    consortium = consortium_budget(
        [
            row("1", "VDM", 100000, {"A1": 10, "A2": 30}),  # 107,000: A1 26,750, A2 80,250
            row("2", "MCP", 200000, {"A2": 12}),  # 214,000 all on A2
            row("3", "IUTD", 50000),  # 53,500 without person-months
            row("4", "AMP", 0, {"A3": 6}, role="associated_partner"),  # works, costs nothing
        ]
    )

    bars = by_action(consortium, ACTIONS)

    assert [(b.key, b.label, b.value) for b in bars] == [
        ("A1", "A1 Audits", D("26750.00")),
        ("A2", "A2 Platform", D("294250.00")),
        ("A3", "A3 Training", D("0.00")),
        (NOT_ALLOCATED, NOT_ALLOCATED, D("53500.00")),
    ]
    assert sum(b.value for b in bars) == consortium.total


def test_an_uneven_split_gives_the_remainder_cent_to_the_last_action():
    consortium = consortium_budget([row("1", "VDM", 100, {"A1": 1, "A2": 1, "A3": 1})])

    # 107.00 / 3 = 35.67 (rounded half up) twice, 35.66 for A3.
    assert [b.value for b in by_action(consortium, ACTIONS)] == [D("35.67"), D("35.67"), D("35.66")]


def test_an_empty_consortium_draws_empty_charts():
    charts = budget_charts(consortium_budget([]), ACTIONS)

    assert charts.empty
    assert charts.partners == ()
    assert [b.value for b in charts.actions] == [D("0.00")] * 3
    assert all(b.percent == 0.0 for b in charts.categories)


amounts = st.integers(min_value=0, max_value=10**9)
efforts = st.dictionaries(
    st.sampled_from(["A1", "A2", "A3"]),
    st.decimals(min_value=0, max_value=500, places=1),
    max_size=3,
)


@settings(deadline=None)  # the machine is shared: no timing in tests
@given(st.lists(st.tuples(amounts, efforts), max_size=8))
def test_every_chart_adds_up_to_the_consortium_total(rows):
    consortium = consortium_budget(
        [row(str(n), f"P{n}", personnel, months) for n, (personnel, months) in enumerate(rows)]
    )

    charts = budget_charts(consortium, ACTIONS)

    for bars in (charts.partners, charts.categories, charts.actions):
        assert sum((b.value for b in bars), D(0)) == consortium.total
        assert all(0.0 <= b.percent <= 100.0 for b in bars)

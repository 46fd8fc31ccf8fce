"""The network through time: the time control's steps and the before/after figures."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from consortium.network.analysis import OrgNode, TieEvidence, build_graph
from consortium.network.timeline import Round, attended_rounds, growth, known_by, steps

ROUNDS = (
    Round(2, date(2024, 3, 21), frozenset({1, 2})),
    Round(1, date(2024, 2, 8), frozenset({1, 2, 3})),
    Round(3, date(2024, 5, 16), frozenset({1})),
)


def graph() -> nx.Graph:
    """A path 1-2-3 known before 2024, then 3-4 (2024) and 4-5, 1-5 (2025); 6-7 undated."""
    nodes = [OrgNode(i, f"Org {i}") for i in range(1, 8)]
    ties = [
        TieEvidence(1, 2, "declared", "formal_agreement", 2020),
        TieEvidence(2, 3, "declared", "informal", 2022),
        TieEvidence(3, 4, "declared", "informal", 2024),
        TieEvidence(4, 5, "past_project", None, 2025, "P"),
        TieEvidence(1, 5, "declared", "informal", 2025),
        TieEvidence(6, 7, "declared", "informal", None),
        # A later piece of evidence on an old tie does not make the tie new.
        TieEvidence(1, 2, "declared", "informal", 2025),
    ]
    return build_graph(nodes, ties)


def test_rounds_come_between_the_years_before_their_own_year() -> None:
    found = [(s.until, s.round) for s in steps(graph(), ROUNDS)]
    assert found == [
        (2020, None),
        (2022, None),
        (2023, 1),
        (2023, 2),
        (2023, 3),
        (2024, None),
        (2025, None),
        (None, None),
    ]


def test_without_rounds_the_steps_are_the_years_then_everything() -> None:
    assert [s.until for s in steps(graph(), ())] == [2020, 2022, 2024, 2025, None]
    assert [s.until for s in steps(nx.Graph(), ())] == [None]


def test_known_by_keeps_every_node_and_undated_ties() -> None:
    g = graph()
    early = known_by(g, 2023)
    assert set(early) == set(g)
    assert sorted(tuple(sorted(e)) for e in early.edges) == [(1, 2), (2, 3), (6, 7)]
    assert known_by(g, None) is g


def test_growth_counts_new_ties_density_largest_group_and_new_brokers() -> None:
    result = growth(graph(), ROUNDS)
    assert result is not None and result.before_year == 2024
    assert (result.before.ties, result.after.ties, result.new_ties) == (3, 6, 3)
    assert result.before.density == pytest.approx(3 / 21)
    assert result.after.density == pytest.approx(6 / 21)
    assert (result.before.largest_component, result.after.largest_component) == (3, 5)
    # Before, only 2 lay between others (1-2-3); the ring 1-2-3-4-5 makes everyone a broker.
    assert result.before.brokers == frozenset({2})
    assert set(result.new_brokers) == {1, 3, 4, 5}


def test_no_growth_without_a_round() -> None:
    assert growth(graph(), ()) is None


def test_attended_rounds_by_organisation() -> None:
    assert attended_rounds(ROUNDS) == {1: (1, 2, 3), 2: (1, 2), 3: (1,)}

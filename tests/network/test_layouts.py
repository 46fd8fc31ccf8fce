"""Layouts of the map: deterministic, bounded, loners in their own strip, members in the
middle, clusters apart, the ego at the centre of its rings."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.network.layouts import LAYOUTS, STRIP_COLUMNS, isolated_nodes, place


def labelled(graph: nx.Graph) -> nx.Graph:
    for v in graph:
        graph.nodes[v]["label"] = f"Org {v:02d}"
    return graph


def two_groups_and_loners() -> nx.Graph:
    graph = labelled(nx.Graph())
    graph.add_edges_from(nx.complete_graph(range(0, 5)).edges)
    graph.add_edges_from(nx.complete_graph(range(5, 10)).edges)
    graph.add_edge(4, 5)
    graph.add_nodes_from([20, 21])
    return labelled(graph)


def test_organisations_without_ties_sit_in_a_strip_under_the_layout() -> None:
    graph = two_groups_and_loners()
    for mode in LAYOUTS:
        pos = place(graph, mode, members={0, 1}, communities={v: v // 5 for v in graph})
        tied_bottom = min(pos[v][1] for v in range(10))
        assert pos[20][1] == pos[21][1] < tied_bottom  # one row, below everything tied
        assert pos[20][0] < pos[21][0]  # in name order
        # The loners take no room in the layout: the tied part still spans [-1, 1].
        xs = [pos[v][0] for v in range(10)]
        ys = [pos[v][1] for v in range(10)]
        assert max(max(xs) - min(xs), max(ys) - min(ys)) == pytest.approx(2.0, abs=1e-4)


def test_the_strip_wraps_after_a_full_row() -> None:
    graph = labelled(nx.Graph())
    graph.add_edge(0, 1)
    graph.add_nodes_from(range(100, 100 + STRIP_COLUMNS + 2))
    pos = place(labelled(graph))
    rows = sorted({pos[v][1] for v in range(100, 100 + STRIP_COLUMNS + 2)}, reverse=True)
    assert len(rows) == 2
    assert sum(1 for v in pos if pos[v][1] == rows[1]) == 2


def test_members_sit_inside_the_others() -> None:
    graph = two_groups_and_loners()
    pos = place(graph, "members", members={0, 5})
    radius = {v: math.hypot(*pos[v]) for v in range(10)}
    assert max(radius[0], radius[5]) < min(radius[v] for v in range(10) if v not in (0, 5))


def test_clusters_do_not_mix() -> None:
    graph = two_groups_and_loners()
    pos = place(graph, "cluster", communities={v: 0 if v < 5 else 1 for v in graph})

    def box(nodes):
        xs = [pos[v][0] for v in nodes]
        ys = [pos[v][1] for v in nodes]
        return min(xs), max(xs), min(ys), max(ys)

    a, b = box(range(5)), box(range(5, 10))
    apart = a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
    assert apart


def test_the_ego_is_in_the_middle_of_its_rings() -> None:
    graph = labelled(nx.path_graph(5))  # 0-1-2-3-4, ego 2
    pos = place(graph, "force", ego=2)
    centre = pos[2]
    distance = {v: math.hypot(pos[v][0] - centre[0], pos[v][1] - centre[1]) for v in graph}
    assert distance[1] == pytest.approx(distance[3])
    assert distance[0] == pytest.approx(distance[4])
    assert distance[0] > distance[1] > 0


def test_isolated_nodes_are_in_name_order() -> None:
    graph = nx.Graph()
    graph.add_node(1, label="Zèbre")
    graph.add_node(2, label="abeille")
    graph.add_node(3, label="Bison")
    assert isolated_nodes(graph) == [2, 3, 1]


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 25).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0))), max_size=40
            ),
            st.sampled_from([*LAYOUTS, "unknown"]),
        )
    )
)
def test_every_node_gets_a_finite_position_the_same_every_time(spec) -> None:
    n, edges, mode = spec
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    graph = labelled(graph)
    communities = {v: v % 3 for v in graph}
    first = place(graph, mode, members={0, 1}, communities=communities)
    assert first == place(graph, mode, members={0, 1}, communities=communities)
    assert list(first) == list(graph)
    assert all(math.isfinite(c) for xy in first.values() for c in xy)
    tied = [v for v in graph if graph.degree(v)]
    assert all(-1.0 <= c <= 1.0 for v in tied for c in first[v])

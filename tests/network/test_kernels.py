"""The graph kernels' contract: the same answers as networkx on the same graphs."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.network.analysis import OrgNode, TieEvidence, analyse, build_graph
from consortium.network.kernels import (
    betweenness,
    bridges_and_cut_points,
    label_propagation,
    structural_holes,
)

small_graphs = st.integers(0, 14).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(
                st.integers(0, max(n - 1, 0)),
                st.integers(0, max(n - 1, 0)),
                st.sampled_from([1.0, 2.0, 3.5]),
            ),
            max_size=30,
        ),
    )
)


@settings(max_examples=120, deadline=None)
@given(small_graphs)
def test_metrics_match_networkx(spec: tuple[int, list[tuple[int, int, float]]]) -> None:
    n, edges = spec
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from((a, b, w) for a, b, w in edges if a != b)
    assert betweenness(graph) == pytest.approx(nx.betweenness_centrality(graph))
    if n > 3:
        assert betweenness(graph, k=3, seed=5) == pytest.approx(
            nx.betweenness_centrality(graph, k=3, seed=5)
        )
    constraint, esize = structural_holes(graph)
    expected_c = nx.constraint(graph, weight="weight")
    expected_e = nx.effective_size(graph, weight="weight")
    for node in graph:
        if graph.degree(node) == 0:
            assert node not in constraint
        else:
            assert constraint[node] == pytest.approx(expected_c[node])
            assert esize[node] == pytest.approx(expected_e[node])
    bridges, cuts = bridges_and_cut_points(graph)
    assert list(bridges) == sorted(tuple(sorted(e)) for e in nx.bridges(graph))
    assert list(cuts) == sorted(nx.articulation_points(graph))


def test_large_graphs_use_seeded_label_propagation():
    # Two dense groups of six joined by one weak tie.
    nodes = [OrgNode(i, f"Org {i}") for i in range(12)]
    ties = [
        TieEvidence(a, b, "declared", "formal_agreement") for a in range(6) for b in range(a + 1, 6)
    ]
    ties += [
        TieEvidence(a, b, "declared", "formal_agreement")
        for a in range(6, 12)
        for b in range(a + 1, 12)
    ]
    ties.append(TieEvidence(5, 6, "workshop"))
    graph = build_graph(nodes, ties)
    small = analyse(graph, exact_limit=100)
    large = analyse(graph, exact_limit=5, samples=5)
    assert small.community_method == "louvain"
    assert large.community_method == "label_propagation"
    assert large.communities == ((0, 1, 2, 3, 4, 5), (6, 7, 8, 9, 10, 11))
    assert sorted(map(sorted, label_propagation(graph, seed=3))) == [
        [0, 1, 2, 3, 4, 5],
        [6, 7, 8, 9, 10, 11],
    ]
    assert label_propagation(build_graph([], []), seed=1) == []
    lonely = label_propagation(build_graph([OrgNode(1, "a"), OrgNode(2, "b")], []))
    assert sorted(map(sorted, lonely)) == [[1], [2]]


def test_dense_betweenness_matches_networkx_with_isolated_nodes():
    graph = nx.barbell_graph(5, 3)
    graph.add_node(99)
    graph.add_node(-1)
    expected = nx.betweenness_centrality(graph)
    ours = betweenness(graph)
    assert ours.keys() == expected.keys()
    assert all(abs(ours[v] - expected[v]) < 1e-12 for v in graph)


def test_one_search_gives_bridges_cut_points_and_components_like_networkx():
    """The iterative DFS on sparse graphs full of bridges, with self-loops and isolated nodes."""
    for seed in range(12):
        rng = random.Random(seed)
        n = rng.randint(30, 300)
        graph = nx.gnm_random_graph(n, rng.randint(n // 2, 2 * n), seed=seed)
        for u, v in graph.edges():
            graph.edges[u, v]["weight"] = rng.choice([1.0, 1.585, 2.0, 3.1699])
        for _ in range(3):
            loop = rng.randrange(n)
            graph.add_edge(loop, loop, weight=2.0)
        bridges, cuts = bridges_and_cut_points(graph)
        assert list(bridges) == sorted(tuple(sorted(e)) for e in nx.bridges(graph))
        assert list(cuts) == sorted(nx.articulation_points(graph))
        result = analyse(graph, exact_limit=20, samples=10)
        assert result.components == nx.number_connected_components(graph)
        assert (result.bridges, result.articulation_points) == (bridges, cuts)
        assert result.degree == dict(graph.degree())
        assert result.weighted_degree == {
            v: round(float(d), 4) for v, d in graph.degree(weight="weight")
        }
        plain = nx.Graph(graph)
        plain.remove_edges_from(nx.selfloop_edges(plain))
        result = analyse(plain, exact_limit=20, samples=10)
        assert result.degree == dict(plain.degree())
        assert result.weighted_degree == {
            v: round(float(d), 4) for v, d in plain.degree(weight="weight")
        }


def test_cut_structure_of_a_long_path_needs_no_recursion():
    path = nx.path_graph(20_000)
    bridges, cuts = bridges_and_cut_points(path)
    assert len(bridges) == 19_999 and cuts == tuple(range(1, 19_999))
    assert analyse(path, exact_limit=100, samples=5).components == 1


def test_structural_holes_of_some_nodes_match_networkx():
    rng = random.Random(4)
    graph = nx.connected_watts_strogatz_graph(80, 6, 0.3, seed=2)
    for u, v in graph.edges():
        graph.edges[u, v]["weight"] = rng.choice([1, 2.0, 3.5])
    some = [0, 5, 17, 40, 79]
    constraint, esize = structural_holes(graph, some)
    assert sorted(constraint) == sorted(esize) == some
    expected_c = nx.constraint(graph, nodes=some, weight="weight")
    expected_e = nx.effective_size(graph, nodes=some, weight="weight")
    for node in some:
        assert constraint[node] == pytest.approx(expected_c[node])
        assert esize[node] == pytest.approx(expected_e[node])

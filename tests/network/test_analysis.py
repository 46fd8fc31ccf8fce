"""Known answers for the network analysis on small graphs, plus agreement with networkx."""

from __future__ import annotations

import networkx as nx
import pytest

from consortium.network.analysis import (
    OrgNode,
    TieEvidence,
    analyse,
    build_graph,
    edge_weight,
    filter_graph,
    insights,
    proposal_view,
    suggest_bridges,
    what_if,
)


def orgs(*ids: int, themes: dict[int, tuple[str, ...]] | None = None) -> list[OrgNode]:
    return [OrgNode(i, f"Org {i}", "association", "FR", (themes or {}).get(i, ())) for i in ids]


def ties(*pairs: tuple[int, int]) -> list[TieEvidence]:
    return [TieEvidence(a, b, "declared", "informal") for a, b in pairs]


def two_triangles() -> nx.Graph:
    """Triangles 1-2-3 and 4-5-6 joined by the edge 3-4."""
    themes = dict.fromkeys((1, 2, 3), ("réemploi",)) | dict.fromkeys((4, 5, 6), ("végétalisation",))
    edges = ties((1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4))
    return build_graph(orgs(1, 2, 3, 4, 5, 6, themes=themes), edges)


def test_weight_and_provenance_are_aggregated() -> None:
    evidence = [
        TieEvidence(2, 1, "declared", "formal_agreement", 2019, "conv-1"),
        TieEvidence(1, 2, "declared", "formal_agreement", 2019, "conv-1"),  # same, reversed
        TieEvidence(1, 2, "workshop", None, 2023, "ws-1"),
        TieEvidence(1, 2, "workshop", None, 2024, "ws-2"),
        TieEvidence(1, 1, "workshop", None, 2024, "ws-2"),  # self-tie
        TieEvidence(1, 9, "action", None, 2024, "a-1"),  # unknown organisation
    ]
    graph = build_graph(orgs(1, 2), evidence)
    edge = graph.edges[1, 2]
    assert edge["points"] == 5
    assert edge["weight"] == edge_weight(5) == 2.585
    assert edge["count"] == 3
    assert edge["kinds"] == ("formal_agreement", "workshop")
    assert edge["sources"] == ("declared", "workshop")
    assert (edge["first_year"], edge["last_year"]) == (2019, 2024)
    assert edge["refs"] == ("conv-1", "ws-1", "ws-2")
    assert graph.graph["dropped_evidence"] == 2
    assert edge_weight(1) == 1.0 and edge_weight(3) == 2.0 and edge_weight(0) == 0.0


def test_a_stronger_declared_tie_weighs_more_and_louvain_follows_it() -> None:
    """A tie's stored strength multiplies its points: declared three times (or backed by three
    recent shared projects) beats declared once; an unweighted tie is unchanged."""
    evidence = [
        TieEvidence(1, 2, "declared", "past_project", 2024, None, 3.0),
        TieEvidence(3, 4, "declared", "past_project", 2024, None),
        TieEvidence(5, 6, "declared", "other", None, None, 0.25),
    ]
    graph = build_graph(orgs(1, 2, 3, 4, 5, 6), evidence)
    assert (graph.edges[1, 2]["points"], graph.edges[1, 2]["weight"]) == (9.0, 3.3219)
    assert (graph.edges[3, 4]["points"], graph.edges[3, 4]["weight"]) == (3, 2.0)
    assert (graph.edges[5, 6]["points"], graph.edges[5, 6]["weight"]) == (0.25, 0.3219)
    assert graph.edges[5, 6]["kinds"] == ("other",)
    # A path 1-2-3-4 where 2-3 is weak: the communities cut the weak tie.
    chain = build_graph(
        orgs(1, 2, 3, 4),
        [
            TieEvidence(1, 2, "declared", "formal_agreement", None, None, 4.0),
            TieEvidence(2, 3, "declared", "informal", None, None, 0.1),
            TieEvidence(3, 4, "declared", "formal_agreement", None, None, 4.0),
        ],
    )
    assert analyse(chain).communities == ((1, 2), (3, 4))


def test_path_betweenness_is_exact() -> None:
    graph = build_graph(orgs(1, 2, 3, 4), ties((1, 2), (2, 3), (3, 4)))
    result = analyse(graph)
    assert result.betweenness == {1: 0.0, 2: 2 / 3, 3: 2 / 3, 4: 0.0}
    assert result.bridges == ((1, 2), (2, 3), (3, 4))
    assert result.articulation_points == (2, 3)
    assert result.degree == {1: 1, 2: 2, 3: 2, 4: 1}
    assert not result.approximate


def test_star() -> None:
    graph = build_graph(orgs(0, 1, 2, 3, 4), ties((0, 1), (0, 2), (0, 3), (0, 4)))
    result = analyse(graph, {1, 2})
    assert result.betweenness[0] == 1.0
    assert all(result.betweenness[i] == 0.0 for i in (1, 2, 3, 4))
    assert result.articulation_points == (0,)
    assert result.brokers == (0,)
    assert result.constraint[0] == pytest.approx(0.25)
    assert result.effective_size[0] == pytest.approx(4.0)
    assert result.isolated_members == (1, 2)
    assert result.member_components == 2
    assert result.reach == frozenset({0, 3, 4})


def test_two_triangles_joined_by_one_edge() -> None:
    graph = two_triangles()
    result = analyse(graph, {1, 2, 5})
    assert result.bridges == ((3, 4),)
    assert result.articulation_points == (3, 4)
    assert result.betweenness == pytest.approx({1: 0.0, 2: 0.0, 3: 0.6, 4: 0.6, 5: 0.0, 6: 0.0})
    assert result.communities == ((1, 2, 3), (4, 5, 6))
    assert result.community_names == ("réemploi", "végétalisation")
    assert result.member_density == pytest.approx(1 / 3)
    assert result.member_components == 2
    assert result.isolated_members == (5,)
    assert result.density == pytest.approx(7 / 15)
    found = insights(graph, result, {1, 2, 5}, {3: "Cité des transitions"}, {6: 2})
    codes = [i.code for i in found]
    assert codes[0] == "sole_link"
    assert found[0].params == {
        "org": "Cité des transitions",
        "a": "réemploi",
        "b": "végétalisation",
    }
    assert found[0].template % found[0].params == (
        "Cité des transitions is the only link between the réemploi cluster and the végétalisation cluster"
    )
    assert "isolated_member" in codes and "fragmented" in codes and "member_cut_point" not in codes
    assert not any(i.code == "attended_no_tie" for i in found)  # 6 is tied to member 5


def test_empty_and_single_node() -> None:
    empty = analyse(build_graph([], []))
    assert (empty.node_count, empty.components, empty.density, empty.communities) == (0, 0, 0.0, ())
    assert empty.betweenness == {} and empty.reach == frozenset()
    one = analyse(build_graph(orgs(7), []), {7})
    assert one.betweenness == {7: 0.0}
    assert one.isolated == (7,) and one.isolated_members == ()
    assert one.communities == ((7,),) and one.community_names == ("Org 7",)
    assert insights(build_graph(orgs(7), []), one, {7}, {}, {}) == [
        insights(build_graph(orgs(7), []), one, {7}, {}, {})[0]
    ]
    assert suggest_bridges(build_graph([], []), {1}) == []


def test_disconnected_graph() -> None:
    graph = build_graph(orgs(1, 2, 3, 4, 5), ties((1, 2), (3, 4)))
    result = analyse(graph, {1, 3})
    assert result.components == 3
    assert result.isolated == (5,)
    assert result.bridges == ((1, 2), (3, 4))
    assert result.member_components == 2
    assert result.reach == frozenset({2, 4})


def test_approximate_flag_above_exact_limit() -> None:
    graph = nx.connected_watts_strogatz_graph(60, 4, 0.2, seed=1)
    built = build_graph(orgs(*graph.nodes), ties(*graph.edges))
    result = analyse(built, exact_limit=50, samples=20, seed=3)
    assert result.approximate and result.betweenness_samples == 20
    assert result.betweenness == pytest.approx(nx.betweenness_centrality(built, k=20, seed=3))
    assert not result.holes_complete or len(built) <= 500


def test_communities_are_deterministic() -> None:
    graph = nx.connected_caveman_graph(5, 4)
    built = build_graph(orgs(*graph.nodes), ties(*graph.edges))
    first = analyse(built).communities
    assert first == analyse(built).communities
    assert [len(c) for c in first] == sorted((len(c) for c in first), reverse=True)


def test_filters_and_views() -> None:
    evidence = [
        TieEvidence(1, 2, "workshop", None, 2021, "w"),
        TieEvidence(2, 3, "declared", "formal_agreement", 2018, "c"),
        TieEvidence(3, 4, "past_project", None, None, "p"),
    ]
    nodes = [
        OrgNode(1, "A", "association", themes=("Réemploi",)),
        OrgNode(2, "B", "company", themes=("BTP",)),
        OrgNode(3, "C", "company", themes=("reemploi",)),
        OrgNode(4, "D", "public_body"),
    ]
    graph = build_graph(nodes, evidence)
    assert sorted(filter_graph(graph, kinds={"workshop"}).edges()) == [(1, 2)]
    assert sorted(filter_graph(graph, years=(2020, None)).edges()) == [(1, 2), (3, 4)]
    assert sorted(filter_graph(graph, years=(2020, None), keep_undated=False).edges()) == [(1, 2)]
    assert sorted(filter_graph(graph, org_types={"company"}).edges()) == [(2, 3)]
    assert sorted(filter_graph(graph, themes={"REEMPLOI"})) == [1, 3]
    assert sorted(proposal_view(graph, {1, 99})) == [1, 2]


def test_suggestions_and_what_if() -> None:
    # members 1-2; 3 bridges to a cluster 4-5-6-7 that the consortium cannot reach.
    graph = build_graph(
        orgs(*range(1, 9)), ties((1, 2), (2, 3), (3, 4), (4, 5), (4, 6), (4, 7), (1, 8))
    )
    top = suggest_bridges(graph, {1, 2})
    # 3 and 4 both bring 5, 6, 7; 4 lies on more shortest paths (15 pairs vs 12).
    assert [(s.org_id, s.new_reach) for s in top] == [(4, 3), (3, 3), (5, 2), (6, 2), (7, 2)]
    assert top[0].reasons[0].params == {"count": 3}
    assert [r.template for r in top[1].reasons] == [  # 3: brings 3, tied to member 2 only
        "Would bring %(count)d organisations within two steps of the consortium",
        "Already tied to 1 member",
    ]
    one = suggest_bridges(build_graph(orgs(1, 2, 3, 4), ties((1, 2), (2, 3), (3, 4))), {1})
    assert [(s.org_id, [r.template for r in s.reasons]) for s in one] == [
        (
            2,
            [
                "Would bring 1 organisation within two steps of the consortium",
                "Already tied to 1 member",
            ],
        ),
        (
            3,
            [
                "Would bring 1 organisation within two steps of the consortium",
                "Not tied to any member yet",
            ],
        ),
    ]
    change = what_if(graph, {1, 2}, add=(4,))
    assert change.reach_change == 2  # 5, 6, 7 gained; 4 moves from reach to members
    assert change.newly_reached == frozenset({5, 6, 7})
    assert change.components_change == 1 and change.isolated_members_change == 1
    assert change.density_change == pytest.approx(1 / 3 - 1)
    removed = what_if(graph, {1, 2}, remove=(2,))
    assert removed.no_longer_reached == frozenset({4})
    assert removed.after.reach == frozenset({2, 3, 8})
    assert removed.after.density == 0.0


def test_gc_paused_gives_the_collector_back():
    import gc

    from consortium.network.analysis import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()

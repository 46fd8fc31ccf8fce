"""Benchmark of the network analysis on a synthetic territory (10,000 organisations, 60,000 ties).

Run: ``/work/venv/bin/python benchmarks/network_analysis.py [--orgs N] [--ties M]``.
Prints the time of build_graph, analyse, insights and suggest_bridges, the time of the bare
networkx calls the analysis stands for (our overhead = ours / bare), and peak memory
(tracemalloc peak of Python allocations plus the process's max RSS). Targets: analysis < 5 s,
peak memory < 1.5 GB.
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx

from consortium.network.analysis import (
    BETWEENNESS_SAMPLES,
    HOLES_LIMIT,
    OrgNode,
    TieEvidence,
    analyse,
    build_graph,
    insights,
    suggest_bridges,
)

THEMES = [
    "réemploi",
    "BTP",
    "végétalisation",
    "biodiversité",
    "eau",
    "énergie",
    "mobilité",
    "alimentation",
    "déchets",
    "climat",
    "éducation",
    "économie sociale",
]
TYPES = ["association", "company", "public_body", "research", "cooperative"]
KIND_SOURCES = [
    ("declared", "formal_agreement"),
    ("declared", "informal"),
    ("declared", "supplier_client"),
    ("declared", "same_network"),
    ("past_project", None),
    ("workshop", None),
    ("action", None),
    ("proposal", None),
]


def territory(orgs: int, ties: int, seed: int = 2024) -> tuple[list[OrgNode], list[TieEvidence]]:
    """Clustered, heavy-tailed synthetic territory: 70% of ties inside one of 40 groups."""
    rng = random.Random(seed)
    groups = 40
    group_of = [rng.randrange(groups) for _ in range(orgs)]
    members_of: list[list[int]] = [[] for _ in range(groups)]
    for org, g in enumerate(group_of):
        members_of[g].append(org)
    nodes = [
        OrgNode(
            id=org,
            label=f"Organisation {org}",
            org_type=rng.choice(TYPES),
            country="FR" if rng.random() < 0.9 else rng.choice(["IT", "ES", "DE"]),
            themes=(THEMES[group_of[org] % len(THEMES)], rng.choice(THEMES)),
            role="coordinator" if org == 0 else ("beneficiary" if org < 20 else None),
            is_member=org < 20,
        )
        for org in range(orgs)
    ]
    cum = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(orgs)))
    pairs: set[tuple[int, int]] = set()
    evidence: list[TieEvidence] = []
    while len(pairs) < ties:
        a = rng.randrange(orgs)
        if rng.random() < 0.7:
            b = rng.choice(members_of[group_of[a]])
        else:
            b = rng.choices(range(orgs), cum_weights=cum)[0]
        if a == b or (min(a, b), max(a, b)) in pairs:
            continue
        pairs.add((min(a, b), max(a, b)))
        source, kind = rng.choice(KIND_SOURCES)
        evidence.append(
            TieEvidence(a, b, source, kind, rng.randint(2015, 2025), f"ref-{rng.randrange(5000)}")
        )
    return nodes, evidence


def timed(label: str, func, results: dict[str, float]):  # type: ignore[no-untyped-def]
    """Run ``func`` and record its wall time."""
    start = time.perf_counter()
    value = func()
    results[label] = time.perf_counter() - start
    return value


def main() -> None:
    """Generate, time, compare, print."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=60_000)
    parser.add_argument(
        "--bare", action="store_true", help="also time nx.betweenness_centrality(k) and nx.bridges"
    )
    parser.add_argument(
        "--louvain", action="store_true", help="also time Louvain (what large graphs no longer use)"
    )
    args = parser.parse_args()

    nodes, evidence = territory(args.orgs, args.ties)
    members = frozenset(n.id for n in nodes if n.is_member)
    attended = {n.id: (n.id * 7) % 4 for n in nodes}
    names = {n.id: n.label for n in nodes}
    t: dict[str, float] = {}

    graph = timed("build_graph", lambda: build_graph(nodes, evidence), t)
    result = timed("analyse", lambda: analyse(graph, members), t)
    found = timed("insights", lambda: insights(graph, result, members, names, attended), t)
    suggestions = timed(
        "suggest_bridges", lambda: suggest_bridges(graph, members, analysis=result), t
    )
    for label, seconds in t.items():
        print(f"  {label:<18} {seconds:8.3f} s", flush=True)

    # Same pipeline again under tracemalloc (which slows it down) for the memory peak.
    tracemalloc.start()
    again = build_graph(nodes, evidence)
    insights(again, analyse(again, members), members, names, attended)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del again

    n = graph.number_of_nodes()
    k = BETWEENNESS_SAMPLES if result.approximate else None
    bare: dict[str, float] = {}
    timed("degree", lambda: dict(graph.degree(weight="weight")), bare)
    if result.community_method == "louvain":
        timed(
            "louvain",
            lambda: nx.community.louvain_communities(graph, weight="weight", seed=42),
            bare,
        )
    else:
        timed(
            "fast_label_propagation",
            lambda: list(
                nx.community.fast_label_propagation_communities(graph, weight="weight", seed=42)
            ),
            bare,
        )
    if args.louvain:
        louvain_t: dict[str, float] = {}
        timed(
            "louvain",
            lambda: nx.community.louvain_communities(graph, weight="weight", seed=42),
            louvain_t,
        )
        print(f"  (for reference) louvain on this graph: {louvain_t['louvain']:.3f} s")
    timed("articulation_points", lambda: list(nx.articulation_points(graph)), bare)
    timed("biconnected_edges", lambda: list(nx.biconnected_component_edges(graph)), bare)
    timed("components", lambda: nx.number_connected_components(graph), bare)
    # The networkx calls our own code replaces, timed on a sample and extrapolated.
    sample = min(n, 20)
    timed("betweenness_sample", lambda: nx.betweenness_centrality(graph, k=sample, seed=42), bare)
    per_source = bare.pop("betweenness_sample") / sample
    bare["betweenness (extrapolated)"] = per_source * (k or n)
    holes_nodes = random.Random(1).sample(sorted(graph), min(n, 5))
    timed("constraint_5", lambda: nx.constraint(graph, nodes=holes_nodes, weight="weight"), bare)
    timed(
        "effective_size_5",
        lambda: nx.effective_size(graph, nodes=holes_nodes, weight="weight"),
        bare,
    )
    per_node = (bare.pop("constraint_5") + bare.pop("effective_size_5")) / max(1, len(holes_nodes))
    bare["constraint+effective_size (extrapolated)"] = per_node * min(
        n, HOLES_LIMIT if result.approximate else n
    )
    if args.bare:
        timed("nx.bridges", lambda: list(nx.bridges(graph)), bare)
    bare_total = sum(bare.values())
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"graph: {n} organisations, {graph.number_of_edges()} edges from {len(evidence)} evidence"
    )
    print(
        f"approximate betweenness: {result.approximate} (k={result.betweenness_samples}); "
        f"structural holes complete: {result.holes_complete}; communities: {len(result.communities)} "
        f"by {result.community_method}"
    )
    total = sum(t.values())
    print(f"  {'total':<18} {total:8.3f} s   (target < 5 s: {'OK' if total < 5 else 'OVER'})")
    print("bare networkx equivalents:")
    for label, seconds in bare.items():
        print(f"  {label:<28} {seconds:8.3f} s")
    print(f"  {'total':<28} {bare_total:8.3f} s")
    print(f"analyse / bare networkx = {t['analyse'] / bare_total:.3f}")
    print(f"insights: {len(found)}, suggestions: {len(suggestions)}")
    print(f"peak traced memory: {peak / 2**20:.1f} MB; max RSS: {rss_mb:.1f} MB (target < 1536 MB)")


if __name__ == "__main__":
    main()

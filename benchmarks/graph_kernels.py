"""The graph kernels (consortium/network/kernels.py) beside networkx and python-igraph.

Run: ``python benchmarks/graph_kernels.py [--orgs N] [--ties M] [--repeat R]``
(python-igraph is optional: ``pip install "igraph>=0.11,<0.12"``; without it its column says
"not installed").

Same graphs for all three: a proposal's view (300 organisations, ~1,500 ties) and the
synthetic territory of benchmarks/network_analysis.py (10,000 / 60,000). Prints the best of
``--repeat`` wall times per job, and whether igraph's answer equals networkx's (the kernels'
contract; tests/network/test_kernels.py checks ours). igraph times include converting the
networkx graph. Since the kernels use igraph for betweenness, bridges and cut points, their
column for those two jobs is igraph behind the kernels' own conversion (from their arrays).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx

from benchmarks.network_analysis import territory
from consortium.network.analysis import build_graph
from consortium.network.kernels import (
    betweenness,
    bridges_and_cut_points,
    label_propagation,
    structural_holes,
)

try:
    import igraph as ig
except ImportError:  # the library is optional for this comparison
    ig = None


def best(func, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - start)
    return min(times), value


def to_igraph(graph: nx.Graph):  # type: ignore[no-untyped-def]
    nodes = list(graph)
    index = {n: i for i, n in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in graph.edges()])
    g.es["weight"] = [d.get("weight", 1.0) for _u, _v, d in graph.edges(data=True)]
    return g, nodes


def ig_betweenness(graph: nx.Graph, k: int | None, seed: int = 42) -> dict:
    g, nodes = to_igraph(graph)
    n = len(nodes)
    if k is None:
        raw = g.betweenness(directed=False)
        scale = 1.0 / ((n - 1) * (n - 2) / 2)
        return {nodes[i]: raw[i] * scale for i in range(n)}
    sampled = random.Random(seed).sample(nodes, k)
    index = {v: i for i, v in enumerate(nodes)}
    raw = g.betweenness(directed=False, sources=[index[s] for s in sampled], targets=None)
    # networkx rescales a k-sample by n/k on pair counts; nodes that are sources get k-1.
    out = {}
    src = set(sampled)
    for i, v in enumerate(nodes):
        kk = (k - 1) if v in src else k
        out[v] = raw[i] * 2 / (kk * (n - 2)) if kk else float("nan")
    return out


def ig_cuts(graph: nx.Graph):  # type: ignore[no-untyped-def]
    g, nodes = to_igraph(graph)
    bridges = sorted(
        tuple(sorted((nodes[g.es[e].source], nodes[g.es[e].target]))) for e in g.bridges()
    )
    return tuple(bridges), tuple(sorted(nodes[i] for i in g.articulation_points()))


def ig_constraint(graph: nx.Graph) -> dict:
    g, nodes = to_igraph(graph)
    values = g.constraint(weights="weight")
    return {nodes[i]: values[i] for i in range(len(nodes)) if g.degree(i)}


def ig_communities(graph: nx.Graph):  # type: ignore[no-untyped-def]
    g, nodes = to_igraph(graph)
    ig.set_random_number_generator(random.Random(42))
    found = g.community_label_propagation(weights="weight")
    return [{nodes[i] for i in c} for c in found]


def close(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(abs(a[v] - b[v]) < 1e-9 for v in a)


def compare(name: str, graph: nx.Graph, repeat: int, k: int | None) -> None:
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    print(f"\n{name}: {n} organisations, {m} ties (best of {repeat})")
    print(f"  {'job':<34}{'networkx':>10}{'kernels':>10}{'igraph':>10}  igraph == networkx")
    jobs = [
        (
            f"betweenness{f' (k={k})' if k else ''}",
            lambda: nx.betweenness_centrality(graph, k=k, seed=42),
            lambda: betweenness(graph, k=k, seed=42),
            (lambda: ig_betweenness(graph, k)) if ig else None,
            close,
        ),
        (
            "bridges + cut points",
            lambda: (
                tuple(sorted(tuple(sorted(e)) for e in nx.bridges(graph))),
                tuple(sorted(nx.articulation_points(graph))),
            ),
            lambda: bridges_and_cut_points(graph),
            (lambda: ig_cuts(graph)) if ig else None,
            lambda a, b: a == b,
        ),
        (
            "constraint (structural holes)",
            (lambda: nx.constraint(graph, weight="weight")) if n <= 1000 else None,
            lambda: structural_holes(graph)[0],
            (lambda: ig_constraint(graph)) if ig else None,
            lambda a, b: close({v: x for v, x in a.items() if x == x}, b),
        ),
        (
            "communities (label propagation)",
            lambda: list(
                nx.community.fast_label_propagation_communities(graph, weight="weight", seed=42)
            ),
            lambda: label_propagation(graph, seed=42),
            (lambda: ig_communities(graph)) if ig else None,
            None,
        ),
    ]
    for label, nx_job, ours, ig_job, same in jobs:
        t_nx, expected = best(nx_job, 1 if n > 1000 else repeat) if nx_job else (None, None)
        t_ours, _ = best(ours, repeat)
        t_ig, got = best(ig_job, repeat) if ig_job else (None, None)
        verdict = "—"
        if ig_job is None:
            verdict = "igraph not installed"
        elif same is not None and expected is not None:
            verdict = "yes" if same(expected, got) else "NO"
        elif same is None:
            verdict = "different algorithm"
        cells = [
            f"{x * 1000:8.1f}ms" if x is not None else f"{'—':>10}" for x in (t_nx, t_ours, t_ig)
        ]
        print(f"  {label:<34}{''.join(cells)}  {verdict}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--ties", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python-igraph {ig.__version__ if ig else 'not installed'}, networkx {nx.__version__}")
    nodes, evidence = territory(300, 1500)
    compare("proposal-sized view", build_graph(nodes, evidence), args.repeat, None)
    nodes, evidence = territory(args.orgs, args.ties)
    compare("territory", build_graph(nodes, evidence), args.repeat, 100)


if __name__ == "__main__":
    main()

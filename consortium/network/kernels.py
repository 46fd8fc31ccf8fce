"""Graph kernels of the network analysis: betweenness, label propagation, Burt's structural
holes, bridges and cut points, degrees.

Pure module (numpy, networkx and python-igraph; neither Flask nor SQLAlchemy). Each kernel
gives the same answer as its networkx function, which is the contract its tests check
(``tests/network/test_kernels.py``); networkx's pure-Python loops are 20-50 times slower on a
10,000-organisation territory. Betweenness, bridges and cut points are python-igraph's (as
fast or faster than the numpy kernels they replaced, see ``benchmarks/graph_kernels.py``);
structural holes (igraph has no effective size) and the seeded label propagation (igraph's
draws from a process-wide random generator) stay here.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np


@dataclass(frozen=True, slots=True, eq=False)
class Csr:
    """A graph's adjacency as arrays, built once per analysis and shared by every metric.

    Row ``i`` holds the neighbours of ``nodes[i]`` in ``graph.adj`` order: their positions
    (``indices``, ``index_list``), the nodes themselves (``neighbours``) and the edge weights
    as read (``raw_weights``: ``data.get(weight, 1)``) and as floats (``weights``).
    """

    nodes: list[Any]
    index: dict[Any, int]
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    ptr_list: list[int]
    index_list: list[int]
    neighbours: list[Any]
    raw_weights: list[Any]
    weight: str
    self_loops: bool


def csr_of(graph: nx.Graph, weight: str = "weight") -> Csr:
    """CSR adjacency of ``graph`` in graph order, read in one pass over ``graph.adjacency()``."""
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = dict(graph.adjacency())
    read_weight = operator.methodcaller("get", weight, 1)
    ptr_list = [0]
    neighbours: list[Any] = []
    raw_weights: list[Any] = []
    self_loops = False
    for node in nodes:
        nbrs = adjacency[node]
        neighbours.extend(nbrs)
        raw_weights.extend(map(read_weight, nbrs.values()))
        ptr_list.append(len(neighbours))
        if node in nbrs:
            self_loops = True
    index_list = list(map(index.__getitem__, neighbours))
    return Csr(
        nodes=nodes,
        index=index,
        indptr=np.array(ptr_list, dtype=np.int64),
        indices=np.array(index_list, dtype=np.int64),
        weights=np.array(raw_weights, dtype=float) if raw_weights else np.zeros(0),
        ptr_list=ptr_list,
        index_list=index_list,
        neighbours=neighbours,
        raw_weights=raw_weights,
        weight=weight,
        self_loops=self_loops,
    )


def igraph_of(csr: Csr) -> ig.Graph:
    """The same graph for python-igraph: vertex ``i`` is ``csr.nodes[i]``, self-loops left out
    (no shortest path or cut goes through one)."""
    n = len(csr.nodes)
    src = np.repeat(np.arange(n, dtype=np.int64), np.diff(csr.indptr))
    upper = csr.indices > src
    edges = np.column_stack((src[upper], csr.indices[upper])).tolist()
    return ig.Graph(n=n, edges=edges)


def betweenness(
    graph: nx.Graph, k: int | None = None, seed: int = 42, *, csr: Csr | None = None
) -> dict[Any, float]:
    """Normalised hop betweenness, equal to ``nx.betweenness_centrality(graph, k, seed=seed)``.

    With ``k`` the sources are ``random.Random(seed).sample(list(graph), k)`` and the
    rescaling is networkx's, so the estimate matches networkx's for the same seed. ``csr``
    (from ``csr_of(graph)``) saves reading the graph again.
    """
    csr = csr or csr_of(graph)
    nodes = csr.nodes
    n = len(nodes)
    if n == 0:
        return {}
    shared = igraph_of(csr)
    if k is None or k >= n:
        sources = None
        raw = np.array(shared.betweenness(directed=False))
    else:
        sources = [csr.index[s] for s in random.Random(seed).sample(nodes, k)]
        raw = np.array(shared.betweenness(directed=False, sources=sources))
    if n < 3:
        return {node: float(v) for node, v in zip(nodes, raw, strict=True)}
    # igraph counts each unordered pair once; networkx normalises by (n-1)(n-2)/2 pairs, or
    # for k sampled sources by k(n-2)/2 (k-1 for a node that is itself a source).
    if sources is None:
        scale = np.full(n, 2.0 / ((n - 1) * (n - 2)))
    else:
        scale = np.full(n, 2.0 / (k * (n - 2)))
        scale[sources] = 2.0 / ((k - 1) * (n - 2)) if k > 1 else math.nan
    return {node: float(v) for node, v in zip(nodes, raw * scale, strict=True)}


def label_propagation(
    graph: nx.Graph, seed: int = 42, max_iter: int = 100, *, csr: Csr | None = None
) -> list[set[Any]]:
    """Weighted, seeded label propagation, vectorised with numpy (for large graphs).

    Each round, a random half (seeded) of the organisations whose neighbours' labels weigh
    more than their own adopts the heaviest label (ties broken by a fixed seeded priority per
    label); it stops when no organisation would change. Louvain costs 14 s on a 10k/60k
    territory, networkx's ``fast_label_propagation_communities`` 3 s and lumps most of it in
    one community (modularity 0.28); this takes a fraction of a second and finds the planted
    groups (modularity 0.67). Same graph and seed -> same communities. ``csr`` (from
    ``csr_of(graph)``) saves reading the graph again.
    """
    if csr is None or csr.weight != "weight":
        csr = csr_of(graph)
    nodes, indptr, indices, weights = csr.nodes, csr.indptr, csr.indices, csr.weights
    n = len(nodes)
    if n == 0:
        return []
    degree = np.diff(indptr)
    src = np.repeat(np.arange(n, dtype=np.int64), degree)
    rng = np.random.default_rng(seed)
    priority = rng.random(n) * 1e-6
    labels = np.arange(n, dtype=np.int64)
    for _ in range(max_iter):
        if not len(src):
            break
        keys = src * n + labels[indices]
        # np.unique(keys, return_inverse=True), with a stable sort: the keys come grouped by
        # row (src is sorted), which a stable sort exploits; same uniq, same inverse.
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        first = np.empty(len(keys), dtype=bool)
        first[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        uniq = ordered[first]
        inverse = np.empty(len(keys), dtype=np.int64)
        inverse[order] = np.cumsum(first) - 1
        score = np.bincount(inverse, weights=weights, minlength=len(uniq))
        u_src = uniq // n
        u_lab = uniq - u_src * n
        ranked = score + priority[u_lab]
        starts = np.flatnonzero(np.r_[True, u_src[1:] != u_src[:-1]])
        seg_max = np.maximum.reduceat(ranked, starts)
        seg_id = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(uniq)]))
        is_best = ranked == seg_max[seg_id]
        best_src, best_lab, best_score = u_src[is_best], u_lab[is_best], score[is_best]
        current = np.zeros(n)
        own = u_lab == labels[u_src]
        current[u_src[own]] = score[own]
        change = best_score > current[best_src] + 1e-9
        if not change.any():
            break
        update = change & (rng.random(len(best_src)) < 0.5)
        labels = labels.copy()
        labels[best_src[update]] = best_lab[update]
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1], True])
    return [{nodes[i] for i in order[a:b].tolist()} for a, b in pairwise(cuts.tolist())]


def structural_holes(
    graph: nx.Graph,
    nodes: Iterable[Any] | None = None,
    weight: str = "weight",
    *,
    csr: Csr | None = None,
) -> tuple[dict[Any, float], dict[Any, float]]:
    """Burt's constraint and effective size, as ``nx.constraint``/``nx.effective_size``.

    networkx recomputes each neighbourhood sum inside its inner loop (cubic in degree:
    200 nodes of a 10k/60k graph took 300 s); here the sums are computed once and only
    common neighbours are visited, so the cost is the sum over edges of the smaller degree.
    Only the rows of ``nodes`` and of their neighbours are read (from ``csr`` when given).
    Isolated organisations have no value (networkx gives NaN) and are left out.
    """
    if csr is None or csr.weight != weight:
        csr = csr_of(graph, weight)
    ptr, neighbours, index = csr.ptr_list, csr.neighbours, csr.index
    floats = csr.weights.tolist()
    self_loops = csr.self_loops
    adj: dict[Any, dict[Any, float]] = {}
    wsum: dict[Any, float] = {}
    wmax: dict[Any, float] = {}

    def read(u: Any) -> None:
        i = index[u]
        nbrs = dict(zip(neighbours[ptr[i] : ptr[i + 1]], floats[ptr[i] : ptr[i + 1]], strict=True))
        if self_loops:
            nbrs.pop(u, None)
        adj[u] = nbrs
        wsum[u] = sum(nbrs.values())
        wmax[u] = max(nbrs.values(), default=0.0)

    constraint: dict[Any, float] = {}
    esize: dict[Any, float] = {}
    for u in csr.nodes if nodes is None else nodes:
        if u not in adj:
            read(u)
        nu = adj[u]
        for v in nu:
            if v not in adj:
                read(v)
        su = wsum[u]
        if not nu or su == 0:
            continue
        c_total = 0.0
        redundancy = 0.0
        for v, wuv in nu.items():
            nv = adj[v]
            sv = wsum[v]
            mv = wmax[v]
            small, big = (nu, nv) if len(nu) <= len(nv) else (nv, nu)
            indirect = 0.0
            shared = 0.0
            for w in small:
                if w in big:
                    p_uw = nu[w] / su
                    sw = wsum[w]
                    if sw:
                        indirect += p_uw * adj[w][v] / sw
                    if mv:
                        shared += p_uw * nv[w] / mv
            direct = wuv / su if sv else 0.0
            c_total += (direct + indirect) ** 2
            redundancy += shared
        constraint[u] = c_total
        esize[u] = len(nu) - redundancy
    return constraint, esize


def cut_structure(csr: Csr) -> tuple[list[tuple[int, int]], list[int], int]:
    """Bridges, articulation points (as positions) and the number of connected components."""
    shared = igraph_of(csr)
    bridges = [shared.es[e].tuple for e in shared.bridges()]
    cut = sorted(shared.articulation_points())
    return bridges, cut, len(shared.connected_components())


def named_cuts(
    csr: Csr, bridges: list[tuple[int, int]], cut: list[int]
) -> tuple[tuple[tuple[Any, Any], ...], tuple[Any, ...]]:
    nodes = csr.nodes
    named = sorted(tuple(sorted((nodes[a], nodes[b]))) for a, b in bridges)
    return tuple(named), tuple(sorted(nodes[i] for i in cut))  # type: ignore[return-value]


def bridges_and_cut_points(graph: nx.Graph) -> tuple[tuple[tuple[Any, Any], ...], tuple[Any, ...]]:
    """Bridges (each as a sorted pair) and articulation points, sorted.

    Same answers as ``nx.bridges`` and ``nx.articulation_points``.
    """
    csr = csr_of(graph)
    bridges, cut, _ = cut_structure(csr)
    return named_cuts(csr, bridges, cut)


def degrees(graph: nx.Graph, csr: Csr) -> tuple[dict[Any, int], dict[Any, float]]:
    """``graph.degree()`` and ``graph.degree(weight="weight")`` (rounded), from ``csr``.

    The weighted sum adds the same values in the same order as networkx. A graph with
    self-loops (counted twice by networkx) goes through networkx.
    """
    if csr.self_loops or csr.weight != "weight":
        degree = {node: int(d) for node, d in graph.degree()}
        wdeg = {node: round(float(d), 4) for node, d in graph.degree(weight="weight")}
        return degree, wdeg
    ptr, raw = csr.ptr_list, csr.raw_weights
    degree = {}
    wdeg = {}
    for i, node in enumerate(csr.nodes):
        start, end = ptr[i], ptr[i + 1]
        degree[node] = end - start
        wdeg[node] = round(float(sum(raw[start:end])), 4)
    return degree, wdeg

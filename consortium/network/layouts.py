"""Positions of the map's organisations, shared by the browser map, the PNG/SVG and the Word
figure: force-directed, grouped by cluster, centred on the consortium's members, or around
one organisation (the ego view).

Pure module. Organisations without a tie in the drawn graph never enter a layout: they sit in
a strip of their own under it, in name order, so one loner cannot squeeze the rest into a
corner. The tied part fills [-1, 1] x [-1, 1]; the strip starts just below y = -1. Same input
and seed -> same positions, rounded so the JSON and the figures agree to the digit.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Collection, Mapping
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np

LAYOUTS = ("force", "cluster", "members")
#: Isolated organisations per row of the strip, and the gap between the layout and the strip.
STRIP_COLUMNS = 8
STRIP_GAP = 0.3
STRIP_ROW = 0.22

Positions = dict[Any, tuple[float, float]]
_IGRAPH_RANDOM = threading.Lock()


def isolated_nodes(graph: nx.Graph) -> list[Any]:
    """Organisations without a tie, by label then id (the strip's order)."""
    alone = [v for v in graph if graph.degree(v) == 0]
    return sorted(alone, key=lambda v: (str(graph.nodes[v].get("label") or v).casefold(), v))


def place(
    graph: nx.Graph,
    mode: str = "force",
    *,
    members: Collection[Any] = (),
    communities: Mapping[Any, int] | None = None,
    ego: Any = None,
    seed: int = 42,
) -> Positions:
    """Positions of every node of ``graph`` for ``mode`` (one of ``LAYOUTS``; ``ego`` given ->
    rings around it). Unknown modes fall back to force-directed."""
    alone = isolated_nodes(graph)
    lone = set(alone)
    tied = graph.subgraph([v for v in graph if v not in lone])
    if ego is not None and ego in tied:
        pos = _rings(tied, ego)
    elif mode == "cluster" and communities and len(tied):
        pos = _clusters(tied, communities, seed)
    elif mode == "members" and any(m in tied for m in members):
        pos = _members_centred(tied, members, seed)
    else:
        pos = _spring(tied, seed)
    pos = _fit(pos)
    # Without a tied organisation the strip is the whole picture, centred.
    pos.update(_strip(alone, below=min((y for _x, y in pos.values()), default=STRIP_GAP)))
    return {v: (round(pos[v][0], 5), round(pos[v][1], 5)) for v in graph}


def _spring(graph: nx.Graph, seed: int) -> Positions:
    """Fruchterman-Reingold (python-igraph's, weighted), from seeded start positions.

    igraph draws from one process-wide random generator: it is set to a seeded one under a
    lock for the call (same graph and seed -> same positions) and given back after. About
    four times faster than ``nx.spring_layout`` on a proposal's 300 organisations.
    """
    nodes = list(graph)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {v: i for i, v in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in graph.edges() if u != v]
    weights = [float(d.get("weight", 1.0)) for u, v, d in graph.edges(data=True) if u != v]
    shared = ig.Graph(n=len(nodes), edges=edges)
    start = np.random.default_rng(seed).random((len(nodes), 2)).tolist()
    with _IGRAPH_RANDOM:
        ig.set_random_number_generator(random.Random(seed))
        try:
            coords = shared.layout_fruchterman_reingold(
                weights=weights or None, seed=start, niter=500
            ).coords
        finally:
            ig.set_random_number_generator(random)
    return {v: (float(x), float(y)) for v, (x, y) in zip(nodes, coords, strict=True)}


def _fit(pos: Positions) -> Positions:
    """Scale and centre into [-1, 1] x [-1, 1], keeping the aspect ratio."""
    if not pos:
        return {}
    xs = [x for x, _y in pos.values()]
    ys = [y for _x, y in pos.values()]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2
    if half == 0:
        return dict.fromkeys(pos, (0.0, 0.0))
    return {v: ((x - cx) / half, (y - cy) / half) for v, (x, y) in pos.items()}


def _strip(alone: list[Any], below: float) -> Positions:
    """Rows of ``STRIP_COLUMNS`` under the layout, centred."""
    out: Positions = {}
    top = below - STRIP_GAP
    for i, node in enumerate(alone):
        row, col = divmod(i, STRIP_COLUMNS)
        in_row = min(STRIP_COLUMNS, len(alone) - row * STRIP_COLUMNS)
        step = 2.0 / STRIP_COLUMNS
        x = (col - (in_row - 1) / 2) * step
        out[node] = (x, top - row * STRIP_ROW)
    return out


def _clusters(graph: nx.Graph, communities: Mapping[Any, int], seed: int) -> Positions:
    """Each cluster laid out on its own inside a disc sized by its members; the discs side by
    side around a circle, largest first, so no cluster covers another."""
    groups: dict[int, list[Any]] = {}
    for v in graph:
        groups.setdefault(communities.get(v, -1), []).append(v)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), str(min(g, key=str))))
    radii = [math.sqrt(len(g)) for g in ordered]
    if len(ordered) == 1:
        centres = [(0.0, 0.0)]
    else:
        # Angles share the circle in proportion to the discs' diameters (plus a gap); the
        # radius is then large enough that neighbouring discs do not touch.
        gap = 0.4 * max(radii)
        around = sum(2 * r + gap for r in radii)
        angles, travelled = [], 0.0
        for r in radii:
            angles.append(2 * math.pi * (travelled + r) / around)
            travelled += 2 * r + gap
        circle = around / (2 * math.pi)
        for i, r in enumerate(radii):
            j = (i + 1) % len(radii)
            step = (angles[j] - angles[i]) % (2 * math.pi)
            chord = 2 * math.sin(min(step, math.pi) / 2)
            circle = max(circle, (r + radii[j] + gap) / chord)
        centres = [(circle * math.cos(a), circle * math.sin(a)) for a in angles]
    pos: Positions = {}
    for group, radius, (cx, cy) in zip(ordered, radii, centres, strict=True):
        for v, (x, y) in _fit(_spring(graph.subgraph(group), seed)).items():
            pos[v] = (cx + x * radius * 0.85, cy + y * radius * 0.85)
    return pos


def _members_centred(graph: nx.Graph, members: Collection[Any], seed: int) -> Positions:
    """Members on an inner circle (force-directed order kept by angle), every other
    organisation on an outer circle next to the members it is tied to."""
    inside = [m for m in graph if m in set(members)]
    spring = _spring(graph, seed)
    inside.sort(key=lambda v: (math.atan2(spring[v][1], spring[v][0]), str(v)))
    pos: Positions = {}
    n = len(inside)
    inner_radius = 0.45 if n > 1 else 0.0
    for i, m in enumerate(inside):
        a = 2 * math.pi * i / max(n, 1)
        pos[m] = (inner_radius * math.cos(a), inner_radius * math.sin(a))
    outside = [v for v in graph if v not in pos]

    def bearing(v: Any) -> float:
        anchors = [pos[m] for m in graph.adj[v] if m in pos]
        if not anchors:
            return math.atan2(spring[v][1], spring[v][0])
        return math.atan2(sum(y for _x, y in anchors), sum(x for x, _y in anchors) or 1e-9)

    outside.sort(key=lambda v: (bearing(v), str(v)))
    k = len(outside)
    for i, v in enumerate(outside):
        a = 2 * math.pi * i / max(k, 1)
        pos[v] = (math.cos(a), math.sin(a))
    return pos


def _rings(graph: nx.Graph, ego: Any) -> Positions:
    """The ego at the centre, its neighbours on a first ring, their neighbours on a second,
    each ring ordered so a node sits near the one that brought it in."""
    distance = nx.single_source_shortest_path_length(graph, ego)
    pos: Positions = {ego: (0.0, 0.0)}
    rings: dict[int, list[Any]] = {}
    for v, d in distance.items():
        if d:
            rings.setdefault(d, []).append(v)
    previous_angle = {ego: 0.0}
    for d in sorted(rings):
        ring = rings[d]

        def parent_angle(v: Any, d: int = d) -> float:
            parents = [previous_angle[p] for p in graph.adj[v] if distance.get(p) == d - 1]
            return min(parents) if parents else 0.0

        ring.sort(key=lambda v: (parent_angle(v), str(v)))
        for i, v in enumerate(ring):
            a = 2 * math.pi * i / len(ring)
            pos[v] = (d * math.cos(a), d * math.sin(a))
            previous_angle[v] = a
    far = [v for v in graph if v not in pos]  # not reachable: outside the rings
    outer = max(rings, default=0) + 1
    for i, v in enumerate(sorted(far, key=str)):
        a = 2 * math.pi * i / max(len(far), 1)
        pos[v] = (outer * math.cos(a), outer * math.sin(a))
    return pos

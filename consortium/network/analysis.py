"""Cooperation graph of a territory: building, filtering, analysis, insights and what-if.

Pure module: plain data in (``OrgNode``, ``TieEvidence``), networkx graphs and frozen
dataclasses out. User-visible sentences are English templates marked with ``N_`` and carried
with their params, so the web layer translates them (``gettext(template) % params``).

Edge weight (a *strength*, not a distance)
-----------------------------------------
Every distinct piece of evidence between two organisations earns points::

    declared formal_agreement 3   declared past_project 3   declared supplier_client 2
    declared same_network 1       declared informal 1       declared other 1
    shared past project 3         shared action 2           workshop co-attendance 1 (each)
    same proposal 1

A declared tie's points are multiplied by its *strength*, the tie's stored weight: 1 for one
declaration, one more for each repeated declaration, plus the projects the two organisations
shared according to the open data, each counted by its recency (1 this year, halving every five
years; see ``opendata/coparticipation.py``). A tie declared twice as a formal agreement earns
6 points; an open-data tie of three projects of this year 9. A shared past project that the
tie's strength already counts is not counted again as past-project evidence (the loader
leaves it out).

Identical evidence (same pair, source, kind, year, ref and strength) counts once. The edge
weight is ``log2(1 + points)`` rounded to 4 decimals: one workshop gives 1.0, a formal
agreement 2.0, an agreement plus a shared project and an action 3.17. The log keeps twenty
co-attended workshops (4.39) from drowning a signed agreement, without an arbitrary cap.

Shortest paths (betweenness, reach) count hops and ignore weights: a weak tie still carries
information, and weights are strengths, which shortest-path code would read as lengths.
"""

from __future__ import annotations

import gc
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from consortium.errors import N_
from consortium.folding import fold
from consortium.network.kernels import (
    betweenness,
    csr_of,
    cut_structure,
    degrees,
    label_propagation,
    named_cuts,
    structural_holes,
)

SOURCES = ("declared", "past_project", "workshop", "action", "proposal")
DECLARED_KINDS = (
    "past_project",
    "formal_agreement",
    "supplier_client",
    "same_network",
    "informal",
    "other",
)
#: Every tie kind an edge can carry: declared kinds plus the non-declared sources.
KINDS = (*DECLARED_KINDS, "workshop", "action", "proposal")

#: Kinds the map shows until the reader switches others on: declared and project ties (and
#: shared actions). Co-attendance and same-proposal ties tie everyone in a room to everyone
#: else and turn a small consortium into a hairball.
MAP_KINDS = tuple(k for k in KINDS if k not in ("workshop", "proposal"))

#: Readable name of every tie kind, for filters, legends and the map's ``kind.<kind>`` labels.
KIND_LABELS = {
    "past_project": N_("Past project together"),
    "formal_agreement": N_("Formal agreement"),
    "supplier_client": N_("Supplier / client"),
    "same_network": N_("Same network"),
    "informal": N_("Informal"),
    "other": N_("Other"),
    "workshop": N_("Workshop co-attendance"),
    "action": N_("Shared action"),
    "proposal": N_("Same proposal"),
}

_DECLARED_POINTS = {
    "formal_agreement": 3,
    "past_project": 3,
    "supplier_client": 2,
    "same_network": 1,
    "informal": 1,
    "other": 1,
}
_SOURCE_POINTS = {"past_project": 3, "action": 2, "workshop": 1, "proposal": 1}

#: Nodes above which structural holes are computed only for the top brokers.
HOLES_LIMIT = 500
#: Betweenness source samples used above ``exact_limit`` nodes.
BETWEENNESS_SAMPLES = 100


@dataclass(frozen=True, slots=True)
class OrgNode:
    """One organisation as the graph sees it."""

    id: int
    label: str
    org_type: str | None = None
    country: str | None = None
    themes: tuple[str, ...] = ()
    role: str | None = None
    is_member: bool = False


@dataclass(frozen=True, slots=True, order=True)
class TieEvidence:
    """One reason to believe ``a`` and ``b`` cooperate.

    ``source`` is declared|past_project|workshop|action|proposal; ``kind`` is the declared
    tie kind (``None`` for other sources); ``ref`` names the project, workshop, action or
    proposal the evidence comes from; ``strength`` is a declared tie's stored weight, which
    multiplies its points (see the module docstring).
    """

    a: int
    b: int
    source: str
    kind: str | None = None
    year: int | None = None
    ref: str | None = None
    strength: float = 1.0


@dataclass(frozen=True, slots=True)
class Message:
    """A translatable sentence: ``gettext(template) % params``."""

    template: str
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Insight:
    """A finding written for people, with the organisations it is about."""

    code: str
    template: str
    params: Mapping[str, Any]
    org_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A non-member whose joining would extend the consortium's two-step reach."""

    org_id: int
    new_reach: int
    reasons: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class ConsortiumMetrics:
    """Shape of the consortium inside the territory graph."""

    members: frozenset[int]
    reach: frozenset[int]
    density: float
    components: int
    isolated_members: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Before/after comparison of a change in membership."""

    before: ConsortiumMetrics
    after: ConsortiumMetrics
    reach_change: int
    density_change: float
    components_change: int
    isolated_members_change: int
    newly_reached: frozenset[int]
    no_longer_reached: frozenset[int]


@dataclass(frozen=True)
class Analysis:
    """Metrics of one graph. Mappings are keyed by organisation id; treat them as read-only.

    ``approximate`` is True when betweenness was estimated from ``betweenness_samples``
    sources; ``holes_complete`` is False when constraint/effective size were computed only
    for the top brokers (graphs above ``exact_limit`` nodes); ``community_method`` says how
    communities were found (Louvain up to ``exact_limit`` nodes, label propagation above).
    """

    node_count: int
    edge_count: int
    density: float
    components: int
    degree: Mapping[int, int]
    weighted_degree: Mapping[int, float]
    betweenness: Mapping[int, float]
    approximate: bool
    betweenness_samples: int | None
    constraint: Mapping[int, float]
    effective_size: Mapping[int, float]
    holes_complete: bool
    communities: tuple[tuple[int, ...], ...]
    community_of: Mapping[int, int]
    community_names: tuple[str, ...]
    brokers: tuple[int, ...]
    bridges: tuple[tuple[int, int], ...]
    articulation_points: tuple[int, ...]
    isolated: tuple[int, ...]
    members: frozenset[int]
    isolated_members: tuple[int, ...]
    member_density: float
    member_components: int
    reach: frozenset[int]
    seed: int = field(default=42)
    #: "louvain" (exact_limit nodes or fewer) or "label_propagation" (larger graphs).
    community_method: str = field(default="louvain")


# --------------------------------------------------------------------------- building


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while bulk-building acyclic data.

    Loading and building a 10k territory allocate hundreds of thousands of small containers
    (evidence, edge dicts, tuples) and no reference cycle; every automatic collection
    meanwhile rescans all of them, a third of the time of those two steps. Reference
    counting still frees everything; only cycle detection waits. Kept for the territory
    map, whose 10,000-organisation build users wait for (BENCHMARKS.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def tie_kind(evidence: TieEvidence) -> str:
    """The kind an edge shows for ``evidence``: the declared kind, else the source."""
    if evidence.source == "declared":
        return evidence.kind or "informal"
    return evidence.source


def _filter_kind(evidence: TieEvidence) -> str:
    """The kind filters test: a declared kind outside ``KINDS`` (an old or hand-edited row)
    counts as informal, as its points do."""
    kind = tie_kind(evidence)
    return kind if kind in KIND_LABELS else "informal"


def evidence_points(evidence: TieEvidence) -> float:
    """Points one piece of evidence adds to its edge (see the module docstring)."""
    if evidence.source == "declared":
        base = _DECLARED_POINTS.get(evidence.kind or "informal", 1)
        return round(base * max(evidence.strength, 0.0), 4)
    return _SOURCE_POINTS.get(evidence.source, 1)


def edge_weight(points: float) -> float:
    """``log2(1 + points)`` rounded: sub-linear so many weak ties never swamp a strong one."""
    return round(math.log2(1 + points), 4) if points > 0 else 0.0


def _edge_attrs(items: Sequence[TieEvidence]) -> dict[str, Any]:
    """Aggregate the (deduplicated, sorted) evidence of one edge into its attributes."""
    if len(items) == 1:  # the common case, without the set/sort machinery
        e = items[0]
        points = evidence_points(e)
        return {
            "weight": edge_weight(points),
            "points": points,
            "count": 1,
            "kinds": (tie_kind(e),),
            "sources": (e.source,),
            "first_year": e.year,
            "last_year": e.year,
            "refs": (e.ref,) if e.ref is not None else (),
            "evidence": tuple(items),
        }
    points = round(sum(evidence_points(e) for e in items), 4)
    years = [e.year for e in items if e.year is not None]
    return {
        "weight": edge_weight(points),
        "points": points,
        "count": len(items),
        "kinds": tuple(sorted({tie_kind(e) for e in items})),
        "sources": tuple(sorted({e.source for e in items})),
        "first_year": min(years) if years else None,
        "last_year": max(years) if years else None,
        "refs": tuple(sorted({e.ref for e in items if e.ref is not None})),
        "evidence": tuple(items),
    }


def _sort_key(e: TieEvidence) -> tuple[Any, ...]:
    return (e.a, e.b, e.source, e.kind or "", e.year or 0, e.ref or "")


def _add_edges(graph: nx.Graph, evidence: Iterable[TieEvidence]) -> int:
    with gc_paused():
        return _group_and_add_edges(graph, evidence)


def _group_and_add_edges(graph: nx.Graph, evidence: Iterable[TieEvidence]) -> int:
    """Group evidence by pair and add one edge per pair; returns the evidence dropped.

    One pass groups the evidence in plain dicts (a pair with a single piece of evidence, the
    common case, keeps it bare: no set, no sort), then every edge goes in with one
    ``add_edges_from`` call, in pair order.
    """
    known = set(graph)
    grouped: dict[tuple[Any, Any], Any] = {}
    several: set[tuple[Any, Any]] = set()
    dropped = 0
    for item in evidence:
        a = item.a
        b = item.b
        if a == b or a not in known or b not in known:
            dropped += 1
            continue
        if b < a:  # canonical orientation, so (a, b) and (b, a) deduplicate
            item = TieEvidence(b, a, item.source, item.kind, item.year, item.ref)
            a, b = b, a
        pair = (a, b)
        found = grouped.get(pair)
        if found is None:
            grouped[pair] = item
        elif pair in several:
            found.add(item)
        elif found != item:
            grouped[pair] = {found, item}
            several.add(pair)
    graph.add_edges_from(_edges(grouped, several))
    return dropped


def _edges(
    grouped: Mapping[tuple[Any, Any], Any], several: Collection[tuple[Any, Any]]
) -> Iterable[tuple[Any, Any, dict[str, Any]]]:
    """(a, b, attributes) of every grouped pair, in pair order."""
    single: dict[tuple[str, str | None, float], tuple[float, float, tuple[str], tuple[str]]] = {}
    for pair in sorted(grouped):
        found = grouped[pair]
        if pair in several:
            yield pair[0], pair[1], _edge_attrs(sorted(found, key=_sort_key))
            continue
        # One piece of evidence: what _edge_attrs gives, with points, weight and the (shared,
        # immutable) kinds and sources tuples memoised per (source, kind, strength).
        memo = (found.source, found.kind, found.strength)
        known = single.get(memo)
        if known is None:
            points = evidence_points(found)
            known = single[memo] = (
                points,
                edge_weight(points),
                (tie_kind(found),),
                (found.source,),
            )
        year = found.year
        ref = found.ref
        yield (
            pair[0],
            pair[1],
            {
                "weight": known[1],
                "points": known[0],
                "count": 1,
                "kinds": known[2],
                "sources": known[3],
                "first_year": year,
                "last_year": year,
                "refs": (ref,) if ref is not None else (),
                "evidence": (found,),
            },
        )


def build_graph(nodes: Iterable[OrgNode], evidence: Iterable[TieEvidence]) -> nx.Graph:
    """Territory graph: one node per organisation, one edge per cooperating pair.

    Nodes and edges are inserted in id order so every later computation is deterministic.
    Self-ties and evidence naming an unknown organisation are dropped and counted in
    ``graph.graph["dropped_evidence"]``.
    """
    graph = nx.Graph()
    graph.add_nodes_from(
        (
            node.id,
            {
                "label": node.label,
                "org_type": node.org_type,
                "country": node.country,
                "themes": tuple(node.themes),
                "role": node.role,
                "is_member": bool(node.is_member),
            },
        )
        for node in sorted(nodes, key=lambda n: n.id)
    )
    graph.graph["dropped_evidence"] = _add_edges(graph, evidence)
    return graph


def proposal_view(graph: nx.Graph, member_ids: Collection[int]) -> nx.Graph:
    """The consortium members present in ``graph`` plus their direct neighbours (a copy)."""
    members = {m for m in member_ids if m in graph}
    keep = set(members)
    for member in members:
        keep.update(graph.adj[member])
    return graph.subgraph(n for n in graph if n in keep).copy()


def filter_graph(
    graph: nx.Graph,
    kinds: Collection[str] | None = None,
    years: tuple[int | None, int | None] | None = None,
    org_types: Collection[str] | None = None,
    themes: Collection[str] | None = None,
    *,
    keep_undated: bool = True,
) -> nx.Graph:
    """A copy keeping matching organisations and the evidence of matching ties.

    Organisations are kept when their type is in ``org_types`` and they carry one of
    ``themes`` (accent/case-insensitive). Edges are rebuilt from the evidence of the given
    ``kinds`` (see ``KINDS``) dated within ``years`` (inclusive, either end open); undated
    evidence is kept unless ``keep_undated`` is False. Organisations left without ties stay.
    """
    out = nx.Graph()
    out.graph.update(graph.graph)
    matches = _organisation_test(org_types, themes)
    for node, data in graph.nodes(data=True):
        if matches(data.get("org_type"), data.get("themes", ())):
            out.add_node(node, **data)
    keep = evidence_filter(kinds, years, keep_undated=keep_undated)
    kept = (e for _, _, ev in graph.edges(data="evidence", default=()) for e in ev if keep(e))
    _add_edges(out, kept)
    out.graph["dropped_evidence"] = graph.graph.get("dropped_evidence", 0)
    return out


def _organisation_test(
    org_types: Collection[str] | None, themes: Collection[str] | None
) -> Callable[[str | None, Iterable[str]], bool]:
    """(org_type, themes) -> kept by :func:`filter_graph`'s ``org_types`` and ``themes``."""
    wanted_types = set(org_types) if org_types is not None else None
    wanted_themes = {fold(t) for t in themes} if themes is not None else None

    def matches(org_type: str | None, org_themes: Iterable[str]) -> bool:
        if wanted_types is not None and org_type not in wanted_types:
            return False
        return wanted_themes is None or bool(wanted_themes & {fold(t) for t in org_themes})

    return matches


def evidence_filter(
    kinds: Collection[str] | None,
    years: tuple[int | None, int | None] | None,
    *,
    keep_undated: bool,
) -> Callable[[TieEvidence], bool]:
    """Evidence -> kept by :func:`filter_graph`'s ``kinds``, ``years`` and ``keep_undated``."""
    wanted_kinds = set(kinds) if kinds is not None else None
    low, high = years if years is not None else (None, None)

    def keep(item: TieEvidence) -> bool:
        if wanted_kinds is not None and _filter_kind(item) not in wanted_kinds:
            return False
        if item.year is None:
            return keep_undated or years is None
        return (low is None or item.year >= low) and (high is None or item.year <= high)

    return keep


def matching_organisations(
    nodes: Iterable[OrgNode],
    org_types: Collection[str] | None = None,
    themes: Collection[str] | None = None,
) -> set[int]:
    """Ids of the organisations :func:`filter_graph` keeps for ``org_types`` and ``themes``."""
    matches = _organisation_test(org_types, themes)
    return {n.id for n in nodes if matches(n.org_type, n.themes)}


def adjacency(
    organisations: Collection[int],
    evidence: Iterable[TieEvidence],
    kinds: Collection[str] | None = None,
    years: tuple[int | None, int | None] | None = None,
    *,
    keep_undated: bool = True,
) -> dict[int, set[int]]:
    """Neighbours of each organisation as ``filter_graph(build_graph(...))`` would tie them,
    without building the graph: evidence of matching ``kinds`` and ``years`` between two
    distinct ``organisations`` (the ones that exist and match the filters). Organisations
    without a tie are left out."""
    keep = evidence_filter(kinds, years, keep_undated=keep_undated)
    everything = kinds is None and years is None
    out: dict[int, set[int]] = defaultdict(set)
    with gc_paused():
        for item in evidence:
            a = item.a
            b = item.b
            if a == b or a not in organisations or b not in organisations:
                continue
            if everything or keep(item):
                out[a].add(b)
                out[b].add(a)
    return dict(out)


# --------------------------------------------------------------------------- metrics


def _community_name(graph: nx.Graph, members: Sequence[Any], wdeg: Mapping[Any, float]) -> str:
    """Most common theme of the community (folded), else the label of its best-tied member."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    for node in members:
        for theme in {t for t in graph.nodes[node].get("themes", ()) if t and fold(t)}:
            key = fold(theme)
            counts[key] += 1
            spellings[key][theme] += 1
    if counts:
        best = min(counts, key=lambda key: (-counts[key], key))
        return min(spellings[best], key=lambda s: (-spellings[best][s], s))
    top = min(members, key=lambda n: (-wdeg.get(n, 0.0), n))
    return str(graph.nodes[top].get("label") or top)


def consortium_metrics(graph: nx.Graph, member_ids: Collection[int]) -> ConsortiumMetrics:
    """Density, components, isolated members and two-step reach of the members in ``graph``.

    A member is isolated when it has no tie to another member (only counted with 2+ members).
    """
    members = frozenset(m for m in member_ids if m in graph)
    induced = graph.subgraph(members)
    first: set[Any] = set()
    for member in members:
        first.update(graph.adj[member])
    second: set[Any] = set(first)
    for node in first:
        second.update(graph.adj[node])
    isolated = (
        tuple(sorted(m for m in members if not any(v in members for v in graph.adj[m])))
        if len(members) >= 2
        else ()
    )
    return ConsortiumMetrics(
        members=members,
        reach=frozenset(second - members),
        density=float(nx.density(induced)) if len(members) >= 2 else 0.0,
        components=nx.number_connected_components(induced) if members else 0,
        isolated_members=isolated,
    )


def analyse(
    graph: nx.Graph,
    member_ids: Collection[int] = frozenset(),
    *,
    exact_limit: int = 2000,
    seed: int = 42,
    samples: int = BETWEENNESS_SAMPLES,
    progress: Callable[[float], None] = lambda _fraction: None,
) -> Analysis:
    """Every metric the network page shows, computed once.

    Above ``exact_limit`` nodes, betweenness is estimated from ``samples`` seeded sources
    (``approximate=True``) and structural holes are computed for the ``HOLES_LIMIT`` top
    brokers only. Works on empty, single-node and disconnected graphs. ``progress`` hears the
    fraction done between the steps.
    """
    n = graph.number_of_nodes()
    csr = csr_of(graph)  # read the graph once; every metric below works on these arrays
    degree, wdeg = degrees(graph, csr)
    progress(0.1)
    approximate = n > exact_limit and samples < n
    bc = betweenness(graph, k=samples if approximate else None, seed=seed, csr=csr)
    progress(0.5)
    brokers_all = sorted(graph, key=lambda v: (-bc.get(v, 0.0), v))
    if approximate:
        constraint, esize = structural_holes(graph, brokers_all[:HOLES_LIMIT], csr=csr)
    else:
        constraint, esize = structural_holes(graph, csr=csr)
    holes_complete = not approximate or n <= HOLES_LIMIT
    progress(0.6)

    large = n > exact_limit
    if not n:
        found: list[set[Any]] = []
    elif large:
        found = label_propagation(graph, seed=seed, csr=csr)
    else:
        found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    communities = tuple(tuple(sorted(c)) for c in sorted(found, key=lambda c: (-len(c), min(c))))
    community_of = {node: i for i, com in enumerate(communities) for node in com}
    names = tuple(_community_name(graph, com, wdeg) for com in communities)
    progress(0.85)

    bridge_positions, cut_positions, components = cut_structure(csr)
    bridges, cut_points = named_cuts(csr, bridge_positions, cut_positions)
    consortium = consortium_metrics(graph, member_ids)
    progress(1.0)
    return Analysis(
        node_count=n,
        edge_count=graph.number_of_edges(),
        density=float(nx.density(graph)) if n > 1 else 0.0,
        components=components,
        degree=degree,
        weighted_degree=wdeg,
        betweenness=bc,
        approximate=approximate,
        betweenness_samples=samples if approximate else None,
        constraint=constraint,
        effective_size=esize,
        holes_complete=holes_complete,
        communities=communities,
        community_of=community_of,
        community_names=names,
        brokers=tuple(v for v in brokers_all[:10] if bc.get(v, 0.0) > 0),
        bridges=bridges,
        articulation_points=cut_points,
        isolated=tuple(sorted(v for v, d in degree.items() if d == 0)),
        members=consortium.members,
        isolated_members=consortium.isolated_members,
        member_density=consortium.density,
        member_components=consortium.components,
        reach=consortium.reach,
        seed=seed,
        community_method="label_propagation" if large else "louvain",
    )


def territory_summary(graph: nx.Graph, analysis: Analysis, *, top: int = 10) -> dict[str, Any]:
    """What the page keeps of a whole-territory analysis: plain JSON, names included, so it
    can be shown long after the graph is gone."""

    def label(node: Any) -> str:
        return str(graph.nodes[node].get("label") or node)

    return {
        "nodes": analysis.node_count,
        "edges": analysis.edge_count,
        "density": round(analysis.density, 6),
        "components": analysis.components,
        "isolated": len(analysis.isolated),
        "communities": len(analysis.communities),
        "community_method": analysis.community_method,
        "largest_communities": [
            {"name": analysis.community_names[i], "size": len(members)}
            for i, members in enumerate(analysis.communities[:top])
        ],
        "brokers": [
            {"id": node, "name": label(node), "betweenness": round(analysis.betweenness[node], 6)}
            for node in analysis.brokers[:top]
        ],
        "bridges": len(analysis.bridges),
        "cut_points": len(analysis.articulation_points),
        "approximate": analysis.approximate,
        "samples": analysis.betweenness_samples,
    }


def centrality_scale(analysis: Analysis, nodes: Iterable[Any]) -> dict[Any, float]:
    """0..1 size factor per node: sqrt of betweenness (degree when none is a broker).

    The square root keeps minor brokers visible next to a dominant hub.
    """
    nodes = list(nodes)
    values = {v: analysis.betweenness.get(v, 0.0) for v in nodes}
    if not any(val > 0 for val in values.values()):
        values = {v: float(analysis.degree.get(v, 0)) for v in nodes}
    top = max(values.values(), default=0.0)
    if top <= 0:
        return dict.fromkeys(nodes, 0.0)
    return {v: round(math.sqrt(values[v] / top), 4) for v in nodes}


def select_map_nodes(graph: nx.Graph, analysis: Analysis, limit: int = 300) -> list[Any]:
    """Nodes a map shows: the ``limit`` best-connected (degree, then id) plus every member."""
    ranked = sorted(graph, key=lambda v: (-analysis.degree.get(v, 0), v))
    keep = set(ranked[:limit]) | {m for m in analysis.members if m in graph}
    return [v for v in graph if v in keep]


# --------------------------------------------------------------------------- suggestions


def bridge_gains(
    adjacency: Mapping[Any, Iterable[Any]],
    member_ids: Collection[Any],
    candidates: Iterable[Any] | None = None,
) -> dict[Any, set[Any]]:
    """For each candidate, the organisations it would newly bring within two steps of the
    members (candidates bringing none are left out).

    ``adjacency`` maps an organisation to its neighbours (``graph.adj`` will do). Only
    ``candidates`` are looked at (every non-member of ``adjacency`` when None); the adjacency
    must be complete for the members, every organisation within two steps of them, the
    candidates and the candidates' neighbours.
    """
    members = frozenset(m for m in member_ids if m in adjacency)
    known: set[Any] = set(members)
    for member in members:
        known.update(adjacency[member])
    for node in list(known - members):
        known.update(adjacency[node])
    outside: dict[Any, set[Any]] = {}

    def beyond(node: Any) -> set[Any]:
        found = outside.get(node)
        if found is None:
            found = outside[node] = {w for w in adjacency.get(node, ()) if w not in known}
        return found

    gains: dict[Any, set[Any]] = {}
    pool = adjacency if candidates is None else (c for c in candidates if c in adjacency)
    for candidate in pool:
        if candidate in members:
            continue
        gained = set(beyond(candidate))
        for neighbour in adjacency[candidate]:
            gained |= beyond(neighbour)
        gained.discard(candidate)
        if gained:
            gains[candidate] = gained
    return gains


def rank_bridges(
    adjacency: Mapping[Any, Iterable[Any]],
    member_ids: Collection[Any],
    gains: Mapping[Any, Collection[Any]],
    limit: int = 10,
    *,
    tie_break: Mapping[Any, float] | None = None,
    brokers: Collection[Any] = (),
) -> list[Suggestion]:
    """The ``limit`` best of ``gains`` (see :func:`bridge_gains`) as suggestions: most
    organisations brought first, then higher ``tie_break``, then id; ``brokers`` get the
    "main brokers" reason."""
    bc = tie_break or {}
    members = frozenset(member_ids)
    ranked = sorted(gains, key=lambda v: (-len(gains[v]), -bc.get(v, 0.0), v))[:limit]
    out = []
    for candidate in ranked:
        tied_members = sum(1 for v in adjacency[candidate] if v in members)
        brought = len(gains[candidate])
        reasons = [
            Message(N_("Would bring 1 organisation within two steps of the consortium"), {})
            if brought == 1
            else Message(
                N_("Would bring %(count)d organisations within two steps of the consortium"),
                {"count": brought},
            )
        ]
        if tied_members == 1:
            reasons.append(Message(N_("Already tied to 1 member"), {}))
        elif tied_members:
            reasons.append(
                Message(N_("Already tied to %(count)d members"), {"count": tied_members})
            )
        else:
            reasons.append(Message(N_("Not tied to any member yet"), {}))
        if candidate in brokers:
            reasons.append(Message(N_("One of the main brokers of the territory"), {}))
        out.append(Suggestion(candidate, len(gains[candidate]), tuple(reasons)))
    return out


def suggest_bridges(
    graph: nx.Graph,
    member_ids: Collection[int],
    limit: int = 10,
    *,
    analysis: Analysis | None = None,
) -> list[Suggestion]:
    """Non-members of ``graph`` ranked by how many organisations they would newly bring
    within two steps.

    Ties are broken by betweenness (from ``analysis`` when given, else computed) then id.
    """
    gains = bridge_gains(graph.adj, member_ids)
    if not gains:
        return []
    if analysis is not None:
        bc = analysis.betweenness
    else:
        bc = betweenness(graph, k=BETWEENNESS_SAMPLES if len(graph) > 2000 else None)
    return rank_bridges(
        graph.adj,
        [m for m in member_ids if m in graph],
        gains,
        limit,
        tie_break=bc,
        brokers=analysis.brokers if analysis is not None else (),
    )


def what_if(
    graph: nx.Graph,
    member_ids: Collection[int],
    add: Iterable[int] = (),
    remove: Iterable[int] = (),
) -> WhatIf:
    """Consortium metrics before and after adding/removing organisations."""
    before = consortium_metrics(graph, member_ids)
    after_ids = (set(before.members) | {a for a in add if a in graph}) - set(remove)
    after = consortium_metrics(graph, after_ids)
    return WhatIf(
        before=before,
        after=after,
        reach_change=len(after.reach) - len(before.reach),
        density_change=round(after.density - before.density, 6),
        components_change=after.components - before.components,
        isolated_members_change=len(after.isolated_members) - len(before.isolated_members),
        newly_reached=after.reach - before.reach - before.members,
        no_longer_reached=before.reach - after.reach - after.members,
    )


# --------------------------------------------------------------------------- insights

#: Smallest cluster worth naming in a "only link" insight.
MIN_CLUSTER = 3
MAX_PER_CODE = 5


def _sole_links(graph: nx.Graph, analysis: Analysis) -> list[tuple[Any, int, int]]:
    """(org, cluster a, cluster b) where every path between the two clusters crosses org.

    Candidates are articulation points through which all direct ties between two clusters
    of ``MIN_CLUSTER``+ organisations pass; each is then confirmed by a search that avoids
    the organisation (stopping as soon as the other cluster is reached).
    """
    com = analysis.community_of
    big = {i for i, c in enumerate(analysis.communities) if len(c) >= MIN_CLUSTER}
    cut = set(analysis.articulation_points)
    endpoints: dict[tuple[int, int], set[tuple[Any, Any]]] = defaultdict(set)
    for u, v in graph.edges():
        cu, cv = com.get(u), com.get(v)
        if cu is None or cv is None or cu == cv or cu not in big or cv not in big:
            continue
        pair = (min(cu, cv), max(cu, cv))
        endpoints[pair].add((u, v))
    found = []
    for pair in sorted(endpoints):
        edges = endpoints[pair]
        common = set.intersection(*({u, v} for u, v in edges)) & cut
        for org in sorted(common):
            a, b = pair
            other = b if com[org] == a else a
            start = [v for v in analysis.communities[com[org]] if v != org]
            targets = {v for v in analysis.communities[other] if v != org}
            if start and not _reaches(graph, start, targets, avoid=org):
                found.append((org, a, b))
                break
        if len(found) >= MAX_PER_CODE:
            break
    return found


def _reaches(graph: nx.Graph, start: Iterable[Any], targets: set[Any], avoid: Any) -> bool:
    """Whether a path from ``start`` to ``targets`` exists without crossing ``avoid``."""
    seen = set(start)
    seen.add(avoid)
    stack = list(start)
    while stack:
        node = stack.pop()
        for nxt in graph.adj[node]:
            if nxt in targets:
                return True
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def insights(
    graph: nx.Graph,
    analysis: Analysis,
    member_ids: Collection[int],
    names: Mapping[int, str],
    attended: Mapping[int, int],
) -> list[Insight]:
    """Findings for people, most structural first; each code gives at most five.

    ``names`` overrides graph labels; ``attended`` counts workshops attended per organisation.
    """
    members = frozenset(m for m in member_ids if m in graph)

    def name(node: Any) -> str:
        if names.get(node):
            return names[node]
        return str(graph.nodes[node].get("label") or node) if node in graph else str(node)

    out: list[Insight] = []
    _sole_link_insights(out, graph, analysis, name)
    _member_insights(out, graph, analysis, members, name)
    _outreach_insights(out, graph, analysis, members, attended, name)
    _territory_insights(out, analysis, name)
    return out


def _sole_link_insights(
    out: list[Insight], graph: nx.Graph, analysis: Analysis, name: Callable[[Any], str]
) -> None:
    for org, a, b in _sole_links(graph, analysis):
        out.append(
            Insight(
                "sole_link",
                N_("%(org)s is the only link between the %(a)s cluster and the %(b)s cluster"),
                {
                    "org": name(org),
                    "a": analysis.community_names[a],
                    "b": analysis.community_names[b],
                },
                (org,),
            )
        )


def _member_insights(
    out: list[Insight],
    graph: nx.Graph,
    analysis: Analysis,
    members: frozenset[int],
    name: Callable[[Any], str],
) -> None:
    """Where the consortium itself is fragile: separate groups, lone members, cut points."""
    metrics = consortium_metrics(graph, members)
    if metrics.components > 1:
        out.append(
            Insight(
                "fragmented",
                N_(
                    "The consortium's members form %(count)d separate groups with no tie between them"  # noqa: E501 (one msgid per line)
                ),
                {"count": metrics.components},
                tuple(sorted(members)),
            )
        )
    for member in metrics.isolated_members[:MAX_PER_CODE]:
        out.append(
            Insight(
                "isolated_member",
                N_("%(org)s is a consortium member with no tie to any other member"),
                {"org": name(member)},
                (member,),
            )
        )
    for member in [m for m in analysis.articulation_points if m in members][:MAX_PER_CODE]:
        out.append(
            Insight(
                "member_cut_point",
                N_(
                    "%(org)s is a single point of failure: without it, part of the network is cut off"  # noqa: E501 (one msgid per line)
                ),
                {"org": name(member)},
                (member,),
            )
        )


def _outreach_insights(
    out: list[Insight],
    graph: nx.Graph,
    analysis: Analysis,
    members: frozenset[int],
    attended: Mapping[int, int],
    name: Callable[[Any], str],
) -> None:
    """Who the consortium could reach: workshop regulars without a tie, bridge candidates."""
    lonely = sorted(
        (
            org
            for org, count in attended.items()
            if count > 0
            and org in graph
            and org not in members
            and not any(v in members for v in graph.adj[org])
        ),
        key=lambda org: (-attended[org], org),
    )
    if members:
        for org in lonely[:MAX_PER_CODE]:
            out.append(
                Insight(
                    "attended_no_tie",
                    N_("%(org)s attended %(count)d workshops but has no tie to any member"),
                    {"org": name(org), "count": attended[org]},
                    (org,),
                )
            )
    if members:
        for suggestion in suggest_bridges(graph, members, limit=3, analysis=analysis):
            out.append(
                Insight(
                    "bridge_candidate",
                    N_(
                        "Adding %(org)s would connect the consortium to %(count)d organisations it cannot reach now"  # noqa: E501 (one msgid per line)
                    ),
                    {"org": name(suggestion.org_id), "count": suggestion.new_reach},
                    (suggestion.org_id,),
                )
            )


def _territory_insights(out: list[Insight], analysis: Analysis, name: Callable[[Any], str]) -> None:
    if analysis.brokers:
        top = analysis.brokers[0]
        out.append(
            Insight(
                "top_broker",
                N_(
                    "%(org)s is the main broker of the territory: it lies on more shortest paths than anyone else"  # noqa: E501 (one msgid per line)
                ),
                {"org": name(top)},
                (top,),
            )
        )
    if analysis.isolated:
        out.append(
            Insight(
                "isolated",
                N_("%(count)d organisations have no known tie to anyone"),
                {"count": len(analysis.isolated)},
                tuple(analysis.isolated),
            )
        )

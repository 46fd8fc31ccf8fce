"""The network growing through time: the steps of the map's time control and the "before /
after the workshops" figures.

Pure module. Ties carry years, not dates (``first_year``, the earliest dated evidence of the
tie); a tie without any year is counted as known from the start. The workshop rounds carry
dates, so the time control shows the rounds between the years: at a round, the map holds the
ties dated before the round's year and marks the organisations that attended it; ties of
the rounds' own year appear at that year's step, after the rounds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from consortium.network.kernels import betweenness


@dataclass(frozen=True, slots=True)
class Round:
    """One workshop of the proposal: its number in the sequence, date and attendance."""

    number: int
    held_on: date
    attendees: frozenset[int]


@dataclass(frozen=True, slots=True)
class Step:
    """One position of the time control: ties dated up to ``until`` (None: every tie), and
    the workshop round it stands for, if any."""

    until: int | None
    round: int | None = None
    held_on: date | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Figures of the network at one moment."""

    ties: int
    density: float
    largest_component: int
    brokers: frozenset[Any]


@dataclass(frozen=True, slots=True)
class Growth:
    """Before the first workshop round's year vs. every tie known now."""

    before_year: int
    before: Snapshot
    after: Snapshot
    new_ties: int
    new_brokers: tuple[Any, ...]


def tie_years(graph: nx.Graph) -> list[int]:
    """The distinct ``first_year`` of the graph's ties, ascending."""
    return sorted({y for _u, _v, y in graph.edges(data="first_year") if y is not None})


def steps(graph: nx.Graph, rounds: Sequence[Round]) -> list[Step]:
    """Every tie year, with the workshop rounds placed before their own year's step, then a
    last step with every tie (the undated ones included)."""
    years = tie_years(graph)
    ordered = sorted(rounds, key=lambda r: (r.held_on, r.number))
    marks = sorted({*years, *(r.held_on.year for r in ordered)})
    out: list[Step] = []
    for year in marks:
        out.extend(Step(year - 1, r.number, r.held_on) for r in ordered if r.held_on.year == year)
        if year in years:
            out.append(Step(year))
    out.append(Step(None))
    return out


def known_by(graph: nx.Graph, until: int | None) -> nx.Graph:
    """The graph with only the ties dated up to ``until`` (undated ties always), every node."""
    if until is None:
        return graph
    out = nx.Graph()
    out.add_nodes_from(graph.nodes(data=True))
    out.add_edges_from(
        (u, v, d)
        for u, v, d in graph.edges(data=True)
        if d.get("first_year") is None or d["first_year"] <= until
    )
    return out


def snapshot(graph: nx.Graph) -> Snapshot:
    n = graph.number_of_nodes()
    largest = max((len(c) for c in nx.connected_components(graph)), default=0)
    bc = betweenness(graph) if n else {}
    return Snapshot(
        ties=graph.number_of_edges(),
        density=float(nx.density(graph)) if n > 1 else 0.0,
        largest_component=largest,
        brokers=frozenset(v for v, b in bc.items() if b > 0),
    )


def growth(graph: nx.Graph, rounds: Iterable[Round]) -> Growth | None:
    """Before (ties dated before the first round's year) and after (every tie); None without
    a dated round."""
    first = min((r.held_on for r in rounds), default=None)
    if first is None:
        return None
    before = snapshot(known_by(graph, first.year - 1))
    after = snapshot(graph)
    bc = betweenness(graph) if len(graph) else {}
    became = sorted(after.brokers - before.brokers, key=lambda v: (-bc.get(v, 0.0), str(v)))
    return Growth(
        before_year=first.year,
        before=before,
        after=after,
        new_ties=after.ties - before.ties,
        new_brokers=tuple(became),
    )


def attended_rounds(rounds: Iterable[Round]) -> Mapping[int, tuple[int, ...]]:
    """Organisation id -> the round numbers it attended, ascending."""
    out: dict[int, list[int]] = {}
    for r in sorted(rounds, key=lambda r: r.number):
        for org in r.attendees:
            out.setdefault(org, []).append(r.number)
    return {org: tuple(numbers) for org, numbers in out.items()}

"""Static PNG of the cooperation map (for the Word dossier) and the shared layout.

Pure module. matplotlib is imported lazily with its object API and the Agg canvas (no pyplot,
no global backend switch), so rendering is safe in a web worker. Same input -> same bytes:
fixed layout seed, fixed PNG metadata, sorted drawing order.
"""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import networkx as nx

from consortium.characters import single_line
from consortium.errors import N_
from consortium.network.analysis import Analysis, centrality_scale, select_map_nodes

#: Community palette, shared with static/js/network-map.js (colour of community id i).
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#7f7f7f",
)
OTHER_COLOUR = "#c8c8c8"
ROLE_COLOURS = {"coordinator": "#d62728", "beneficiary": "#1f77b4", "associated": "#2ca02c"}
MEMBER_COLOUR = "#9467bd"
#: Width x height in inches: 16 x 11 cm, fits an A4 portrait page inside 2 cm margins.
FIGSIZE = (16 / 2.54, 11 / 2.54)
DPI = 200
LABELLED = 12
MAX_LABEL = 28


def layout(graph: nx.Graph, seed: int = 42) -> dict[Any, tuple[float, float]]:
    """Deterministic spring layout in [-1, 1], rounded so JSON and PNG agree to the digit.

    Used by both the PNG and the browser map. Lay out the nodes actually shown
    (``select_map_nodes``): networkx needs scipy from 500 nodes and takes seconds at 1,000.
    """
    if len(graph) == 0:
        return {}
    if len(graph) == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    raw = nx.spring_layout(graph, seed=seed, weight="weight", iterations=100)
    return {node: (round(float(x), 5), round(float(y), 5)) for node, (x, y) in sorted(raw.items())}


def clean_label(text: Any, limit: int = MAX_LABEL) -> str:
    """Label fit for matplotlib: no control characters, no mathtext, ellipsis when long."""
    label = single_line(str(text)).strip()
    if len(label) > limit:
        label = label[: limit - 1].rstrip() + "…"
    return label.replace("$", r"\$")


def node_colours(
    graph: nx.Graph, analysis: Analysis, colour_by: str = "community"
) -> dict[Any, str]:
    """Colour per node: the community palette (first ten, others grey) or the member role."""
    colours = {}
    for node, data in graph.nodes(data=True):
        if colour_by == "role":
            if data.get("is_member") or node in analysis.members:
                colours[node] = ROLE_COLOURS.get(str(data.get("role") or ""), MEMBER_COLOUR)
            else:
                colours[node] = OTHER_COLOUR
        else:
            cid = analysis.community_of.get(node)
            colours[node] = PALETTE[cid] if cid is not None and cid < len(PALETTE) else OTHER_COLOUR
    return colours


#: Fixed words of the figure; their translations are part of a rendering's cache key.
FIXED_WORDS = (
    N_("Member"),
    N_("Not in the consortium"),
    N_("Smaller clusters"),
    N_("Consortium member"),
    N_("Legend"),
    N_("Node size: brokerage (betweenness). Line width: strength of the tie."),
    N_("Showing %(shown)d of %(total)d organisations."),
)
#: Renderings kept per process: the same network exported again (a writer exporting the
#: dossier several times while nothing changed in the network) costs a hash, not a layout
#: and a rasterisation.
CACHE_SIZE = 32
_renderings: OrderedDict[str, bytes] = OrderedDict()
_renderings_lock = threading.Lock()


class RenderingStore(Protocol):
    """A second-level cache for renderings, shared between processes (the caller's choice)."""

    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, png: bytes) -> None: ...


def rendering_key(
    graph: nx.Graph,
    analysis: Analysis,
    positions: Mapping[Any, tuple[float, float]] | None,
    options: tuple[object, ...],
) -> str:
    """Digest of everything a rendering depends on (same digest -> same PNG bytes)."""
    digest = hashlib.sha256()

    def feed(*parts: object) -> None:
        digest.update(repr(parts).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")

    for node, data in sorted(graph.nodes(data=True), key=lambda item: repr(item[0])):
        feed(node, data.get("label"), data.get("role"))
        feed(analysis.betweenness.get(node), analysis.degree.get(node),
             analysis.community_of.get(node), node in analysis.members)
    for u, v, data in sorted(
        ((min(a, b), max(a, b), d) for a, b, d in graph.edges(data=True)),
        key=lambda item: (repr(item[0]), repr(item[1])),
    ):
        feed(u, v, data.get("weight", 1.0))
    feed(tuple(len(c) for c in analysis.communities), tuple(analysis.community_names))
    feed(sorted(positions.items(), key=lambda item: repr(item[0])) if positions else None)
    feed(*options)
    return digest.hexdigest()


def render_png(
    graph: nx.Graph,
    analysis: Analysis,
    positions: Mapping[Any, tuple[float, float]] | None = None,
    *,
    colour_by: str = "community",
    gettext: Callable[[str], str] | None = None,
    role_labels: Mapping[str, str] | None = None,
    title: str | None = None,
    limit: int = 300,
    seed: int = 42,
    store: RenderingStore | None = None,
) -> bytes:
    """PNG bytes of the map (see ``draw_png``), from a per-process cache when the same network
    was drawn before with the same words, else from ``store`` (shared by the workers)."""
    tr = gettext or (lambda s: s)
    options = (
        colour_by,
        tuple(tr(word) for word in FIXED_WORDS),
        sorted((role_labels or {}).items()),
        title,
        limit,
        seed,
    )
    key = rendering_key(graph, analysis, positions, options)
    with _renderings_lock:
        cached = _renderings.get(key)
        if cached is not None:
            _renderings.move_to_end(key)
            return cached
    png = store.get(key) if store is not None else None
    if png is None:
        png = draw_png(graph, analysis, positions, colour_by=colour_by, gettext=gettext,
                       role_labels=role_labels, title=title, limit=limit, seed=seed)
        if store is not None:
            store.put(key, png)
    with _renderings_lock:
        _renderings[key] = png
        while len(_renderings) > CACHE_SIZE:
            _renderings.popitem(last=False)
    return png


def clear_renderings() -> None:
    with _renderings_lock:
        _renderings.clear()


def draw_png(
    graph: nx.Graph,
    analysis: Analysis,
    positions: Mapping[Any, tuple[float, float]] | None = None,
    *,
    colour_by: str = "community",
    gettext: Callable[[str], str] | None = None,
    role_labels: Mapping[str, str] | None = None,
    title: str | None = None,
    limit: int = 300,
    seed: int = 42,
) -> bytes:
    """PNG bytes (16 x 11 cm at 200 dpi) of the map the browser shows.

    Node size follows betweenness, colour the community or role (``colour_by``), edge width
    the tie weight; the ``LABELLED`` most central nodes and members (when few) are labelled.
    ``gettext`` translates the legend's fixed words; ``role_labels`` names roles.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    tr = gettext or (lambda s: s)
    shown = select_map_nodes(graph, analysis, limit)
    sub = graph.subgraph(shown)
    pos = dict(positions) if positions is not None else {}
    if any(node not in pos for node in shown):
        pos = layout(sub, seed=seed)
    scale = centrality_scale(analysis, shown)
    colours = node_colours(sub, analysis, colour_by)

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    ax = fig.add_axes((0.01, 0.01, 0.74, 0.92) if title else (0.01, 0.01, 0.74, 0.98))
    ax.set_axis_off()
    edges = sorted((min(u, v), max(u, v), d.get("weight", 1.0)) for u, v, d in sub.edges(data=True))
    top_w = max((w for _, _, w in edges), default=1.0) or 1.0
    # One collection for every edge: a Line2D artist per edge made the figure cost
    # ~2 ms per tie, most of a Word export's time.
    ax.add_collection(
        LineCollection(
            [(pos[u], pos[v]) for u, v, _w in edges],
            colors="#999999",
            linewidths=[0.3 + 2.2 * w / top_w for _u, _v, w in edges],
            alpha=0.55,
            zorder=1,
        )
    )
    xs = [pos[v][0] for v in shown]
    ys = [pos[v][1] for v in shown]
    sizes = [12 + 240 * scale[v] for v in shown]
    edge_colours = ["#000000" if v in analysis.members else "#ffffff" for v in shown]
    ax.scatter(
        xs,
        ys,
        s=sizes,
        c=[colours[v] for v in shown],
        edgecolors=edge_colours,
        linewidths=0.5,
        zorder=2,
    )

    ranked = sorted(
        shown, key=lambda v: (-analysis.betweenness.get(v, 0.0), -analysis.degree.get(v, 0), v)
    )
    labelled = set(ranked[:LABELLED])
    members = [v for v in shown if v in analysis.members]
    if len(members) <= LABELLED:
        labelled |= set(members)
    for node in sorted(labelled):
        x, y = pos[node]
        ax.text(
            x,
            y + 0.035,
            clean_label(graph.nodes[node].get("label") or node),
            fontsize=5.5,
            ha="center",
            va="bottom",
            zorder=3,
            parse_math=False,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    if xs:
        pad = 0.12
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_ylim(min(ys) - pad, max(ys) + pad)

    handles: list[Any] = []
    if colour_by == "role":
        roles = sorted({str(graph.nodes[v].get("role") or "") for v in members})
        names = role_labels or {}
        for role in roles:
            text = names.get(role) or (
                role.replace("_", " ").capitalize() if role else tr(N_("Member"))
            )
            handles.append(
                _dot(Line2D, ROLE_COLOURS.get(role, MEMBER_COLOUR), clean_label(text, 40))
            )
        handles.append(_dot(Line2D, OTHER_COLOUR, tr(N_("Not in the consortium"))))
    else:
        present = sorted({analysis.community_of[v] for v in shown if v in analysis.community_of})
        for cid in [c for c in present if c < len(PALETTE)]:
            size = len(analysis.communities[cid])
            text = f"{clean_label(analysis.community_names[cid], 30)} ({size})"
            handles.append(_dot(Line2D, PALETTE[cid], text))
        if any(c >= len(PALETTE) for c in present):
            handles.append(_dot(Line2D, OTHER_COLOUR, tr(N_("Smaller clusters"))))
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor="white",
            markeredgecolor="black",
            markersize=5,
            label=tr(N_("Consortium member")),
        )
    )
    legend = fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.76, 0.97),
        fontsize=6,
        frameon=False,
        title=tr(N_("Legend")),
        title_fontsize=7,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)
    note = tr(N_("Node size: brokerage (betweenness). Line width: strength of the tie."))
    if len(shown) < len(graph):
        note += " " + tr(N_("Showing %(shown)d of %(total)d organisations.")) % {
            "shown": len(shown),
            "total": len(graph),
        }
    fig.text(0.76, 0.03, note, fontsize=5, wrap=True, va="bottom", parse_math=False)
    if title:
        fig.text(
            0.01,
            0.97,
            clean_label(title, 90),
            fontsize=9,
            weight="bold",
            va="top",
            parse_math=False,
        )

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing glyphs (emoji) fall back to boxes
        fig.savefig(
            buffer, format="png", dpi=DPI, metadata={"Software": "consortium", "Title": None}
        )
    return buffer.getvalue()


def _dot(line2d: Any, colour: str, label: str) -> Any:
    """A legend handle: a coloured dot."""
    return line2d(
        [],
        [],
        marker="o",
        linestyle="",
        markerfacecolor=colour,
        markeredgecolor=colour,
        markersize=5,
        label=label,
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's IHDR chunk."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


__all__ = [
    "DPI",
    "FIGSIZE",
    "PALETTE",
    "RenderingStore",
    "clean_label",
    "clear_renderings",
    "draw_png",
    "layout",
    "node_colours",
    "png_size",
    "render_png",
    "rendering_key",
]

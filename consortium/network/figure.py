"""Static figure of the cooperation map (PNG for the page and the Word dossier, SVG for
download): the browser map's layout, colours and line styles, labels that never overlap or
leave the picture, and the legend inside it.

Pure module. matplotlib is imported lazily with its object API and the Agg canvas (no pyplot,
no global backend switch), so rendering is safe in a web worker. Same input -> same bytes:
fixed layout seed, fixed metadata, sorted drawing order.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol

import networkx as nx

from consortium.characters import short_label
from consortium.errors import N_
from consortium.network.analysis import Analysis, centrality_scale, select_map_nodes
from consortium.network.layouts import place

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
#: Tie kinds drawn dotted when they are a tie's only evidence: being in the same room or the
#: same proposal says less than a declared or project tie (same rule as the browser map).
WEAK_KINDS = frozenset({"workshop", "proposal"})
#: Width x height in inches: 15 x 12 cm, the width the Word dossier gives figures (so the
#: font sizes below are the printed sizes) and well inside an A4 page's margins.
FIGSIZE = (15 / 2.54, 12 / 2.54)
DPI = 200
#: Labels tried, in priority order (members, then brokers, then the best tied); each is
#: drawn only where it overlaps no other label and stays inside the picture.
LABELLED = 40
LABEL_POINTS = 6.5
LABEL_WIDTH = 22
LABEL_LINES = 3
MAX_LABEL = 28


def layout(graph: nx.Graph, seed: int = 42) -> dict[Any, tuple[float, float]]:
    """Force-directed positions (``layouts.place``), organisations without ties in a strip."""
    return place(graph, "force", seed=seed)


def clean_label(text: Any, limit: int = MAX_LABEL) -> str:
    """Label fit for matplotlib: no control characters, no mathtext, ellipsis when long."""
    return short_label(str(text), limit)


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


#: Participation roles in words (the Word figure translates them with the caller's gettext).
ROLE_WORDS = {
    "coordinator": N_("Coordinator"),
    "beneficiary": N_("Beneficiary"),
    "affiliated_entity": N_("Affiliated entity"),
    "associated_partner": N_("Associated partner"),
    "subcontractor": N_("Subcontractor"),
}
#: Fixed words of the figure; their translations are part of a rendering's cache key.
FIXED_WORDS = (
    N_("Member"),
    N_("Not in the consortium"),
    N_("Smaller clusters"),
    N_("Consortium member (black outline)"),
    N_("Size: brokerage (betweenness)"),
    N_("Declared or project tie (width: strength)"),
    N_("Only workshop co-attendance or same proposal"),
    N_("Bridge: the only tie between two parts"),
    N_("No tie in this view"),
    N_("Showing %(shown)d of %(total)d organisations."),
)
#: Part of every rendering's key: change it when the drawing changes, so figures cached in
#: the instance folder by an older version are drawn again.
DRAWING_VERSION = 2
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
    """Digest of everything a rendering depends on (same digest -> same bytes)."""
    digest = hashlib.sha256()

    def feed(*parts: object) -> None:
        digest.update(repr(parts).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")

    for node, data in sorted(graph.nodes(data=True), key=lambda item: repr(item[0])):
        feed(node, data.get("label"), data.get("role"))
        feed(
            analysis.betweenness.get(node),
            analysis.degree.get(node),
            analysis.community_of.get(node),
            node in analysis.members,
        )
    for u, v, data in sorted(
        ((min(a, b), max(a, b), d) for a, b, d in graph.edges(data=True)),
        key=lambda item: (repr(item[0]), repr(item[1])),
    ):
        feed(u, v, data.get("weight", 1.0), data.get("kinds"))
    feed(tuple(len(c) for c in analysis.communities), tuple(analysis.community_names))
    feed(tuple(analysis.bridges))
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
    mode: str = "force",
    ego: Any = None,
    fmt: str = "png",
) -> bytes:
    """The figure's bytes (see ``draw_png``), from a per-process cache when the same network
    was drawn before with the same words, else from ``store`` (shared by the workers)."""
    tr = gettext or (lambda s: s)
    options = (
        DRAWING_VERSION,
        colour_by,
        tuple(tr(word) for word in FIXED_WORDS),
        sorted((role_labels or {}).items()),
        title,
        limit,
        seed,
        mode,
        ego,
        fmt,
    )
    key = rendering_key(graph, analysis, positions, options)
    with _renderings_lock:
        cached = _renderings.get(key)
        if cached is not None:
            _renderings.move_to_end(key)
            return cached
    data = store.get(key) if store is not None and fmt == "png" else None
    if data is None:
        data = draw_png(
            graph,
            analysis,
            positions,
            colour_by=colour_by,
            gettext=gettext,
            role_labels=role_labels,
            title=title,
            limit=limit,
            seed=seed,
            mode=mode,
            ego=ego,
            fmt=fmt,
        )
        if store is not None and fmt == "png":
            store.put(key, data)
    with _renderings_lock:
        _renderings[key] = data
        while len(_renderings) > CACHE_SIZE:
            _renderings.popitem(last=False)
    return data


def clear_renderings() -> None:
    with _renderings_lock:
        _renderings.clear()


def label_lines(text: Any) -> str:
    """A label on at most ``LABEL_LINES`` lines of ``LABEL_WIDTH`` characters, wrapped between
    words; only a longer name is shortened, keeping its acronym on the last line."""
    label = clean_label(text, limit=10_000)
    lines = textwrap.wrap(label, LABEL_WIDTH, break_long_words=False) or [""]
    if len(lines) > LABEL_LINES:
        acronym = re.search(r"\([^()]{1,12}\)$", label)
        name = label[: acronym.start()] if acronym else label
        head = textwrap.wrap(name, LABEL_WIDTH, break_long_words=False)[: LABEL_LINES - 1]
        head[-1] = textwrap.shorten(head[-1] + " …", LABEL_WIDTH, placeholder="…")
        lines = [*head, acronym.group(0)] if acronym else head
    return "\n".join(lines)


def label_order(graph: nx.Graph, analysis: Analysis, shown: Collection[Any]) -> list[Any]:
    """Who gets a label first: members, then brokers (betweenness), then the best tied."""
    return sorted(
        shown,
        key=lambda v: (
            v not in analysis.members,
            -analysis.betweenness.get(v, 0.0),
            -analysis.degree.get(v, 0),
            str(graph.nodes[v].get("label") or v).casefold(),
        ),
    )


def is_weak(kinds: Collection[str]) -> bool:
    """A tie whose only evidence is co-attendance or the same proposal (drawn dotted)."""
    return bool(kinds) and set(kinds) <= WEAK_KINDS


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
    mode: str = "force",
    ego: Any = None,
    fmt: str = "png",
) -> bytes:
    """The map (15 x 12 cm; PNG at 200 dpi, or SVG with ``fmt="svg"``), as the browser shows it.

    Node size follows betweenness, colour the community or role (``colour_by``), line width
    the tie's weight, line style its evidence (dotted: co-attendance or same proposal only;
    dashed: a bridge). Organisations without ties sit in a strip under the network. Labels
    go to members first, then brokers, and only where they fit (see ``LABELLED``).
    ``gettext`` translates the legend's fixed words; ``role_labels`` names roles.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    tr = gettext or (lambda s: s)
    shown = select_map_nodes(graph, analysis, limit)
    sub = graph.subgraph(shown)
    pos = dict(positions) if positions is not None else {}
    if any(node not in pos for node in shown):
        pos = place(
            sub,
            mode,
            members=analysis.members,
            communities=analysis.community_of,
            ego=ego,
            seed=seed,
        )
    colours = node_colours(sub, analysis, colour_by)

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    canvas = FigureCanvasAgg(fig)
    top = 0.93 if title else 0.99
    # The legend's two columns hold the colours plus five fixed entries.
    rows = math.ceil((min(len(set(colours.values())), 7) + 5) / 2)
    legend_height = 0.03 + 0.032 * rows
    ax = fig.add_axes((0.01, legend_height, 0.98, top - legend_height))
    ax.set_axis_off()
    _draw_edges(ax, sub, pos, analysis)
    _draw_nodes(ax, sub, pos, analysis, colours, shown)
    _draw_alone_strip(ax, sub, pos, shown, tr)
    if pos:
        xs = [pos[v][0] for v in shown]
        ys = [pos[v][1] for v in shown]
        ax.set_xlim(min(xs) - 0.25, max(xs) + 0.25)
        ax.set_ylim(min(ys) - 0.12, max(ys) + 0.15)
    _place_labels(fig, canvas, ax, graph, analysis, label_order(graph, analysis, shown), pos)
    _legend(fig, graph, analysis, shown, colour_by, role_labels, tr, legend_height)
    if title:
        fig.text(
            0.01,
            0.985,
            clean_label(title, 90),
            fontsize=9,
            weight="bold",
            va="top",
            parse_math=False,
        )
    return _saved(fig, fmt)


def _draw_alone_strip(ax: Any, sub: nx.Graph, pos, shown: list[Any], tr) -> None:
    """A rule and a caption over the strip of organisations without a tie in the view."""
    alone = [v for v in shown if sub.degree(v) == 0]
    if not alone or len(alone) == len(shown):
        return
    strip_top = max(pos[v][1] for v in alone) + 0.12
    ax.axhline(strip_top, color="#dddddd", linewidth=0.6, zorder=0)
    ax.text(
        -1.2,
        strip_top - 0.02,
        tr(N_("No tie in this view")),
        fontsize=6,
        color="#555555",
        va="top",
        ha="left",
        parse_math=False,
    )


def _saved(fig: Any, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, without a date, so that one map gives one file."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # missing glyphs (emoji) fall back to boxes
        if fmt == "svg":
            from matplotlib import rc_context

            with rc_context({"svg.hashsalt": "consortium", "svg.fonttype": "none"}):
                fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "consortium"})
        else:
            fig.savefig(
                buffer, format="png", dpi=DPI, metadata={"Software": "consortium", "Title": None}
            )
    return buffer.getvalue()


def _draw_edges(ax: Any, sub: nx.Graph, pos: Mapping[Any, Any], analysis: Analysis) -> None:
    """Three collections (solid, dotted, dashed): one artist per edge cost ~2 ms a tie."""
    from matplotlib.collections import LineCollection

    edges = sorted((min(u, v), max(u, v), d) for u, v, d in sub.edges(data=True))
    top_w = max((d.get("weight", 1.0) for _u, _v, d in edges), default=1.0) or 1.0
    bridges = set(analysis.bridges)
    styles: dict[str, tuple[list[Any], list[float]]] = {
        "solid": ([], []),
        "dotted": ([], []),
        "dashed": ([], []),
    }
    for u, v, d in edges:
        style = (
            "dashed"
            if (u, v) in bridges
            else ("dotted" if is_weak(d.get("kinds") or ()) else "solid")
        )
        styles[style][0].append((pos[u], pos[v]))
        styles[style][1].append(0.4 + 2.0 * d.get("weight", 1.0) / top_w)
    colours = {"solid": "#8a8a8a", "dotted": "#b0b0b0", "dashed": "#444444"}
    for style, (segments, widths) in styles.items():
        if segments:
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=colours[style],
                    linewidths=widths,
                    alpha=0.7,
                    zorder=1,
                    linestyles=style if style != "dotted" else (0, (1, 1.5)),
                )
            )


def _draw_nodes(
    ax: Any,
    sub: nx.Graph,
    pos: Mapping[Any, Any],
    analysis: Analysis,
    colours: Mapping[Any, str],
    shown: list[Any],
) -> None:
    scale = centrality_scale(analysis, shown)
    ax.scatter(
        [pos[v][0] for v in shown],
        [pos[v][1] for v in shown],
        s=[14 + 200 * scale[v] for v in shown],
        c=[colours[v] for v in shown],
        edgecolors=["#000000" if v in analysis.members else "#ffffff" for v in shown],
        linewidths=[1.0 if v in analysis.members else 0.5 for v in shown],
        zorder=2,
    )


def _place_labels(
    fig: Any,
    canvas: Any,
    ax: Any,
    graph: nx.Graph,
    analysis: Analysis,
    order: list[Any],
    pos: Mapping[Any, Any],
) -> None:
    """Greedy placement: above, below, right or left of the node, the first spot that stays
    inside the figure and overlaps no label already placed; none fits -> no label."""
    renderer = canvas.get_renderer()
    frame = fig.bbox
    placed: list[Any] = []
    offsets = (
        (0, 5, "center", "bottom"),
        (0, -5, "center", "top"),
        (6, 0, "left", "center"),
        (-6, 0, "right", "center"),
    )
    for node in order[:LABELLED]:
        text = label_lines(graph.nodes[node].get("label") or node)
        for dx, dy, ha, va in offsets:
            artist = ax.annotate(
                text,
                pos[node],
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=LABEL_POINTS,
                zorder=3,
                annotation_clip=False,
                parse_math=False,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.75},
            )
            box = artist.get_window_extent(renderer).expanded(1.04, 1.08)
            inside = (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1
                and box.y0 >= ax.bbox.y0 - 2
                and box.y1 <= frame.y1
            )
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            artist.remove()


def _colour_handles(
    graph: nx.Graph,
    analysis: Analysis,
    shown: list[Any],
    colour_by: str,
    role_labels: Mapping[str, str] | None,
    tr: Callable[[str], str],
) -> list[Any]:
    """The legend's colours: the members' roles, or the largest communities shown."""
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    if colour_by == "role":
        roles = sorted(
            {str(graph.nodes[v].get("role") or "") for v in shown if v in analysis.members}
        )
        names = role_labels or {}
        for role in roles:
            text = names.get(role) or (
                role.replace("_", " ").capitalize() if role else tr(N_("Member"))
            )
            handles.append(
                _dot(Line2D, ROLE_COLOURS.get(role, MEMBER_COLOUR), clean_label(text, 40))
            )
        handles.append(_dot(Line2D, OTHER_COLOUR, tr(N_("Not in the consortium"))))
        return handles
    present = sorted({analysis.community_of[v] for v in shown if v in analysis.community_of})
    coloured = [c for c in present if c < len(PALETTE)]
    for cid in coloured[:6]:
        size = len(analysis.communities[cid])
        text = f"{clean_label(analysis.community_names[cid], 30)} ({size})"
        handles.append(_dot(Line2D, PALETTE[cid], text))
    if len(coloured) > 6 or len(coloured) < len(present):
        handles.append(_dot(Line2D, OTHER_COLOUR, tr(N_("Smaller clusters"))))
    return handles


def _fixed_handles(tr: Callable[[str], str]) -> list[Any]:
    """The legend's fixed entries: outline, size and the three line styles."""
    from matplotlib.lines import Line2D

    def marker(face: str, edge: str, size: float, label: str) -> Any:
        return Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=face,
            markeredgecolor=edge,
            markersize=size,
            label=label,
        )

    return [
        marker("white", "black", 5, tr(N_("Consortium member (black outline)"))),
        marker("#bbbbbb", "#bbbbbb", 8, tr(N_("Size: brokerage (betweenness)"))),
        Line2D(
            [],
            [],
            color="#8a8a8a",
            linewidth=1.6,
            label=tr(N_("Declared or project tie (width: strength)")),
        ),
        Line2D(
            [],
            [],
            color="#b0b0b0",
            linewidth=1.2,
            linestyle=(0, (1, 1.5)),
            label=tr(N_("Only workshop co-attendance or same proposal")),
        ),
        Line2D(
            [],
            [],
            color="#444444",
            linewidth=1.2,
            linestyle="dashed",
            label=tr(N_("Bridge: the only tie between two parts")),
        ),
    ]


def _legend(
    fig: Any,
    graph: nx.Graph,
    analysis: Analysis,
    shown: list[Any],
    colour_by: str,
    role_labels: Mapping[str, str] | None,
    tr: Callable[[str], str],
    height: float,
) -> None:
    """Colours, outline, size and line styles in two columns under the network."""
    handles = _colour_handles(graph, analysis, shown, colour_by, role_labels, tr)
    legend = fig.legend(
        handles=handles + _fixed_handles(tr),
        loc="upper left",
        bbox_to_anchor=(0.01, height),
        ncols=2,
        fontsize=6,
        frameon=False,
        handlelength=2.2,
        columnspacing=1.2,
        labelspacing=0.35,
    )
    for text in legend.get_texts():
        text.set_parse_math(False)
    if len(shown) < len(graph):
        note = tr(N_("Showing %(shown)d of %(total)d organisations.")) % {
            "shown": len(shown),
            "total": len(graph),
        }
        fig.text(0.99, 0.01, note, fontsize=5.5, ha="right", va="bottom", parse_math=False)


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
    "label_lines",
    "layout",
    "node_colours",
    "png_size",
    "render_png",
    "rendering_key",
]

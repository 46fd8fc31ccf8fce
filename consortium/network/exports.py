"""Network exports (GEXF, GraphML, node-link JSON, CSV, zip) and the browser map payload.

Pure module. Every export goes through ``export_graph``: a fresh graph with nodes and edges in
sorted order, scalar attributes only (lists joined with ';', no None) and every string passed
through ``xml_safe`` -- networkx 3.6.1 writes invalid GEXF silently and raises on GraphML
when a label holds a control character (reliability.md 4.5). Output is byte-deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from consortium.characters import without_control_characters
from consortium.network.analysis import Analysis, centrality_scale, select_map_nodes
from consortium.network.figure import is_weak
from consortium.network.layouts import place

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0", "|", "%")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")

NODE_FIELDS = (
    "id",
    "label",
    "org_type",
    "country",
    "themes",
    "role",
    "is_member",
    "degree",
    "weighted_degree",
    "betweenness",
    "community",
    "community_name",
    "constraint",
    "effective_size",
    "articulation_point",
)
EDGE_FIELDS = (
    "source",
    "target",
    "source_label",
    "target_label",
    "weight",
    "points",
    "count",
    "kinds",
    "sources",
    "first_year",
    "last_year",
    "refs",
    "bridge",
)
#: Fixed timestamp for zip members so the bundle is byte-identical across runs.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def xml_safe(text: str) -> str:
    """Remove characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/F)."""
    return without_control_characters(text)


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas: prefix ``'`` to any line starting with = + - @ tab CR...

    Leading spaces/NBSP are looked through; numbers (int, float, numeric strings) are left
    alone so ``-1200.50`` stays a number.
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value
    text = str(value)
    if _NUMBER.fullmatch(text.strip()):
        return text
    lines = text.split("\n")
    safe = []
    for line in lines:
        stripped = line.lstrip(" \u00a0")
        safe.append("'" + line if stripped.startswith(_FORMULA_START) else line)
    return "\n".join(safe)


def _scalar(value: Any) -> Any:
    """An attribute value every writer accepts: str/int/float/bool, lists joined with ';'."""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return xml_safe(";".join(str(v) for v in items))
    return xml_safe(str(value))


def node_metrics(graph: nx.Graph, analysis: Analysis | None) -> dict[Any, dict[str, Any]]:
    """Per-node export attributes: organisation fields plus the analysis metrics."""
    cut = set(analysis.articulation_points) if analysis else set()
    rows: dict[Any, dict[str, Any]] = {}
    for node in sorted(graph):
        data = graph.nodes[node]
        row: dict[str, Any] = {
            "label": data.get("label") or str(node),
            "org_type": data.get("org_type"),
            "country": data.get("country"),
            "themes": tuple(data.get("themes") or ()),
            "role": data.get("role"),
            "is_member": bool(data.get("is_member")) or bool(analysis and node in analysis.members),
        }
        if analysis is not None:
            cid = analysis.community_of.get(node)
            row.update(
                degree=analysis.degree.get(node),
                weighted_degree=analysis.weighted_degree.get(node),
                betweenness=analysis.betweenness.get(node),
                community=cid,
                community_name=analysis.community_names[cid] if cid is not None else None,
                constraint=analysis.constraint.get(node),
                effective_size=analysis.effective_size.get(node),
                articulation_point=node in cut,
            )
        rows[node] = row
    return rows


def export_graph(graph: nx.Graph, analysis: Analysis | None = None) -> nx.Graph:
    """Clean, sorted copy for writers: scalar, XML-safe attributes, None values left out.

    Every node has the same attribute keys except those whose value is unknown, which the
    formats read as missing. The ``evidence`` tuples stay behind.
    """
    out = nx.Graph()
    bridges = set(analysis.bridges) if analysis else set()
    for node, row in node_metrics(graph, analysis).items():
        out.add_node(node, **{k: _scalar(v) for k, v in row.items() if v is not None})
    for u, v in sorted((min(a, b), max(a, b)) for a, b in graph.edges()):
        data = graph.edges[u, v]
        attrs = {
            "weight": data.get("weight", 1.0),
            "points": data.get("points"),
            "count": data.get("count"),
            "kinds": tuple(data.get("kinds") or ()),
            "sources": tuple(data.get("sources") or ()),
            "first_year": data.get("first_year"),
            "last_year": data.get("last_year"),
            "refs": tuple(data.get("refs") or ()),
        }
        if analysis is not None:
            attrs["bridge"] = (u, v) in bridges
        out.add_edge(u, v, **{k: _scalar(x) for k, x in attrs.items() if x is not None})
    return out


def export_gexf(graph: nx.Graph, analysis: Analysis | None = None) -> bytes:
    """GEXF 1.2 (Gephi's format), UTF-8, without networkx's "last modified" date."""
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "consortium"
    writer.add_graph(export_graph(graph, analysis))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def export_graphml(graph: nx.Graph, analysis: Analysis | None = None) -> bytes:
    """GraphML (yEd, Cytoscape, igraph), UTF-8."""
    buffer = io.BytesIO()
    nx.write_graphml(export_graph(graph, analysis), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def export_json(graph: nx.Graph, analysis: Analysis | None = None) -> bytes:
    """networkx node-link JSON (``nx.node_link_graph(data, edges="edges")`` reads it back)."""
    data = nx.node_link_data(export_graph(graph, analysis), edges="edges")
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _csv(rows: Iterable[Mapping[str, Any]], fields: tuple[str, ...]) -> bytes:
    """UTF-8 CSV with a BOM (Excel opens accents right), formula-safe cells."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_safe(_csv_value(row.get(k))) for k in fields})
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> Any:
    """Cell text: '' for missing, true/false for flags, ';'-joined lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _scalar(value)


def export_csv_nodes(graph: nx.Graph, analysis: Analysis | None = None) -> bytes:
    """One row per organisation, sorted by id."""
    clean = export_graph(graph, analysis)
    return _csv(({"id": n, **d} for n, d in clean.nodes(data=True)), NODE_FIELDS)


def export_csv_edges(graph: nx.Graph, analysis: Analysis | None = None) -> bytes:
    """One row per tie, sorted by (source, target)."""
    clean = export_graph(graph, analysis)
    rows = (
        {
            "source": u,
            "target": v,
            "source_label": clean.nodes[u].get("label", ""),
            "target_label": clean.nodes[v].get("label", ""),
            **d,
        }
        for u, v, d in clean.edges(data=True)
    )
    return _csv(rows, EDGE_FIELDS)


def export_csv_zip(
    graph: nx.Graph, analysis: Analysis | None = None, prefix: str = "network"
) -> bytes:
    """Zip of ``<prefix>-nodes.csv`` and ``<prefix>-edges.csv`` with fixed timestamps."""
    safe_prefix = (
        re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9_.-]+", "-", prefix)).strip("-.") or "network"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, payload in (
            (f"{safe_prefix}-nodes.csv", export_csv_nodes(graph, analysis)),
            (f"{safe_prefix}-edges.csv", export_csv_edges(graph, analysis)),
        ):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, payload)
    return buffer.getvalue()


#: Map extent: layout coordinates in [-1, 1] are multiplied by this for the browser.
MAP_SCALE = 500
MIN_SIZE, MAX_SIZE = 8.0, 40.0


def map_payload(
    graph: nx.Graph,
    analysis: Analysis,
    positions: Mapping[Any, tuple[float, float]] | None = None,
    *,
    limit: int = 300,
    seed: int = 42,
    mode: str = "force",
    ego: Any = None,
    rounds: Mapping[Any, tuple[int, ...]] | None = None,
) -> dict[str, Any]:
    """The JSON static/js/network-map.js draws (shape documented at the top of that file).

    Shows the ``limit`` best-connected organisations plus every member (``truncated``,
    ``shown``, ``total`` say so). Positions missing for a shown node -> the shown subgraph
    is laid out with ``layouts.place(mode, ego)``, as ``figure.render_png`` does.
    ``rounds`` gives the workshop rounds each organisation attended (for the time control).
    """
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
    scale = centrality_scale(analysis, shown)
    cut = set(analysis.articulation_points)
    nodes = [
        _map_node(graph, sub, analysis, node, pos[node], scale[node], node in cut, rounds)
        for node in shown
    ]
    edges = []
    bridges = set(analysis.bridges)
    for u, v in sorted((min(a, b), max(a, b)) for a, b in sub.edges()):
        data = graph.edges[u, v]
        kinds = list(data.get("kinds") or ())
        edges.append(
            {
                "source": u,
                "target": v,
                "weight": data.get("weight", 1.0),
                "kinds": kinds,
                "count": data.get("count", 1),
                "first_year": data.get("first_year"),
                "last_year": data.get("last_year"),
                "bridge": (u, v) in bridges,
                "weak": is_weak(kinds),
            }
        )
    present = sorted({n["community"] for n in nodes if n["community"] is not None})
    return {
        "nodes": nodes,
        "edges": edges,
        "communities": [
            {
                "id": c,
                "name": xml_safe(analysis.community_names[c]),
                "size": len(analysis.communities[c]),
            }
            for c in present
        ],
        "truncated": len(shown) < graph.number_of_nodes(),
        "shown": len(shown),
        "total": graph.number_of_nodes(),
        "shown_edges": len(edges),
        "total_edges": graph.number_of_edges(),
        "approximate": analysis.approximate,
        "layout": mode if ego is None else "ego",
    }


def _map_node(
    graph: nx.Graph,
    sub: nx.Graph,
    analysis: Analysis,
    node: Any,
    xy: tuple[float, float],
    scale: float,
    cut_point: bool,
    rounds: Mapping[Any, tuple[int, ...]] | None,
) -> dict[str, Any]:
    """One organisation of the map's JSON (see ``map_payload``)."""
    data = graph.nodes[node]
    return {
        "id": node,
        "label": xml_safe(str(data.get("label") or node)),
        "x": round(xy[0] * MAP_SCALE, 2),
        "y": round(-xy[1] * MAP_SCALE, 2),  # screen y grows downwards
        "size": round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * scale, 2),
        "community": analysis.community_of.get(node),
        "role": data.get("role"),
        "member": node in analysis.members,
        "type": data.get("org_type"),
        "country": data.get("country"),
        "themes": [xml_safe(str(t)) for t in data.get("themes") or ()],
        "degree": analysis.degree.get(node, 0),
        "betweenness": round(analysis.betweenness.get(node, 0.0), 6),
        "constraint": _round(analysis.constraint.get(node)),
        "articulation_point": cut_point,
        "isolated": sub.degree(node) == 0,
        "rounds": list((rounds or {}).get(node, ())),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)

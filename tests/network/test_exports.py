"""Exports stay valid XML whatever the labels hold, and are read back by two readers."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile

import lxml.etree
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.network.analysis import OrgNode, TieEvidence, analyse, build_graph
from consortium.network.exports import (
    csv_safe,
    export_csv_edges,
    export_csv_nodes,
    export_csv_zip,
    export_gexf,
    export_graphml,
    export_json,
    map_payload,
    xml_safe,
)

NASTY = (
    'A&B <Org> "x" \x00\x01\x08\x0b\x0c\x0e\x1f\ud800\udfff\ufffe\uffff é 🌿 =cmd|x $x$ \u202e\t'
)
GEXF_NS = "{http://www.gexf.net/1.2draft}"  # networkx 3.6.1 writes GEXF 1.2draft


def nasty_graph(label: str = NASTY) -> tuple[nx.Graph, object]:
    nodes = [
        OrgNode(1, label, "association", "FR", ("réemploi", label), "coordinator", True),
        OrgNode(2, "Bee & Co", "company", "FR", ("BTP",)),
        OrgNode(3, "=1+1", "company", None, (), "beneficiary", True),
        OrgNode(4, "Seule", None, None, ()),
    ]
    evidence = [
        TieEvidence(1, 2, "declared", "formal_agreement", 2020, label),
        TieEvidence(2, 3, "workshop", None, 2021, "w1"),
    ]
    graph = build_graph(nodes, evidence)
    return graph, analyse(graph, {1, 3})


def test_xml_safe_and_csv_safe() -> None:
    assert xml_safe("a\x00b\x0bc\ud800d\uffff\te\n") == "abcd\te\n"
    assert csv_safe("=SUM(A1)") == "'=SUM(A1)"
    assert csv_safe(" \u00a0@x") == "' \u00a0@x"
    assert csv_safe("\t=1+1") == "'\t=1+1"
    assert csv_safe("\r=1+1") == "'\r=1+1"
    assert csv_safe("safe\n=cmd") == "safe\n'=cmd"
    assert csv_safe("-1200.50") == "-1200.50"
    assert csv_safe(-3) == -3
    assert csv_safe("|x") == "'|x" and csv_safe("%x") == "'%x"
    assert csv_safe("Réemploi") == "Réemploi"


@pytest.mark.parametrize("export", [export_gexf, export_graphml])
def test_xml_exports_reparse_with_two_readers(export) -> None:  # type: ignore[no-untyped-def]
    graph, analysis = nasty_graph()
    data = export(graph, analysis)
    ET.fromstring(data)  # expat, strict
    lxml.etree.fromstring(data, lxml.etree.XMLParser(recover=False))
    back = (
        nx.read_gexf(io.BytesIO(data))
        if export is export_gexf
        else nx.read_graphml(io.BytesIO(data))
    )
    label = back.nodes["1"]["label"]
    assert label == xml_safe(NASTY)
    assert back.nodes["1"]["themes"] == "réemploi;" + xml_safe(NASTY)
    assert back.nodes["2"]["betweenness"] == pytest.approx(
        1 / 3, abs=1e-6
    )  # 1 of 3 pairs; 4 is isolated
    assert back.nodes["2"]["articulation_point"] is True
    assert back.edges["1", "2"]["kinds"] == "formal_agreement"
    assert back.edges["1", "2"]["weight"] == 2.0
    assert sorted(back.nodes) == ["1", "2", "3", "4"]


def test_gexf_is_deterministic_and_undated() -> None:
    graph, analysis = nasty_graph()
    data = export_gexf(graph, analysis)
    assert data == export_gexf(graph, analysis)
    root = ET.fromstring(data)
    meta = root.find(f"{GEXF_NS}meta")
    assert meta is not None and "lastmodifieddate" not in meta.attrib
    assert [n.get("id") for n in root.iter(f"{GEXF_NS}node")] == ["1", "2", "3", "4"]


def test_graphml_second_reader_sees_attributes() -> None:
    graph, analysis = nasty_graph()
    root = lxml.etree.fromstring(export_graphml(graph, analysis))
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {
        k.get("attr.name"): k.get("id") for k in root.findall("g:key", ns) if k.get("for") == "node"
    }
    node = root.find("g:graph/g:node[@id='3']", ns)
    assert node is not None
    values = {d.get("key"): d.text for d in node.findall("g:data", ns)}
    assert values[keys["label"]] == "=1+1"  # XML is not a spreadsheet: kept as is
    assert values[keys["role"]] == "beneficiary"


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40
    )
)
def test_any_label_gives_valid_xml(label: str) -> None:
    graph, analysis = nasty_graph(label)
    for data, read in (
        (export_gexf(graph, analysis), nx.read_gexf),
        (export_graphml(graph, analysis), nx.read_graphml),
    ):
        ET.fromstring(data)
        back = read(io.BytesIO(data))
        expected = xml_safe(label)
        got = back.nodes["1"].get("label", "")
        assert _line_ends(got) == _line_ends(expected) or not expected.strip()


def _line_ends(text: str) -> str:
    """XML readers may turn CR LF and CR into LF, or keep an escaped CR (a label "0" CR LF
    came back as "0" CR LF): compare both sides with line ends normalised the same way."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_json_round_trip() -> None:
    graph, analysis = nasty_graph()
    data = export_json(graph, analysis)
    assert data == export_json(graph, analysis)
    back = nx.node_link_graph(json.loads(data), edges="edges")
    assert back.nodes[1]["label"] == xml_safe(NASTY)
    assert back.edges[2, 3]["kinds"] == "workshop"
    assert back.nodes[4]["degree"] == 0


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_nodes_edges_and_zip() -> None:
    graph, analysis = nasty_graph()
    nodes = read_csv(export_csv_nodes(graph, analysis))
    assert [r["id"] for r in nodes] == ["1", "2", "3", "4"]
    assert nodes[2]["label"] == "'=1+1"
    assert nodes[0]["label"].startswith("A&B <Org>")
    assert nodes[0]["themes"] == "réemploi;" + xml_safe(NASTY)
    assert nodes[1]["articulation_point"] == "true" and nodes[1]["betweenness"] == "0.333333"
    assert nodes[3]["org_type"] == "" and nodes[3]["constraint"] == ""
    edges = read_csv(export_csv_edges(graph, analysis))
    assert [(r["source"], r["target"]) for r in edges] == [("1", "2"), ("2", "3")]
    assert edges[1]["target_label"] == "'=1+1" and edges[0]["weight"] == "2.0"
    bundle = export_csv_zip(graph, analysis, prefix="Marseille 2030/../x")
    assert bundle == export_csv_zip(graph, analysis, prefix="Marseille 2030/../x")
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        assert archive.namelist() == [
            "Marseille-2030-.-x-nodes.csv",
            "Marseille-2030-.-x-edges.csv",
        ]
        assert archive.read("Marseille-2030-.-x-nodes.csv") == export_csv_nodes(graph, analysis)


def test_exports_of_empty_graph() -> None:
    graph = build_graph([], [])
    analysis = analyse(graph)
    for export in (export_gexf, export_graphml):
        ET.fromstring(export(graph, analysis))
    assert read_csv(export_csv_nodes(graph, analysis)) == []
    assert map_payload(graph, analysis)["nodes"] == []


def test_map_payload_caps_and_keeps_members() -> None:
    star = nx.star_graph(9)  # hub 0, leaves 1..9
    graph = build_graph(
        [OrgNode(i, f"O{i}", is_member=i == 9) for i in star],
        [TieEvidence(a, b, "workshop", None, 2024, "w") for a, b in star.edges],
    )
    analysis = analyse(graph, {9})
    payload = map_payload(graph, analysis, limit=3)
    assert [n["id"] for n in payload["nodes"]] == [0, 1, 2, 9]
    assert (payload["truncated"], payload["shown"], payload["total"]) == (True, 4, 10)
    assert payload["nodes"][0]["size"] == 40.0 and payload["nodes"][1]["size"] == 8.0
    assert payload["nodes"][3]["member"] is True
    assert [(e["source"], e["target"]) for e in payload["edges"]] == [(0, 1), (0, 2), (0, 9)]
    assert set(payload["nodes"][0]) >= {
        "id",
        "label",
        "x",
        "y",
        "size",
        "community",
        "role",
        "type",
        "country",
    }
    assert set(payload["edges"][0]) >= {"source", "target", "weight", "kinds"}
    assert payload == map_payload(graph, analysis, limit=3)
    json.dumps(payload)  # serialisable

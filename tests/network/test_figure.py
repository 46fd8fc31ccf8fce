"""The PNG figure is deterministic, A4-sized and survives hostile labels."""

from __future__ import annotations

import networkx as nx

from consortium.network import figure
from consortium.network.analysis import OrgNode, TieEvidence, analyse, build_graph
from consortium.network.figure import (
    DPI,
    clean_label,
    clear_renderings,
    draw_png,
    layout,
    png_size,
    render_png,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sample() -> tuple[nx.Graph, object]:
    caveman = nx.connected_caveman_graph(3, 4)
    nodes = [
        OrgNode(
            i,
            f"Org {i} $x$ \x00 & <b>",
            "association",
            "FR",
            (f"theme {i % 3}",),
            "coordinator" if i == 0 else ("beneficiary" if i < 4 else None),
            i < 4,
        )
        for i in caveman
    ]
    graph = build_graph(
        nodes, [TieEvidence(a, b, "workshop", None, 2024, "w") for a, b in caveman.edges]
    )
    return graph, analyse(graph, {0, 1, 2, 3})


def test_layout_is_deterministic_and_bounded() -> None:
    graph, _ = sample()
    first = layout(graph, seed=42)
    assert first == layout(graph, seed=42)
    assert list(first) == list(graph)
    assert all(-1.0 <= c <= 1.0 for xy in first.values() for c in xy)
    assert layout(nx.Graph()) == {}
    single = nx.Graph()
    single.add_node(5)
    assert layout(single) == {5: (0.0, 0.0)}


def test_render_is_byte_identical_png_of_the_right_size() -> None:
    graph, analysis = sample()
    first = draw_png(graph, analysis, title="Réseau $x$")
    assert first.startswith(PNG_SIGNATURE)
    assert first == draw_png(graph, analysis, title="Réseau $x$")
    width, height = png_size(first)
    assert (width, height) == (int(15 / 2.54 * DPI), int(12 / 2.54 * DPI)) == (1181, 944)
    by_role = render_png(graph, analysis, colour_by="role", gettext=str.upper)
    assert by_role.startswith(PNG_SIGNATURE) and by_role != first


def test_render_empty_and_single() -> None:
    empty = build_graph([], [])
    assert render_png(empty, analyse(empty)).startswith(PNG_SIGNATURE)
    one = build_graph([OrgNode(1, "Seule")], [])
    assert render_png(one, analyse(one, {1})).startswith(PNG_SIGNATURE)


def test_clean_label() -> None:
    assert clean_label("a\x00b$c") == "ab$c"  # drawn with parse_math=False: no mathtext
    assert clean_label("x" * 40) == "x" * 27 + "…"


def test_renderings_are_cached_by_everything_they_depend_on(monkeypatch) -> None:
    clear_renderings()
    drawn: list[object] = []
    real = figure.draw_png

    def counting(*args, **kwargs):
        drawn.append(kwargs.get("title"))
        return real(*args, **kwargs)

    monkeypatch.setattr(figure, "draw_png", counting)
    graph, analysis = sample()
    first = render_png(graph, analysis, title="A")
    assert first == render_png(graph, analysis, title="A") == draw_png(graph, analysis, title="A")
    assert drawn == ["A"]  # the second call came from the cache

    render_png(graph, analysis, title="B")  # another title
    render_png(graph, analysis, title="A", gettext=str.upper)  # other words (language)
    heavier = graph.copy()
    u, v = next(iter(heavier.edges))
    heavier.edges[u, v]["weight"] = heavier.edges[u, v]["weight"] + 1
    render_png(heavier, analysis, title="A")  # a stronger tie
    renamed = graph.copy()
    renamed.nodes[0]["label"] = "Autre nom"
    render_png(renamed, analysis, title="A")  # a renamed organisation
    assert drawn == ["A", "B", "A", "A", "A"]
    render_png(renamed, analysis, title="A")
    assert len(drawn) == 5


def test_rendering_cache_is_bounded(monkeypatch) -> None:
    clear_renderings()
    monkeypatch.setattr(figure, "CACHE_SIZE", 2)
    monkeypatch.setattr(figure, "draw_png", lambda *a, **k: repr(k["title"]).encode())
    graph, analysis = sample()
    for title in ("1", "2", "3"):
        render_png(graph, analysis, title=title)
    assert len(figure._renderings) == 2
    clear_renderings()


def test_a_shared_store_serves_renderings_drawn_by_another_process(monkeypatch) -> None:
    class Store(dict):
        def get(self, key):  # type: ignore[override]
            return super().get(key)

        def put(self, key, png):
            self[key] = png

    store = Store()
    clear_renderings()
    graph, analysis = sample()
    first = render_png(graph, analysis, title="A", store=store)
    assert list(store.values()) == [first]
    clear_renderings()  # another worker: its own memory is empty
    monkeypatch.setattr(figure, "draw_png", lambda *a, **k: b"drawn again")
    assert render_png(graph, analysis, title="A", store=store) == first
    assert render_png(graph, analysis, title="B", store=store) == b"drawn again"
    assert len(store) == 2
    clear_renderings()


def test_labels_wrap_on_words_and_keep_the_acronym() -> None:
    from consortium.network.figure import LABEL_LINES, LABEL_WIDTH, label_lines

    assert label_lines("Habitat Provence Social (HPS)") == "Habitat Provence\nSocial (HPS)"
    assert label_lines("Institut Universitaire des Territoires Durables (IUTD)") == (
        "Institut Universitaire\ndes Territoires\nDurables (IUTD)"
    )
    long = label_lines("A very long organisation name that keeps going and going (VLONG)")
    assert long.endswith("…\n(VLONG)") and len(long.split("\n")) == LABEL_LINES
    for text in ("Short", "x" * 40, "Ville de Marseille (VDM)"):
        lines = label_lines(text).split("\n")
        assert len(lines) <= LABEL_LINES
        assert all(len(line) <= LABEL_WIDTH or " " not in line for line in lines)
    assert "…" not in label_lines("Fédération du BTP des Bouches-du-Rhône (FBTP13)")


def test_svg_keeps_text_as_text_and_is_deterministic() -> None:
    graph, analysis = sample()
    svg = draw_png(graph, analysis, title="Réseau", fmt="svg", gettext=str.upper)
    assert svg == draw_png(graph, analysis, title="Réseau", fmt="svg", gettext=str.upper)
    text = svg.decode("utf-8")
    assert text.startswith("<?xml") and "BRIDGE: THE ONLY TIE BETWEEN TWO PARTS" in text
    assert "&lt;b&gt;" in text and "<b>" not in text  # labels are escaped, never markup

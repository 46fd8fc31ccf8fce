"""The readable map through the web layer, on the Marseille demo: default kinds, captions
that count what is drawn, layouts, the ego view, the time control's steps, the before/after
figures and the SVG download."""

from __future__ import annotations

import re

from consortium.network.analysis import KINDS, MAP_KINDS

ALL_KINDS = "&".join(f"kind={k}" for k in KINDS)


def test_default_map_leaves_co_attendance_and_same_proposal_out(demo, demo_login):
    client = demo_login("lead@example.org")
    pid = demo["proposals"]["REBATIR"]
    default = client.get(f"/proposals/{pid}/network.json").get_json()
    everything = client.get(f"/proposals/{pid}/network.json?{ALL_KINDS}").get_json()
    assert MAP_KINDS == (
        "past_project",
        "formal_agreement",
        "supplier_client",
        "same_network",
        "informal",
        "other",
        "action",
    )
    assert not any({"workshop", "proposal"} & set(e["kinds"]) for e in default["edges"])
    assert not any(e["weak"] for e in default["edges"])
    # The hairball of the issue: 121 ties with every kind, 51 by default.
    assert (default["shown_edges"], everything["shown_edges"]) == (51, 121)
    assert any(e["weak"] for e in everything["edges"])
    page = client.get(f"/proposals/{pid}/network").get_data(as_text=True)
    assert "The map shows all 23 organisations and 51 ties." in page
    assert 'data-testid="default-note"' in page
    assert "Back to the default view" not in page
    # Ticked boxes say what is drawn.
    boxes = re.findall(
        r'<input( checked)? id="kind-\d+" name="kind" type="checkbox" value="(\w+)"', page
    )
    assert [kind for ticked, kind in boxes if ticked] == list(MAP_KINDS)
    assert [kind for ticked, kind in boxes if not ticked] == ["workshop", "proposal"]
    every = client.get(f"/proposals/{pid}/network?{ALL_KINDS}").get_data(as_text=True)
    assert "The map shows all 23 organisations and 121 ties." in every
    assert 'data-testid="default-note"' not in every and "Back to the default view" in every


def test_ego_view_keeps_two_steps_around_the_organisation(demo, demo_login):
    client = demo_login("lead@example.org")
    pid = demo["proposals"]["REBATIR"]
    cdt = demo["orgs"]["CDT"]
    whole = client.get(f"/proposals/{pid}/network.json").get_json()
    neighbours: dict[int, set[int]] = {}
    for e in whole["edges"]:
        neighbours.setdefault(e["source"], set()).add(e["target"])
        neighbours.setdefault(e["target"], set()).add(e["source"])
    within_two = {cdt} | neighbours[cdt] | {n for m in neighbours[cdt] for n in neighbours[m]}
    ego = client.get(f"/proposals/{pid}/network.json?ego={cdt}").get_json()
    assert ego["layout"] == "ego"
    assert {n["id"] for n in ego["nodes"]} == within_two
    centre = next(n for n in ego["nodes"] if n["id"] == cdt)
    page = client.get(f"/proposals/{pid}/network?ego={cdt}").get_data(as_text=True)
    assert "Neighbourhood of La Cité des transitions (CDT)" in page
    assert page.count('data-testid="node-row"') == len(within_two)
    assert f'name="ego" type="hidden" value="{cdt}"' in page  # kept when filters change
    assert centre["id"] == cdt
    # An organisation outside the view: the whole view, no ego note.
    outside = client.get(f"/proposals/{pid}/network.json?ego=999999").get_json()
    assert outside["layout"] == "force" and outside["shown"] == whole["shown"]


def test_layouts_and_timeline_in_the_payload(demo, demo_login):
    client = demo_login("lead@example.org")
    pid = demo["proposals"]["REBATIR"]
    for layout in ("force", "cluster", "members"):
        data = client.get(f"/proposals/{pid}/network.json?layout={layout}").get_json()
        assert data["layout"] == layout
    assert client.get(f"/proposals/{pid}/network.json?layout=spiral").status_code == 400
    data = client.get(f"/proposals/{pid}/network.json").get_json()
    labels = [s["label"] for s in data["timeline"]]
    assert labels[5:] == [
        "2023",
        "Workshop 1 (Feb 8, 2024)",
        "Workshop 2 (Mar 21, 2024)",
        "Workshop 3 (May 16, 2024)",
        "2024",
        "2026",
        "All ties",
    ]
    vdm = next(n for n in data["nodes"] if n["label"] == "Ville de Marseille (VDM)")
    assert vdm["rounds"] == [1, 2, 3]
    client.post("/language/fr", data={"next": "/"})
    data = client.get(f"/proposals/{pid}/network.json").get_json()
    assert [s["label"] for s in data["timeline"]][6] == "Atelier 1 (8 févr. 2024)"
    assert data["timeline"][-1]["label"] == "Tous les liens"


def test_before_and_after_the_workshops(demo, demo_login):
    client = demo_login("lead@example.org")
    pid = demo["proposals"]["REBATIR"]
    page = client.get(f"/proposals/{pid}/network").get_data(as_text=True)
    growth = page.split('data-testid="growth"')[1].split("</div>")[0]
    assert "Before 2024" in growth
    assert '<th scope="row">Ties</th><td class="num">36</td><td class="num">51</td>' in growth
    assert "15 new ties since the workshops began." in growth
    assert "Became a bridge between others:" in growth
    territory = client.get("/network").get_data(as_text=True)
    assert 'data-testid="growth"' not in territory  # no workshop rounds outside a proposal


def test_svg_download_of_the_current_view_in_both_languages(demo, demo_login):
    client = demo_login("lead@example.org")
    pid = demo["proposals"]["VERDIR"]
    response = client.get(f"/proposals/{pid}/network.svg?layout=members")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="VERDIR-network.svg"'
    svg = response.get_data(as_text=True)
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "Consortium member (black outline)" in svg and "Cooperation network of VERDIR" in svg
    assert "<script" not in svg
    assert client.get(f"/proposals/{pid}/network.svg?layout=members").get_data(as_text=True) == svg
    client.post("/language/fr", data={"next": "/"})
    french = client.get(f"/proposals/{pid}/network.svg").get_data(as_text=True)
    assert "Membre du consortium (contour noir)" in french
    assert "Pont\u00a0: le seul lien entre deux parties" in french
    page = client.get(f"/proposals/{pid}/network?layout=cluster").get_data(as_text=True)
    assert f'href="/proposals/{pid}/network.svg?layout=cluster" download' in page


def test_territory_built_filtered_equals_the_whole_graph_filtered(app, demo):
    from consortium.network import analysis as pure
    from consortium.network import services

    with app.app_context():
        whole, _attended = services.territory_graph()
        for filters in (
            services.MAP_FILTERS,
            services.Filters(kinds=("workshop",), year_from=2021, year_to=2023),
            services.Filters(org_types=("ngo",), themes=("nature_in_city",)),
        ):
            view = services.territory_view(filters)
            expected = pure.filter_graph(
                whole,
                kinds=filters.kinds,
                years=(filters.year_from, filters.year_to)
                if filters.year_from or filters.year_to
                else None,
                org_types=filters.org_types,
                themes=filters.themes,
            )
            assert sorted(view.graph.nodes) == sorted(expected.nodes)
            assert sorted(map(sorted, view.graph.edges)) == sorted(map(sorted, expected.edges))
            for u, v, data in expected.edges(data=True):
                assert view.graph.edges[u, v]["weight"] == data["weight"]
            assert view.unfiltered_nodes == whole.number_of_nodes()

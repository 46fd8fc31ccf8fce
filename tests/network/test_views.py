"""Routes of the network area: permissions, demo findings, exports through the routes."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortium.extensions import db
from consortium.network.analysis import KINDS, TieEvidence

PROPOSAL_ROUTES = (
    "/proposals/{pid}/network",
    "/proposals/{pid}/network.json",
    "/proposals/{pid}/network.png",
    "/proposals/{pid}/network.svg?layout=members",
    "/proposals/{pid}/network?layout=cluster&ego=1",
    "/proposals/{pid}/network/export?format=gexf",
    "/proposals/{pid}/network/bridges",
    "/proposals/{pid}/network/bridges?fragment=1",
)
TERRITORY_ROUTES = (
    "/network",
    "/network.json",
    "/network.png",
    "/network.svg",
    "/network.json?layout=cluster&ego=1",
    "/network/export?format=json",
)


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("route", PROPOSAL_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("lead", 200),
        ("writer", 200),
        ("viewer", 200),
        ("partner", 403),
        ("other_partner", 403),
        ("outsider", 404),
    ],
)
def test_proposal_routes_per_role(app, client, login, world, route, who, status):
    log_in_as(app, login, world, who)
    assert client.get(route.format(pid=world["proposal"])).status_code == status


def log_in_as(app, login, world, who: str) -> None:
    from consortium.auth.models import User

    with app.app_context():
        email = db.session.get(User, world[who]).email
    login(email)


@pytest.mark.parametrize("route", TERRITORY_ROUTES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("lead", 200),
        ("writer", 200),
        ("viewer", 200),
        ("partner", 403),
        ("other_partner", 403),
        ("outsider", 403),
    ],
)
def test_territory_routes_per_role(app, client, login, world, route, who, status):
    log_in_as(app, login, world, who)
    assert client.get(route).status_code == status


@pytest.mark.parametrize("route", PROPOSAL_ROUTES + TERRITORY_ROUTES)
def test_anonymous_is_sent_to_login(client, world, route):
    response = client.get(route.format(pid=world["proposal"]))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_idor_other_proposal_is_404(app, client, login, world):
    from tests import factories

    with app.app_context():
        other_lead = factories.make_user("other-lead@example.org")
        other = factories.make_proposal(lead=other_lead, acronym="OTHER", title="Other")
        db.session.commit()
        other_id = other.id
    login("lead@example.org")
    for route in PROPOSAL_ROUTES:
        assert client.get(route.format(pid=other_id)).status_code == 404
    assert client.get("/proposals/999999/network").status_code == 404


# --------------------------------------------------------------------------- demo


#: Every kind of tie ticked (the map's default leaves co-attendance and same proposal out).
ALL_KINDS = "&".join(f"kind={k}" for k in KINDS)


def test_demo_territory_shows_both_consortia_and_actors_between(demo, demo_login):
    client = demo_login("lead@example.org")
    page = client.get(f"/network?{ALL_KINDS}").get_data(as_text=True)
    assert "Cooperation network of the territory" in page
    data = client.get(f"/network.json?{ALL_KINDS}").get_json()
    assert (data["shown"], data["total"], data["truncated"]) == (25, 25, False)
    assert data["scope"] == "territory" and data["community_method"] == "louvain"
    labels = {n["label"] for n in data["nodes"]}
    for name in (
        "Ville de Marseille (VDM)",
        "Habitat Provence Social (HPS)",
        "La Cité des transitions (CDT)",
        "École de la Deuxième Chance de Marseille (E2C)",
    ):
        assert name in labels
    # The table says who sits in both consortia.
    for name in ("Ville de Marseille (VDM)", "Habitat Provence Social (HPS)"):
        row = page.split(f">{name}</a>")[1].split("</tr>")[0]
        assert "REBATIR, VERDIR" in row
    # Two clusters: building reuse around REBATIR, nature in the city around VERDIR.
    assert [c["name"] for c in data["communities"]] == [
        "Buildings and construction",
        "Nature in the city",
    ]
    assert "Les Amis des Arbres de Marseille (AAM) is the main broker of the territory" in page


def test_demo_proposal_insights_name_real_brokers(demo, demo_login):
    client = demo_login("lead@example.org")
    rebatir = client.get(f"/proposals/{demo['proposals']['REBATIR']}/network?{ALL_KINDS}").get_data(
        as_text=True
    )
    assert "Réemploi Bâtiment Sud (RBS) is the main broker" in rebatir
    verdir = client.get(f"/proposals/{demo['proposals']['VERDIR']}/network?{ALL_KINDS}").get_data(
        as_text=True
    )
    assert (
        "Les Amis des Arbres de Marseille (AAM) is a single point of failure: without it, part "
        "of the network is cut off"
    ) in verdir
    assert "La Cité des transitions (CDT) is the main broker" in verdir
    assert "How the weight is computed" in verdir


def test_demo_proposal_page_in_french(demo, demo_login):
    client = demo_login("lead@example.org")
    client.post("/language/fr", data={"next": "/"})
    page = client.get(f"/proposals/{demo['proposals']['VERDIR']}/network?{ALL_KINDS}").get_data(
        as_text=True
    )
    assert "Réseau de coopération" in page
    assert "Comment le poids est calculé" in page
    assert "La Cité des transitions (CDT) est le principal intermédiaire" in page


def test_dossier_network_summary_and_png(app, demo):
    from consortium.network.services import dossier_network, neighbours
    from consortium.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, demo["proposals"]["REBATIR"])
        summary, png = dossier_network(proposal)
        assert (summary.n_members, summary.n_ties, summary.density) == (9, 13, 0.36)
        assert summary.brokers == (
            "Réemploi Bâtiment Sud (RBS)",
            "Institut Universitaire des Territoires Durables (IUTD)",
            "Déconstruct'Sud SCOP (DSUD)",
        )
        assert summary.figure_available and png.startswith(b"\x89PNG")
        adjacency = neighbours(proposal)
        rbs = demo["orgs"]["RBS"]
        assert all(rbs in adjacency[other] for other in adjacency[rbs])
        assert len(adjacency) == 23


def test_dossier_network_without_members(app, world):
    from consortium.network.services import dossier_network, neighbours
    from consortium.proposals.models import Participation, Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, world["proposal"])
        for p in db.session.scalars(db.select(Participation)):
            p.status = "candidate"
        db.session.flush()
        assert dossier_network(proposal) == (None, None)
        assert neighbours(proposal) == {}


# --------------------------------------------------------------------------- exports


def _secret_free(payload: bytes) -> None:
    text = payload.decode("utf-8", "replace")
    for secret in ("@example", "annual_budget", "cost_", "notes", "contact"):
        assert secret not in text


@pytest.mark.parametrize("scope", ["proposal", "territory"])
def test_exports_open_in_networkx_and_elementtree(demo, demo_login, scope):
    client = demo_login("viewer@example.org")
    base = (
        f"/proposals/{demo['proposals']['REBATIR']}/network/export"
        if scope == "proposal"
        else "/network/export"
    )
    expected_nodes = 23 if scope == "proposal" else 25
    gexf = client.get(f"{base}?format=gexf")
    assert gexf.status_code == 200 and gexf.mimetype == "application/gexf+xml"
    assert "attachment" in gexf.headers["Content-Disposition"]
    graph = nx.read_gexf(io.BytesIO(gexf.data))
    assert graph.number_of_nodes() == expected_nodes
    root = ET.fromstring(gexf.data)
    ns = {"g": root.tag.split("}")[0].strip("{")}
    assert len(root.findall(".//g:node", ns)) == expected_nodes
    _secret_free(gexf.data)

    graphml = client.get(f"{base}?format=graphml")
    g2 = nx.read_graphml(io.BytesIO(graphml.data))
    assert g2.number_of_nodes() == expected_nodes
    root = ET.fromstring(graphml.data)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == expected_nodes
    assert g2.number_of_edges() == len(root.findall(".//g:edge", ns)) == graph.number_of_edges()
    _secret_free(graphml.data)

    js = client.get(f"{base}?format=json")
    g3 = nx.node_link_graph(json.loads(js.data), edges="edges")
    assert g3.number_of_nodes() == expected_nodes
    _secret_free(js.data)

    csv = client.get(f"{base}?format=csv")
    assert csv.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(csv.data)) as bundle:
        names = sorted(bundle.namelist())
        nodes_csv = bundle.read(names[1]).decode("utf-8-sig")
    assert len(nodes_csv.strip().splitlines()) == expected_nodes + 1
    assert nodes_csv.startswith("id,label,org_type,country,themes,role")

    assert client.get(f"{base}?format=xls").status_code == 400
    assert client.get(base).status_code == 400


def test_cli_export(app, runner, demo, tmp_path):
    out = tmp_path / "rebatir.gexf"
    result = runner.invoke(
        args=["network", "export", "--proposal", "REBATIR", "--format", "gexf", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert nx.read_gexf(out).number_of_nodes() == 23
    out2 = tmp_path / "territory.json"
    result = runner.invoke(args=["network", "export", "--format", "json", "--out", str(out2)])
    assert result.exit_code == 0 and "25 organisations" in result.output
    result = runner.invoke(
        args=["network", "export", "--proposal", "NOPE", "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code != 0 and "No proposal" in result.output


# --------------------------------------------------------------------------- suggestions

# VERDIR's one suggestion once the map keeps the NGOs only (unfiltered, none would add reach).
#: With the map's default kinds (declared and project ties), CDT would bring two
#: organisations within two steps of VERDIR's NGOs.
# the last cell is CDT's fit total (23: its supporting components count as far as it is relevant)
CDT_ROW = (
    '<tr><td>1</td><td>La Cité des transitions (CDT)</td><td class="num">2</td>\n'
    "    <td>Would bring 2 organisations within two steps of the consortium; Already tied to 3 "
    "members</td>\n    <td>23</td></tr>"
)
NO_SUGGESTION = "<p>No organisation outside the consortium would extend its reach.</p>"


def test_proposal_page_leaves_the_suggestions_to_their_own_route(
    app, client, login, world, monkeypatch
):
    from consortium.network import services

    def boom(*args, **kwargs):
        raise AssertionError("the map page must not compute the bridging suggestions")

    monkeypatch.setattr(services, "bridging_candidates", boom)
    monkeypatch.setattr(services, "bridge_adjacency", boom)
    login("lead@example.org")
    pid = world["proposal"]
    response = client.get(f"/proposals/{pid}/network")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    section = page.split('<section id="net-suggestions"')[1].split("</section>")[0]
    assert f'data-network-bridges="/proposals/{pid}/network/bridges"' in section
    assert "Looking for organisations that would extend the consortium's reach…" in section
    assert f'<a href="/proposals/{pid}/network/bridges" data-testid="suggestions-link">' in section
    assert 'data-testid="suggestions"' not in page
    assert "/static/js/network-bridges.js" in page
    # The territory's page has no suggestions and does not load the script.
    territory = client.get("/network").get_data(as_text=True)
    assert "net-suggestions" not in territory and "network-bridges.js" not in territory


def test_suggestions_fragment_for_the_script_full_page_without_it(demo, demo_login):
    client = demo_login("lead@example.org")
    pid = demo["proposals"]["VERDIR"]
    url = f"/proposals/{pid}/network/bridges?type=ngo"
    by_header = client.get(url, headers={"X-Requested-With": "fetch"})
    by_query = client.get(url + "&fragment=1")
    for response in (by_header, by_query):
        assert response.status_code == 200
        assert "X-Requested-With" in response.headers["Vary"]
        fragment = response.get_data(as_text=True).strip()
        assert fragment.startswith(
            '<section id="net-suggestions" aria-labelledby="net-suggestions-h">\n'
            '<h2 id="net-suggestions-h">Who could bridge the gaps</h2>'
        )
        assert fragment.endswith("</section>") and fragment.count("<section") == 1
        assert "<html" not in fragment and "breadcrumb" not in fragment
        assert CDT_ROW in fragment
        assert fragment.count("<tr><td>") == 1
    assert by_header.get_data() == by_query.get_data()

    full = client.get(url)
    page = full.get_data(as_text=True)
    assert page.startswith("<!doctype html>")
    assert "<title>Who could bridge the gaps · VERDIR · consortium</title>" in page
    assert '<h1 id="net-suggestions-h">Who could bridge the gaps</h1>' in page
    assert (
        f'<a href="/proposals/{pid}/network?type=ngo#net-suggestions" data-testid="back-to-map">'
        "Cooperation network</a>"
    ) in page
    # The same note as the map page with these filters.
    assert "Filtered: 9 of 25 organisations kept." in page
    assert CDT_ROW in page
    # Without filters no organisation outside VERDIR adds reach: the same message as ever.
    plain = client.get(f"/proposals/{pid}/network/bridges").get_data(as_text=True)
    assert NO_SUGGESTION in plain and 'data-testid="filter-note"' not in plain


def test_map_page_passes_its_filters_to_the_suggestions(demo, demo_login):
    client = demo_login("lead@example.org")
    pid = demo["proposals"]["VERDIR"]
    page = client.get(
        f"/proposals/{pid}/network?type=ngo&kind=formal_agreement&kind=informal&sort=name&dir=asc"
    ).get_data(as_text=True)
    link = f"/proposals/{pid}/network/bridges?type=ngo&amp;kind=formal_agreement&amp;kind=informal"
    assert f'data-network-bridges="{link}"' in page
    assert f'<a href="{link}" data-testid="suggestions-link">' in page
    fragment = client.get(
        link.replace("&amp;", "&"), headers={"X-Requested-With": "fetch"}
    ).get_data(as_text=True)
    assert NO_SUGGESTION in fragment  # kept to two kinds of tie, CDT adds no reach
    assert CDT_ROW in client.get(
        f"/proposals/{pid}/network/bridges?type=ngo", headers={"X-Requested-With": "fetch"}
    ).get_data(as_text=True)


def test_suggestions_without_fit_scores_and_in_french(demo, demo_login, monkeypatch):
    from consortium.fit import services as fit_services

    client = demo_login("lead@example.org")
    pid = demo["proposals"]["VERDIR"]
    monkeypatch.setattr(fit_services, "fit_totals", lambda proposal, ids: None)
    fragment = client.get(f"/proposals/{pid}/network/bridges?type=ngo&fragment=1").get_data(
        as_text=True
    )
    assert (
        CDT_ROW.replace(
            "<td>23</td>", '<td><span class="muted">fit score: not available</span></td>'
        )
        in fragment
    )
    client.post("/language/fr", data={"next": "/"})
    page = client.get(f"/proposals/{pid}/network").get_data(as_text=True)
    assert "Recherche des organisations qui étendraient la portée du consortium…" in page
    assert ">Afficher les suggestions</a>" in page
    fragment = client.get(f"/proposals/{pid}/network/bridges?fragment=1").get_data(as_text=True)
    assert '<h2 id="net-suggestions-h">Qui pourrait combler les manques</h2>' in fragment
    assert "Aucune organisation extérieure au consortium n’étendrait sa portée." in fragment


# --------------------------------------------------------------------------- empty and bad


def test_empty_territory_and_memberless_proposal(app, client, login, world):
    from consortium.proposals.models import Participation

    with app.app_context():
        for p in db.session.scalars(db.select(Participation)):
            p.status = "declined"
        db.session.commit()
    login("lead@example.org")
    page = client.get(f"/proposals/{world['proposal']}/network").get_data(as_text=True)
    assert "No member yet" in page
    data = client.get(f"/proposals/{world['proposal']}/network.json").get_json()
    assert (data["nodes"], data["edges"], data["total"]) == ([], [], 0)
    assert client.get(f"/proposals/{world['proposal']}/network.png").data.startswith(b"\x89PNG")
    for fmt in ("gexf", "graphml", "json", "csv"):
        assert (
            client.get(f"/proposals/{world['proposal']}/network/export?format={fmt}").status_code
            == 200
        )
    bridges = client.get(f"/proposals/{world['proposal']}/network/bridges?fragment=1")
    assert "No organisation outside the consortium would extend its reach." in bridges.get_data(
        as_text=True
    )
    page = client.get("/network").get_data(as_text=True)
    # Three organisations, no tie: disconnected, every one isolated.
    assert "The map shows all 3 organisations and 0 ties." in page
    assert "No tie is known between them yet." in page


def test_graph_tolerates_bad_rows_in_db(app, client, login, world):
    """Ties to unknown organisations, future years and duplicates do not break the pages."""
    from consortium.directory.models import PastProject, Tie

    with app.app_context():
        db.session.add(
            Tie(
                organisation_a_id=world["org_a"],
                organisation_b_id=world["org_b"],
                kind="weird_kind",
                year=2999,
            )
        )
        db.session.add(
            Tie(
                organisation_a_id=world["org_a"],
                organisation_b_id=world["org_b"],
                kind="informal",
                year=None,
            )
        )
        for org in (world["org_a"], world["org_a"], world["org_c"]):
            db.session.add(
                PastProject(
                    organisation_id=org, programme="LIFE", reference="LIFE-1", title="x", year=2020
                )
            )
        db.session.commit()
    login("lead@example.org")
    data = client.get(f"/network.json?{ALL_KINDS}").get_json()
    pairs = {(e["source"], e["target"]): e for e in data["edges"]}
    a, b, c = world["org_a"], world["org_b"], world["org_c"]
    assert pairs[(min(a, b), max(a, b))]["kinds"] == ["informal", "proposal", "weird_kind"]
    assert pairs[(min(a, c), max(a, c))]["kinds"] == ["past_project", "proposal"]
    # The map's default keeps the unknown declared kind (filtered as informal).
    default = client.get("/network.json").get_json()
    pairs = {(e["source"], e["target"]): e for e in default["edges"]}
    assert pairs[(min(a, b), max(a, b))]["kinds"] == ["informal", "weird_kind"]
    assert pairs[(min(a, c), max(a, c))]["kinds"] == ["past_project"]
    assert client.get("/network").status_code == 200


def test_filters_and_bad_filter_input(demo, demo_login):
    client = demo_login("lead@example.org")
    pid = demo["proposals"]["REBATIR"]
    data = client.get(f"/proposals/{pid}/network.json?kind=formal_agreement").get_json()
    assert data["edges"] and all(e["kinds"] == ["formal_agreement"] for e in data["edges"])
    page = client.get(f"/proposals/{pid}/network?year_from=2025&year_to=2020").get_data(
        as_text=True
    )
    assert "The end year comes before the start year." in page
    page = client.get("/network?year_from=abc&kind=zz&type=public_authority").get_data(as_text=True)
    assert "Filtered: 2 of 25 organisations kept." in page
    assert client.get("/network.json?kind=zz").status_code == 400


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    key=st.sampled_from(
        ["kind", "year_from", "year_to", "type", "theme", "sort", "dir", "format", "layout", "ego"]
    ),
    value=st.text(max_size=40),
)
def test_hypothesis_query_params_never_500(app, client, login, world, key, value):
    client.post(
        "/login", data={"email": "lead@example.org", "password": "correct horse battery staple"}
    )
    for url in (
        f"/proposals/{world['proposal']}/network",
        f"/proposals/{world['proposal']}/network/bridges",
        "/network.json",
        "/network.svg",
        "/network/export",
    ):
        response = client.get(
            url,
            query_string={
                key: value,
                **({"format": "json"} if "export" in url and key != "format" else {}),
            },
        )
        assert response.status_code in (200, 400), (url, key, value)


def test_loaders_see_changes_not_yet_flushed(app, world):
    """The loaders read through the session's connection, after the flush a query would do."""
    from consortium.directory.models import Organisation, Tie
    from consortium.network import services

    with app.app_context():
        a, c = sorted((world["org_a"], world["org_c"]))
        db.session.add(Tie(organisation_a_id=a, organisation_b_id=c, kind="supplier_client"))
        db.session.get(Organisation, a).name = "Renamed in this transaction"
        assert TieEvidence(a, c, "declared", "supplier_client", None, None) in (
            services.load_evidence()
        )
        assert {n.id: n.label for n in services.load_nodes()}[a].startswith("Renamed")
        db.session.rollback()

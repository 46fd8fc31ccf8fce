"""The whole-territory analysis as a background run: who may start it, its progress, its result
on the page, a failure that ends with a status, and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consortium.directory.models import Tie
from consortium.extensions import db
from consortium.network import services
from consortium.network.analysis import TieEvidence, analyse, build_graph, territory_summary
from consortium.network.models import TerritoryAnalysis

from .test_analysis import orgs
from .test_views import log_in_as


@pytest.fixture
def tied(app, world):
    """Two ties among the world's three organisations: A-B and B-C."""
    with app.app_context():
        for a, b in (("org_a", "org_b"), ("org_b", "org_c")):
            first, second = sorted((world[a], world[b]))
            db.session.add(Tie(organisation_a_id=first, organisation_b_id=second, kind="informal"))
        db.session.commit()
    return world


def _runs(app) -> list[tuple[str, float]]:
    with app.app_context():
        return [
            (run.status, run.fraction)
            for run in db.session.scalars(select(TerritoryAnalysis).order_by(TerritoryAnalysis.id))
        ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 302),
        ("lead", 302),
        ("writer", 403),
        ("viewer", 403),
        ("partner", 403),
        ("other_partner", 403),
        ("outsider", 403),
    ],
)
def test_only_directory_editors_start_the_analysis(app, client, login, tied, who, status):
    log_in_as(app, login, tied, who)
    assert client.post("/network/analysis").status_code == status
    assert _runs(app) == ([("done", 1.0)] if status == 302 else [])


def test_anonymous_cannot_start_or_follow_a_run(client, tied):
    for response in (client.post("/network/analysis"), client.get("/network/analysis/1/progress")):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_shows_the_last_analysis(app, client, login, tied):
    login("lead@example.org")
    before = client.get("/network").get_data(as_text=True)
    assert "No whole-territory analysis yet." in before
    assert "Analyse the whole territory</button>" in before
    response = client.post("/network/analysis")
    assert response.headers["Location"].endswith("/network#net-territory-run")
    page = client.get("/network").get_data(as_text=True)
    assert "3 organisations · 2 ties · 1 connected group" in page
    assert "1 organisation without any tie" not in page
    assert "Main brokers: Ville de Marseille (VDM)</li>" in page
    assert "Analyse the whole territory again</button>" in page
    progress = client.get("/network/analysis/1/progress").get_json()
    assert progress == {
        "status": "done",
        "status_label": "Finished",
        "percent": 100.0,
        "stage": "done",
        "stage_label": "Finished",
        "finished": True,
    }
    assert client.get("/network/analysis/999/progress").status_code == 404
    # A viewer sees the result and no button.
    viewer = app.test_client()
    login("viewer@example.org", target=viewer)
    seen = viewer.get("/network").get_data(as_text=True)
    assert "3 organisations · 2 ties" in seen and "Analyse the whole territory" not in seen
    french = client.get("/network", headers={"Accept-Language": "fr"})
    assert "Analyse de tout le territoire" in french.get_data(as_text=True)


def test_two_clicks_never_start_two_analyses(app, tied):
    with app.app_context():
        first = services.start_territory_analysis(actor=None)
        db.session.commit()
        again = services.start_territory_analysis(actor=None)
        assert again.id == first.id
        assert db.session.scalar(select(func.count()).select_from(TerritoryAnalysis)) == 1


def test_a_failed_analysis_ends_with_its_reason(app, tied, monkeypatch):
    from consortium.network import jobs

    def broken(_progress):
        raise MemoryError("out of memory")

    monkeypatch.setattr(services, "analyse_territory", broken)
    with app.app_context():
        run = services.start_territory_analysis(actor=None)
        db.session.commit()
        done = jobs.run(run.id)
        assert (done.status, done.message, done.summary) == (
            "failed",
            "MemoryError: out of memory",
            {},
        )


def test_progress_is_reported_in_order_up_to_the_end(app, tied):
    from consortium.network import jobs

    heard: list[tuple[str, float]] = []
    with app.app_context():
        run = services.start_territory_analysis(actor=None)
        db.session.commit()
        jobs.run(run.id, echo=lambda stage, fraction: heard.append((stage, fraction)))
    fractions = [fraction for _stage, fraction in heard]
    assert fractions == sorted(fractions)
    assert [stage for stage, _f in heard][:3] == ["load", "load", "build"]
    assert heard[-1] == ("analyse", 1.0)


def test_cli_runs_the_analysis_and_prints_its_figures(app, tied):
    result = app.test_cli_runner().invoke(args=["network", "analyse"])
    assert result.exit_code == 0, result.output
    assert "3 organisations, 2 ties, 1 communities, in " in result.output


def test_the_summary_keeps_names_and_counts():
    evidence = [
        TieEvidence(1, 2, "declared", "informal"),
        TieEvidence(2, 3, "declared", "informal"),
        TieEvidence(4, 5, "declared", "informal"),
    ]
    graph = build_graph(orgs(1, 2, 3, 4, 5, 6), evidence)
    summary = territory_summary(graph, analyse(graph))
    assert {k: summary[k] for k in ("nodes", "edges", "components", "isolated", "bridges")} == {
        "nodes": 6,
        "edges": 3,
        "components": 3,
        "isolated": 1,
        "bridges": 3,
    }
    assert summary["cut_points"] == 1
    assert [b["name"] for b in summary["brokers"]] == ["Org 2"]


def test_a_large_territory_page_shows_the_background_analysis_only(make_app, login):
    app = make_app(NETWORK_PAGE_LIMIT=2)
    with app.app_context():
        from tests.factories import standard_world

        standard_world()
    client = app.test_client()
    login("lead@example.org", target=client)
    page = client.get("/network").get_data(as_text=True)
    assert "The directory holds 3 organisations: too many to draw" in page
    assert 'data-testid="territory-run"' in page and "cytoscape" not in page
    client.post("/network/analysis")
    assert "3 organisations · " in client.get("/network").get_data(as_text=True)


def test_the_proposal_map_links_to_the_members_european_co_participants(client, login, world):
    login("lead@example.org")
    page = client.get(f"/proposals/{world['proposal']}/network").get_data(as_text=True)
    assert (
        f'<a href="/opendata/proposals/{world["proposal"]}/europe" data-testid="europe-link">'
        "The members' European co-participants (EU open data)</a>"
    ) in page

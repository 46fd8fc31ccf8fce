"""The JSON API: tokens, scoping like the pages, errors, pagination, schema."""

import pytest

from consortium.auth.services import create_api_token
from consortium.extensions import db
from tests import factories


def _token(app, user_id: int) -> dict:
    with app.app_context():
        token = create_api_token(db.session.get(factories.User, user_id), name="test")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_health_is_public(client):
    assert client.get("/api/v1/health").get_json() == {"status": "ok", "database": "ok"}


def test_openapi_is_served(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert "/proposals/{proposal_id}/commitments" in document["paths"]


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_missing_or_bad_token_is_a_json_401(client, world, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/proposals", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401


def test_session_cookie_is_not_accepted_by_the_api(client, login, world):
    login("lead@example.org")
    assert client.get("/api/v1/proposals").status_code == 401


def test_proposals_are_scoped_to_my_roles(app, client, world):
    with app.app_context():
        factories.make_proposal(acronym="HIDDEN")
        db.session.commit()

    body = client.get("/api/v1/proposals", headers=_token(app, world["writer"])).get_json()

    assert [p["acronym"] for p in body["items"]] == ["REUSE"]
    assert (body["page"], body["per_page"], body["total"]) == (1, 50, 1)


def test_hidden_proposal_is_404_for_an_outsider(app, client, world):
    response = client.get(
        f"/api/v1/proposals/{world['proposal']}", headers=_token(app, world["outsider"])
    )
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["page=0", "per_page=1000", "page=abc"])
def test_bad_pagination_is_a_json_400(app, client, world, query):
    response = client.get(f"/api/v1/proposals?{query}", headers=_token(app, world["lead"]))
    assert response.status_code == 400


def test_partner_sees_only_its_own_commitment(app, client, world):
    with app.app_context():
        from consortium.proposals.models import Participation

        for p in db.session.query(Participation):
            p.notes = "CANARY-notes"
        db.session.commit()

    mine = client.get(
        f"/api/v1/proposals/{world['proposal']}/commitments", headers=_token(app, world["partner"])
    ).get_json()
    everyone = client.get(
        f"/api/v1/proposals/{world['proposal']}/commitments", headers=_token(app, world["lead"])
    ).get_json()

    assert [c["organisation"]["name"] for c in mine["items"]] == ["Association Réemploi Sud"]
    assert len(everyone["items"]) == 3
    assert "CANARY" not in str(mine) + str(everyone)


def test_partner_sees_shared_organisations_without_private_fields(app, client, world):
    with app.app_context():
        other = db.session.get(factories.Organisation, world["org_c"])
        other.shared_with_partners = True
        other.notes = "CANARY-private"
        db.session.commit()

    body = client.get("/api/v1/organisations", headers=_token(app, world["partner"])).get_json()

    names = {o["name"]: o for o in body["items"]}
    assert set(names) == {"Association Réemploi Sud", "Bureau Vert"}
    assert "notes" not in names["Bureau Vert"]
    assert "notes" in names["Association Réemploi Sud"]  # its own organisation
    assert "CANARY" not in str(body)
    hidden = client.get(
        f"/api/v1/organisations/{world['org_b']}", headers=_token(app, world["partner"])
    )
    assert hidden.status_code == 404


def test_search_ignores_accents(app, client, world):
    body = client.get(
        "/api/v1/organisations?q=reemploi", headers=_token(app, world["lead"])
    ).get_json()
    assert [o["name"] for o in body["items"]] == ["Association Réemploi Sud"]


def test_search_is_the_directorys_every_word_search(app, client, world):
    def names(query: str) -> list[str]:
        body = client.get(
            "/api/v1/organisations", query_string={"q": query}, headers=_token(app, world["lead"])
        ).get_json()
        return [o["name"] for o in body["items"]]

    assert names("sud réemploi") == ["Association Réemploi Sud"]  # every word, any order
    assert names("100%") == []  # a LIKE wildcard is a character like any other
    # PostgreSQL refuses NUL in a parameter: control characters are dropped, not sent
    assert names("r\x00eemploi\x07") == ["Association Réemploi Sud"]


def test_unknown_api_route_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == 404


@pytest.fixture
def demo(app):
    from consortium.demo.load import load_demo

    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        ids = {p.acronym: p.id for p in db.session.query(factories.Proposal)}
        users = {u.email: u.id for u in db.session.query(factories.User)}
    return {"proposals": ids, "users": users}


def test_fit_ranking_with_components(app, client, demo):
    headers = _token(app, demo["users"]["viewer@example.org"])
    body = client.get(
        f"/api/v1/proposals/{demo['proposals']['REBATIR']}/fit?per_page=5", headers=headers
    ).get_json()

    assert body["total"] == 25
    assert len(body["items"]) == 5
    first = body["items"][0]
    assert [c["component"] for c in first["components"]] == [
        "eligibility",
        "relevance",
        "capacity",
        "experience",
        "complementarity",
        "network",
        "engagement",
    ]
    assert 0 <= first["total"] <= 100
    partner = _token(app, demo["users"]["partner@example.org"])
    assert (
        client.get(
            f"/api/v1/proposals/{demo['proposals']['REBATIR']}/fit", headers=partner
        ).status_code
        == 403
    )


def test_checks_and_dossier_download(app, client, demo):
    headers = _token(app, demo["users"]["writer@example.org"])
    pid = demo["proposals"]["VERDIR"]

    checks = client.get(f"/api/v1/proposals/{pid}/checks", headers=headers).get_json()
    docx = client.get(f"/api/v1/proposals/{pid}/dossier.docx?lang=fr", headers=headers)

    assert all({"code", "severity"} <= set(c) for c in checks["items"])
    assert docx.status_code == 200
    assert docx.data[:2] == b"PK"
    viewer = _token(app, demo["users"]["viewer@example.org"])
    assert client.get(f"/api/v1/proposals/{pid}/dossier.docx", headers=viewer).status_code == 403


def test_lead_writes_organisations_ties_and_outputs(app, client, demo):
    headers = _token(app, demo["users"]["lead@example.org"])
    pid = demo["proposals"]["VERDIR"]

    created = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={
            "name": "Ferme Urbaine du Rove",
            "country": "France",
            "city": "Le Rove",
            "type": "association",
            "themes": "Agriculture urbaine et alimentation",
        },
    )
    bad = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": "X", "country": "Atlantis", "pic": "12"},
    )
    org_id = created.get_json()["id"]
    tie = client.post(
        "/api/v1/ties",
        headers=headers,
        json={"organisation_a": org_id, "organisation_b": 1, "kind": "informal", "year": 2024},
    )
    self_tie = client.post(
        "/api/v1/ties",
        headers=headers,
        json={"organisation_a": org_id, "organisation_b": org_id, "kind": "informal"},
    )
    with app.app_context():
        workshop_id = db.session.query(factories.Workshop).filter_by(proposal_id=pid).first().id
    output = client.post(
        f"/api/v1/proposals/{pid}/outputs",
        headers=headers,
        json={
            "workshop_id": workshop_id,
            "kind": "need",
            "subkind": "site",
            "text": "Un terrain pour une ferme urbaine",
        },
    )

    assert created.status_code == 201
    assert created.get_json()["type"] == "ngo"
    assert created.get_json()["themes"] == ["urban_agriculture_food"]
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["details"]["fields"]) == {"country", "pic"}
    assert tie.status_code == 201
    assert self_tie.status_code == 422
    assert output.status_code == 201
    assert output.get_json()["text"] == "Un terrain pour une ferme urbaine"


def test_writers_cannot_write_through_the_api(app, client, demo):
    headers = _token(app, demo["users"]["writer@example.org"])
    assert (
        client.post(
            "/api/v1/organisations", headers=headers, json={"name": "X", "country": "FR"}
        ).status_code
        == 403
    )
    assert client.post("/api/v1/ties", headers=headers, json={}).status_code == 403


@pytest.mark.parametrize("body", [None, [], "text", {"organisation_a": "1"}])
def test_malformed_bodies_are_json_errors(app, client, demo, body):
    headers = _token(app, demo["users"]["lead@example.org"])
    response = client.post("/api/v1/ties", headers=headers, json=body)
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["code"] == response.status_code

"""Issue #15, item 8: the API refuses what forms refuse, links with an encoded character are
still masked in logs, API answers are never cached, production refuses a low-entropy key."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consortium import create_app
from consortium.auth.services import create_api_token
from consortium.directory.models import Organisation
from consortium.extensions import db
from consortium.web.logs import redact
from tests import factories


def _bearer(app, email: str) -> dict:
    with app.app_context():
        user = db.session.scalar(select(factories.User).where(factories.User.email == email))
        token = create_api_token(user, name="t")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("character", ["\x7f", "\x00", "\x1b", "\ud800"])
def test_the_api_refuses_control_characters_as_forms_do(app, client, world, character):
    headers = _bearer(app, "admin@example.org")
    response = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": f"Bad{character}name", "country": "FR"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {
        "fields": {"name": "Remove the control characters from this text."}
    }
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 3


@pytest.mark.parametrize(
    "line",
    [
        "GET /invitations/%41eyJpIjoxLCJuIjoiYWJjZGVmIn0.Z1x2.SIGNATUREsignature HTTP/1.1",
        "GET /invitations/%2e%2eeyJpIjoxLCJuIjoiYWJjZGVmIn0.Z1x2.SIGNATUREsig HTTP/1.1",
        "GET /invitations/~eyJpIjoxLCJuIjoiYWJjZGVmIn0.Z1x2.SIGNATUREsignature HTTP/1.1",
    ],
)
def test_invitation_tokens_behind_an_encoded_character_are_masked(line):
    cleaned = redact(line)
    assert "eyJpIjoxLCJuIjoiYWJjZGVmIn0" not in cleaned and "SIGNATURE" not in cleaned
    assert cleaned.startswith("GET /invitations/[redacted]") and cleaned.endswith(" HTTP/1.1")


@pytest.mark.parametrize(
    "path", ["/api/v1/proposals", "/api/v1/organisations", "/api/v1/health", "/api/v1/nowhere"]
)
def test_api_answers_are_never_cached(app, client, world, path):
    response = client.get(path, headers=_bearer(app, "partner@example.org"))
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("key", ["k" * 32, "ab" * 32, "0123456789" * 4, "x" * 64])
def test_production_refuses_a_long_key_with_few_different_characters(tmp_path, monkeypatch, key):
    monkeypatch.setenv("CONSORTIUM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CONSORTIUM_ENV_NAME", "production")
    monkeypatch.setenv("CONSORTIUM_SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_accepts_a_generated_key(tmp_path, monkeypatch):
    import secrets

    monkeypatch.setenv("CONSORTIUM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CONSORTIUM_ENV_NAME", "production")
    monkeypatch.setenv("CONSORTIUM_SECRET_KEY", secrets.token_hex(32))
    assert create_app().config["SESSION_COOKIE_SECURE"] is True

"""Directory fixtures: a logged-in client per role of the standard world."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

EMAILS = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
    "other_partner": "partner2@example.org",
    "outsider": "outsider@example.org",
}


@pytest.fixture
def as_role(app, world):
    """``as_role("lead")`` -> a test client logged in as that user of the world."""

    def client_for(role: str):
        client = app.test_client()
        if role != "anonymous":
            response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD})
            assert response.status_code in (302, 303)
        return client

    return client_for

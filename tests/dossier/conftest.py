"""Fixtures of the dossier tests: the Marseille demo loaded, and log-in helpers."""

from __future__ import annotations

import pytest

from consortium.demo.load import DEMO_PASSWORD, load_demo
from consortium.extensions import db


@pytest.fixture
def demo(app) -> dict:
    """The demo loaded; proposal ids by acronym and user ids by email."""
    from sqlalchemy import select

    from consortium.auth.models import User
    from consortium.proposals.models import Proposal

    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        proposals = {p.acronym: p.id for p in db.session.scalars(select(Proposal))}
        users = {u.email: u.id for u in db.session.scalars(select(User))}
    return {"proposals": proposals, "users": users}


@pytest.fixture
def demo_login(client):
    def do_login(email: str):
        client.post("/logout")
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code in (302, 303)
        return client

    return do_login

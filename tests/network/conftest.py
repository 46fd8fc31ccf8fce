"""Fixtures of the network area: the Marseille demo, loaded once per test."""

from __future__ import annotations

import pytest

DEMO_PASSWORD = "marseille2030"


@pytest.fixture
def demo(app) -> dict:
    """The demo loaded; proposal ids by acronym and organisation ids by acronym."""
    from sqlalchemy import select

    from consortium.demo.load import load_demo
    from consortium.directory.models import Organisation
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        proposals = {p.acronym: p.id for p in db.session.scalars(select(Proposal))}
        orgs = {o.acronym or o.name: o.id for o in db.session.scalars(select(Organisation))}
    return {"proposals": proposals, "orgs": orgs}


@pytest.fixture
def demo_login(client, demo):
    def do_login(email: str):
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code in (302, 303)
        return client

    return do_login

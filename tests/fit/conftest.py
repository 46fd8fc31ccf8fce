"""Fixtures of the fit tests: the Marseille demo loaded in the test database."""

from __future__ import annotations

import pytest


@pytest.fixture
def demo(app):
    """The demo loaded; returns {acronym: proposal id} and org ids by acronym/name."""
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

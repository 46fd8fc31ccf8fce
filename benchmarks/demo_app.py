"""The Marseille demo in a temporary SQLite database, for the benchmarks that time pages and
services (one setup instead of a copy in each script)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def demo_app(**config: object):
    """A test-configured app whose database holds the demo (passwords hashed cheaply)."""
    from consortium import create_app
    from consortium.demo.load import load_demo
    from consortium.extensions import db

    tmp = tempfile.mkdtemp()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
            "UPLOAD_FOLDER": f"{tmp}/uploads",
            "WTF_CSRF_ENABLED": False,
            **config,
        }
    )
    with app.app_context():
        db.create_all()
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
    return app


def proposal_ids(app) -> dict[str, int]:
    """Acronym -> id of the demo's proposals."""
    from sqlalchemy import select

    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    with app.app_context():
        return {p.acronym: p.id for p in db.session.scalars(select(Proposal))}


def lead_client(app):
    """A test client logged in as the demo's project lead."""
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "lead@example.org", "password": "marseille2030"}
    )
    assert response.status_code == 302, response.status_code
    return client

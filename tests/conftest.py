"""Fixtures: an app per test on a fresh database (SQLite in memory by default, PostgreSQL
when CONSORTIUM_TEST_DATABASE_URL is set), a client, a CLI runner and login helpers."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import inspect, text

TEST_DATABASE_URL = os.environ.get("CONSORTIUM_TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"


def test_config(tmp_path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or "sqlite://",
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


def reset_database(db) -> None:
    """Empty every table: drop/create on SQLite memory, truncate on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        db.drop_all()
        db.create_all()


_pg_schema_ready = False


@pytest.fixture
def make_app(tmp_path):
    """Build an app with extra config; the database is fresh and emptied afterwards."""
    created = []

    def build(**overrides):
        global _pg_schema_ready
        from consortium import create_app
        from consortium.extensions import db

        app = create_app(test_config(tmp_path, **overrides))
        with app.app_context():
            if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
                # Built once per session; rebuilt if a test (migrations, restore) dropped it.
                if not _pg_schema_ready or not inspect(db.engine).has_table("login_attempt"):
                    db.drop_all()
                    db.create_all()
                    _pg_schema_ready = True
                reset_database(db)
            else:
                db.create_all()
        created.append(app)
        return app

    yield build
    from consortium.extensions import db

    for app in created:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """Log a user in through the real login form."""

    def do_login(email: str, password: str = PASSWORD, target=None):
        response = (target or client).post("/login", data={"email": email, "password": password})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return do_login


@pytest.fixture
def world(app) -> dict:
    """A small standard world: an admin, a proposal with one user per role, three orgs."""
    from tests import factories

    with app.app_context():
        return factories.standard_world()

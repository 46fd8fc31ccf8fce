"""The database is gone or hangs while people are logged in (issue #15, item 5): every
request ends quickly with the 503 "try again" page or JSON, never a 500, and never holds a
worker until it is killed (connect and statement timeouts)."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
from sqlalchemy import event, text

from consortium import create_app
from consortium.auth import services as auth_services
from consortium.extensions import db
from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL
from tests.conftest import test_config as app_config

UNAVAILABLE = "The database did not answer. Nothing was saved: try again in a moment."


def _bounded(call, timeout: float = 60):
    """Run ``call`` in a thread; a request still running after ``timeout`` s fails."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "the request hung"
    return result[0]


_apps: list = []


@pytest.fixture(autouse=True)
def _dispose_engines():
    yield
    while _apps:
        with _apps.pop().app_context():
            db.session.remove()
            db.engine.dispose()


def _app_with_user(make_app, tmp_path, **config):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'outage.sqlite'}"
    make_app(SQLALCHEMY_DATABASE_URI=url)  # a fresh schema, under the default timeouts
    app = create_app(
        app_config(tmp_path, SQLALCHEMY_DATABASE_URI=url, RENDER_500_IN_TESTS=True, **config)
    )
    _apps.append(app)

    def slow():
        db.session.execute(text(_slow_statement(db.engine.dialect.name))).scalar()
        return "finished"

    app.add_url_rule("/slow", "slow", slow)
    with app.app_context():
        user = factories.make_user("ann@example.org")
        token = auth_services.create_api_token(user, name="script")
        db.session.commit()
    client = app.test_client()
    assert (
        client.post("/login", data={"email": "ann@example.org", "password": PASSWORD}).status_code
        == 302
    )
    return app, client, token


def test_logged_in_users_get_the_503_page_when_the_database_is_unreachable(make_app, tmp_path):
    app, client, token = _app_with_user(make_app, tmp_path)
    assert client.get("/").status_code == 200
    with app.app_context():
        engine = db.engine

        def refuse(*_args, **_kwargs):
            raise engine.dialect.loaded_dbapi.OperationalError("connection refused")

        event.listen(engine, "do_connect", refuse)
        engine.dispose()  # every pooled connection is gone: the next one must connect
    try:
        page = client.get("/")
        api = app.test_client().get(
            "/api/v1/proposals", headers={"Authorization": f"Bearer {token}"}
        )
        posted = client.post("/logout")
    finally:
        event.remove(engine, "do_connect", refuse)
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    body = page.get_data(as_text=True)
    assert UNAVAILABLE in body and "Traceback" not in body
    assert page.headers["Cache-Control"] == "no-store"
    assert (api.status_code, api.get_json()) == (
        503,
        {"error": {"code": 503, "message": UNAVAILABLE}},
    )
    assert posted.status_code == 503
    assert client.get("/").status_code == 200  # back as soon as the database answers


def _slow_statement(dialect: str) -> str:
    if dialect == "postgresql":
        return "SELECT pg_sleep(30)"
    return (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 2000000000) SELECT count(*) FROM n"
    )


def test_a_hanging_statement_is_cut_by_the_statement_timeout(make_app, tmp_path):
    _app, client, _token = _app_with_user(make_app, tmp_path, DATABASE_STATEMENT_TIMEOUT_MS=300)
    page = _bounded(lambda: client.get("/slow"))
    assert page.status_code == 503
    assert UNAVAILABLE in page.get_data(as_text=True)
    assert client.get("/").status_code == 200


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="row locks: PostgreSQL")
def test_a_session_table_locked_elsewhere_gives_logged_in_users_a_503(make_app, tmp_path):
    import psycopg

    _app, client, _token = _app_with_user(make_app, tmp_path, DATABASE_STATEMENT_TIMEOUT_MS=500)
    plain = TEST_DATABASE_URL.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(plain) as locker:
        locker.execute('LOCK TABLE "user_session" IN ACCESS EXCLUSIVE MODE')
        page = _bounded(lambda: client.get("/"))
        locker.rollback()
    assert page.status_code == 503
    assert client.get("/").status_code == 200


@contextlib.contextmanager
def _silent_server():
    """A TCP port that accepts connections and never says a word (a hung database)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for connection in accepted:
            connection.close()
        listener.close()


def test_a_database_that_accepts_but_never_answers_gives_a_503_after_the_connect_timeout(tmp_path):
    with _silent_server() as port:
        app = create_app(
            app_config(
                tmp_path,
                SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://u@127.0.0.1:{port}/x",
                DATABASE_CONNECT_TIMEOUT=1,
                RENDER_500_IN_TESTS=True,
            )
        )
        client = app.test_client()
        health = _bounded(lambda: client.get("/api/v1/health"), timeout=30)
        page = _bounded(lambda: client.get("/proposals/1"), timeout=30)
        with app.app_context():
            db.engine.dispose()
    assert health.status_code == 503
    # Anonymous: the login redirect needs no database.
    assert page.status_code == 302


def test_timeouts_reach_the_postgresql_connection():
    from consortium.extensions import engine_options

    options = engine_options(
        "postgresql+psycopg://u@h/d",
        {"pool_pre_ping": True},
        connect_timeout=5,
        statement_timeout_ms=30000,
    )
    assert options == {
        "pool_pre_ping": True,
        "connect_args": {"connect_timeout": 5, "options": "-c statement_timeout=30000"},
    }
    assert engine_options("sqlite:///x", {}, connect_timeout=5, statement_timeout_ms=30000) == {}

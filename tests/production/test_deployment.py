"""The README's deployment, for real: `flask db upgrade`, `flask setup`, the demo, then
gunicorn (deploy/gunicorn.conf.py, two workers, a random loopback port) on a SQLite file —
or on a fresh PostgreSQL database when CONSORTIUM_TEST_DATABASE_URL is set — in production
mode behind a simulated reverse proxy."""

from __future__ import annotations

import re

from sqlalchemy import create_engine, text

from tests.production.server import csrf_token


def _proposal_ids(html: str) -> list[int]:
    return sorted({int(i) for i in re.findall(r'href="/proposals/(\d+)"', html)})


def test_health_answers_with_the_database(proxied_server):
    reply = proxied_server.client().get("/api/v1/health")
    assert reply.status == 200
    assert reply.text.replace(" ", "").replace("\n", "") == '{"database":"ok","status":"ok"}'
    assert len(proxied_server.worker_pids()) == 2


def test_lead_logs_in_with_the_form_and_reads_a_dashboard(proxied_server):
    client = proxied_server.client()
    assert client.get("/").headers["location"].startswith("/login")
    reply = client.log_in("lead@example.org")
    assert reply.headers["location"] == "/"
    # Production mode: the session cookie is Secure, HttpOnly and SameSite=Lax.
    home = client.get("/")
    assert home.status == 200
    ids = _proposal_ids(home.text)
    assert len(ids) == 2, ids
    for proposal_id in ids:
        dashboard = client.get(f"/proposals/{proposal_id}")
        assert dashboard.status == 200
        assert "REBATIR" in dashboard.text or "VERDIR" in dashboard.text
        assert dashboard.headers["cache-control"] == "no-store"
        assert dashboard.headers["strict-transport-security"].startswith("max-age=31536000")
    assert client.get("/logout").status in (302, 405)


def test_session_cookie_is_secure_in_production(proxied_server):
    client = proxied_server.client()
    form = client.get("/login")
    cookie = form.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused_and_counted_for_the_forwarded_address(proxied_server):
    client = proxied_server.client(**{"X-Forwarded-For": "203.0.113.7"})
    form = client.get("/login")
    reply = client.post_form(
        "/login",
        {
            "csrf_token": csrf_token(form.text),
            "email": "lead@example.org",
            "password": "wrong-wrong",
        },
    )
    assert reply.status == 200
    assert "Wrong email or password." in reply.text
    engine = create_engine(proxied_server.database_url)
    try:
        with engine.connect() as connection:
            addresses = connection.scalars(text("SELECT address FROM login_attempt")).all()
    finally:
        engine.dispose()
    assert addresses == ["203.0.113.7"]


def test_proxy_headers_set_the_redirect_scheme_and_host(proxied_server):
    client = proxied_server.client(
        **{
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "consortium.example.org",
            "X-Forwarded-For": "198.51.100.4",
        }
    )
    reply = client.get("/calls")
    assert reply.status == 308
    assert reply.headers["location"] == "https://consortium.example.org/calls/"
    # Without the headers, the scheme is the one gunicorn saw.
    plain = proxied_server.client().get("/calls")
    assert plain.headers["location"] == f"http://127.0.0.1:{proxied_server.port}/calls/"


def test_login_through_https_proxy_checks_the_referer(proxied_server):
    client = proxied_server.client(
        **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "consortium.example.org"}
    )
    form = client.get("/login")
    token = csrf_token(form.text)
    # Flask-WTF's strict SSL check: a POST over https needs a same-origin Referer.
    refused = client.post_form(
        "/login",
        {"csrf_token": token, "email": "lead@example.org", "password": "marseille2030"},
        headers={"Referer": "https://evil.example/login"},
    )
    assert refused.status == 400
    client.log_in("lead@example.org")
    assert client.get("/").status == 200


def test_access_log_has_no_query_string_and_no_secret(proxied_server):
    client = proxied_server.client(**{"X-Forwarded-For": "192.0.2.55"})
    client.get("/api/v1/health?token=do-not-log-me-12345")
    client.get("/invitations/abcdefghijklmnopqrstuvwxyz0123456789")
    log = proxied_server.log
    assert "do-not-log-me" not in log
    assert "abcdefghijklmnopqrstuvwxyz0123456789" not in log
    assert re.search(r'"192\.0\.2\.55" \[[^]]+\] "GET /api/v1/health HTTP/1\.1" 200 ', log), log[
        -2000:
    ]

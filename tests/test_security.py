"""Anonymous sweep over the URL map, CSRF on every form, security headers, no open redirect."""

import re

import pytest

from tests import factories

# Endpoints anyone may reach without logging in.
PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "locale.switch",
    "commitments.accept",
    "commitments.accept_finish",
    "api.health",
    "api.openapi",
    "assets.favicon",
}


def _sample_url(rule) -> str:
    values = dict.fromkeys(rule.arguments, 1)
    for arg in rule.arguments:
        converter = rule._converters.get(arg)
        if converter is not None and type(converter).__name__ in (
            "UnicodeConverter",
            "PathConverter",
        ):
            values[arg] = "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_non_public_endpoint_refuses_anonymous_users(app, world):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if url.startswith("/api/"):
                assert response.status_code == 401, (method, url)
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert response.headers["Location"].startswith("/login"), (method, url)
            checked += 1
    assert checked >= 15


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_post_without_csrf_token_is_refused_and_changes_nothing(csrf_app):
    client = csrf_app.test_client()
    with csrf_app.app_context():
        factories.make_user("ann@example.org")
        factories.db.session.commit()

    response = client.post(
        "/login", data={"email": "ann@example.org", "password": "correct horse battery staple"}
    )

    assert response.status_code == 400
    assert "The form expired or did not come from this site." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_every_post_form_on_pages_carries_a_csrf_token(csrf_app):
    with csrf_app.app_context():
        world = factories.standard_world()
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login",
        data={
            "email": "lead@example.org",
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    for path in (
        "/",
        f"/proposals/{world['proposal']}",
        "/account",
        "/calls/",
        f"/proposals/{world['proposal']}/members",
        f"/proposals/{world['proposal']}/edit",
    ):
        html = client.get(path).get_data(as_text=True)
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, re.S | re.I)
        assert forms, path
        for form in forms:
            assert re.search(r'name="([\w]+-)?csrf_token"', form), (path, form[:200])


def test_security_headers(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_behind_login_are_not_cached(app, client, login):
    with app.app_context():
        factories.make_user("ann@example.org")
        factories.db.session.commit()
    login("ann@example.org")
    assert client.get("/account").headers["Cache-Control"] == "no-store"


def test_language_switch_refuses_open_redirects(client):
    response = client.post("/language/fr", data={"next": "//evil.example/"})
    assert response.headers["Location"] == "/"
    response = client.post("/language/fr", data={"next": "/calls/"})
    assert response.headers["Location"] == "/calls/"


def test_unknown_language_is_404(client):
    assert client.post("/language/de").status_code == 404


def test_ids_beyond_the_integer_range_are_404_not_500(client, login, world):
    login("lead@example.org")
    assert client.get("/proposals/99999999999999999999").status_code == 404
    assert client.get("/proposals/2147483648").status_code == 404

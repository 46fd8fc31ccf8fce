"""axe-core on every page, in English and French: no serious or critical violation.

The pages are discovered from ``app.url_map`` with the hardening sweep's URL filling (every
GET route whose answer is an HTML page for the demo lead, then for the administrator), so a
page added later is checked without touching this file.  axe-core is the copy vendored in
``static/vendor/axe-core/`` (injected by the test, never by the pages).
"""

from __future__ import annotations

import json
import re
import threading

import pytest
from werkzeug.serving import make_server

from consortium.demo.load import DEMO_PASSWORD, load_demo
from tests.browser.conftest import log_in
from tests.conftest import TEST_DATABASE_URL, reset_database
from tests.conftest import test_config as app_config
from tests.hardening.conftest import fill_rule, get_rules
from tests.hardening.conftest import log_in as session_log_in

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
LEAD, ADMIN, PARTNER = "lead@example.org", "admin@example.org", "partner@example.org"
# Pages whose GET changes something or needs a one-time token: not part of the sweep.
SKIPPED_ENDPOINTS = {"auth.logout", "commitments.join"}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo on a file database (the server's threads share it) behind a live server."""
    from consortium import create_app
    from consortium.extensions import db

    tmp_path = tmp_path_factory.mktemp("axe")
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'axe.sqlite'}"
    app = create_app(app_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        db.create_all()
        reset_database(db)
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        if url.startswith("postgresql"):
            reset_database(db)
        db.engine.dispose()


def html_pages(app, email: str, exclude: set[str] = frozenset()) -> list[str]:
    """URLs of every GET route that answers ``email`` with an HTML page."""
    client = app.test_client()
    session_log_in(app, client, email)
    found = []
    for rule in get_rules(app):
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.endpoint.startswith("api."):
            continue
        url = fill_rule(app, rule, user_email=email)
        if url is None or url in exclude:
            continue
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            found.append(url)
    return found


@pytest.fixture(scope="module")
def pages(demo_site):
    app, _base = demo_site
    lead = html_pages(app, LEAD)
    admin = html_pages(app, ADMIN, exclude=set(lead))
    partner = html_pages(app, PARTNER, exclude=set(lead) | set(admin))
    return {LEAD: lead, ADMIN: admin, PARTNER: partner}


def violations(page, base: str) -> list[dict]:
    # Loaded from the app's own static folder: the pages' CSP allows only 'self' scripts.
    page.add_script_tag(url=f"{base}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
    )
    return [v for v in result if v["impact"] in BLOCKING]


def sweep(page, base: str, urls: list[str]) -> dict[str, list[dict]]:
    found = {}
    for url in urls:
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        bad = violations(page, base)
        if bad:
            found[url] = bad
    return found


def test_the_sweep_covers_the_pages_of_every_area(pages):
    everything = pages[LEAD] + pages[ADMIN] + pages[PARTNER]
    for fragment in (
        "/actions",
        "/commitments",
        "/dossier",
        "/network",
        "/fit",
        "/directory",
        "/workshops",
        "/calls",
        "/account",
        "/users",
    ):
        assert any(fragment in url for url in everything), fragment
    assert len(everything) >= 40


def test_no_attribute_renders_python_none(demo_site, pages):
    """aria-invalid="None" was read as "invalid" on every field: no attribute says None."""
    app, _base = demo_site
    found = {}
    for email, urls in pages.items():
        client = app.test_client()
        session_log_in(app, client, email)
        for url in urls:
            body = client.get(url).get_data(as_text=True)
            bad = re.findall(r'\s([\w:-]+)="None"', body)
            if bad:
                found[url] = sorted(set(bad))

    assert found == {}


# Each language sweeps every page, one on a laptop screen and one on a phone, where tables
# and charts scroll sideways.
@pytest.mark.parametrize(("lang", "width"), [("en", 1280), ("fr", 390)])
def test_no_serious_or_critical_violation_on_any_page(browser, demo_site, pages, lang, width):
    _app, base = demo_site
    found = {}
    for email in (None, LEAD, ADMIN, PARTNER):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        if email is None:
            page.goto(f"{base}/login")
        else:
            log_in(page, base, email, DEMO_PASSWORD)
        if lang == "fr":
            page.click("[data-testid=switch-language]")
            page.wait_for_load_state()
        found.update(sweep(page, base, ["/login"] if email is None else pages[email]))
        context.close()

    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)

"""A live server on loopback and a real Chromium driven by Playwright.

Browser tests skip on a machine without Chromium, except when CONSORTIUM_REQUIRE_BROWSER=1
(set by CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import TEST_DATABASE_URL, reset_database, test_config

CHROMIUM = os.environ.get("CONSORTIUM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _require_browser() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CONSORTIUM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required here but {CHROMIUM} is missing")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")


@pytest.fixture
def live_app(tmp_path):
    """The app on a file database (threads share it), with the demo-like world loaded."""
    from consortium import create_app
    from consortium.extensions import db

    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = create_app(
        test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True, TESTING=False)
    )
    with app.app_context():
        if url.startswith("postgresql"):
            db.create_all()
            reset_database(db)
        else:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        if url.startswith("postgresql"):
            reset_database(db)
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(
        locale="en-GB", accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click(
        "button[type=submit]:has-text('Log in'), button[type=submit]:has-text('Se connecter')"
    )
    page.wait_for_url(lambda url: "/login" not in url)

"""First journey: log in with a demo account, open a dashboard, switch language, log out."""

import pytest

from consortium.demo.load import DEMO_PASSWORD, load_demo
from consortium.extensions import db
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(live_app, live_server):
    with live_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
    return live_server


def test_demo_lead_opens_a_dashboard_switches_language_and_logs_out(page, demo_server):
    log_in(page, demo_server, "lead@example.org", DEMO_PASSWORD)
    assert page.locator("h1").inner_text() == "My proposals"

    page.click("text=REBATIR")
    assert page.locator("h1").inner_text().startswith("REBATIR — Reuse and circular economy")
    assert page.locator("[data-testid=countdown]").count() == 1

    page.click("[data-testid=switch-language]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h2", has_text="Travailler sur la proposition").count() == 1

    page.click("[data-testid=switch-language]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h2", has_text="Work on the proposal").count() == 1

    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{demo_server}/login")
    assert page.locator(".flash").inner_text() == "You are logged out."
    page.goto(f"{demo_server}/proposals/1")
    assert "/login" in page.url

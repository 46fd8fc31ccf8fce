"""Tasks and deadlines, and the directory-to-consortium journey, in a real browser:
a lead assigns a section, the writer finds it in "My tasks" and ticks it, the lead reads it
in the activity log; the lead shortlists two organisations from the search results, invites
them in one step and copies an invitation link from the outbox. Screenshots in EN and FR,
1366 px and 390 px."""

from __future__ import annotations

import datetime as dt

import pytest

from consortium.demo.load import DEMO_PASSWORD, load_demo
from consortium.extensions import db
from tests.browser.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(live_app, live_server):
    with live_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
    return live_server


def _shot(page, name: str) -> None:
    folder = ARTIFACTS / "tasks"
    folder.mkdir(parents=True, exist_ok=True)
    for width, suffix in ((1366, ""), (390, "-390")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_lead_assigns_writer_ticks_lead_reads_the_log(page, demo_server):
    log_in(page, demo_server, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{demo_server}/proposals/1")
    page.click("[data-area=tasks]")
    assert page.locator("h1").inner_text() == "Tasks and deadlines"
    page.select_option("select[name=subject]", "section:1.3")
    page.select_option("select[name=assignee]", label="Hugo Bernard")
    due = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=9)).isoformat()
    page.fill("input[name=due_date]", due)
    page.click("[data-testid=assign]")
    assert "assigned" in page.locator(".flash").inner_text()
    assert (
        "1.3 Needs analysis and specific objectives"
        in page.locator("[data-testid=tasks]").inner_text()
    )
    _shot(page, "tasks-en")

    page.context.clear_cookies()
    log_in(page, demo_server, "writer@example.org", DEMO_PASSWORD)
    page.click("nav >> text=My tasks")
    assert "1.3 Needs analysis" in page.locator("[data-testid=my-tasks]").inner_text()
    _shot(page, "my-tasks-en")
    row = page.locator("tr", has_text="1.3 Needs analysis")
    row.locator("button").click()
    assert "done" in page.locator("tr", has_text="1.3 Needs analysis").inner_text()

    page.context.clear_cookies()
    log_in(page, demo_server, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{demo_server}/proposals/1/activity?entity=task")
    log = page.locator("[data-testid=activity]").inner_text()
    assert "Hugo Bernard" in log and "done" in log and "created" in log
    _shot(page, "activity-en")
    page.click("[data-testid=switch-language]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Journal d'activité"
    _shot(page, "activity-fr")
    page.goto(f"{demo_server}/proposals/1/tasks")
    assert page.locator("h1").inner_text() == "Tâches et échéances"
    _shot(page, "tasks-fr")


def test_lead_shortlists_from_search_invites_and_copies_the_link(page, demo_server):
    log_in(page, demo_server, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{demo_server}/directory?q=terre")
    page.goto(f"{demo_server}/directory/5")
    _shot(page, "organisation-add-en")
    page.select_option("[data-testid=add-to-proposal] select", label="REBATIR")
    page.click("[data-testid=add-to-proposal-submit]")
    assert "Shortlisted in REBATIR" in page.locator(".flash").inner_text()
    page.goto(f"{demo_server}/directory?q=terre")
    page.locator("tr", has_text="Terre de Quartiers").locator("input[type=checkbox]").check()
    _shot(page, "directory-bulk-en")
    page.select_option("[data-testid=bulk-shortlist] select[name=proposal_id]", label="REBATIR")
    page.click("[data-testid=bulk-shortlist-submit]")
    assert "Shortlisted in REBATIR: Terre de Quartiers." in page.locator(".flash").inner_text()
    form = page.locator("[data-testid=bulk-invite]")
    assert "Terre de Quartiers" in form.inner_text()
    assert "Laboratoire Méditerranéen" in form.inner_text()
    _shot(page, "board-bulk-invite-en")
    page.click("[data-testid=invite-selected]")
    assert page.locator("h1").inner_text() == "Outbox"
    page.locator("[data-testid=copy-link]").first.click()
    status = page.locator("[data-testid=copy-status]").first
    page.wait_for_function(
        "document.querySelector('[data-testid=copy-status]').textContent.length > 0"
    )
    assert status.inner_text() in ("Copied.", "Select the text and copy it with Ctrl+C.")
    _shot(page, "outbox-en")

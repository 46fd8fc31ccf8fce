"""The plan and budget pictures in a real browser: the Gantt chart and its table, the budget
charts, the dashboard's progress and countdown, and the phone layout."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from consortium.calls.models import Topic
from consortium.demo.load import DEMO_PASSWORD, load_demo
from consortium.extensions import db
from consortium.proposals.models import Proposal
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(live_app, live_server):
    with live_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        rebatir = db.session.scalar(select(Proposal).where(Proposal.acronym == "REBATIR"))
        deadline = db.session.get(Topic, rebatir.topic_id).deadline
    return live_server, rebatir.id, (datetime.now(UTC).date() - deadline).days


def test_gantt_chart_with_milestones_and_its_table_by_keyboard(page, demo_server):
    base, pid, _days = demo_server
    log_in(page, base, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{base}/proposals/{pid}/actions")

    chart = page.locator("[data-testid=gantt]")
    assert chart.locator(".gantt-row").count() == 5
    assert chart.locator(".gantt-milestone").count() == 10  # the demo's REBATIR milestones
    a1 = chart.locator(".gantt-row[data-code=A1] .gantt-bar").bounding_box()
    a4 = chart.locator(".gantt-row[data-code=A4] .gantt-bar").bounding_box()
    # A1 runs M1-M36, A4 M1-M24: same start, A4 two thirds as long.
    assert a1["x"] == pytest.approx(a4["x"], abs=0.5)
    assert a4["width"] / a1["width"] == pytest.approx(24 / 36, abs=0.01)

    table = page.locator("[data-testid=gantt-table]")
    assert not table.is_visible()
    page.locator(".gantt-table summary").focus()
    page.keyboard.press("Enter")
    assert table.is_visible()
    assert table.locator("tbody tr").first.inner_text().split("\t")[:5] == [
        "A1",
        "Resource diagnostics before works",
        "BBS",
        "M1",
        "M36",
    ]


def test_budget_charts_on_the_board_add_up_to_the_total(page, demo_server):
    base, pid, _days = demo_server
    log_in(page, base, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{base}/proposals/{pid}/commitments")

    total = page.locator("[data-testid=board-total]").inner_text()
    assert total == "€2,235,720.00"

    def amounts(testid):
        return [
            float(t.strip("€").replace(",", ""))
            for t in page.locator(f"[data-testid={testid}] .hbar-value").all_inner_texts()
        ]

    for chart in ("chart-partners", "chart-categories", "chart-actions"):
        assert sum(amounts(chart)) == pytest.approx(2235720.00, abs=0.001), chart


def test_dashboard_progress_and_a_closed_call(page, demo_server):
    base, pid, days = demo_server
    log_in(page, base, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{base}/proposals/{pid}")

    assert page.locator("[data-testid=confirmation-progress]").inner_text() == "5 of 9 confirmed"
    assert page.locator("[data-testid=countdown]").inner_text() == f"Closed {days} days ago"
    page.click("[data-testid=switch-language]")
    page.wait_for_load_state()
    assert page.locator("[data-testid=confirmation-progress]").inner_text() == ("5 confirmés sur 9")
    assert page.locator("[data-testid=countdown]").inner_text() == (f"Clôturé il y a {days} jours")


def test_phone_header_board_rows_and_folded_filters(browser, demo_server):
    base, pid, _days = demo_server
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, base, "lead@example.org", DEMO_PASSWORD)

    page.goto(f"{base}/proposals/{pid}/commitments")
    assert page.locator(".site-header").bounding_box()["height"] < 844 / 8
    # Every partner's money is on screen, labelled, without scrolling sideways.
    vdm = page.locator("tr[data-participation]").first
    total = vdm.locator("td[data-testid=row-total]")
    assert total.get_attribute("data-label") == "Total"
    box = total.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert total.inner_text() == "€611,050.00"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{base}/directory")
    filters = page.locator("details.fold-filters")
    assert filters.get_attribute("open") is None
    assert page.locator("#q").is_visible()  # the search stays out
    assert not page.locator("#f-type").is_visible()
    page.click("details.fold-filters > summary")
    assert page.locator("#f-type").is_visible()
    context.close()

    wide = browser.new_context(viewport={"width": 1280, "height": 900})
    page = wide.new_page()
    log_in(page, base, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{base}/directory")
    assert page.locator("#f-type").is_visible()
    assert not page.locator("details.fold-filters > summary").is_visible()
    wide.close()

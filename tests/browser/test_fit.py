"""Browser journey of the fit area: ranking, filter, detail, compare, what-if (EN and FR)."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import log_in

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_lead_ranks_compares_and_runs_a_what_if(live_app, live_server, page):
    from consortium.demo.load import DEMO_PASSWORD, load_demo
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    with live_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        pid = db.session.query(Proposal).filter_by(acronym="REBATIR").one().id
    SHOTS.mkdir(exist_ok=True)
    log_in(page, live_server, "lead@example.org", DEMO_PASSWORD)
    page.goto(f"{live_server}/proposals/{pid}/fit")
    assert page.locator("[data-testid=ranking] tbody tr").count() == 25
    page.screenshot(path=str(SHOTS / "fit-ranking-en.png"), full_page=True)
    page.check("#f-eligible")
    page.click("button:has-text('Filter')")
    page.wait_for_url(lambda url: "eligible=1" in url)
    assert page.locator("[data-testid=ranking] tbody tr").count() == 23
    page.click("[data-testid=ranking] tbody tr:first-child td:nth-child(3) a")
    page.wait_for_url(lambda url: "/fit/organisations/" in url)
    assert page.locator(".fit-component").count() == 7
    page.go_back()
    boxes = page.locator("[data-testid=ranking] tbody input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("button:has-text('Compare the selected organisations')")
    page.wait_for_url(lambda url: "/fit/compare" in url)
    assert page.locator("[data-testid=compare] thead th").count() == 3
    page.goto(f"{live_server}/proposals/{pid}/fit/what-if")
    page.select_option("#w-org", label="Fundació Reutilitza Barcelona — add to the consortium")
    page.click("button:has-text('Show the effect')")
    assert page.locator("[data-testid=what-if-result] h2").inner_text() == (
        "If Fundació Reutilitza Barcelona joined the consortium"
    )
    page.screenshot(path=str(SHOTS / "fit-what-if-en.png"), full_page=True)
    # French, narrow screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.request.post(
        f"{live_server}/language/fr",
        form={
            "csrf_token": page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
        },
    )
    page.goto(f"{live_server}/proposals/{pid}/fit")
    page.screenshot(path=str(SHOTS / "fit-ranking-fr-mobile.png"), full_page=False)
    assert "Adéquation des partenaires pour REBATIR" in page.content()


def test_lead_finds_newcomers_and_reads_how_the_score_works(live_app, live_server, page):
    from consortium.demo.load import DEMO_PASSWORD, load_demo
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    with live_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        pid = db.session.query(Proposal).filter_by(acronym="REBATIR").one().id
    SHOTS.mkdir(exist_ok=True)
    log_in(page, live_server, "lead@example.org", DEMO_PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server}/proposals/{pid}/fit")
    page.check("#f-new")
    page.click("button:has-text('Filter')")
    page.wait_for_url(lambda url: "new=1" in url)
    rows = page.locator("[data-testid=ranking] tbody tr")
    assert 0 < rows.count() < 25
    page.screenshot(path=str(SHOTS / "fit-newcomers-en-1366.png"), full_page=True)
    page.click("[data-testid=ranking] tbody tr:first-child td:nth-child(3) a")
    page.wait_for_url(lambda url: "/fit/organisations/" in url)
    assert "New to EU projects: no past project recorded" in page.content()
    page.screenshot(path=str(SHOTS / "fit-detail-en-1366.png"), full_page=True)
    page.go_back()
    page.click("[data-testid=how-link]")
    page.wait_for_url(lambda url: "/fit/how-it-works" in url)
    assert page.locator("h1").inner_text() == "How the fit score works"
    page.screenshot(path=str(SHOTS / "fit-how-en-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "fit-how-en-390.png"), full_page=True)
    page.request.post(
        f"{live_server}/language/fr",
        form={
            "csrf_token": page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
        },
    )
    page.goto(f"{live_server}/fit/how-it-works")
    assert page.locator("h1").inner_text() == "Comment fonctionne le score d'adéquation"
    page.screenshot(path=str(SHOTS / "fit-how-fr-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(SHOTS / "fit-how-fr-1366.png"), full_page=True)
    page.goto(f"{live_server}/proposals/{pid}/fit?new=1")
    page.screenshot(path=str(SHOTS / "fit-newcomers-fr-1366.png"), full_page=True)
    page.click("[data-testid=ranking] tbody tr:first-child td:nth-child(3) a")
    page.wait_for_url(lambda url: "/fit/organisations/" in url)
    assert "Nouveau dans les projets européens" in page.content()
    page.screenshot(path=str(SHOTS / "fit-detail-fr-1366.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "fit-detail-fr-390.png"), full_page=True)

"""Journey: record a workshop with attendance, capture five outputs of different kinds in one
submit (keyboard only), turn the need into an action and find it on the dashboard."""

import os
from pathlib import Path

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

SHOTS = os.environ.get("WORKSHOPS_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_workshop_to_action_journey(live_app, live_server, page):
    from consortium.extensions import db
    from tests import factories

    with live_app.app_context():
        world = factories.standard_world()
        db.session.remove()
    proposal = world["proposal"]
    log_in(page, live_server, "lead@example.org", PASSWORD)
    page.goto(f"{live_server}/proposals/{proposal}/workshops")
    page.click("text=Record a workshop")

    page.fill("#title", "Vision 2030 — broad round")
    page.fill("#held_on", "2025-03-14")
    page.fill("#place", "La Friche la Belle de Mai")
    page.fill("#organisations-1", "VDM")
    page.fill("#organisations-2", f"#{world['org_a']}")
    page.click("[data-add-org]")
    page.keyboard.type("BV")
    page.fill("#people", "Nadia Benali; chargée de mission; VDM\nPaul Martin;;ARS")
    shot(page, "workshop-form")
    page.click("button[type=submit]:has-text('Save')")

    page.wait_for_url("**/outputs")
    rows = [
        ("vision", "", "Marseille rebuilds with what it has"),
        ("need", "site", "A storage site for reclaimed materials"),
        ("resource", "", "Two trucks lent on Fridays"),
        ("risk", "", "Asbestos in old buildings"),
        ("quote", "", "Nothing leaves the district"),
    ]
    for index, (kind, subkind, text) in enumerate(rows):
        page.select_option(f"#rows-{index}-kind", kind)
        if subkind:
            page.select_option(f"#rows-{index}-subkind", subkind)
        page.fill(f"#rows-{index}-text", text)
    page.fill("#rows-1-raised", "ARS; VDM")
    # A mistake first: an organisation that does not exist; nothing is lost.
    page.fill("#rows-2-carries", "#999999")
    page.focus("#rows-4-text")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#rows-2-carries-error")
    assert "No organisation #999999 in the directory." in page.inner_text("#rows-2-carries-error")
    assert page.input_value("#rows-4-text") == "Nothing leaves the district"
    shot(page, "capture-error")
    page.fill("#rows-2-carries", "BV")
    page.click("[data-testid=save-outputs]")
    page.wait_for_selector("text=5 outputs recorded.")
    shot(page, "capture")

    page.click("text=Back to the workshop")
    assert page.inner_text("[data-testid=attendance-organisations]") == "3"
    assert page.inner_text("[data-testid=attendance-people]") == "2"
    for kind in ("vision", "need", "resource", "risk", "quote"):
        assert page.locator(f"[data-testid=outputs-{kind}] .ws-output").count() == 1
    page.locator("[data-testid=outputs-need] >> text=Turn into an action").click()

    assert page.input_value("#title") == "A storage site for reclaimed materials"
    page.fill("#start_month", "20")
    page.fill("#end_month", "6")
    page.click("button:has-text('Save the action')")
    assert "The end month (M6) comes before the start month (M20)." in page.inner_text(
        "#end_month-error"
    )
    page.fill("#start_month", "3")
    page.fill("#lead", "VDM")
    page.click("button:has-text('Save the action')")
    page.wait_for_selector("text=Action A1 is added.")
    assert "A storage site for reclaimed materials" in page.inner_text(
        "[data-testid=action-sources]"
    )
    shot(page, "actions")

    page.goto(f"{live_server}/proposals/{proposal}/workshops")
    shot(page, "index")
    page.goto(f"{live_server}/proposals/{proposal}")
    table = page.inner_text("[data-testid=dashboard-actions]")
    assert "A1" in table and "A storage site for reclaimed materials" in table and "VDM" in table
    assert "M3–M6" in table

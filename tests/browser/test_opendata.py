"""Open data in the browser: an import with its progress bar, the review queue, and partners
from all Europe added to the directory in one click."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
DATA = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "opendata"


@pytest.fixture
def world(live_app):
    from consortium.extensions import db
    from tests import factories

    with live_app.app_context():
        ids = factories.standard_world()
        factories.make_org(
            "Institut de recherche pour le développement",
            acronym="IRD",
            pic="999513803",
            org_type="research",
        )
        factories.make_org("Aix-Marseille Université", acronym="AMU", org_type="research")
        factories.make_org("Protisvalor", org_type="sme")
        db.session.commit()
        return ids


def test_import_review_and_partners_from_all_europe(page, live_server, live_app, world):
    log_in(page, live_server, "lead@example.org", PASSWORD)
    page.goto(f"{live_server}/opendata/")
    page.set_input_files("input[name=file]", str(DATA / "cordis_he_organization_marseille.csv"))
    page.click("button:has-text('Import')")
    # the job runs in a thread of the server; the page follows it and reloads when done
    page.wait_for_selector("[data-testid=job-summary]", timeout=60_000)
    summary = page.inner_text("[data-testid=job-summary]")
    assert "217 rows read." in summary
    assert "Directory: 2 organisations matched, 1 to review." in summary
    assert page.locator("progress").get_attribute("value") == "100"

    page.click("text=Review queue")
    row = page.locator("[data-testid=review-queue] tbody tr")
    assert row.count() == 1
    assert "PROTISVALOR MEDITERRANEE SAS" in row.inner_text()
    row.locator("button:has-text('Same organisation')").click()
    page.wait_for_selector("text=Nothing to review.")

    page.goto(f"{live_server}/opendata/")
    page.set_input_files("input[name=file]", str(DATA / "cordis_h2020_project_list_sample.csv"))
    page.click("button:has-text('Import')")
    page.wait_for_selector("[data-testid=job-summary]", timeout=60_000)

    page.goto(f"{live_server}/opendata/proposals/{world['proposal']}/partners")
    page.fill("input[name=q]", "battery")
    page.click("button:has-text('Search')")
    results = page.locator("[data-testid=europe-results] tbody tr")
    assert results.count() >= 2
    tiamat = results.filter(has_text="TIAMAT")
    assert "NAIMA" in tiamat.inner_text()  # its project, as evidence
    tiamat.locator("button:has-text('Add')").click()
    page.wait_for_selector("text=is added to the directory with its projects")
    assert "/partners" in page.url  # back on the search, TIAMAT no longer listed
    assert (
        page.locator("[data-testid=europe-results] tbody tr").filter(has_text="TIAMAT").count() == 0
    )

    from sqlalchemy import select

    from consortium.directory.models import Organisation
    from consortium.extensions import db

    with live_app.app_context():
        added = db.session.scalar(select(Organisation).where(Organisation.name == "TIAMAT"))
        assert (added.country, [p.reference for p in added.past_projects]) == ("FR", ["875629"])

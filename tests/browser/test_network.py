"""The cooperation map in a real browser on the Marseille demo: the canvas renders, the search
highlights an organisation, a click shows its details, the table view lists the same data, a
proposal's bridging suggestions arrive after the page (fetched by its script); English and
French. Screenshots (English, French, mobile) go to test-artifacts/."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, log_in

DEMO_PASSWORD = "marseille2030"
#: Ties of the demo territory with the map's default kinds (declared and project ties).
EDGES_DEFAULT = 61


def _demo(app) -> dict[str, int]:
    from sqlalchemy import select

    from consortium.demo.load import load_demo
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        return {p.acronym: p.id for p in db.session.scalars(select(Proposal))}


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.getElementById('net-map-h').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / f"network-{name}.png"))


def _wait_for_map(page) -> None:
    page.wait_for_selector("#network-map.network-map--live canvas")
    page.wait_for_function(
        "() => { const m = document.getElementById('network-map').networkMap;"
        " return m && m.cy && m.cy.nodes().length > 0; }"
    )


def _wait_for_suggestions(page) -> None:
    """The script has put the suggestions in place of the placeholder."""
    page.wait_for_selector("#net-suggestions:not([data-network-bridges])", state="attached")


def test_map_search_click_and_table(live_app, live_server, page):
    ids = _demo(live_app)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, "lead@example.org", DEMO_PASSWORD)

    page.goto(f"{live_server}/network")
    _wait_for_map(page)
    assert (
        page.evaluate(
            "document.getElementById('network-map').networkMap.cy.nodes().not('.strip-caption').length"
        )
        == 25
    )
    # Search highlights one organisation and opens its details.
    page.fill("#net-search", "Cité des transitions")
    page.wait_for_function(
        "() => document.getElementById('network-map').networkMap.cy.nodes('.highlight').length === 1"
    )
    highlighted = page.evaluate(
        "document.getElementById('network-map').networkMap.cy.nodes('.highlight')[0].data('label')"
    )
    assert highlighted == "La Cité des transitions (CDT)"
    panel = page.locator("[data-network-panel=network-map]")
    assert panel.is_visible() and "La Cité des transitions (CDT)" in panel.inner_text()
    _shot(page, "territory-en")

    # A click (tap) on a node shows its details in the side panel.
    page.fill("#net-search", "")
    page.evaluate(
        "(() => { const cy = document.getElementById('network-map').networkMap.cy;"
        " cy.nodes().filter(n => n.data('label').startsWith('Ville de Marseille'))[0].emit('tap'); })()"
    )
    assert "Ville de Marseille (VDM)" in panel.locator("h3").inner_text()
    assert "Brokerage (betweenness)" in panel.inner_text()
    # A real mouse click on a rendered node does the same.
    page.evaluate("document.getElementById('network-map').networkMap.cy.fit()")
    box = page.locator("#network-map").bounding_box()
    pos = page.evaluate(
        "(() => { const cy = document.getElementById('network-map').networkMap.cy;"
        " const n = cy.nodes().filter(n => n.data('label').startsWith('Habitat Provence'))[0];"
        " return n.renderedPosition(); })()"
    )
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.wait_for_function(
        "() => document.querySelector('[data-network-panel=network-map] h3')"
        ".textContent.startsWith('Habitat Provence Social')"
    )

    # Table view: keyboard-reachable, sortable by name.
    page.click("a[href='#net-table']")
    table = page.locator("[data-testid=nodes-table]")
    assert table.locator("[data-testid=node-row]").count() == 25
    page.click("[data-testid=nodes-table] thead a:has-text('Organisation')")
    first = page.locator("[data-testid=nodes-table] tbody tr th").first.inner_text()
    assert first.startswith("Association Tunis Ville Verte")
    # The map's default: declared and project ties only (the table follows the map).
    assert page.locator("[data-testid=edges-table] tbody tr").count() == EDGES_DEFAULT

    # The proposal's map, coloured by role, in English then French.
    page.goto(f"{live_server}/proposals/{ids['VERDIR']}/network")
    _wait_for_map(page)
    page.click("button[data-mode=community]")
    assert page.get_attribute("button[data-mode=community]", "aria-pressed") == "true"
    # Declared and project ties only (the default): the city is VERDIR's main broker.
    assert "Ville de Marseille (VDM) is the main broker" in page.inner_text(
        "[data-testid=insights]"
    )
    _wait_for_suggestions(page)
    suggestions = page.inner_text("#net-suggestions")
    assert "No organisation outside the consortium would extend its reach." in suggestions
    assert "Looking for organisations" not in suggestions
    _shot(page, "verdir-en")
    # With the map's filters in the address, the suggestions are those of the filtered network.
    page.goto(f"{live_server}/proposals/{ids['VERDIR']}/network?type=ngo")
    _wait_for_suggestions(page)
    rows = page.locator("[data-testid=suggestions] tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t")[:3] == ["1", "La Cité des transitions (CDT)", "2"]
    assert (
        rows.first.locator("td").last.inner_text() == "23"
    )  # CDT's fit total for VERDIR, as on the fit page
    page.evaluate("document.getElementById('net-suggestions').scrollIntoView()")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "network-verdir-suggestions-en.png"))
    page.goto(f"{live_server}/proposals/{ids['VERDIR']}/network")
    _wait_for_map(page)
    page.click("[data-testid=switch-language]")
    page.wait_for_selector("html[lang=fr]")
    _wait_for_map(page)
    assert "Réseau de coopération" in page.inner_text("h1")
    _wait_for_suggestions(page)
    assert "Aucune organisation extérieure au consortium n’étendrait sa portée." in (
        page.inner_text("#net-suggestions")
    )
    page.fill("#net-search", "amis des arbres")
    page.wait_for_function(
        "() => document.getElementById('network-map').networkMap.cy.nodes('.highlight').length === 1"
    )
    panel_fr = page.locator("[data-network-panel=network-map]").inner_text()
    assert "Partenaire associé" in panel_fr and "Nature en ville" in panel_fr
    _shot(page, "verdir-fr")
    page.goto(f"{live_server}/network")
    _wait_for_map(page)
    _shot(page, "territory-fr")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/proposals/{ids['REBATIR']}/network")
    _wait_for_map(page)
    _shot(page, "rebatir-mobile-fr")
    _wait_for_suggestions(page)
    assert not [e for e in errors if "Content Security Policy" in e], errors

    # When the suggestions cannot be fetched, the placeholder keeps its link to their page.
    page.route("**/network/bridges*", lambda route: route.abort())
    page.goto(f"{live_server}/proposals/{ids['REBATIR']}/network")
    page.wait_for_selector("#net-suggestions[data-network-bridges]:not([aria-busy])")
    link = page.locator("[data-testid=suggestions-link]")
    assert link.inner_text() == "Afficher les suggestions"
    page.unroute("**/network/bridges*")
    link.click()
    page.wait_for_selector("h1#net-suggestions-h")
    assert page.inner_text("h1") == "Qui pourrait combler les manques"
    page.click("[data-testid=back-to-map]")
    _wait_for_map(page)

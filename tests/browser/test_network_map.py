"""The map read at a glance, in a real browser on the Marseille demo: the default filters
(declared and project ties only), the caption counting what is drawn, labels that never
overlap, the legend, the strip of organisations without ties, the layouts, the ego view and
the time control through the three workshops. Screenshots of every view at 1366 and 390 px,
in English and French, go to test-artifacts/network-map-*.png."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_network import DEMO_PASSWORD, _demo, _wait_for_map

MAP = "document.getElementById('network-map').networkMap"


def _cy(page, expression: str):
    return page.evaluate(f"(() => {{ const cy = {MAP}.cy; return {expression}; }})()")


def _labels_overlap(page) -> list[list[str]]:
    """Pairs of drawn labels whose boxes on screen overlap."""
    return page.evaluate(
        f"""(() => {{
        const cy = {MAP}.cy;
        const boxes = cy.nodes('.labelled').filter(n => !n.hasClass('strip-caption')).map(n => {{
          const b = n.renderedBoundingBox({{includeNodes: false, includeEdges: false,
                                            includeLabels: true}});
          return [n.data('label'), b];
        }});
        const out = [];
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {{
          const a = boxes[i][1], b = boxes[j][1];
          if (a.x1 < b.x2 - 1 && a.x2 > b.x1 + 1 && a.y1 < b.y2 - 1 && a.y2 > b.y1 + 1)
            out.push([boxes[i][0], boxes[j][0]]);
        }}
        return out;
      }})()"""
    )


def _shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("document.getElementById('net-map-h').scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / f"network-map-{name}.png"))


def test_default_view_caption_labels_legend_strip_ego_and_time(live_app, live_server, page):
    ids = _demo(live_app)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, "lead@example.org", DEMO_PASSWORD)
    rebatir = f"{live_server}/proposals/{ids['REBATIR']}/network"

    # Default: declared and project ties ticked, co-attendance and same proposal not.
    page.goto(rebatir)
    _wait_for_map(page)
    ticked = page.eval_on_selector_all(
        "[data-testid=kind-filter] input:checked", "els => els.map(e => e.value)"
    )
    assert ticked == [
        "past_project",
        "formal_agreement",
        "supplier_client",
        "same_network",
        "informal",
        "other",
        "action",
    ]
    assert page.is_visible("[data-testid=default-note]")
    assert page.inner_text("[data-testid=map-scope]").startswith(
        "The map shows all 23 organisations and 51 ties."
    )
    assert _cy(page, "cy.edges().length") == 51
    assert _cy(page, "cy.edges('.weak').length") == 0
    # Labels: members first, none overlapping another, all inside the map.
    placed = _cy(page, f"{MAP}.labelled")  # member or not, in the order labels were placed
    members = _cy(page, "cy.nodes().filter(n => n.data('raw') && n.data('raw').member).length")
    assert placed == sorted(placed, reverse=True)  # members first
    assert sum(placed) >= members / 2 and len(placed) > sum(placed)
    assert _labels_overlap(page) == []
    # Normal wheel zoom (cytoscape's default sensitivity).
    assert _cy(
        page, "cy.options().wheelSensitivity === undefined || cy.options().wheelSensitivity === 1"
    )
    # The legend names the roles, the outline, sizes and line styles.
    legend = page.inner_text("[data-testid=legend]")
    for words in (
        "Coordinator",
        "Not in the consortium",
        "Black outline: consortium member",
        "Size: brokerage (betweenness)",
        "Declared or project tie (width: strength)",
    ):
        assert words in legend
    _shoot(page, "rebatir-force-1366-en")

    # Ticking co-attendance and same proposal: the caption and the statistics follow.
    page.check("[data-testid=kind-filter] input[value=workshop]")
    page.check("[data-testid=kind-filter] input[value=proposal]")
    page.click("button:has-text('Apply filters')")
    _wait_for_map(page)
    assert page.inner_text("[data-testid=map-scope]").startswith(
        "The map shows all 23 organisations and 121 ties."
    )
    assert _cy(page, "cy.edges().length") == 121
    assert _cy(page, "cy.edges('.weak').length") > 0
    assert "Only workshop co-attendance or same proposal" in page.inner_text("[data-testid=legend]")
    assert _labels_overlap(page) == []
    _shoot(page, "rebatir-all-kinds-1366-en")

    # Time control: 2023 (before the workshops), then workshop 1 with its attendees marked.
    page.goto(rebatir)
    _wait_for_map(page)
    steps = _cy(page, f"{MAP}.data.timeline.map(s => s.label)")
    assert steps[5:10] == [
        "2023",
        "Workshop 1 (Feb 8, 2024)",
        "Workshop 2 (Mar 21, 2024)",
        "Workshop 3 (May 16, 2024)",
        "2024",
    ]
    page.fill("#net-time-range", "5")
    page.dispatch_event("#net-time-range", "input")
    assert page.inner_text("#net-time-value") == "2023: 36 of 51 ties known."
    assert _cy(page, "cy.edges().filter(e => e.visible()).length") == 36
    assert "year_to=2023" in page.get_attribute("[data-testid=download-svg]", "href")
    page.fill("#net-time-range", "6")
    page.dispatch_event("#net-time-range", "input")
    assert page.inner_text("#net-time-value") == (
        "Workshop 1 (Feb 8, 2024): 36 of 51 ties known. Amber ring: the organisations at this workshop."
    )
    assert _cy(page, "cy.nodes('.attended').length") == 13  # the 13 organisations of workshop 1
    _shoot(page, "rebatir-workshop1-1366-en")
    growth = page.inner_text("[data-testid=growth]")
    assert "15 new ties since the workshops began." in growth
    page.fill("#net-time-range", str(len(steps) - 1))
    page.dispatch_event("#net-time-range", "input")
    assert _cy(page, "cy.edges().filter(e => e.visible()).length") == 51

    # The strip: VERDIR's one organisation without ties sits under the others.
    page.goto(f"{live_server}/proposals/{ids['VERDIR']}/network")
    _wait_for_map(page)
    alone = _cy(
        page,
        "cy.nodes().filter(n => n.data('raw') && n.data('raw').isolated).map(n => n.position('y'))",
    )
    tied = _cy(
        page,
        "cy.nodes().filter(n => n.data('raw') && !n.data('raw').isolated).map(n => n.position('y'))",
    )
    assert len(alone) == 1 and alone[0] > max(tied)
    assert _cy(page, "cy.nodes('.strip-caption').length") == 1
    _shoot(page, "verdir-force-1366-en")

    # Ego view from the details panel: CDT and its neighbourhood, rings around it.
    page.goto(rebatir)
    _wait_for_map(page)
    page.fill("#net-search", "Cité des transitions")
    page.click("[data-testid=ego-link]")
    page.wait_for_selector("[data-testid=ego-note]")
    _wait_for_map(page)
    assert "La Cité des transitions (CDT)" in page.inner_text("[data-testid=ego-note]")
    assert _cy(page, f"{MAP}.data.layout") == "ego"
    # Its neighbours on one ring around it, the others on a second, farther ring.
    rings = _cy(
        page,
        """(() => {
        const ego = cy.nodes().filter(n => n.data('label') === 'La Cité des transitions (CDT)')[0];
        const p = ego.position();
        const d = n => Math.round(Math.hypot(n.position('x') - p.x, n.position('y') - p.y));
        const first = ego.neighborhood('node');
        const second = cy.nodes().not(first).not(ego).not('.strip-caption');
        return [Array.from(new Set(first.map(d))), Array.from(new Set(second.map(d)))];
      })()""",
    )
    assert len(rings[0]) == 1 and len(rings[1]) == 1 and rings[1][0] > rings[0][0]
    n_ego = _cy(page, "cy.nodes().not('.strip-caption').length")
    assert 1 < n_ego < 23
    assert page.locator("[data-testid=node-row]").count() == n_ego  # the table shows the same
    _shoot(page, "rebatir-ego-1366-en")
    page.click("[data-testid=ego-back]")
    _wait_for_map(page)
    assert _cy(page, "cy.nodes().not('.strip-caption').length") == 23

    # Layouts: grouped by cluster, centred on the members (the select submits itself).
    for layout in ("cluster", "members"):
        page.select_option("[data-network-layout]", layout)
        page.wait_for_url(f"**layout={layout}**")
        _wait_for_map(page)
        assert _cy(page, f"{MAP}.data.layout") == layout
        assert _labels_overlap(page) == []
        _shoot(page, f"rebatir-{layout}-1366-en")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_screenshots_of_every_view_in_both_languages_and_widths(live_app, live_server, page):
    ids = _demo(live_app)
    log_in(page, live_server, "lead@example.org", DEMO_PASSWORD)
    rebatir = f"{live_server}/proposals/{ids['REBATIR']}/network"
    views = {
        "force": "",
        "cluster": "?layout=cluster",
        "members": "?layout=members",
        "ego": "?ego=4",
        "territory": None,
    }
    for lang in ("en", "fr"):
        if lang == "fr":
            page.click("[data-testid=switch-language]")
            page.wait_for_selector("html[lang=fr]")
        for width, height in ((1366, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            for name, query in views.items():
                page.goto(f"{live_server}/network" if query is None else rebatir + query)
                _wait_for_map(page)
                assert _labels_overlap(page) == []
                _shoot(page, f"{name}-{width}-{lang}")
            page.goto(rebatir)
            _wait_for_map(page)
            page.fill("#net-time-range", "6")
            page.dispatch_event("#net-time-range", "input")
            _shoot(page, f"time-{width}-{lang}")
            page.evaluate("document.getElementById('net-table-h').scrollIntoView()")
            page.screenshot(path=str(ARTIFACTS / f"network-map-table-{width}-{lang}.png"))
            page.evaluate("document.querySelector('[data-testid=growth]').scrollIntoView()")
            page.screenshot(path=str(ARTIFACTS / f"network-map-growth-{width}-{lang}.png"))

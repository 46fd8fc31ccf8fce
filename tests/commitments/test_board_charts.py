"""The budget charts on the commitments board and the confirmation progress on the dashboard."""

import re

from tests.commitments.conftest import CANARY_AMOUNT  # noqa: F401


def bars(html: str, testid: str) -> list[tuple[str, str]]:
    """(name, amount) of each bar of one chart, as a reader sees them."""
    chart = html[html.index(f'data-testid="{testid}"') :]
    chart = chart[: chart.index("</ul>")]
    return [
        (re.sub(r"\s+", " ", name).strip(), value)
        for name, value in re.findall(
            r'<span class="hbar-name">(.*?)</span>.*?<span class="hbar-value">(.*?)</span>',
            chart,
            re.S,
        )
    ]


def test_board_charts_by_partner_category_and_action(client, login, cworld):
    login("lead@example.org")

    html = client.get(f"/proposals/{cworld['proposal']}/commitments").get_data(as_text=True)

    # 7% indirect costs on personnel and travel.
    assert bars(html, "chart-partners") == [
        ("BV", "€1,056,790.12"),
        ("VDM", "€214,000.00"),
        ("ARS", "€112,350.00"),
    ]
    assert bars(html, "chart-categories")[0] == ("A. Personnel costs", "€1,287,654.32")
    assert bars(html, "chart-categories")[-1] == ("E. Indirect costs", "€90,485.80")
    # VDM's 24 person-months are all on A1, ARS's 12 on A2; BV has none yet.
    assert bars(html, "chart-actions") == [
        ("A1 Reuse platform", "€214,000.00"),
        ("A2 Training", "€112,350.00"),
        ("not allocated (no person-months yet)", "€1,056,790.12"),
    ]


def test_board_charts_in_french(client, login, cworld):
    login("lead@example.org")
    client.post("/language/fr")

    html = client.get(f"/proposals/{cworld['proposal']}/commitments").get_data(as_text=True)

    assert "Coûts éligibles par catégorie de coûts LIFE" in html
    assert bars(html, "chart-actions")[-1] == (
        "non réparti (pas encore de personnes-mois)",
        "1\u202f056\u202f790,12\u00a0€",
    )


def test_dashboard_counts_confirmed_partners_among_those_engaged(client, login, cworld):
    login("lead@example.org")

    html = client.get(f"/proposals/{cworld['proposal']}").get_data(as_text=True)

    progress = re.search(r'data-testid="confirmation-progress">([^<]*)<', html).group(1)
    assert progress == "1 of 3 confirmed"

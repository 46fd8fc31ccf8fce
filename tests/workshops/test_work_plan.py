"""The work plan: milestones typed in the action form and the Gantt chart of the actions."""

import re

import pytest
from sqlalchemy import select

from consortium.extensions import db
from consortium.workshops.models import Action
from tests.workshops.test_views import action_form, count, page


@pytest.fixture
def lead(client, login, ws):
    login("lead@example.org")
    return ws


def test_milestones_are_saved_in_month_order_and_drawn_on_the_chart(app, client, lead):
    p = lead["proposal"]
    response = client.post(
        f"/proposals/{p}/actions/new",
        data=action_form(
            start_month="3", end_month="18", milestones="M12 - Site leased\nm6: Site found"
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        action = db.session.scalars(select(Action).where(Action.proposal_id == p)).one()
        assert action.milestones == "M6: Site found\nM12: Site leased"

    html = page(client.get(f"/proposals/{p}/actions"))

    assert 'data-testid="gantt"' in html
    # 48 months over 700 units: the bar starts after two months and spans sixteen.
    bar = re.search(r'<rect class="gantt-bar" x="([\d.]+)" y="\d+" width="([\d.]+)"', html)
    assert (float(bar.group(1)), float(bar.group(2))) == (
        round(260 + 2 * 700 / 48, 1),
        round(16 * 700 / 48, 1),
    )
    assert html.count('class="gantt-milestone"') == 2
    assert "<title>M6: Site found</title>" in html
    table = re.sub(r">\s+<", "><", html[html.index('data-testid="gantt-table"') :])
    assert "<td>M3</td><td>M18</td><td>M6: Site found<br>M12: Site leased</td>" in table


def test_a_bad_milestone_line_is_named_and_nothing_is_saved(app, client, lead):
    response = client.post(
        f"/proposals/{lead['proposal']}/actions/new",
        data=action_form(milestones="M6: ok\nsoon: the lease"),
    )

    html = page(response)
    assert response.status_code == 200
    assert "Line 2: write a milestone as “M12: what is reached”." in html
    assert "M6: ok\nsoon: the lease" in html  # the text is kept for correction
    assert count(app, Action) == 1  # the other proposal's canary only


def test_only_the_field_in_error_is_announced_invalid(client, lead):
    html = page(
        client.post(f"/proposals/{lead['proposal']}/actions/new", data=action_form(end_month="49"))
    )

    assert '"None"' not in html
    assert re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', html) == [
        m for m in re.findall(r"<input[^>]*>", html) if 'id="end_month"' in m
    ]
    assert 'aria-describedby="end_month-error"' in html
    assert 'aria-describedby="milestones-help"' in html


def test_french_chart_and_form(client, lead):
    client.post("/language/fr")
    client.post(
        f"/proposals/{lead['proposal']}/actions/new", data=action_form(milestones="M6: Site trouvé")
    )

    html = page(client.get(f"/proposals/{lead['proposal']}/actions"))

    assert "Plan de travail" in html and "Année 1" in html and "jalon" in html
    form = page(client.get(f"/proposals/{lead['proposal']}/actions/new"))
    assert "Jalons" in form

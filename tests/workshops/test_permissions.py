"""Every route per role: leads and admins edit; writers and viewers read; partners 403;
outsiders 404; anonymous users go to the login page; ids of another proposal give 404."""

import pytest

VIEW = {
    "admin": 200,
    "lead": 200,
    "writer": 200,
    "viewer": 200,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}
EDIT = {
    "admin": 200,
    "lead": 200,
    "writer": 403,
    "viewer": 403,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}
EMAILS = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
    "other_partner": "partner2@example.org",
    "outsider": "outsider@example.org",
}

GETS = [
    ("/proposals/{proposal}/workshops", VIEW),
    ("/proposals/{proposal}/workshops/{workshop}", VIEW),
    ("/proposals/{proposal}/actions", VIEW),
    ("/proposals/{proposal}/workshops/new", EDIT),
    ("/proposals/{proposal}/workshops/{workshop}/edit", EDIT),
    ("/proposals/{proposal}/workshops/{workshop}/outputs", EDIT),
    ("/proposals/{proposal}/workshops/{workshop}/outputs/{need}/edit", EDIT),
    ("/proposals/{proposal}/actions/new", EDIT),
    ("/proposals/{proposal}/actions/new?output={need}", EDIT),
    ("/proposals/{proposal}/workshops/organisations?q=ville", EDIT),
]


@pytest.mark.parametrize("role", list(EMAILS))
@pytest.mark.parametrize(("url", "expected"), GETS, ids=[g[0] for g in GETS])
def test_get_per_role(client, login, ws, role, url, expected):
    login(EMAILS[role])
    response = client.get(url.format(**ws))
    assert response.status_code == expected[role]


@pytest.mark.parametrize("role", list(EMAILS))
def test_action_edit_and_posts_per_role(app, client, login, ws, role):
    from consortium.extensions import db
    from consortium.proposals.models import Proposal
    from tests import factories

    with app.app_context():
        action = factories.make_action(db.session.get(Proposal, ws["proposal"]), "Platform")
        db.session.commit()
        action_id = action.id
    login(EMAILS[role])
    p = ws["proposal"]
    assert client.get(f"/proposals/{p}/actions/{action_id}/edit").status_code == EDIT[role]
    posts = [
        f"/proposals/{p}/workshops/{ws['workshop']}/outputs/{ws['need']}/delete",
        f"/proposals/{p}/actions/{action_id}/delete",
        f"/proposals/{p}/workshops/{ws['workshop']}/delete",
    ]
    for url in posts:
        status = client.post(url).status_code
        assert status == (302 if EDIT[role] == 200 else EDIT[role]), url


def test_anonymous_is_sent_to_login(client, ws):
    for url, _expected in GETS:
        response = client.get(url.format(**ws))
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    response = client.post(f"/proposals/{ws['proposal']}/workshops/{ws['workshop']}/delete")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


IDOR = [
    ("get", "/proposals/{proposal}/workshops/{other_workshop}"),
    ("get", "/proposals/{proposal}/workshops/{other_workshop}/edit"),
    ("get", "/proposals/{proposal}/workshops/{other_workshop}/outputs"),
    ("get", "/proposals/{proposal}/workshops/{workshop}/outputs/{other_output}/edit"),
    ("get", "/proposals/{proposal}/workshops/{other_workshop}/outputs/{other_output}/edit"),
    ("get", "/proposals/{proposal}/actions/{other_action}/edit"),
    ("get", "/proposals/{proposal}/actions/new?output={other_output}"),
    ("get", "/proposals/{proposal}/actions/new?output=99999999999999999999"),
    ("post", "/proposals/{proposal}/workshops/{other_workshop}/delete"),
    ("post", "/proposals/{proposal}/workshops/{workshop}/outputs/{other_output}/delete"),
    ("post", "/proposals/{proposal}/actions/{other_action}/delete"),
    ("get", "/proposals/{other_proposal}/workshops"),
]


@pytest.mark.parametrize(("method", "url"), IDOR)
def test_ids_of_another_proposal_are_not_found(client, login, ws, method, url):
    login("lead@example.org")
    response = getattr(client, method)(url.format(**ws))
    assert response.status_code == 404


def test_admin_sees_every_proposal(client, login, ws):
    login("admin@example.org")
    assert client.get(f"/proposals/{ws['other_proposal']}/workshops").status_code == 200

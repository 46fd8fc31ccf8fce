"""The fit pages: access per role, the checks of a broken consortium, weights, shortlist."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortium.auth.models import User
from consortium.directory.models import PastProject
from consortium.extensions import db
from consortium.proposals.models import Participation, Proposal
from tests import factories

PAGES = [
    "/proposals/{p}/fit",
    "/proposals/{p}/fit/organisations/{o}",
    "/proposals/{p}/fit/compare?org={o}&org={o2}",
    "/proposals/{p}/fit/what-if?org={o}",
    "/proposals/{p}/fit/checks",
]
EXPECTED = {
    "admin": 200,
    "lead": 200,
    "writer": 200,
    "viewer": 200,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}


def _email(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id).email


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_pages_per_role(app, client, login, world, role):
    login(_email(app, world[role]))
    for page in PAGES:
        url = page.format(p=world["proposal"], o=world["org_a"], o2=world["org_c"])
        assert client.get(url).status_code == EXPECTED[role], (role, url)


def test_anonymous_is_sent_to_login(client, world):
    for page in PAGES:
        url = page.format(p=world["proposal"], o=world["org_a"], o2=world["org_c"])
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for url in (
        f"/proposals/{world['proposal']}/fit/weights",
        f"/proposals/{world['proposal']}/fit/shortlist/{world['org_a']}",
    ):
        response = client.post(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "role,status",
    [
        ("admin", 302),
        ("lead", 302),
        ("writer", 403),
        ("viewer", 403),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_weights_and_shortlist_need_lead(app, client, login, world, role, status):
    with app.app_context():
        extra = factories.make_org("Jardins Solidaires", pic="987654321").id
        db.session.commit()
    login(_email(app, world[role]))
    p = world["proposal"]
    response = client.post(f"/proposals/{p}/fit/weights", data={"version": "1", "reset": "1"})
    assert response.status_code == status
    response = client.post(f"/proposals/{p}/fit/shortlist/{extra}")
    assert response.status_code == status
    with app.app_context():
        shortlisted = db.session.query(Participation).filter_by(organisation_id=extra).count()
    assert shortlisted == (1 if status == 302 else 0)


def test_unknown_ids_are_404(app, client, login, world):
    login("lead@example.org")
    p = world["proposal"]
    assert client.get(f"/proposals/{p}/fit/organisations/999999").status_code == 404
    assert client.get(f"/proposals/{p}/fit/what-if?org=999999").status_code == 404
    assert client.get(f"/proposals/{p}/fit/compare?org=1&org=999999").status_code == 404
    assert client.get("/proposals/999999/fit").status_code == 404
    assert client.post(f"/proposals/{p}/fit/shortlist/999999").status_code == 404


def test_idor_other_proposal(app, client, login, world):
    """A proposal where the lead has no role stays hidden (404) on every fit page."""
    with app.app_context():
        other_lead = factories.make_user("other@example.org")
        other = factories.make_proposal(lead=other_lead, acronym="OTHER").id
        db.session.commit()
    login("lead@example.org")
    for page in PAGES:
        url = page.format(p=other, o=world["org_a"], o2=world["org_c"])
        assert client.get(url).status_code == 404
    assert client.post(f"/proposals/{other}/fit/weights", data={"reset": "1"}).status_code == 404


def test_broken_consortium_checks_on_the_page(app, client, login, world):
    with app.app_context():
        proposal = db.session.get(Proposal, world["proposal"])
        coordinator = (
            db.session.query(Participation).filter_by(organisation_id=world["org_b"]).one()
        )
        coordinator.role = "beneficiary"  # no coordinator any more
        coordinator.cost_personnel = Decimal("50000")
        ars = db.session.query(Participation).filter_by(organisation_id=world["org_a"]).one()
        ars.cost_personnel = Decimal("100000")
        ars.eu_requested = Decimal("95000")  # far above 60 % of 107,000
        bv = db.session.query(Participation).filter_by(organisation_id=world["org_c"]).one()
        bv.cost_personnel = Decimal("20000")
        factories.make_action(proposal, "Reuse platform", code="A1")  # no lead
        db.session.commit()
    login("lead@example.org")
    html = client.get(f"/proposals/{world['proposal']}/fit/checks").get_data(as_text=True)
    codes = re.findall(r'data-code="([A-Z_]+)"', html)
    # errors first, then warnings, each in rule order
    assert codes == [
        "NO_COORDINATOR",
        "EU_OVER_RATE",
        "PIC_MISSING",
        "PIC_MISSING",
        "ACTION_NO_LEAD",
        "LETTERS_MISSING",
    ]
    assert "Reuse platform" in html
    ranking = client.get(f"/proposals/{world['proposal']}/fit").get_data(as_text=True)
    assert 'data-testid="checks-summary"' in ranking and "NO_COORDINATOR" in ranking


def test_weights_are_saved_shown_and_reset(app, client, login, world):
    login("lead@example.org")
    p = world["proposal"]
    data = {
        "version": "1",
        "eligibility": "0",
        "relevance": "50",
        "capacity": "0",
        "experience": "0",
        "complementarity": "50",
        "network": "0",
        "engagement": "0",
        "save": "1",
    }
    assert client.post(f"/proposals/{p}/fit/weights", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Proposal, p).fit_weights == {
            "eligibility": 0.0,
            "relevance": 50.0,
            "capacity": 0.0,
            "experience": 0.0,
            "complementarity": 50.0,
            "network": 0.0,
            "engagement": 0.0,
        }
    html = client.get(f"/proposals/{p}/fit").get_data(as_text=True)
    assert "50% × thematic relevance + 50% × complementarity" in html
    client.post("/language/fr")
    html = client.get(f"/proposals/{p}/fit").get_data(as_text=True)
    assert "50\u00a0% × pertinence thématique + 50\u00a0% × complémentarité" in html
    client.post("/language/en")
    # a stale form (version 1 again) is a conflict that keeps the text
    assert client.post(f"/proposals/{p}/fit/weights", data=data).status_code == 409
    assert (
        client.post(f"/proposals/{p}/fit/weights", data={"version": "2", "reset": "1"}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Proposal, p).fit_weights is None


@pytest.mark.parametrize("value", ["-1", "101", "abc", "", "1e400", "5\x00", "9" * 40])
def test_bad_weights_are_refused_next_to_the_field(app, client, login, world, value):
    login("lead@example.org")
    p = world["proposal"]
    data = {
        "version": "1",
        "eligibility": "10",
        "relevance": value,
        "capacity": "10",
        "experience": "10",
        "complementarity": "10",
        "network": "10",
        "engagement": "10",
    }
    response = client.post(f"/proposals/{p}/fit/weights", data=data)
    assert response.status_code == 400
    assert "Enter a weight from 0 to 100." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Proposal, p).fit_weights is None


def test_all_zero_weights_refused(app, client, login, world):
    login("lead@example.org")
    data = {
        "version": "1",
        **dict.fromkeys(
            (
                "eligibility",
                "relevance",
                "capacity",
                "experience",
                "complementarity",
                "network",
                "engagement",
            ),
            "0",
        ),
    }
    response = client.post(f"/proposals/{world['proposal']}/fit/weights", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "At least one weight must be above zero" in page
    # the browser lands on the weights form, where the error is, not 5,000 px above it
    assert f'action="/proposals/{world["proposal"]}/fit/weights#weights"' in page
    assert 'id="weights"' in page


def test_shortlist_refuses_members_and_natural_persons(app, client, login, world):
    with app.app_context():
        person = factories.make_org("Jean Test", natural_person=True).id
        db.session.commit()
    login("lead@example.org")
    p = world["proposal"]
    response = client.post(f"/proposals/{p}/fit/shortlist/{world['org_a']}", follow_redirects=True)
    assert "is already in the proposal" in response.get_data(as_text=True)
    response = client.post(f"/proposals/{p}/fit/shortlist/{person}", follow_redirects=True)
    assert "is a natural person" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Participation).filter_by(organisation_id=person).count() == 0


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    args=st.dictionaries(
        st.sampled_from(["type", "country", "eligible", "outside", "new", "page", "org"]),
        st.text(max_size=30),
        max_size=6,
    )
)
def test_ranking_and_compare_never_fail_on_odd_query_strings(app, client, login, world, args):
    if not getattr(client, "_logged", False):
        login("lead@example.org")
        client._logged = True
    p = world["proposal"]
    assert client.get(f"/proposals/{p}/fit", query_string=args).status_code == 200
    assert client.get(f"/proposals/{p}/fit/compare", query_string=args).status_code in (200, 302)


def test_detail_in_french(app, client, login, world):
    login("lead@example.org")
    client.post("/language/fr")
    html = client.get(
        f"/proposals/{world['proposal']}/fit/organisations/{world['org_b']}"
    ).get_data(as_text=True)
    assert "Pertinence thématique" in html or "Adéquation" in html
    assert "Éligible" in html


HOW_EXPECTED = {
    "admin": 200,
    "lead": 200,
    "writer": 200,
    "viewer": 200,
    "partner": 200,
    "other_partner": 200,
    "outsider": 200,
}


@pytest.mark.parametrize("role", sorted(HOW_EXPECTED))
def test_how_it_works_page_for_every_signed_in_user(app, client, login, world, role):
    # a help page about the method: no proposal data, so every signed-in user may read it
    login(_email(app, world[role]))
    html = client.get("/fit/how-it-works").get_data(as_text=True)
    assert "How the fit score works" in html and "GEMET" in html


def test_how_it_works_needs_sign_in_and_reads_in_french(client, login, world):
    response = client.get("/fit/how-it-works")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login("lead@example.org")
    client.post("/language/fr")
    html = client.get("/fit/how-it-works").get_data(as_text=True)
    assert "Comment fonctionne le score d'adéquation" in html
    assert "le nombre de projets n'est pas un score" in html
    assert "tels que le sujet et vos ateliers les écrivent" in html


def test_ranking_links_to_the_help_page_and_filters_newcomers(app, client, login, world):
    login("lead@example.org")
    p = world["proposal"]
    html = client.get(f"/proposals/{p}/fit").get_data(as_text=True)
    assert 'href="/fit/how-it-works"' in html
    assert 'name="new"' in html
    newcomers = client.get(f"/proposals/{p}/fit?new=1").get_data(as_text=True)
    assert 'id="f-new" name="new" value="1" checked' in newcomers


def _detail_in_english_and_french(app, client, login, world, org, topic, need=None):
    """The fit detail page of a new organisation (``org``: name, PIC, description) for the
    proposal with ``topic`` as its description (and one workshop ``need``), read in English,
    then in French."""
    with app.app_context():
        name, pic, description = org
        oid = factories.make_org(name, pic=pic, description=description).id
        proposal = db.session.get(Proposal, world["proposal"])
        proposal.topic.description = topic
        if need:
            factories.make_output(factories.make_workshop(proposal), need)
        db.session.commit()
    login("lead@example.org")
    url = f"/proposals/{world['proposal']}/fit/organisations/{oid}"
    english = client.get(url).get_data(as_text=True)
    client.post("/language/fr")
    return english, client.get(url).get_data(as_text=True)


def test_matched_concepts_are_named_in_the_readers_language(app, client, login, world):
    english, french = _detail_in_english_and_french(
        app,
        client,
        login,
        world,
        ("Réemploi Provence", "123123123", "Réemploi des matériaux du BTP"),
        "Reuse of construction materials in cities",
    )
    assert "Matches the topic on: " in english
    assert "réemploi" in french


def test_shared_words_are_shown_as_the_topic_and_needs_write_them(app, client, login, world):
    english, french = _detail_in_english_and_french(
        app,
        client,
        login,
        world,
        ("Déconstruct'Sud", "321321321", "Déconstruction et climatiquement"),
        "Selective deconstruction against climate change",
        need="Former au climat et à la déconstruction sélective",
    )
    assert "Words shared with the topic and needs (2): deconstruction, climate" in english
    # the need's French words, not the organisation's "Déconstruct" or "climatiquement"
    assert "Mots en commun avec l’appel et les besoins (2)\u00a0: déconstruction, climat" in french


def test_shortlist_returns_to_the_row_on_the_same_page(app, client, login, world):
    with app.app_context():
        extra = factories.make_org("Jardins Solidaires", pic="987654321").id
        db.session.commit()
    login("lead@example.org")
    p = world["proposal"]
    page = client.get(f"/proposals/{p}/fit?eligible=1").get_data(as_text=True)
    assert f'action="/proposals/{p}/fit/shortlist/{extra}?eligible=1"' in page
    assert f'id="org-{extra}"' in page
    response = client.post(f"/proposals/{p}/fit/shortlist/{extra}?eligible=1&page=1&evil=x")
    assert response.headers["Location"] == f"/proposals/{p}/fit?eligible=1&page=1#org-{extra}"


def test_amounts_in_reasons_are_formatted_for_the_reader(app, client, login, world):
    with app.app_context():
        org = factories.make_org(
            "Budget Clair", pic="555444333", annual_budget_eur=400_000, staff=1200
        )
        db.session.commit()
        oid = org.id
    login("lead@example.org")
    url = f"/proposals/{world['proposal']}/fit/organisations/{oid}"
    html = client.get(url).get_data(as_text=True)
    assert "Annual budget of €400,000</li>" in html
    assert "Staff: 1,200</li>" in html
    client.post("/language/fr")
    html = client.get(url).get_data(as_text=True)
    assert "Budget annuel de 400\u202f000\xa0€</li>" in html
    assert "Effectif\u00a0: 1\u202f200</li>" in html


def test_a_screen_reader_hears_what_each_reason_mark_means(app, client, login, world):
    """The +, - and ! marks are hidden from assistive technology; a hidden word says them."""
    with app.app_context():
        org = factories.make_org("Sans PIC", annual_budget_eur=400_000)
        org.past_projects = [
            PastProject(
                programme="LIFE",
                reference="LIFE20 NAT/FR/000456",
                title="Dunes",
                year=2021,
                role="partner",
            )
        ]
        db.session.commit()
        oid = org.id
    login("lead@example.org")
    url = f"/proposals/{world['proposal']}/fit/organisations/{oid}"
    html = client.get(url).get_data(as_text=True)
    hidden = '<span class="visually-hidden">{}</span> {}</li>'
    assert hidden.format("In favour:", "Annual budget of €400,000") in html
    assert hidden.format("Against:", "Staff not recorded") in html
    assert '<span class="reason-mark" aria-hidden="true">-</span>' in html
    # the flags too: a drawn "!" and a spoken "Warning:"
    assert '<span class="badge badge-warning" aria-hidden="true">!</span>' in html
    assert (
        hidden.format(
            "Warning:", "PIC missing: every beneficiary needs a 9-digit PIC before submission"
        )
        in html
    )
    # the score bars are drawn for the eye: the number beside each one is read once
    assert html.count('<svg class="bar wide"') == html.count('aria-hidden="true" focusable') == 8
    assert 'role="img"' not in html
    client.post("/language/fr")
    html = client.get(url).get_data(as_text=True)
    assert hidden.format("En défaveur\u00a0:", "Effectif non renseigné") in html
    # the project's role in the reader's language too
    assert "Projet LIFE NAT LIFE20 NAT/FR/000456 (2021) en tant que partenaire" in html

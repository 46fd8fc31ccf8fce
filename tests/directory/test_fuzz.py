"""Arbitrary text in the search box and the form never causes a 500."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from consortium.directory.models import Organisation
from consortium.extensions import db

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(query=st.text(max_size=300), country=st.text(max_size=20), page=st.text(max_size=12))
def test_any_search_answers_200(as_role, query, country, page):
    response = as_role("lead").get(
        "/directory", query_string={"q": query, "country": country, "page": page, "sort": query}
    )
    assert response.status_code == 200


@SETTINGS
@given(name=st.text(max_size=400), staff=st.text(max_size=12), pic=st.text(max_size=15))
def test_any_form_input_is_saved_or_explained(app, as_role, name, staff, pic):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Organisation))
    response = as_role("lead").post(
        "/directory/new",
        data={
            "name": name,
            "country": "FR",
            "staff": staff,
            "pic": pic,
            "org_type": "ngo",
            "eu_experience": "none",
            "create_anyway": "1",
        },
    )
    assert response.status_code in (200, 302)
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(Organisation))
    assert after == before + (1 if response.status_code == 302 else 0)

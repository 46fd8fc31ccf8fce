"""Exact regression tests for the faults the hardening sweeps found."""

from __future__ import annotations

import pytest

from consortium.calls.catalogue import CatalogueError, parse_catalogue


def test_catalogue_nested_deeper_than_the_stack_is_refused_not_a_crash():
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(b"[" * 100_000 + b"]" * 100_000)
    assert caught.value.template == "The file is nested too deeply."


def _catalogue_with_portal_url(url: str) -> bytes:
    import json

    from consortium.calls.catalogue import DEFAULT_CATALOGUE

    records = json.loads(DEFAULT_CATALOGUE.read_bytes())
    records = records["results"] if isinstance(records, dict) else records
    first = dict(records[0], portalUrl=url)
    return json.dumps([first]).encode()


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("https://ec.europa.eu/x", "https://ec.europa.eu/x"),
        ("HTTP://example.org/y", "HTTP://example.org/y"),
    ],
)
def test_catalogue_keeps_only_web_addresses_as_portal_links(url, kept):
    [record] = parse_catalogue(_catalogue_with_portal_url(url))
    assert record.portal_url == kept


def test_topic_page_does_not_link_a_stored_javascript_address(app, client, login, world):
    from consortium.calls.catalogue import DEFAULT_CATALOGUE
    from consortium.calls.models import Topic
    from consortium.calls.services import import_topics
    from consortium.extensions import db

    with app.app_context():
        import_topics(parse_catalogue(DEFAULT_CATALOGUE.read_bytes()))
        topic = db.session.scalars(db.select(Topic).order_by(Topic.id)).first()
        topic.portal_url = "javascript:alert(1)"
        identifier = topic.identifier
        db.session.commit()
    login("lead@example.org")

    body = client.get(f"/calls/{identifier}").get_data(as_text=True)

    assert "javascript:" not in body
    assert "Topic on the EU portal" not in body


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9" * 400, "Enter a smaller number."),  # NumberRange raised OverflowError: a 500
        ("-" + "9" * 310, "Enter a smaller number."),
    ],
)
def test_integer_fields_refuse_numbers_no_column_holds(app, value, message):
    from werkzeug.datastructures import MultiDict
    from wtforms import DecimalField, IntegerField
    from wtforms.validators import NumberRange, Optional

    from consortium.web.forms import BaseForm

    class Numbers(BaseForm):
        count = IntegerField(validators=[Optional(), NumberRange(min=1, max=20)])
        rate = DecimalField(validators=[Optional(), NumberRange(min=0, max=100)])

    with app.test_request_context():
        form = Numbers(MultiDict({"count": value, "rate": "NaN"}))
        assert form.validate() is False
        assert form.errors == {"count": [message], "rate": ["Enter a finite number."]}
        form = Numbers(MultiDict({"count": "9" * 300, "rate": "1e309"}))
        assert form.validate() is False
        assert form.errors == {
            "count": ["Number must be between 1 and 20."],
            "rate": ["Number must be between 0 and 100."],
        }


def test_call_rules_with_a_400_digit_number_show_an_error(app, client, login, world):
    from consortium.calls.catalogue import DEFAULT_CATALOGUE
    from consortium.calls.models import Topic
    from consortium.calls.services import import_topics
    from consortium.extensions import db

    with app.app_context():
        import_topics(parse_catalogue(DEFAULT_CATALOGUE.read_bytes()))
        topic = db.session.scalars(db.select(Topic).order_by(Topic.id)).first()
        identifier, before = topic.identifier, topic.max_subtopics
        db.session.commit()
    login("admin@example.org")

    response = client.post(
        f"/calls/{identifier}/rules", data={"max_subtopics": "9" * 400, "version": "1"}
    )

    assert response.status_code == 200
    assert "Enter a smaller number." in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(db.select(Topic.max_subtopics).where(Topic.identifier == identifier))
            == before
        )


def test_organisation_search_ignores_nul_and_control_characters(app, world):
    from consortium.workshops.services import search_organisations

    with app.app_context():
        assert search_organisations("\x00") == search_organisations("")
        assert [o.id for o in search_organisations("\x00a\x1f")] == [
            o.id for o in search_organisations("a")
        ]

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

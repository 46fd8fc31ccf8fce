import io
import json
from decimal import Decimal

from sqlalchemy import func, select

from consortium.calls.catalogue import DEFAULT_CATALOGUE
from consortium.calls.models import AwardCriterion, Topic
from consortium.extensions import db


def _count_topics(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Topic.id)))


def test_cli_import_is_idempotent(app, runner):
    first = runner.invoke(args=["calls", "import", str(DEFAULT_CATALOGUE)])
    second = runner.invoke(args=["calls", "import", str(DEFAULT_CATALOGUE)])

    assert first.output == "31 topics read: 31 new, 0 updated, 0 unchanged.\n"
    assert second.output == "31 topics read: 0 new, 0 updated, 31 unchanged.\n"
    assert _count_topics(app) == 31


def test_cli_rejects_a_malformed_file_and_leaves_the_catalogue(app, runner, tmp_path):
    runner.invoke(args=["calls", "import", str(DEFAULT_CATALOGUE)])
    bad = tmp_path / "bad.json"
    records = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8-sig"))
    records[0]["title"] = "Changed title"
    records[5]["deadline"] = "soon"
    bad.write_text(json.dumps(records), encoding="utf-8")

    result = runner.invoke(args=["calls", "import", str(bad)])

    assert result.exit_code == 1
    assert "field 'deadline': 'soon' is not a date" in result.output
    with app.app_context():
        first = db.session.scalar(select(Topic).where(Topic.identifier == records[0]["topicId"]))
        assert first.title != "Changed title"


def test_reimport_updates_portal_fields_but_keeps_admin_corrections(app, runner, tmp_path):
    runner.invoke(args=["calls", "import", str(DEFAULT_CATALOGUE)])
    with app.app_context():
        topic = db.session.scalar(
            select(Topic).where(Topic.identifier == "LIFE-2026-SAP-ENV-ENVIRONMENT")
        )
        topic.funding_rate = Decimal("0.6700")
        topic.defaulted_fields = [f for f in topic.defaulted_fields if f != "funding_rate"]
        db.session.commit()
    records = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8-sig"))
    for record in records:
        if record["topicId"] == "LIFE-2026-SAP-ENV-ENVIRONMENT":
            record["deadline"] = "2026-10-01"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(records), encoding="utf-8")

    result = runner.invoke(args=["calls", "import", str(changed)])

    assert result.output == "31 topics read: 0 new, 1 updated, 30 unchanged.\n"
    with app.app_context():
        topic = db.session.scalar(
            select(Topic).where(Topic.identifier == "LIFE-2026-SAP-ENV-ENVIRONMENT")
        )
        assert str(topic.deadline) == "2026-10-01"
        assert topic.funding_rate == Decimal("0.6700")


def test_catalogue_pages(app, runner, client, login, world):
    runner.invoke(args=["calls", "import", str(DEFAULT_CATALOGUE)])
    login("viewer@example.org")

    index = client.get("/calls/").get_data(as_text=True)
    detail = client.get("/calls/LIFE-2026-SAP-CLIMA-CCA").get_data(as_text=True)

    assert "LIFE-2026-SAP-CLIMA-CCA" in index
    assert "check the call document" in detail
    assert "Source: European Commission, EU Funding & Tenders Portal." in detail
    assert client.get("/calls/LIFE-1999-NOPE").status_code == 404
    assert client.get("/calls/LIFE-2026-SAP-CLIMA-CCA/rules").status_code == 403


def test_admin_corrects_rules_and_they_stop_being_defaults(app, runner, client, login, world):
    runner.invoke(args=["calls", "import", str(DEFAULT_CATALOGUE)])
    login("admin@example.org")
    with app.app_context():
        topic = db.session.scalar(
            select(Topic).where(Topic.identifier == "LIFE-2026-SAP-CLIMA-CCA")
        )
        version = topic.version
    data = {
        "version": str(version),
        "funding_rate": "67",
        "indirect_rate": "7",
        "min_beneficiaries": "1",
        "min_countries": "",
        "max_subtopics": "2",
        "subtopics": "Urban adaptation\nNature-based solutions",
        "criteria-0-code": "relevance",
        "criteria-0-name": "Relevance",
        "criteria-0-max_points": "30",
        "criteria-0-threshold": "15",
    }

    response = client.post("/calls/LIFE-2026-SAP-CLIMA-CCA/rules", data=data)

    assert response.status_code == 302
    with app.app_context():
        topic = db.session.scalar(
            select(Topic).where(Topic.identifier == "LIFE-2026-SAP-CLIMA-CCA")
        )
        assert topic.funding_rate == Decimal("0.6700")
        assert topic.subtopics == ["Urban adaptation", "Nature-based solutions"]
        assert [(c.code, c.max_points) for c in topic.criteria] == [("relevance", Decimal("30"))]
        assert "funding_rate" not in topic.defaulted_fields
        assert "criteria" not in topic.defaulted_fields
        assert "indirect_rate" in topic.defaulted_fields  # unchanged value stays a default
        assert (
            db.session.scalar(
                select(func.count(AwardCriterion.id)).where(AwardCriterion.topic_id == topic.id)
            )
            == 1
        )

    stale = client.post("/calls/LIFE-2026-SAP-CLIMA-CCA/rules", data=data)
    assert stale.status_code == 409
    assert "Nature-based solutions" in stale.get_data(as_text=True)


def test_admin_rule_form_rejects_out_of_range_rates(app, runner, client, login, world):
    runner.invoke(args=["calls", "import", str(DEFAULT_CATALOGUE)])
    login("admin@example.org")
    with app.app_context():
        version = db.session.scalar(
            select(Topic.version).where(Topic.identifier == "LIFE-2026-SAP-CLIMA-CCA")
        )

    response = client.post(
        "/calls/LIFE-2026-SAP-CLIMA-CCA/rules",
        data={"version": str(version), "funding_rate": "160"},
    )

    assert response.status_code == 200
    assert "Number must be between 0 and 100." in response.get_data(as_text=True)


def test_admin_imports_a_file_from_the_browser(app, client, login, world):
    login("admin@example.org")
    response = client.post(
        "/calls/import",
        data={"file": (io.BytesIO(DEFAULT_CATALOGUE.read_bytes()), "topics.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert "Catalogue imported: 30 new, 1 updated, 0 unchanged." in response.get_data(as_text=True)


def test_browser_import_of_a_broken_file_changes_nothing(app, client, login, world):
    login("admin@example.org")
    before = _count_topics(app)
    response = client.post(
        "/calls/import",
        data={"file": (io.BytesIO(b'[{"topicId": "nope"}]'), "topics.json")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert "The file was not imported" in response.get_data(as_text=True)
    assert _count_topics(app) == before


def test_non_admin_cannot_import(app, client, login, world):
    login("lead@example.org")
    response = client.post(
        "/calls/import",
        data={"file": (io.BytesIO(b"[]"), "topics.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403

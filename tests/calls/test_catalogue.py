import json
from datetime import date
from decimal import Decimal

import pytest

from consortium.calls.catalogue import (
    DEFAULT_CATALOGUE,
    CatalogueError,
    action_type_of,
    annexes_from_conditions,
    parse_catalogue,
    sub_programme_of,
)


def test_shipped_catalogue_has_the_31_open_life_topics():
    records = parse_catalogue(DEFAULT_CATALOGUE.read_bytes())

    assert len(records) == 31
    env = next(r for r in records if r.identifier == "LIFE-2026-SAP-ENV-ENVIRONMENT")
    assert env.action_type == "SAP"
    assert env.sub_programme == "ENV"
    assert env.deadline_model == "single-stage"
    assert env.funding_rate == Decimal("0.60")
    assert env.mandatory_annexes == (
        "Detailed budget table (LIFE)",
        "Participant information (LIFE)",
    )
    assert env.optional_annexes == (
        "Letters of support",
        "Maps",
        "Description of sites (LIFE)",
        "Other Annexes (for example: Lifecycle analysis, Business plans etc.)",
    )
    assert env.max_subtopics == 2
    assert "funding_rate" in env.defaulted_fields


@pytest.mark.parametrize(
    ("topic_id", "action", "sub"),
    [
        ("LIFE-2026-SAP-CLIMA-CCA", "SAP", "CLIMA"),
        ("LIFE-2026-STRAT-NAT-SNAP-two-stage", "SNAP", "NAT"),
        ("LIFE-2026-STRAT-ENV-SIP-two-stage", "SIP", "ENV"),
        ("LIFE-2026-TA-PP-CLIMA-SIP", "TA", "CLIMA"),
        ("LIFE-2026-CET-BETTERRENO", "OAG", "CET"),
        ("LIFE-2026-PLP-ENER-GOV", "PLP", "CET"),
        ("LIFE-2026-NGO-OG-SGA", "OG", None),
    ],
)
def test_identifier_gives_action_type_and_sub_programme(topic_id, action, sub):
    assert action_type_of(topic_id) == action
    assert sub_programme_of(topic_id) == sub


def test_closed_topic_identifiers_parse():
    from pathlib import Path

    path = (
        Path(__file__).resolve().parents[3]
        / "shared"
        / "data"
        / "life_topic_ids_2019_2025_closed.txt"
    )
    if not path.exists():
        pytest.skip("shared data not present")
    for line in path.read_text().split():
        assert action_type_of(line) in {"SAP", "SIP", "SNAP", "TA", "OAG", "PLP", "OG"}


def _record(**overrides):
    record = {
        "topicId": "LIFE-2027-SAP-ENV-ENVIRONMENT",
        "title": "Environment",
        "callIdentifier": "LIFE-2027-SAP",
        "deadline": "2027-09-20",
    }
    record.update(overrides)
    return record


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", "file: The file is not valid JSON (line 1)."),
        (b'{"a": 1}', "file: Expected a list of topic records."),
        (json.dumps([_record(), "oops"]).encode(), "record 2: Each record must be a JSON object."),
        (
            json.dumps([_record(topicId="HORIZON-X")]).encode(),
            "record 1 (HORIZON-X), field 'topicId': 'HORIZON-X' is not a LIFE topic identifier.",
        ),
        (
            json.dumps([_record(), _record(deadline="20 Sept")]).encode(),
            "record 2 (LIFE-2027-SAP-ENV-ENVIRONMENT), field 'deadline': '20 Sept' is not a date "
            "(YYYY-MM-DD).",
        ),
        (
            json.dumps([_record(title=None)]).encode(),
            "record 1 (LIFE-2027-SAP-ENV-ENVIRONMENT), field 'title': This field is required.",
        ),
        (
            json.dumps([_record(title=42)]).encode(),
            "record 1 (LIFE-2027-SAP-ENV-ENVIRONMENT), field 'title': Expected text, found int.",
        ),
        (
            json.dumps([_record(description="a\x00b")]).encode(),
            "record 1 (LIFE-2027-SAP-ENV-ENVIRONMENT), field 'description': The text contains a NUL "
            "character.",
        ),
        (
            json.dumps([_record(), _record()]).encode(),
            "record 2 (LIFE-2027-SAP-ENV-ENVIRONMENT), field 'topicId': This topic appears twice in "
            "the file.",
        ),
        (b"\xff\xfe", "file: The file is not UTF-8 text."),
    ],
)
def test_malformed_files_name_the_record_and_field(payload, message):
    with pytest.raises(CatalogueError) as error:
        parse_catalogue(payload)
    assert str(error.value) == message


def test_minimal_record_parses():
    (record,) = parse_catalogue(json.dumps([_record()]))
    assert record.deadline == date(2027, 9, 20)
    assert record.call_title == "LIFE-2027-SAP"
    assert record.mandatory_annexes == ()


def test_annex_names_glued_by_the_portal_are_split():
    conditions = (
        "Mandatory Annexes to the application form: Detailed budget table (LIFE)"
        "Participant information (LIFE)Optional Annexes:Letters of supportMaps"
        "Additional documents: FAQ"
    )
    assert annexes_from_conditions(conditions) == (
        ("Detailed budget table (LIFE)", "Participant information (LIFE)"),
        ("Letters of support", "Maps"),
    )

"""The pure modules of the open-data area: readers, matching, co-participation weights."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consortium.opendata import coparticipation as co
from consortium.opendata.matching import Candidate, Known, Matcher, registry_key
from consortium.opendata.sources import (
    compact_registry,
    detect_layout,
    organisation_key,
    programme_of_grant,
    read_file,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "opendata"


# --------------------------------------------------------------------------------- readers


def test_horizon_europe_organisation_file_is_read_in_its_published_layout():
    batch = read_file(DATA / "cordis_he_organization_marseille.csv")
    assert batch.layout == "cordis_organisations"
    assert (batch.rows_read, len(batch.organisations), len(batch.projects)) == (217, 174, 27)
    ird = batch.organisations["pic:999513803"]
    assert ird.name == "INSTITUT DE RECHERCHE POUR LE DEVELOPPEMENT"
    assert (ird.country, ird.activity_type) == ("FR", "REC")
    assert sum(1 for p in batch.participations if p.org_key == ird.key) == 13
    assert batch.errors == [] and batch.warnings == []


def test_older_project_list_gives_organisations_by_name_and_country():
    batch = read_file(DATA / "cordis_h2020_project_list_sample.csv")
    assert batch.layout == "cordis_project_list"
    assert len(batch.projects) == 12
    assert all(key.startswith("name:") for key in batch.organisations)
    roles = {p.role for p in batch.participations}
    assert roles == {"coordinator", "participant"}


def test_project_file_and_life_list():
    projects = read_file(DATA / "cordis_h2020_project_sample.csv")
    assert projects.layout == "cordis_projects"
    assert len(projects.projects) == 30
    assert {p.programme for p in projects.projects.values()} == {"H2020"}
    life = read_file(DATA / "life_projects_fr_sample.csv")
    assert life.layout == "life_projects"
    assert all(p.programme == "LIFE" and p.year for p in life.projects.values())


def test_control_characters_are_replaced_and_counted_never_losing_a_row(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_text(
        "projectID;organisationID;name;country;city;role\n"
        "101000001;999999999;Politechnika \x01odzka;PL;\x01od\u017a;coordinator\n"
        "101000001;888888888;Other;PL;Warsaw;participant\n",
        encoding="utf-8",
    )
    batch = read_file(path)
    assert batch.organisations["pic:999999999"].name == "Politechnika odzka"
    assert len(batch.participations) == 2
    assert [m.text for m in batch.warnings] == [
        "1 rows contained control characters; they were replaced by spaces."
    ]


def test_json_and_xlsx_layouts_are_read(tmp_path):
    from openpyxl import Workbook

    rows = [
        {
            "projectID": 101100000,
            "organisationID": "999999999",
            "name": "A",
            "country": "FR",
            "role": "coordinator",
        },
        {
            "projectID": 101100000,
            "organisationID": "888888888",
            "name": "B",
            "country": "DE",
            "role": "participant",
        },
    ]
    (tmp_path / "o.json").write_text(json.dumps(rows))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    workbook.save(tmp_path / "o.xlsx")
    for name in ("o.json", "o.xlsx"):
        batch = read_file(tmp_path / name)
        assert batch.layout == "cordis_organisations", name
        assert sorted(batch.organisations) == ["pic:888888888", "pic:999999999"]
        assert batch.projects[("cordis", "101100000")].programme == "Horizon Europe"


def test_a_zip_that_is_not_a_workbook_is_refused_before_openpyxl_opens_it(tmp_path):
    import zipfile

    path = tmp_path / "organization.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    batch = read_file(path)
    assert [m.text for m in batch.errors] == [
        "The file could not be read: This is a Word document, not a spreadsheet."
    ]


def test_a_deeply_nested_json_file_is_a_message(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    assert read_file(path).errors[0].template.startswith("The file could not be read")


def test_unknown_layout_is_a_message(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    batch = read_file(path)
    assert batch.layout == ""
    assert batch.errors[0].text.startswith("This file is not a CORDIS organisation")


def test_keys_and_programmes():
    assert detect_layout(["projectID", "organisationID", "name", "country"]) == (
        "cordis_organisations"
    )
    assert organisation_key("999822263", "X", "FR") == "pic:999822263"
    assert organisation_key(None, "Association L'Atelier, SAS", "fr") == "name:atelier|FR"
    assert programme_of_grant("101051386") == "Horizon Europe"
    assert programme_of_grant("814985") == "H2020"
    assert compact_registry("FR 12.345 678 901") == "FR12345678901"


# --------------------------------------------------------------------------------- matching

DIRECTORY = [
    Known(1, "Aix-Marseille Université", "FR", "Marseille", "AMU"),
    Known(
        2, "Institut de recherche pour le développement", "FR", "Marseille", "IRD", pic="999513803"
    ),
    Known(3, "Protisvalor", "FR", "Marseille"),
    Known(4, "Tescom Europe", "DE", "Selmsdorf", registry_number="DE 812986214"),
    Known(5, "Université Paris Cité", "FR", "Paris"),
    Known(6, "Université Paris-Saclay", "FR", "Paris"),
]


@pytest.fixture(scope="module")
def matcher():
    return Matcher(DIRECTORY)


def test_same_pic_is_an_automatic_match(matcher):
    decision = matcher.decide(Candidate("pic:999513803", "IRD", "FR", pic="999513803"))
    assert (decision.status, decision.organisation_id, decision.reason) == ("auto", 2, "pic")


def test_same_registry_number_without_country_prefix_is_an_automatic_match(matcher):
    decision = matcher.decide(
        Candidate("k", "TESCOM EUROPE GMBH CO KG", "DE", registry_number="812986214")
    )
    assert (decision.status, decision.organisation_id, decision.reason) == ("auto", 4, "registry")
    assert registry_key("EL123456789", "GR") == "123456789"


def test_same_name_in_the_same_city_is_automatic(matcher):
    decision = matcher.decide(Candidate("k", "UNIVERSITE D'AIX MARSEILLE", "FR", "Marseille"))
    assert (decision.status, decision.organisation_id, decision.score) == ("auto", 1, 100.0)


def test_same_name_without_a_city_goes_to_review(matcher):
    decision = matcher.decide(Candidate("k", "UNIVERSITE D'AIX MARSEILLE", "FR"))
    assert (decision.status, decision.organisation_id) == ("review", 1)


def test_a_name_containing_the_other_goes_to_review_not_automatic(matcher):
    decision = matcher.decide(Candidate("k", "PROTISVALOR MEDITERRANEE SAS", "FR", "Marseille"))
    assert (decision.status, decision.organisation_id, decision.reason) == (
        "review",
        3,
        "partial_name",
    )


def test_a_different_pic_never_matches_automatically(matcher):
    decision = matcher.decide(
        Candidate(
            "k", "Institut de Recherche pour le Developpement", "FR", "Marseille", pic="111111111"
        )
    )
    assert decision.status == "review"


def test_close_names_of_two_universities_do_not_match_automatically(matcher):
    decision = matcher.decide(Candidate("k", "UNIVERSITE PARIS SACLAY", "FR", "Paris"))
    assert (decision.status, decision.organisation_id) == ("auto", 6)
    other = matcher.decide(Candidate("k", "UNIVERSITE PARIS EST CRETEIL", "FR", "Paris"))
    assert other.status != "auto"


def test_another_country_is_never_compared(matcher):
    decision = matcher.decide(Candidate("k", "Protisvalor", "BE", "Marseille"))
    assert decision.status == "none"


@given(
    st.text(max_size=80),
    st.text(max_size=3),
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(st.none(), st.text(max_size=30)),
)
def test_matching_any_text_gives_a_decision(name, country, city, registry):
    decision = Matcher(DIRECTORY).decide(Candidate("k", name, country, city, None, None, registry))
    assert decision.status in ("auto", "review", "none")
    if decision.status == "none":
        assert decision.organisation_id is None


# --------------------------------------------------------------------------------- weights


def test_recent_projects_weigh_more_than_old_ones():
    assert co.project_weight(2026, 2026) == 1.0
    assert co.project_weight(2016, 2026) == 0.25
    assert co.project_weight(None, 2026) == 0.5
    pairs = co.shared_projects(
        {"cordis:1": [3, 1, 2], "cordis:2": [1, 2], "life:L1": [2]},
        {"cordis:1": 2026, "cordis:2": 2016},
        current_year=2026,
    )
    assert [(p.a, p.b, p.references, p.weight) for p in pairs] == [
        (1, 2, ("cordis:1", "cordis:2"), 1.25),
        (1, 3, ("cordis:1",), 1.0),
        (2, 3, ("cordis:1",), 1.0),
    ]


def test_tie_weight_keeps_declarations_and_replaces_open_data():
    assert co.tie_weight([], 0.0) == 1  # a tie declared before evidence was kept
    assert co.tie_weight(["cordis:1"], 1.25) == 1.25
    assert co.tie_weight(["declared", "row 4", "cordis:1"], 0.5) == 2.5
    assert co.rebuilt_evidence([], ["cordis:2", "cordis:1"]) == ["declared", "cordis:1", "cordis:2"]
    assert co.rebuilt_evidence(["cordis:9", "note"], ["cordis:1"]) == ["note", "cordis:1"]
    assert co.rebuilt_evidence(["cordis:9"], []) == []

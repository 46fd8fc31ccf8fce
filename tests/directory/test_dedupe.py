"""Duplicate detection, organisation references and tie files."""

from __future__ import annotations

import pytest

from consortium.directory.dedupe import (
    AMBIGUOUS_ORG,
    UNKNOWN_ORG,
    Match,
    OrgIndex,
    OrgRef,
    find_duplicates,
    normalise_name,
    resolve_org_reference,
)
from consortium.directory.records import REQUIRED
from consortium.directory.spreadsheet import (
    MISSING_COLUMN,
    NOT_A_YEAR,
    SELF_TIE,
    TIE_SCHEMA,
    YEAR_IN_FUTURE,
    YEAR_TOO_EARLY,
    RowError,
    TieRecord,
    parse_table,
    resolve_tie_kind,
    validate_ties,
)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Association L'Atelier, SAS", "atelier"),
        ("La Cité des Transitions", "cite transitions"),
        ("LA CITE DES TRANSITIONS (asso)", "cite transitions"),
        ("Ville de Marseille", "marseille"),
        ("Ville d'Aubagne", "aubagne"),
        ("SCOP Bâti-Récup SARL", "bati recup"),
        ("The Friends of the Earth", "friends earth"),
        ("Les Amis de la Terre", "amis terre"),
        ("Association", "association"),
        ("", ""),
        ("Œuvre d’entraide", "oeuvre entraide"),
    ],
)
def test_normalise_name(name: str, normalised: str) -> None:
    assert normalise_name(name) == normalised


EXISTING = [
    (1, "La Cité des Transitions", "Marseille", None),
    (2, "Cite des transitions", "Paris", None),
    (3, "Cité des Transition", "marseille", None),
    (4, "Bâti Récup", "Marseille", "123456789"),
    (5, "Cité des Transitions", None, None),
    (6, "Something else", "Marseille", None),
]


def test_find_duplicates_by_name_in_same_city() -> None:
    matches = find_duplicates(("Association La Cité des transitions", "MARSEILLE", None), EXISTING)
    assert matches == [
        Match(1, "similar_name", 1.0),
        Match(5, "similar_name", 1.0),
        Match(3, "similar_name", 0.9677),
    ]


def test_find_duplicates_same_pic_first_and_once() -> None:
    matches = find_duplicates(("Bati Recup", "Marseille", "123 456 789"), EXISTING)
    assert matches == [Match(4, "same_pic", 1.0)]
    matches = find_duplicates(("Cité des transitions", "Marseille", "123456789"), EXISTING)
    assert [m.id for m in matches] == [4, 1, 5, 3]
    assert matches[0].reason == "same_pic"


def test_find_duplicates_below_threshold_and_other_city() -> None:
    assert find_duplicates(("Cité des savoirs", "Marseille", None), EXISTING) == []
    assert find_duplicates(("Cité des transitions", "Lyon", None), EXISTING) == [
        Match(5, "similar_name", 1.0)
    ]


def test_find_duplicates_accepts_a_record() -> None:
    from consortium.directory.records import OrganisationRecord

    record = OrganisationRecord(name="Bâti-Récup", country="FR", city="Marseille")
    assert find_duplicates(record, EXISTING) == [Match(4, "similar_name", 1.0)]


INDEX = OrgIndex.build(
    [
        (1, "La Cité des Transitions", "LCDT", "012345678"),
        (2, "Ville de Marseille", "VdM", None),
        (3, "Bâti Récup", "BR", "123456789"),
        (4, "Bureau Régional", "BR", None),
        (5, "VDM", None, None),
    ]
)


@pytest.mark.parametrize(
    ("text", "org_id"),
    [
        ("012345678", 1),
        ("012 345 678", 1),
        ("lcdt", 1),
        ("L.C.D.T.", 1),
        ("la cite des transitions", 1),
        ("Bati recup", 3),
        ("123456789", 3),
    ],
)
def test_resolve_org_reference(text: str, org_id: int) -> None:
    assert resolve_org_reference(text, INDEX) == OrgRef(org_id)


def test_resolve_org_reference_ambiguous_and_unknown() -> None:
    assert resolve_org_reference("BR", INDEX) == OrgRef(
        None, AMBIGUOUS_ORG, {"value": "BR", "matches": "Bureau Régional, Bâti Récup"}
    )
    assert resolve_org_reference("vdm", INDEX) == OrgRef(
        None, AMBIGUOUS_ORG, {"value": "vdm", "matches": "VDM, Ville de Marseille"}
    )
    assert resolve_org_reference("Cité", INDEX) == OrgRef(None, UNKNOWN_ORG, {"value": "Cité"})
    assert resolve_org_reference("999999999", INDEX) == OrgRef(
        None, UNKNOWN_ORG, {"value": "999999999"}
    )
    assert (
        AMBIGUOUS_ORG
        % {"value": "BR", "matches": "Bureau Régional, Bâti Récup"}
        == "“BR” is ambiguous: matches Bureau Régional, Bâti Récup. Give its PIC, registry"
        " number or city."
    )


CITY_INDEX = OrgIndex.build(
    [
        (1, "Atelier Vert", "AV", None, "FR 123 456 789 00012", "Marseille"),
        (2, "Atelier Vert", None, None, None, "Lyon"),
        (3, "Bâti Récup", "BR", None, "FR12345678901", None),
    ]
)


def test_registry_number_and_city_settle_references() -> None:
    assert resolve_org_reference("12345678900012", CITY_INDEX) == OrgRef(1)
    assert resolve_org_reference("fr 12.345.678.901", CITY_INDEX) == OrgRef(3)
    assert resolve_org_reference("atelier vert", CITY_INDEX, city="LYON") == OrgRef(2)
    assert resolve_org_reference("Atelier Vert", CITY_INDEX) == OrgRef(
        None,
        AMBIGUOUS_ORG,
        {"value": "Atelier Vert", "matches": "Atelier Vert (Lyon), Atelier Vert (Marseille)"},
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("past_project", "past_project"),
        ("Projet commun", "past_project"),
        ("convention", "formal_agreement"),
        ("Accord", "formal_agreement"),
        ("fournisseur/client", "supplier_client"),
        ("Même réseau", "same_network"),
        ("fédération", "same_network"),
        ("informel", "informal"),
        ("Informal", "informal"),
        ("Past project together", "past_project"),
        ("Projet commun passé", "past_project"),
        ("Accord formel", "formal_agreement"),
        ("Supplier / client", "supplier_client"),
        ("Fournisseur / client", "supplier_client"),
        ("same federation or network", "same_network"),
        ("Même fédération ou réseau", "same_network"),
        ("cousins", None),
    ],
)
def test_resolve_tie_kind(text: str, kind: str | None) -> None:
    assert resolve_tie_kind(text) == kind


def test_tie_file_in_french() -> None:
    data = (
        "Organisation A;Organisation B;Type;Année;Remarque\n"
        "LCDT;Bâti Récup;projet commun;2021;LIFE Re-Build\n"
        "LCDT;LCDT;informel;;\n"
        "LCDT;BR;convention;2020;\n"
        "Bâti Récup;lcdt;Projet commun;2021;again, reversed\n"
        "LCDT;Ville de Marseille;cousins;2031;\n"
        "012345678;Nobody;convention;1899;\n"
        ";Bâti Récup;;vingt;\n"
        "LCDT;Bâti Récup;projet commun;2019;\n"
    ).encode()
    parsed = parse_table("liens.csv", data, schema=TIE_SCHEMA)
    assert parsed.errors == []
    assert parsed.delimiter == ";"
    report = validate_ties(parsed, INDEX, current_year=2026)
    assert report.valid == [
        (2, TieRecord(1, 3, "past_project", 2021, "LIFE Re-Build")),
        (5, TieRecord(3, 1, "past_project", 2021, "again, reversed")),
        (9, TieRecord(1, 3, "past_project", 2019, "")),
    ]
    assert report.valid[0][1].evidence == "declared: 2021 · LIFE Re-Build"
    assert report.valid[2][1].evidence == "declared: 2019"
    h = parsed.headers
    assert report.errors == [
        RowError(3, "org_b", SELF_TIE, {}, h["org_b"]),
        RowError(
            4,
            "org_b",
            AMBIGUOUS_ORG,
            {"value": "BR", "matches": "Bureau Régional, Bâti Récup"},
            h["org_b"],
        ),
        RowError(6, "year", YEAR_IN_FUTURE, {"value": 2031, "current": 2026}, "Année"),
        RowError(7, "org_b", UNKNOWN_ORG, {"value": "Nobody"}, h["org_b"]),
        RowError(7, "year", YEAR_TOO_EARLY, {"value": 1899, "min": 1900}, "Année"),
        RowError(8, "org_a", REQUIRED, {}, "Organisation A"),
        RowError(8, "kind", REQUIRED, {}, "Type"),
        RowError(8, "year", NOT_A_YEAR, {"value": "vingt"}, "Année"),
    ]
    assert report.errors[2].message == "Year 2031 is in the future (this year is 2026)."


def test_tie_file_missing_column() -> None:
    parsed = parse_table("ties.csv", b"org_a,org_b\nLCDT,BR\n", schema=TIE_SCHEMA)
    assert parsed.errors == [RowError(1, "kind", MISSING_COLUMN, {"column": "kind"})]

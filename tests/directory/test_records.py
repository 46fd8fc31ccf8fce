"""Validation of one organisation record, list-cell escaping and the French catalogue."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.directory import records
from consortium.directory.records import (
    BAD_CHARACTER,
    BAD_EMAIL,
    BAD_PIC,
    BAD_URL,
    BAD_YEAR,
    CONTACT_BAD_EMAIL,
    CONTACT_BAD_PHONE,
    CONTACT_NO_NAME,
    ITEM_TOO_LONG,
    LINE_BREAK,
    NEGATIVE,
    NOT_AMOUNT,
    NOT_BOOLEAN,
    NOT_INTEGER,
    PROJECT_EMPTY,
    PROJECT_FIELDS,
    REQUIRED,
    TOO_LARGE,
    TOO_LONG,
    TOO_MANY_DECIMALS,
    UNKNOWN_COUNTRY,
    UNKNOWN_LANGUAGE,
    UNKNOWN_THEME,
    UNKNOWN_TYPE,
    ContactRecord,
    FieldError,
    OrganisationRecord,
    PastProjectRecord,
    join_list,
    record_to_raw,
    resolve_org_type,
    split_list,
    theme_codes,
    validate_record,
)

ROOT = Path(records.__file__).parent
BASE = {"name": "La Cité des Transitions", "country": "France"}


def errors_of(**overrides: object) -> list[FieldError]:
    record, errors = validate_record({**BASE, **overrides})
    assert record is None
    return errors


def test_full_record() -> None:
    record, errors = validate_record(
        {
            "name": "  La Cité des Transitions ",
            "acronym": "LCDT",
            "type": "Association",
            "country": "france",
            "region": "Provence-Alpes-Côte d'Azur",
            "city": "Marseille",
            "pic": "012 345 678",
            "website": "https://www.example.org/a?b=1",
            "email": "contact@example.org",
            "description": "Ligne 1\r\nLigne 2\rLigne 3",
            "themes": "Économie circulaire et déchets; water;EAU;Nature en ville",
            "keywords": "réemploi; BTP ;réemploi;;a\\;b",
            "languages": "français;English;de",
            "staff": "1 200",
            "annual_budget_eur": "1 234 567,5 €",
            "past_projects": "LIFE|LIFE20 CCA/FR/001|Re\\|Build|2021|coordinator;H2020||Greening|",
            "natural_person": "Non",
            "contacts": "Anne Martin|directrice|anne@example.org|+33 4 91 00 00 00;Jo",
        }
    )
    assert errors == []
    assert record == OrganisationRecord(
        name="La Cité des Transitions",
        country="FR",
        acronym="LCDT",
        org_type="ngo",
        natural_person=False,
        region="Provence-Alpes-Côte d'Azur",
        city="Marseille",
        pic="012345678",
        website="https://www.example.org/a?b=1",
        email="contact@example.org",
        description="Ligne 1\nLigne 2\nLigne 3",
        themes=("circular_economy_waste", "water", "nature_in_city"),
        keywords=("réemploi", "BTP", "a;b"),
        staff=1200,
        annual_budget_eur=Decimal("1234567.50"),
        past_projects=(
            PastProjectRecord("LIFE", "LIFE20 CCA/FR/001", "Re|Build", 2021, "coordinator"),
            PastProjectRecord("H2020", "", "Greening", None, ""),
        ),
        contacts=(
            ContactRecord("Anne Martin", "directrice", "anne@example.org", "+33 4 91 00 00 00"),
            ContactRecord("Jo"),
        ),
        languages=("fr", "en", "de"),
    )


def test_minimal_record_defaults() -> None:
    assert validate_record(BASE) == (
        OrganisationRecord(name="La Cité des Transitions", country="FR"),
        [],
    )


def test_no_pic_yet_is_a_state() -> None:
    record, errors = validate_record({**BASE, "pic": "   "})
    assert errors == [] and record is not None and record.pic is None


def test_python_values_are_accepted() -> None:
    record, errors = validate_record(
        {
            **BASE,
            "staff": 12,
            "annual_budget_eur": Decimal("10.5"),
            "natural_person": True,
            "themes": ["water", "Sols"],
            "past_projects": [("LIFE", "", "T", 2020, "")],
        }
    )
    assert errors == []
    assert record is not None
    assert (record.staff, record.annual_budget_eur, record.natural_person) == (
        12,
        Decimal("10.50"),
        True,
    )
    assert record.themes == ("water", "soil")
    assert record.past_projects == (PastProjectRecord("LIFE", "", "T", 2020, ""),)


def test_nfc_normalisation() -> None:
    record, _ = validate_record({**BASE, "name": "Cite\u0301"})
    assert record is not None and record.name == "Cité"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"name": ""}, [FieldError("name", REQUIRED, {})]),
        ({"country": " "}, [FieldError("country", REQUIRED, {})]),
        ({"name": "x" * 301}, [FieldError("name", TOO_LONG, {"length": 301, "limit": 300})]),
        ({"acronym": "A" * 61}, [FieldError("acronym", TOO_LONG, {"length": 61, "limit": 60})]),
        ({"city": "c" * 121}, [FieldError("city", TOO_LONG, {"length": 121, "limit": 120})]),
        (
            {"description": "d" * 20_001},
            [FieldError("description", TOO_LONG, {"length": 20001, "limit": 20000})],
        ),
        ({"name": "a\nb"}, [FieldError("name", LINE_BREAK, {})]),
        ({"pic": "12345678"}, [FieldError("pic", BAD_PIC, {"value": "12345678"})]),
        ({"pic": "1234567890"}, [FieldError("pic", BAD_PIC, {"value": "1234567890"})]),
        ({"pic": "12345678A"}, [FieldError("pic", BAD_PIC, {"value": "12345678A"})]),
        ({"pic": "١٢٣٤٥٦٧٨٩"}, [FieldError("pic", BAD_PIC, {"value": "١٢٣٤٥٦٧٨٩"})]),
        ({"country": "Frnce"}, [FieldError("country", UNKNOWN_COUNTRY, {"value": "Frnce"})]),
        ({"type": "club"}, [FieldError("type", UNKNOWN_TYPE, {"value": "club"})]),
        ({"themes": "water;zzz"}, [FieldError("themes", UNKNOWN_THEME, {"value": "zzz"})]),
        (
            {"languages": "klingon"},
            [FieldError("languages", UNKNOWN_LANGUAGE, {"value": "klingon"})],
        ),
        (
            {"website": "www.example.org"},
            [FieldError("website", BAD_URL, {"value": "www.example.org"})],
        ),
        (
            {"website": "javascript:alert(1)"},
            [FieldError("website", BAD_URL, {"value": "javascript:alert(1)"})],
        ),
        ({"email": "a@b"}, [FieldError("email", BAD_EMAIL, {"value": "a@b"})]),
        (
            {"email": "a b@example.org"},
            [FieldError("email", BAD_EMAIL, {"value": "a b@example.org"})],
        ),
        ({"staff": "-3"}, [FieldError("staff", NEGATIVE, {"value": -3})]),
        ({"staff": -3}, [FieldError("staff", NEGATIVE, {"value": -3})]),
        ({"staff": "12.5"}, [FieldError("staff", NOT_INTEGER, {"value": "12.5"})]),
        ({"staff": "douze"}, [FieldError("staff", NOT_INTEGER, {"value": "douze"})]),
        ({"staff": True}, [FieldError("staff", NOT_INTEGER, {"value": "True"})]),
        (
            {"staff": "10000001"},
            [FieldError("staff", TOO_LARGE, {"limit": 10_000_000, "value": 10_000_001})],
        ),
        ({"annual_budget_eur": "-5"}, [FieldError("annual_budget_eur", NEGATIVE, {"value": "-5"})]),
        (
            {"annual_budget_eur": "1,234"},
            [FieldError("annual_budget_eur", NOT_AMOUNT, {"value": "1,234"})],
        ),
        (
            {"annual_budget_eur": "NaN"},
            [FieldError("annual_budget_eur", NOT_AMOUNT, {"value": "NaN"})],
        ),
        (
            {"annual_budget_eur": float("inf")},
            [FieldError("annual_budget_eur", NOT_AMOUNT, {"value": "inf"})],
        ),
        (
            {"annual_budget_eur": Decimal("1.005")},
            [FieldError("annual_budget_eur", TOO_MANY_DECIMALS, {"value": "1.005"})],
        ),
        (
            {"annual_budget_eur": "1000000000000.01"},
            [
                FieldError(
                    "annual_budget_eur",
                    TOO_LARGE,
                    {"limit": "1000000000000", "value": "1000000000000.01"},
                )
            ],
        ),
        (
            {"natural_person": "peut-être"},
            [FieldError("natural_person", NOT_BOOLEAN, {"value": "peut-être"})],
        ),
        (
            {"past_projects": "LIFE|R|T|20xx|c"},
            [
                FieldError(
                    "past_projects",
                    BAD_YEAR,
                    {"item": 1, "value": "20xx", "min": 1900, "max": 2100},
                )
            ],
        ),
        (
            {"past_projects": "LIFE||T|2021|c;LIFE||T|1850|c"},
            [
                FieldError(
                    "past_projects",
                    BAD_YEAR,
                    {"item": 2, "value": "1850", "min": 1900, "max": 2100},
                )
            ],
        ),
        (
            {"past_projects": "a|b|c|2020|d|e"},
            [FieldError("past_projects", PROJECT_FIELDS, {"item": 1, "count": 6})],
        ),
        (
            {"past_projects": "||||coordinator"},
            [FieldError("past_projects", PROJECT_EMPTY, {"item": 1})],
        ),
        (
            {"past_projects": "LIFE||" + "t" * 301},
            [FieldError("past_projects", ITEM_TOO_LONG, {"item": 1, "length": 301, "limit": 300})],
        ),
        (
            {"keywords": "ok;" + "k" * 101},
            [FieldError("keywords", ITEM_TOO_LONG, {"item": 2, "length": 101, "limit": 100})],
        ),
        ({"contacts": "|role"}, [FieldError("contacts", CONTACT_NO_NAME, {"item": 1})]),
        (
            {"contacts": "Jo||jo@"},
            [FieldError("contacts", CONTACT_BAD_EMAIL, {"item": 1, "value": "jo@"})],
        ),
        (
            {"contacts": "Jo|||call me"},
            [FieldError("contacts", CONTACT_BAD_PHONE, {"item": 1, "value": "call me"})],
        ),
    ],
)
def test_field_errors(overrides: dict[str, object], expected: list[FieldError]) -> None:
    assert errors_of(**overrides) == expected


@pytest.mark.parametrize(
    "column",
    [
        "name",
        "acronym",
        "type",
        "country",
        "region",
        "city",
        "pic",
        "website",
        "email",
        "description",
        "themes",
        "keywords",
        "languages",
        "staff",
        "annual_budget_eur",
        "past_projects",
        "natural_person",
        "contacts",
    ],
)
@pytest.mark.parametrize(
    ("char", "code"), [("\x00", "0000"), ("\x07", "0007"), ("\x1b", "001B"), ("\ufffe", "FFFE")]
)
def test_control_characters_rejected_in_every_field(column: str, char: str, code: str) -> None:
    value = f"ab{char}c" if column not in ("name", "country") else f"Fr{char}ance"
    assert errors_of(**{column: value}) == [FieldError(column, BAD_CHARACTER, {"code": code})]


def test_tab_and_newline_allowed_in_description() -> None:
    record, errors = validate_record({**BASE, "description": "a\tb\nc"})
    assert errors == [] and record is not None and record.description == "a\tb\nc"


def test_several_errors_in_column_order() -> None:
    errors = errors_of(name="", pic="123", staff="-1", country="Atlantis")
    assert [(e.column, e.template) for e in errors] == [
        ("name", REQUIRED),
        ("country", UNKNOWN_COUNTRY),
        ("pic", BAD_PIC),
        ("staff", NEGATIVE),
    ]
    assert errors[2].message == "PIC “123” is invalid: a PIC is exactly 9 digits."


def test_long_values_are_cut_in_messages() -> None:
    (error,) = errors_of(country="x" * 500)
    assert error.params == {"value": "x" * 59 + "…"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("association", "ngo"),
        ("Asso", "ngo"),
        ("ONG", "ngo"),
        ("NGO", "ngo"),
        ("collectivité", "public_authority"),
        ("Mairie", "public_authority"),
        ("ville", "public_authority"),
        ("Métropole", "public_authority"),
        ("région", "public_authority"),
        ("public body", "public_authority"),
        ("Local authority", "public_authority"),
        ("PME", "sme"),
        ("SME", "sme"),
        ("TPE", "sme"),
        ("startup", "sme"),
        ("start-up", "sme"),
        ("laboratoire", "research"),
        ("Université", "research"),
        ("labo", "research"),
        ("research", "research"),
        ("university", "research"),
        ("École", "research"),
        ("grande entreprise", "large_company"),
        ("Large company", "large_company"),
        ("coopérative", "social_economy"),
        ("SCOP", "social_economy"),
        ("SCIC", "social_economy"),
        ("ESS", "social_economy"),
        ("entreprise d'insertion", "social_economy"),
        ("Entreprise d’insertion", "social_economy"),
        ("social enterprise", "social_economy"),
        ("organisation internationale", "international"),
        ("Autorité publique", "public_authority"),
        ("other", "other"),
        ("autre", "other"),
        ("large_company", "large_company"),
        ("entreprise", None),
        ("club", None),
    ],
)
def test_type_aliases(text: str, code: str | None) -> None:
    assert resolve_org_type(text) == code


def test_every_theme_label_resolves() -> None:
    import json

    themes = json.loads((ROOT / "data" / "themes.json").read_text(encoding="utf-8"))["themes"]
    assert len(theme_codes()) == len(themes) == 20
    for theme in themes:
        for label in (theme["code"], theme["en"], theme["fr"], theme["fr"].upper()):
            record, errors = validate_record({**BASE, "themes": label})
            assert errors == [] and record is not None
            assert record.themes == (theme["code"],)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,5", "1234.50"),
        ("1\u202f234\u202f567", "1234567.00"),
        ("12 000 €", "12000.00"),
        ("300 EUR", "300.00"),
        ("0", "0.00"),
        ("+7", "7.00"),
        # The form's parser and the import's are one: grouped thousands are not ambiguous.
        ("1.234.567", "1234567.00"),
        ("1,234.56", "1234.56"),
    ],
)
def test_budget_formats(text: str, amount: str) -> None:
    record, errors = validate_record({**BASE, "annual_budget_eur": text})
    assert errors == [] and record is not None
    assert record.annual_budget_eur == Decimal(amount)


@pytest.mark.parametrize("text", ["1,234", "1 23", "12e3", "1.2.3"])
def test_ambiguous_budgets_are_rejected_not_coerced(text: str) -> None:
    assert errors_of(annual_budget_eur=text) == [
        FieldError("annual_budget_eur", NOT_AMOUNT, {"value": text})
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("oui", True),
        ("Non", False),
        ("yes", True),
        ("no", False),
        ("true", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
        ("vrai", True),
        ("faux", False),
        ("", False),
    ],
)
def test_booleans(text: str, value: bool) -> None:
    record, errors = validate_record({**BASE, "natural_person": text})
    assert errors == [] and record is not None and record.natural_person is value


item_text = st.text(alphabet=st.sampled_from(list("a é;|\\'=-@\"x😀")), max_size=12)


@given(st.lists(item_text, max_size=6))
def test_list_escaping_round_trip(items: list[str]) -> None:
    items = [i.strip() for i in items if i.strip()]
    assert split_list(join_list(items)) == items


def test_backslash_before_other_character_is_kept() -> None:
    assert split_list(r"C:\temp;a\;b;c\\;d") == ["C:\\temp", "a;b", "c\\", "d"]


TRICKY = [*"aéÉ€😀;|\\'\"=+-@%\t\n\r ,0٣", "\u202e", "\u00a0", "\u0301"]
single = st.text(alphabet=st.sampled_from([c for c in TRICKY if c not in "\n\r"]), max_size=15)
multi = st.text(alphabet=st.sampled_from(TRICKY), max_size=40)


@st.composite
def raw_records(draw: st.DrawFn) -> dict[str, object]:
    """Raw values full of characters that list cells and spreadsheets treat specially."""
    year = st.one_of(st.none(), st.integers(1900, 2100))
    return {
        "name": "N" + draw(single),
        "acronym": draw(single),
        "type": draw(st.sampled_from(records.ORG_TYPES)),
        "country": draw(st.sampled_from(["FR", "Grèce", "UK", "Pays-Bas"])),
        "region": draw(single),
        "city": draw(single),
        "pic": draw(st.one_of(st.just(""), st.from_regex(r"\A[0-9]{9}\Z"))),
        "website": draw(st.sampled_from(["", "https://example.org/a;b|c", "http://x.fr"])),
        "email": draw(st.sampled_from(["", "a.b@example.org", "o'neil+x@ex.fr"])),
        "description": draw(multi),
        "themes": draw(st.lists(st.sampled_from(theme_codes()), max_size=3)),
        "keywords": draw(st.lists(single, max_size=4)),
        "languages": draw(st.lists(st.sampled_from(["fr", "en", "el"]), max_size=2)),
        "staff": draw(st.one_of(st.none(), st.integers(0, 10_000_000))),
        "annual_budget_eur": draw(
            st.one_of(st.none(), st.decimals(0, 10**12, places=2, allow_nan=False))
        ),
        "past_projects": draw(
            st.lists(st.tuples(st.just("P") | single, single, single, year, single), max_size=3)
        ),
        "natural_person": draw(st.booleans()),
        "contacts": draw(st.lists(st.tuples(single.map(lambda s: "C" + s), single), max_size=2)),
    }


@settings(max_examples=200, deadline=None)
@given(raw_records())
def test_record_to_raw_round_trip(raw: dict[str, object]) -> None:
    record, errors = validate_record(raw)
    if record is None:  # e.g. a past project with neither programme, reference nor title
        assert errors
        return
    assert validate_record(record_to_raw(record)) == (record, [])


def _templates() -> set[str]:
    found = set()
    for name in ("records.py", "spreadsheet.py", "dedupe.py"):
        for node in ast.walk(ast.parse((ROOT / name).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "N_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_every_message_has_a_french_translation() -> None:
    path = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    assert catalog.charset == "utf-8"
    assert str(catalog.locale) == "fr"
    templates = _templates()
    assert len(templates) == 66
    translated = {m.id: m.string for m in catalog if m.id}
    assert set(translated) >= templates
    for template in templates:
        french = translated[template]
        assert french and french != template
        assert sorted(_placeholders(french)) == sorted(_placeholders(template)), template


def _placeholders(text: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)s", text)

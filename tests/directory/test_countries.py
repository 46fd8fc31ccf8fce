"""ISO 3166-1 country resolution in English and French."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consortium.directory import countries
from consortium.directory.countries import country_codes, country_name, resolve_country

DATA = Path(countries.__file__).with_name("data") / "countries.json"


def test_all_249_codes_with_both_names() -> None:
    entries = json.loads(DATA.read_text(encoding="utf-8"))["countries"]
    assert len(entries) == 249
    assert len(country_codes()) == 249
    assert all(e["en"] and e["fr"] and len(e["code"]) == 2 for e in entries)


def test_every_code_name_and_alias_resolves_to_its_own_code() -> None:
    for entry in json.loads(DATA.read_text(encoding="utf-8"))["countries"]:
        for label in (entry["code"], entry["en"], entry["fr"], *entry["aliases"]):
            assert resolve_country(label) == entry["code"], label


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("France", "FR"),
        ("fr", "FR"),
        ("FR", "FR"),
        ("  france ", "FR"),
        ("Royaume-Uni", "GB"),
        ("royaume uni", "GB"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("u.k.", "GB"),
        ("Allemagne", "DE"),
        ("GERMANY", "DE"),
        ("Pays-Bas", "NL"),
        ("Netherlands", "NL"),
        ("Holland", "NL"),
        ("Grèce", "GR"),
        ("grece", "GR"),
        ("Greece", "GR"),
        ("EL", "GR"),
        ("Espagne", "ES"),
        ("Côte d’Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("États-Unis", "US"),
        ("etats unis", "US"),
        ("Tchéquie", "CZ"),
        ("Czech Republic", "CZ"),
        ("Turquie", "TR"),
        ("Türkiye", "TR"),
    ],
)
def test_resolve_country(text: str, code: str) -> None:
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["", None, "fra", "Frnce", "Europe", "XX", "Marseille"])
def test_unknown_country_is_none(text: str | None) -> None:
    assert resolve_country(text) is None


def test_country_name() -> None:
    assert country_name("GB", "en") == "United Kingdom"
    assert country_name("GB", "fr") == "Royaume-Uni"
    assert country_name("gr", "fr") == "Grèce"
    assert country_name("DE") == "Germany"
    assert country_name("NL", "de") == "Netherlands"
    with pytest.raises(KeyError):
        country_name("ZZ", "en")

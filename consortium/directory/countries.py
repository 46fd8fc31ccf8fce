"""ISO 3166-1 alpha-2 country codes with English and French names (pure).

``data/countries.json`` lists the 249 codes with their CLDR short names in English and French
and aliases (ISO and official names, common and EU-usage names such as ``UK`` and ``EL``).
Resolution ignores case, accents and punctuation: ``"royaume uni"``, ``"Royaume-Uni"``,
``"UK"`` and ``"gb"`` all give ``"GB"``.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

from consortium.folding import words

_DATA = Path(__file__).with_name("data") / "countries.json"

Lang = Literal["en", "fr"]


def country_key(text: str) -> str:
    """Matching key of a country name or code: folded words joined by single spaces."""
    return " ".join(words(text))


@cache
def _load() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Names by code and code by matching key, built once from the JSON file."""
    with _DATA.open(encoding="utf-8") as fh:
        entries = json.load(fh)["countries"]
    names: dict[str, dict[str, str]] = {}
    index: dict[str, str] = {}
    for entry in entries:
        code = entry["code"]
        names[code] = {"en": entry["en"], "fr": entry["fr"]}
        for label in (code, entry["en"], entry["fr"], *entry["aliases"]):
            index.setdefault(country_key(label), code)
    return names, index


def country_codes() -> tuple[str, ...]:
    """All alpha-2 codes, sorted."""
    return tuple(sorted(_load()[0]))


@lru_cache(maxsize=4096)
def resolve_country(text: str | None) -> str | None:
    """Alpha-2 code for a code, a name or an alias in English or French; ``None`` if unknown."""
    if not text:
        return None
    return _load()[1].get(country_key(text))


def country_name(code: str, lang: str = "en") -> str:
    """Short name of ``code`` in ``lang`` (``en`` or ``fr``; other languages fall back to English).

    Raises ``KeyError`` for a code that is not ISO 3166-1 alpha-2.
    """
    entry = _load()[0][code.upper()]
    return entry.get(lang, entry["en"])

"""Duplicate detection and organisation references (pure).

Rules, in order of strength:

* ``same_pic``: the candidate and an existing organisation have the same PIC (similarity 1.0).
* ``similar_name``: the normalised names are equal, or their ``difflib`` ratio is at least
  ``NAME_THRESHOLD`` (0.9), **and** the organisations are in the same city. Cities compare by
  folded words; a missing city on either side does not rule a match out (we cannot tell), so
  the user is asked to check.

``normalise_name`` folds case and accents, turns punctuation and apostrophes into spaces and
drops legal forms (association, SAS, SARL, SCOP...), ``ville de`` and short stop words (the, la,
le, les, de, du, des, d', l', et, and, of). A name made only of such words is kept whole.

``resolve_org_reference`` finds the organisation a tie file names by PIC, VAT or national
registry number, acronym or name (a city, when given, settles between namesakes); it answers
with one id or an error ("unknown", "ambiguous: matches X (city), Y (city)"), never a guess.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from consortium.directory.records import compact_registry_number
from consortium.errors import N_
from consortium.folding import words

NAME_THRESHOLD = 0.9

LEGAL_FORMS = frozenset(
    {
        "association",
        "asso",
        "assoc",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "sa",
        "sca",
        "sci",
        "scop",
        "scic",
        "scoop",
        "gie",
        "gip",
        "eirl",
        "ei",
        "selarl",
        "ltd",
        "limited",
        "gmbh",
        "inc",
        "llc",
        "plc",
        "bv",
        "nv",
        "spa",
        "srl",
        "ag",
        "cooperative",
        "loi",
        "1901",
    }
)
STOP_WORDS = frozenset(
    {
        "the",
        "la",
        "le",
        "les",
        "de",
        "du",
        "des",
        "d",
        "l",
        "et",
        "and",
        "of",
    }
)
_PREFIXES: tuple[tuple[str, ...], ...] = (("ville", "de"), ("ville", "d"), ("city", "of"))

Reason = Literal["same_pic", "similar_name"]


@dataclass(frozen=True, slots=True)
class Match:
    """An existing organisation that may be the same as the candidate."""

    id: Hashable
    reason: Reason
    similarity: float


class _Named(Protocol):
    name: str
    city: str
    pic: str | None


def normalise_name(name: str | None) -> str:
    """Comparable form of a name: ``"Association L'Atelier, SAS"`` -> ``"atelier"``."""
    tokens = words(name)
    for prefix in _PREFIXES:
        if tuple(tokens[: len(prefix)]) == prefix and len(tokens) > len(prefix):
            tokens = tokens[len(prefix) :]
    kept = [t for t in tokens if t not in LEGAL_FORMS and t not in STOP_WORDS]
    return " ".join(kept or tokens)


def _city_key(city: str | None) -> str:
    return " ".join(words(city))


def _pic_key(pic: str | None) -> str:
    return re.sub(r"\s+", "", pic or "")


def name_similarity(a: str, b: str) -> float:
    """``difflib`` ratio of two normalised names, rounded to 4 decimals (1.0 when equal)."""
    if a == b:
        return 1.0
    return round(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 4)


def find_duplicates(
    candidate: _Named | tuple[str, str | None, str | None],
    existing: Iterable[tuple[Hashable, str, str | None, str | None]],
    *,
    threshold: float = NAME_THRESHOLD,
) -> list[Match]:
    """Existing organisations ``(id, name, city, pic)`` that may duplicate ``candidate``.

    ``candidate`` is an ``OrganisationRecord`` (or anything with ``name``, ``city``, ``pic``) or a
    ``(name, city, pic)`` tuple. Order: PIC matches first, then by decreasing similarity, then by
    id (ids must be mutually comparable). An id appears at most once, with its strongest reason.
    """
    if isinstance(candidate, tuple):
        c_name, c_city, c_pic = candidate
    else:
        c_name, c_city, c_pic = candidate.name, candidate.city, candidate.pic
    name_key = normalise_name(c_name)
    city_key = _city_key(c_city)
    pic_key = _pic_key(c_pic)
    matches: dict[Hashable, Match] = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(name_key)
    for org_id, name, city, pic in existing:
        if pic_key and _pic_key(pic) == pic_key:
            matches[org_id] = Match(org_id, "same_pic", 1.0)
            continue
        other_city = _city_key(city)
        if city_key and other_city and city_key != other_city:
            continue
        other = normalise_name(name)
        if other == name_key:
            similarity = 1.0
        else:
            total = len(other) + len(name_key)
            if not total or 2 * min(len(other), len(name_key)) / total < threshold:
                continue
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            similarity = round(matcher.ratio(), 4)
            if similarity < threshold:
                continue
        if org_id not in matches:
            matches[org_id] = Match(org_id, "similar_name", similarity)
    rank = {"same_pic": 0, "similar_name": 1}
    return sorted(matches.values(), key=lambda m: (rank[m.reason], -m.similarity, m.id))


# ---------------------------------------------------------------------------------------------
# References to organisations in tie files

UNKNOWN_ORG = N_(
    "No organisation matches “%(value)s” (give its PIC, registry number, acronym or name)."
)
AMBIGUOUS_ORG = N_(
    "“%(value)s” is ambiguous: matches %(matches)s. Give its PIC, registry number or city."
)


@dataclass(frozen=True, slots=True)
class OrgRef:
    """Answer of ``resolve_org_reference``: an id, or an error template and its parameters."""

    id: Hashable | None
    template: str | None = None
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class OrgIndex:
    """Organisations by PIC, folded acronym and folded name (``build`` from rows)."""

    names: dict[Hashable, str] = field(default_factory=dict)
    cities: dict[Hashable, str] = field(default_factory=dict)
    by_pic: dict[str, list[Hashable]] = field(default_factory=dict)
    by_registry: dict[str, list[Hashable]] = field(default_factory=dict)
    by_acronym: dict[str, list[Hashable]] = field(default_factory=dict)
    by_name: dict[str, list[Hashable]] = field(default_factory=dict)

    @classmethod
    def build(cls, organisations: Iterable[tuple]) -> OrgIndex:
        """Index ``(id, name, acronym, pic)`` or ``(id, name, acronym, pic, registry, city)``."""
        index = cls()
        for row in organisations:
            org_id, name, acronym, pic = row[:4]
            registry, city = (*row[4:6], None, None)[:2]
            index.names[org_id] = name
            if city:
                index.cities[org_id] = city
            if _registry_key(registry):
                index.by_registry.setdefault(_registry_key(registry), []).append(org_id)
            if _pic_key(pic):
                index.by_pic.setdefault(_pic_key(pic), []).append(org_id)
            if acronym and _acronym_key(acronym):
                index.by_acronym.setdefault(_acronym_key(acronym), []).append(org_id)
            if " ".join(words(name)):
                index.by_name.setdefault(" ".join(words(name)), []).append(org_id)
        return index


def _acronym_key(text: str) -> str:
    return "".join(words(text))


def _registry_key(text: str | None) -> str:
    """VAT or registry number without spaces, dots, dashes or a two-letter country prefix,
    upper case (``""`` if none): ``"FR 12.345.678.901"`` and ``"12345678901"`` compare equal."""
    value = re.sub(r"^[A-Z]{2}(?=\d)", "", compact_registry_number(text or ""))
    return value if sum(ch.isdigit() for ch in value) >= 5 else ""


def resolve_org_reference(
    text: str | None, index: OrgIndex, *, city: str | None = None, limit: int = 5
) -> OrgRef:
    """The one organisation ``text`` names by PIC, registry number, acronym or name.

    A 9-digit text is looked up as a PIC first, then as a VAT or registry number. Acronym and
    name matches are pooled; ``city`` (folded) keeps those in that city. If more than one
    organisation remains, the answer is ``AMBIGUOUS_ORG`` listing names and cities (at most
    ``limit``, sorted), never a guess. Case and accents are ignored throughout.
    """
    value = (text or "").strip()
    shown = value if len(value) <= 60 else value[:59] + "…"
    if not value:
        return OrgRef(None, UNKNOWN_ORG, {"value": shown})
    found: list[Hashable] = []
    compact = _pic_key(value)
    if len(compact) == 9 and compact.isdigit():
        found = list(index.by_pic.get(compact, []))
    if not found and _registry_key(value):
        found = list(index.by_registry.get(_registry_key(value), []))
    if not found:
        for org_id in (
            *index.by_acronym.get(_acronym_key(value), []),
            *index.by_name.get(" ".join(words(value)), []),
        ):
            if org_id not in found:
                found.append(org_id)
    if len(found) > 1 and _city_key(city):
        in_city = [i for i in found if _city_key(index.cities.get(i)) == _city_key(city)]
        found = in_city or found
    if len(found) == 1:
        return OrgRef(found[0])
    if not found:
        return OrgRef(None, UNKNOWN_ORG, {"value": shown})
    names = sorted(
        f"{index.names[i]} ({index.cities[i]})" if index.cities.get(i) else index.names[i]
        for i in found
    )
    listed = ", ".join(names[:limit]) + (", …" if len(names) > limit else "")
    return OrgRef(None, AMBIGUOUS_ORG, {"value": shown, "matches": listed})

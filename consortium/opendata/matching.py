"""Which directory organisation an open-data organisation is (pure).

Evidence, strongest first:

1. ``pic``: the same PIC -> automatic match;
2. ``registry``: the same VAT or national registry number (compared without spaces, dots or
   the country prefix) -> automatic match;
3. ``name``: names compared with rapidfuzz's ``token_sort_ratio`` on ``normalise_name`` (accents,
   case, legal forms and stop words removed), acronyms compared with short names, only within
   the same country; a name that holds all the words of the other (``token_set_ratio``,
   ``partial_name``) or an equal acronym (``acronym``) only ever goes to review. An automatic
   match needs a score of at least ``AUTO_SCORE`` (97), the
   same city, no runner-up within ``MARGIN`` points and no PIC that says otherwise; anything
   from ``REVIEW_SCORE`` (85) up goes to the review queue for a person to decide.

Two organisations with different PICs are different legal entities; a name match between
them only ever goes to review.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy
from rapidfuzz import fuzz, process

from consortium.directory.dedupe import normalise_name
from consortium.directory.records import compact_registry_number
from consortium.folding import words

AUTO_SCORE = 97.0
REVIEW_SCORE = 85.0
MARGIN = 3.0

Status = Literal["auto", "review", "none"]


@dataclass(frozen=True, slots=True)
class Known:
    """A directory organisation as matching sees it."""

    id: int
    name: str
    country: str
    city: str | None = None
    acronym: str | None = None
    pic: str | None = None
    registry_number: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """An open-data organisation to place."""

    key: str
    name: str
    country: str
    city: str | None = None
    short_name: str | None = None
    pic: str | None = None
    registry_number: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    key: str
    status: Status
    organisation_id: int | None = None
    reason: str | None = None  # pic | registry | name | partial_name | acronym
    score: float | None = None


def registry_key(number: str | None, country: str | None = None) -> str:
    """Comparable registry number: alphanumerics upper-cased, the country prefix dropped."""
    value = compact_registry_number(number or "")
    prefix = (country or "").upper()
    if prefix == "GR":
        prefix = "EL"  # Greek VAT numbers start with EL
    for start in {prefix, (country or "").upper()} - {""}:
        if value.startswith(start) and len(value) > len(start) + 3:
            return value[len(start) :]
    return value


def _city(text: str | None) -> str:
    return " ".join(words(text))


class Matcher:
    """Indexes the directory once; ``decide`` then places each candidate."""

    def __init__(self, known: Iterable[Known]) -> None:
        self.by_pic: dict[str, int] = {}
        self.by_registry: dict[str, list[int]] = defaultdict(list)
        self.by_country: dict[str, list[Known]] = defaultdict(list)
        self.keys: dict[str, list[str]] = {}
        self.acronyms: dict[str, dict[str, list[Known]]] = defaultdict(lambda: defaultdict(list))
        self.pics: dict[int, str | None] = {}
        for org in known:
            self.pics[org.id] = org.pic
            if org.pic:
                self.by_pic[org.pic] = org.id
            if org.registry_number:
                self.by_registry[registry_key(org.registry_number, org.country)].append(org.id)
            self.by_country[org.country.upper()].append(org)
            if org.acronym and len("".join(words(org.acronym))) >= 3:
                self.acronyms[org.country.upper()]["".join(words(org.acronym))].append(org)
        for country, orgs in self.by_country.items():
            self.keys[country] = [normalise_name(o.name) for o in orgs]

    def decide(self, candidate: Candidate) -> Decision:
        return self.decide_many([candidate])[0]

    def _by_identifier(self, candidate: Candidate) -> Decision | None:
        if candidate.pic and candidate.pic in self.by_pic:
            return Decision(candidate.key, "auto", self.by_pic[candidate.pic], "pic", 100.0)
        if candidate.registry_number:
            found = self.by_registry.get(
                registry_key(candidate.registry_number, candidate.country), []
            )
            if len(found) == 1:
                return Decision(candidate.key, "auto", found[0], "registry", 100.0)
            if len(found) > 1:
                return Decision(candidate.key, "review", min(found), "registry", 100.0)
        return None

    def decide_many(self, candidates: Sequence[Candidate], *, chunk: int = 2000) -> list[Decision]:
        """Decisions in the order of ``candidates``; names are compared a block at a time
        (rapidfuzz ``cdist`` over one country's directory, both cores)."""
        decisions: list[Decision | None] = [None] * len(candidates)
        by_country: dict[str, list[int]] = defaultdict(list)
        for position, candidate in enumerate(candidates):
            decisions[position] = self._by_identifier(candidate)
            if decisions[position] is None:
                by_country[candidate.country.upper()].append(position)
        for country, positions in by_country.items():
            keys = self.keys.get(country)
            for start in range(0, len(positions), chunk):
                part = positions[start : start + chunk]
                queries = [normalise_name(candidates[i].name) for i in part]
                rows: list[list[tuple[int, float]]] = [[] for _ in part]
                if keys:
                    matrix = process.cdist(
                        queries,
                        keys,
                        scorer=fuzz.token_set_ratio,
                        score_cutoff=REVIEW_SCORE,
                        dtype=numpy.uint8,
                        workers=-1,
                    )
                    for row, column in zip(*matrix.nonzero(), strict=True):
                        rows[row].append((int(column), float(matrix[row, column])))
                for offset, position in enumerate(part):
                    hits = sorted(rows[offset], key=lambda hit: -hit[1])[:5]
                    decisions[position] = self._by_name(
                        candidates[position], queries[offset], country, hits
                    )
        return [d for d in decisions if d is not None]

    def _by_name(
        self, candidate: Candidate, query: str, country: str, hits: list[tuple[int, float]]
    ) -> Decision:
        orgs = self.by_country.get(country, [])
        keys = self.keys.get(country, [])
        # token_set finds "Protisvalor" in "Protisvalor Méditerranée" (review at most);
        # token_sort, which counts every word, decides automatic matches.
        scored = [
            (
                max(REVIEW_SCORE, float(fuzz.token_sort_ratio(query, key))),
                orgs[index],
                "name" if fuzz.token_sort_ratio(query, key) >= REVIEW_SCORE else "partial_name",
            )
            for index, _score in hits
            for key in (keys[index],)
        ]
        short = "".join(words(candidate.short_name))
        if len(short) >= 3:
            for org in self.acronyms.get(country, {}).get(short, []):
                scored.append((REVIEW_SCORE, org, "acronym"))
        if not scored:
            return Decision(candidate.key, "none")
        scored.sort(key=lambda hit: (-hit[0], hit[1].id))
        score, best, reason = scored[0]
        runner_up = next((s for s, org, _r in scored[1:] if org.id != best.id), 0.0)
        same_city = bool(_city(candidate.city)) and _city(candidate.city) == _city(best.city)
        other_pic = bool(candidate.pic and best.pic and candidate.pic != best.pic)
        status: Status = (
            "auto"
            if reason == "name"
            and score >= AUTO_SCORE
            and same_city
            and score - runner_up >= MARGIN
            and not other_pic
            else "review"
        )
        return Decision(candidate.key, status, best.id, reason, round(score, 1))


def decide_all(known: Sequence[Known], candidates: Sequence[Candidate]) -> list[Decision]:
    return Matcher(known).decide_many(candidates)

"""French and English text analysis for the partner fit: Snowball stems and thesaurus concepts.

Organisation descriptions are mostly French while LIFE topics are English, so plain word overlap
misses that ``toiture végétalisée`` is a ``green roof``. Two tools bridge the languages:

* **Snowball stemming** (PyStemmer) in each text's own language, so ``renovating`` meets
  ``renovation`` and ``rénovations`` meets ``rénovation``;
* **concepts** of GEMET, the European Environment Agency's multilingual environmental
  thesaurus (``data/gemet/``, about 5,200 concepts with an English and a French label and their
  broader links), plus the few domain terms GEMET lacks or names differently
  (``data/thesaurus.json``: synonyms such as ``réemploi`` added to a GEMET concept, and concepts
  such as ``one-stop shop``). A French text and an English text that name the same concept share
  its id.

Matching is deterministic: text is cut into segments at sentence punctuation (a phrase never
spans two sentences) and every label is matched as a phrase of stems in the text's language
(guessed from its function words). Labels of the other language are matched too, for the
keywords and quotes a text borrows from it, but a one-word label only as written (``pollution``
in both; the English ``urban`` does not meet the French ``urbanisme`` through a shared stem). A
concept's ``exclude`` phrases cancel matches inside them (``capacity building`` is not about
construction).

Pure module: no Flask, no database.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from sys import intern
from typing import NamedTuple

import Stemmer

from consortium.folding import fold

DATA_DIR = Path(__file__).resolve().parent / "data"
THESAURUS_PATH = DATA_DIR / "thesaurus.json"
GEMET_PATH = DATA_DIR / "gemet" / "gemet.json.gz"

_SEGMENT_BREAK = re.compile(r"[.;:!?,()\[\]{}\n\r\t\u2022|/]+")
_WORD = re.compile(r"[^\W\d_]+|\d+")
_QUALIFIER = re.compile(r"\s*\(([^)]*)\)\s*")

_EN_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    more most my no nor not now of off on once only or other our ours out over own same she should
    so some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours may must shall etc via per well within without across among upon toward towards
    including"""
_EN_STOP = frozenset(_EN_STOP_TEXT.split())
_FR_STOP_TEXT = """
    au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur
    leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses
    son sur ta te tes toi ton tu un une vos votre vous ete etre avoir sont est ont fait faire plus
    moins tres tout tous toute toutes autre autres aussi ainsi comme dont donc car entre chez sans
    sous vers selon depuis afin lors apres avant pendant cela ceci celle celui ceux celles si non
    oui peut peuvent doit doivent ici"""
_FR_STOP = frozenset(_FR_STOP_TEXT.split())
#: Words of every call text and project summary: they say nothing about who fits.
_BOILERPLATE_TEXT = """
    project projects projet projets proposal proposals action actions activity activities
    european europe union eu ue life programme program call topic topics objective objectives
    objectif objectifs support soutien new nouveau nouvelle general specific specifique section
    award criterion criteria document expected impact impacts result results resultat resultats
    will should"""
_BOILERPLATE = frozenset(_BOILERPLATE_TEXT.split())
STOP_WORDS: frozenset[str] = _EN_STOP | _FR_STOP | _BOILERPLATE

_STEMMERS = {"en": Stemmer.Stemmer("english"), "fr": Stemmer.Stemmer("french")}


def guess_language(words: Iterable[str]) -> str:
    """``"fr"`` when a text has more French than English function words, else ``"en"``.

    A German or Italian text gets English stems: its words then simply match little.
    """
    en = fr = 0
    for word in words:
        en += word in _EN_STOP
        fr += word in _FR_STOP
    return "fr" if fr > en else "en"


def _content_words(seg: list[str], seg_stems: list[str]) -> Iterator[tuple[str, str]]:
    """(word, stem) of the content words: stop words, digits and words under 3 letters left
    out."""
    for word, stem in zip(seg, seg_stems, strict=True):
        folded = word if word.isascii() else _folded(word)
        if len(word) >= 3 and not word.isdigit() and folded not in STOP_WORDS:
            yield word, stem


class _Context:
    """The stems of a whole text, read only when a qualified term is met: "cell (energy)"
    and "cell (biology)" share their word, and the text's other words tell which is meant."""

    def __init__(self, stemmed: list[dict[str, list[str]]]) -> None:
        self._stemmed = stemmed
        self._stems: dict[str, frozenset[str]] = {}

    def names(self, sense: frozenset[str], language: str) -> bool:
        """Whether the text holds one of ``sense``'s stems (in ``language``)."""
        if language not in self._stems:
            self._stems[language] = frozenset(s for seg in self._stemmed for s in seg[language])
        return not sense.isdisjoint(self._stems[language])


def stems(words: list[str], language: str) -> list[str]:
    """Snowball stems of lower-cased words, accents folded after stemming."""
    return [s if s.isascii() else _folded(s) for s in _STEMMERS[language].stemWords(words)]


@lru_cache(maxsize=1 << 16)
def _folded(word: str) -> str:
    """One word folded, once per distinct word: a directory's texts share a small vocabulary,
    and folding is most of the cost of reading them."""
    return fold(word)


def _segments(text: str) -> list[list[str]]:
    """Lower-cased words of ``text`` (accents kept for the stemmers), one list per segment."""
    out = []
    for part in _SEGMENT_BREAK.split(text.lower()):
        found = _WORD.findall(part)
        if found:
            out.append(found)
    return out


@dataclass(frozen=True)
class Concept:
    """One concept: the same idea in English and French."""

    id: str
    en: tuple[str, ...]
    fr: tuple[str, ...]
    themes: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()
    # broader concepts this one is a kind of (``reuse`` -> ``circular economy``): a topic asking
    # for the broader concept is met, at a discount, by an organisation naming the narrower one
    broader: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """English display label."""
        return self.en[0]

    @property
    def label_fr(self) -> str:
        """French display label."""
        return self.fr[0]

    def label_in(self, language: str) -> str:
        """The label in ``language`` (``fr`` or anything else for English)."""
        return self.label_fr if language.startswith("fr") else self.label


@dataclass(frozen=True)
class TextAnalysis:
    """What the fit reads in one text. Plain dicts of strings and numbers: the index keeps one
    analysis per text of the directory, and the garbage collector stops walking such dicts
    (a ``Counter`` it would walk at every full collection)."""

    language: str
    #: content-word stems (stop words, digits and words under 3 letters left out) with counts
    words: dict[str, int] = field(default_factory=dict)
    #: concept id -> number of mentions, in order of first mention
    concepts: dict[str, int] = field(default_factory=dict)
    #: concept id -> the term found first, as written in the thesaurus
    found: dict[str, str] = field(default_factory=dict)


class _Entry(NamedTuple):
    """One thesaurus term of one language, as the phrase index keeps it."""

    phrase: tuple[str, ...]  # stems
    cid: str
    term: str
    exclusion: bool
    single: str  # folded word of a one-word term, "" otherwise
    sense: frozenset[str]  # stems of its qualifier: "cell (energy)" -> {"energi"}


class Thesaurus:
    """Concepts plus, per language, a phrase index keyed by first stem."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts: dict[str, Concept] = {}
        # per language: the phrases' entries by their stems, and each first stem's phrase
        # lengths, so a word is looked up once per length ("environment" starts 137 English
        # phrases of four lengths), not compared with every phrase it starts
        self._phrases: dict[str, dict[tuple[str, ...], list[_Entry]]] = {"en": {}, "fr": {}}
        self._lengths: dict[str, dict[str, tuple[int, ...]]] = {"en": {}, "fr": {}}
        for concept in concepts:
            if concept.id in self.concepts:
                raise ValueError(f"duplicate concept id {concept.id!r}")
            if not concept.en or not concept.fr:
                raise ValueError(f"concept {concept.id!r} needs English and French terms")
            self.concepts[concept.id] = concept
            for language, terms in (("en", concept.en), ("fr", concept.fr)):
                for term in terms:
                    self._add(language, term, concept.id, False)
                for term in concept.exclude:
                    self._add(language, term, concept.id, True)
        self.narrower: dict[str, set[str]] = {}
        for concept in self.concepts.values():
            for parent in concept.broader:
                if parent not in self.concepts or parent == concept.id:
                    raise ValueError(f"concept {concept.id!r}: unknown broader {parent!r}")
                self.narrower.setdefault(parent, set()).add(concept.id)

    def _add(self, language: str, term: str, cid: str, exclusion: bool) -> None:
        words = [w for seg in _segments(_QUALIFIER.sub(" ", term)) for w in seg]
        if not words or (len(words) == 1 and len(words[0]) < 3):
            return
        phrase = tuple(stems(words, language))
        entries = self._phrases[language].setdefault(phrase, [])
        if not any(entry.cid == cid for entry in entries):
            single = fold(words[0]) if len(words) == 1 else ""
            qualifier = [w for seg in _segments(" ".join(_QUALIFIER.findall(term))) for w in seg]
            sense = frozenset(
                stem for _word, stem in _content_words(qualifier, stems(qualifier, language))
            )
            entries.append(_Entry(phrase, cid, term, exclusion, single, sense))
            lengths = self._lengths[language]
            lengths[phrase[0]] = tuple(sorted({*lengths.get(phrase[0], ()), len(phrase)}))

    def __len__(self) -> int:
        return len(self.concepts)

    def analyse(self, text: str | None) -> TextAnalysis:
        """Words and concepts of ``text`` (any language; empty text gives empty counts)."""
        segs = _segments(text or "")
        language = guess_language(w for seg in segs for w in seg)
        result = TextAnalysis(language)
        stemmed = [{lang: stems(seg, lang) for lang in ("en", "fr")} for seg in segs]
        context = _Context(stemmed)
        for seg, by_language in zip(segs, stemmed, strict=True):
            for _word, stem in _content_words(seg, by_language[language]):
                # interned: a directory's texts share a small vocabulary, and the index
                # keeps every text's analysis (one copy of each stem, not one per text)
                stem = intern(stem)
                result.words[stem] = result.words.get(stem, 0) + 1
            self._match(seg, by_language, language, result, context)
        return result

    def written_words(self, text: str | None) -> tuple[str, dict[str, str]]:
        """The language :meth:`analyse` reads ``text`` in, and per content stem the first word
        that gave it, lower-cased with its accents: the fit's reasons show the words of the
        topic and needs as written. Kept apart from the analysis: the index keeps thousands
        of analyses and needs none of their spellings."""
        segs = _segments(text or "")
        language = guess_language(w for seg in segs for w in seg)
        written: dict[str, str] = {}
        for seg in segs:
            for word, stem in _content_words(seg, stems(seg, language)):
                written.setdefault(stem, word)
        return language, written

    def _phrases_in(self, language: str, seg: list[str]) -> Iterator[tuple[int, _Entry]]:
        """The thesaurus phrases of ``language`` that the stems ``seg`` hold, with their start."""
        phrases, lengths = self._phrases[language], self._lengths[language]
        for start, first in enumerate(seg):
            for length in lengths.get(first, ()):
                for entry in phrases.get(tuple(seg[start : start + length]), ()):
                    yield start, entry

    def _match(
        self,
        words: list[str],
        by_language: Mapping[str, list[str]],
        own_language: str,
        result: TextAnalysis,
        context: _Context,
    ) -> None:
        found: list[tuple[int, _Entry]] = []
        # qualified terms met at one place: "cell (biology)", "cell (energy)"
        senses: dict[tuple[str, int, tuple[str, ...]], list[_Entry]] = {}
        for language, seg in by_language.items():
            for start, entry in self._phrases_in(language, seg):
                single = entry.single
                if single and language != own_language and _folded(words[start]) != single:
                    continue
                if entry.sense:
                    senses.setdefault((language, start, entry.phrase), []).append(entry)
                else:
                    found.append((start, entry))
        for (language, start, _phrase), met in senses.items():
            # where senses share the word, those whose qualifier the text names ("battery
            # cells for energy storage"); a text that names none keeps every sense, as it
            # cannot tell, and a word of one sense needs no telling
            named = [e for e in met if context.names(e.sense, language)] if len(met) > 1 else []
            found.extend((start, entry) for entry in named or met)
        hits: list[tuple[int, int, str, str]] = []
        excluded: dict[str, list[tuple[int, int]]] = {}
        for start, entry in found:
            end = start + len(entry.phrase)
            if entry.exclusion:
                excluded.setdefault(entry.cid, []).append((start, end))
            else:
                hits.append((start, end, entry.cid, entry.term))
        seen: set[tuple[int, str]] = set()  # one mention per position, whichever language
        for start, end, cid, term in sorted(hits):
            spans = excluded.get(cid, ())
            if (start, cid) in seen or any(s <= start and end <= e for s, e in spans):
                continue
            seen.add((start, cid))
            result.concepts[cid] = result.concepts.get(cid, 0) + 1
            result.found.setdefault(cid, term)

    def match(self, text: str | None) -> dict[str, str]:
        """Concepts found in ``text``: concept id -> term found first, in order of mention."""
        return self.analyse(text).found

    def concept_ids(self, text: str | None) -> frozenset[str]:
        """Ids of the concepts found in ``text``."""
        return frozenset(self.analyse(text).concepts)

    def with_narrower(self, concept_ids: Iterable[str], depth: int = 1) -> dict[str, int]:
        """``concept_ids`` (level 0) and the concepts up to ``depth`` levels narrower (1, 2…)."""
        levels = dict.fromkeys(concept_ids, 0)
        frontier = list(levels)
        for level in range(1, depth + 1):
            following = []
            for cid in frontier:
                for child in sorted(self.narrower.get(cid, ())):
                    if child not in levels:
                        levels[child] = level
                        following.append(child)
            frontier = following
        return levels

    def themes_of(self, concept_ids: Iterable[str]) -> frozenset[str]:
        """Theme codes linked to the given concepts."""
        out: set[str] = set()
        for cid in concept_ids:
            concept = self.concepts.get(cid)
            if concept is not None:
                out |= concept.themes
        return frozenset(out)

    def describe(
        self, ids: Iterable[str], found: Mapping[str, str] | None = None, language: str = "en"
    ) -> str:
        """``"reuse (réemploi), construction"``: labels in ``language`` plus the term found
        when it reads differently."""
        parts = []
        for cid in ids:
            concept = self.concepts[cid]
            label = concept.label_in(language)
            term = (found or {}).get(cid)
            same = term is None or fold(term) == fold(label)
            shown = label if same else f"{label} ({term})"
            if shown not in parts:  # two concepts may share a label in one language
                parts.append(shown)
        return ", ".join(parts)


def concepts_from_documents(
    gemet: Mapping[str, object], domain: Mapping[str, object]
) -> list[Concept]:
    """GEMET's concepts, with the domain file's extra terms merged in, and its own concepts.

    A domain entry with ``"gemet": "<id>"`` adds synonyms, themes and exclusions to that GEMET
    concept; an entry with an ``"id"`` of its own is a concept GEMET lacks.
    """
    rows = gemet.get("concepts")
    entries = domain.get("concepts")
    if not isinstance(rows, list) or not isinstance(entries, list):
        raise ValueError("thesaurus: 'concepts' must be a list")
    extra: dict[str, Mapping[str, object]] = {}
    own: list[Mapping[str, object]] = []
    for entry in entries:
        if "gemet" in entry:
            extra[f"gemet:{entry['gemet']}"] = entry
        else:
            own.append(entry)
    known = {f"gemet:{row[0]}" for row in rows}
    out = []
    for cid, en, fr, broader in rows:
        key = f"gemet:{cid}"
        more = extra.get(key, {})
        out.append(
            Concept(
                id=key,
                en=(en, *more.get("en", ())),
                fr=(fr, *more.get("fr", ())),
                themes=frozenset(more.get("themes", ())),
                exclude=tuple(more.get("exclude", ())),
                broader=tuple(f"gemet:{b}" for b in broader)
                + tuple(b for b in more.get("broader", ()) if b not in broader),
            )
        )
    for entry in own:
        out.append(
            Concept(
                id=str(entry["id"]),
                en=tuple(entry.get("en", ())),
                fr=tuple(entry.get("fr", ())),
                themes=frozenset(entry.get("themes", ())),
                exclude=tuple(entry.get("exclude", ())),
                broader=tuple(entry.get("broader", ())),
            )
        )
    unknown = set(extra) - known
    if unknown:
        raise ValueError(f"thesaurus: unknown GEMET ids {sorted(unknown)}")
    return out


def load_thesaurus(
    domain_path: Path | str | None = None, gemet_path: Path | str | None = None
) -> Thesaurus:
    """Compile GEMET plus a domain file (the shipped ones by default)."""
    with gzip.open(gemet_path or GEMET_PATH, "rt", encoding="utf-8") as fh:
        gemet = json.load(fh)
    with open(domain_path or THESAURUS_PATH, encoding="utf-8") as fh:
        domain = json.load(fh)
    return Thesaurus(concepts_from_documents(gemet, domain))


@cache
def default_thesaurus() -> Thesaurus:
    """The shipped thesaurus, compiled once per process (read-only reference data)."""
    return load_thesaurus()

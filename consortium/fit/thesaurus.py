"""Bilingual (French/English) LIFE thesaurus and the text matching built on it.

Organisation descriptions are mostly French while LIFE topic texts are English, so plain word
overlap misses that ``réemploi`` is ``reuse``. The thesaurus (``data/thesaurus.json``) maps both
languages onto shared concept ids. Matching is deterministic and cheap:

* text is folded (``consortium.folding.fold``: case and accents dropped) and cut into segments
  at sentence punctuation, so a phrase never spans two sentences (appending text therefore never
  removes an earlier match);
* each word gets a light plural/feminine folding (:func:`stem`), applied alike to the terms and
  to the text, so ``jardins partagés`` matches ``jardin partagé``;
* every term is matched as a phrase of stems; a concept's ``exclude`` phrases cancel matches
  inside them (``capacity building`` is not about construction).

Pure module: no Flask, no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from consortium.folding import fold

DATA_DIR = Path(__file__).resolve().parent / "data"
THESAURUS_PATH = DATA_DIR / "thesaurus.json"

_SEGMENT_BREAK = re.compile(r"[.;:!?,()\[\]{}\n\r\t\u2022|]+")
_WORD = re.compile(r"[0-9a-z]+")

# Function words of both languages plus words found in every call text; used only for the
# word-overlap similarity, never for phrase matching.
_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just more most my no
    nor not now of off on once only or other our ours out over own same she should so some such than
    that the their theirs them then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours may must
    shall etc e g ie eg via per well within without across among upon toward towards including
    au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs
    lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son
    sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y ete etre avoir sont est ont
    fait faire plus moins tres tout tous toute toutes autre autres aussi ainsi comme dont donc car
    entre chez sans sous vers selon depuis afin lors apres avant pendant leur cela ceci celle celui
    ceux celles si non oui peut peuvent doit doivent ici la
    project projects projet projets proposal proposals action actions activity activities
    european europe union eu ue life programme program call topic topics objective objectives
    objectif objectifs support soutien new nouveau nouvelle general specific specifique section
    award criterion criteria document expected impact impacts
    """
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())


def stem(word: str) -> str:
    """Fold plural and feminine endings of an already folded word (``arbres`` -> ``arbre``).

    Applied to terms and texts alike, so it only needs to be consistent, not linguistic.
    """
    n = len(word)
    if n >= 5 and word.endswith("ies"):
        return word[:-3] + "y"
    if n >= 4 and word.endswith("eaux"):
        return word[:-1]
    if n >= 5 and word.endswith("aux"):
        return word[:-1]
    if n >= 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
        n -= 1
    if n >= 6 and word.endswith("ee"):
        word = word[:-1]
    return word


# folded word -> (stem, stem if it is a content word else "")
_word_cache: dict[str, tuple[str, str]] = {}
_CACHE_LIMIT = 200_000


def _word_info(word: str) -> tuple[str, str]:
    info = _word_cache.get(word)
    if info is None:
        stemmed = stem(word)
        content = len(word) >= 3 and word not in STOP_WORDS and not word.isdigit()
        info = (stemmed, stemmed if content else "")
        if len(_word_cache) < _CACHE_LIMIT:
            _word_cache[word] = info
    return info


_fold_cache: dict[str, str] = {}


def fast_fold(text: str | None) -> str:
    """Same result as ``consortium.folding.fold``, with a per-word cache.

    Folding works character by character, so folding space-separated pieces separately gives
    the same text; caching the pieces makes ranking thousands of descriptions cheap.
    """
    if not text:
        return ""
    if text.isascii():
        return text.lower()
    out = []
    cache = _fold_cache
    for piece in text.split(" "):
        folded = cache.get(piece)
        if folded is None:
            folded = fold(piece)
            if len(cache) < _CACHE_LIMIT:
                cache[piece] = folded
        out.append(folded)
    return " ".join(out)


def _analyse_folded(folded: str) -> tuple[list[list[str]], dict[str, str]]:
    """Stemmed segments and content-stem -> first word, in one pass over the words."""
    segs: list[list[str]] = []
    forms: dict[str, str] = {}
    if not folded:
        return segs, forms
    cache = _word_cache
    for part in _SEGMENT_BREAK.split(folded):
        found = _WORD.findall(part)
        if not found:
            continue
        seg = []
        for word in found:
            info = cache.get(word) or _word_info(word)
            seg.append(info[0])
            if info[1] and info[1] not in forms:
                forms[info[1]] = word
        segs.append(seg)
    return segs, forms


# A space-separated piece of raw text -> its words as (stem, content stem or "", folded word),
# with None marking a segment break. Folding, punctuation and words never cross a space, so
# analysing pieces one by one gives exactly ``_analyse_folded(fold(text))``.
_Piece = tuple[tuple[str, str, str] | None, ...]
_piece_cache: dict[str, _Piece] = {}


def _piece_info(piece: str) -> _Piece:
    items: list[tuple[str, str, str] | None] = []
    for position, part in enumerate(_SEGMENT_BREAK.split(fold(piece))):
        if position:
            items.append(None)
        for word in _WORD.findall(part):
            stemmed, content = _word_info(word)
            items.append((stemmed, content, word))
    return tuple(items)


def analyse_text(text: str | None) -> tuple[list[list[str]], dict[str, str]]:
    """Stemmed segments of ``text`` and its content stems -> first folded word.

    Equal to ``(segments(text), token_forms(text))``, computed in one cached pass.
    """
    segs: list[list[str]] = []
    forms: dict[str, str] = {}
    if not text:
        return segs, forms
    cache = _piece_cache
    seg: list[str] = []
    for piece in text.split(" "):
        info = cache.get(piece)
        if info is None:
            info = _piece_info(piece)
            if len(cache) < _CACHE_LIMIT:
                cache[piece] = info
        for item in info:
            if item is None:
                if seg:
                    segs.append(seg)
                    seg = []
                continue
            seg.append(item[0])
            content = item[1]
            if content and content not in forms:
                forms[content] = item[2]
    if seg:
        segs.append(seg)
    return segs, forms


def segments(text: str | None) -> list[list[str]]:
    """Stemmed words of ``text``, one list per sentence-like segment."""
    return analyse_text(text)[0]


def token_forms(text: str | None) -> dict[str, str]:
    """Content stems of ``text`` mapped to the first folded word that gave them.

    Stop words, digits and words under 3 letters are dropped.
    """
    return analyse_text(text)[1]


def tokens(text: str | None) -> frozenset[str]:
    """Content stems of ``text`` (see :func:`token_forms`)."""
    return frozenset(token_forms(text))


@dataclass(frozen=True)
class Concept:
    """One thesaurus entry: the same idea in English and French."""

    id: str
    en: tuple[str, ...]
    fr: tuple[str, ...]
    themes: frozenset[str] = frozenset()
    generic: bool = False
    exclude: tuple[str, ...] = ()
    # broader concepts this one is a kind of (``reuse`` -> ``circular_economy``): a topic
    # asking for the broader concept is matched by an organisation naming the narrower one
    broader: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """English display label (first English term)."""
        return self.en[0]

    @property
    def label_fr(self) -> str:
        """French display label (first French term)."""
        return self.fr[0]

    @property
    def weight(self) -> float:
        """Generic concepts (found in most call texts) count half in relevance."""
        return 0.5 if self.generic else 1.0


def _phrase(term: str) -> tuple[str, ...]:
    return tuple(w for seg in segments(term) for w in seg)


class Thesaurus:
    """Compiled thesaurus: concepts plus a phrase index keyed by first stem."""

    #: Texts whose analysis :meth:`analysis` keeps (oldest dropped first beyond this).
    ANALYSIS_CACHE_SIZE = 50_000

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts: dict[str, Concept] = {}
        self._described: dict[tuple[str, str], str] = {}
        # text -> (matches, token forms): see ``analysis``
        self._analysed: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        # first stem -> list of (phrase stems, concept id, term as written, is_exclusion)
        self._index: dict[str, list[tuple[tuple[str, ...], str, str, bool]]] = {}
        for concept in concepts:
            if concept.id in self.concepts:
                raise ValueError(f"duplicate concept id {concept.id!r}")
            if not concept.en or not concept.fr:
                raise ValueError(f"concept {concept.id!r} needs English and French terms")
            self.concepts[concept.id] = concept
            seen: set[tuple[str, ...]] = set()
            for term in (*concept.en, *concept.fr):
                self._add(_phrase(term), concept.id, term, False, seen)
            for term in concept.exclude:
                self._add(_phrase(term), concept.id, term, True, set())
        self._first_words = frozenset(self._index)
        for concept in self.concepts.values():
            for parent in concept.broader:
                if parent not in self.concepts or parent == concept.id:
                    raise ValueError(f"concept {concept.id!r}: unknown broader {parent!r}")

    def _add(
        self, phrase: tuple[str, ...], cid: str, term: str, excl: bool, seen: set[tuple[str, ...]]
    ) -> None:
        if not phrase or phrase in seen:
            return
        seen.add(phrase)
        self._index.setdefault(phrase[0], []).append((phrase, cid, term, excl))

    def __len__(self) -> int:
        return len(self.concepts)

    def match(self, text: str | None) -> dict[str, str]:
        """Concepts found in ``text``: concept id -> thesaurus term that matched first.

        Keys are in order of first appearance in the text.
        """
        return self._match(segments(text))

    def analyse(self, text: str | None) -> tuple[dict[str, str], dict[str, str]]:
        """``(match(text), token_forms(text))`` with a single folding of ``text``."""
        matches, forms = self.analysis(text)
        return dict(matches), dict(forms)

    def analysis(self, text: str | None) -> tuple[dict[str, str], dict[str, str]]:
        """Like :meth:`analyse`, cached by text: the dicts are shared, **never mutate them**.

        The cache is keyed on the text itself, so an organisation whose description changes is
        analysed afresh (its old entry simply ages out); it belongs to this thesaurus, so a
        different thesaurus never sees it. Ranking the same directory again (every visit of the
        ranking page) then skips the text analysis of the unchanged organisations.
        """
        key = text or ""
        cache = self._analysed
        found = cache.get(key)
        if found is None:
            segs, forms = analyse_text(key)
            found = (self._match(segs), forms)
            if len(cache) >= self.ANALYSIS_CACHE_SIZE:
                # oldest first (dicts keep insertion order); threads may race here
                with suppress(RuntimeError, StopIteration):
                    cache.pop(next(iter(cache)), None)
            cache[key] = found
        return found

    def clear_analysis_cache(self) -> None:
        """Forget the texts analysed so far (benchmarks measure the first ranking with it)."""
        self._analysed.clear()

    def _match(self, segs: list[list[str]]) -> dict[str, str]:
        found: dict[str, str] = {}
        index = self._index
        first_words = self._first_words
        for seg in segs:
            present = first_words.intersection(seg)
            if not present:
                continue
            hits: list[tuple[int, int, str, str]] = []
            excluded: dict[str, list[tuple[int, int]]] = {}
            size = len(seg)
            for i, word in enumerate(seg):
                if word not in present:
                    continue
                for phrase, cid, term, excl in index[word]:
                    end = i + len(phrase)
                    if end - i > 1 and (end > size or tuple(seg[i:end]) != phrase):
                        continue
                    if excl:
                        excluded.setdefault(cid, []).append((i, end))
                    else:
                        hits.append((i, end, cid, term))
            for start, end, cid, term in hits:
                if cid in found:
                    continue
                spans = excluded.get(cid)
                if spans and any(s <= start and end <= e for s, e in spans):
                    continue
                found[cid] = term
        return found

    def concept_ids(self, text: str | None) -> frozenset[str]:
        """Ids of the concepts found in ``text``."""
        return frozenset(self.match(text))

    def with_narrower(self, concept_ids: Iterable[str]) -> frozenset[str]:
        """``concept_ids`` plus every concept that is (transitively) narrower than one of them."""
        found = set(concept_ids)
        changed = True
        while changed:
            changed = False
            for concept in self.concepts.values():
                if concept.id not in found and any(b in found for b in concept.broader):
                    found.add(concept.id)
                    changed = True
        return frozenset(found)

    def themes_of(self, concept_ids: Iterable[str]) -> frozenset[str]:
        """Theme codes linked to the given concepts."""
        out: set[str] = set()
        for cid in concept_ids:
            concept = self.concepts.get(cid)
            if concept is not None:
                out |= concept.themes
        return frozenset(out)

    def describe(self, matches: Mapping[str, str], ids: Iterable[str]) -> str:
        """``"reuse (réemploi), construction (BTP)"``: label plus the term actually found."""
        parts = []
        cache = self._described
        for cid in ids:
            concept = self.concepts[cid]
            term = matches.get(cid, concept.label)
            key = (cid, term)
            shown = cache.get(key)
            if shown is None:
                same = fast_fold(term) == fast_fold(concept.label)
                shown = concept.label if same else f"{concept.label} ({term})"
                cache[key] = shown
            parts.append(shown)
        return ", ".join(parts)


def concepts_from_json(data: Mapping[str, object]) -> list[Concept]:
    """Build concepts from the parsed ``thesaurus.json`` document."""
    raw = data.get("concepts")
    if not isinstance(raw, list):
        raise ValueError("thesaurus: 'concepts' must be a list")
    out = []
    for item in raw:
        out.append(
            Concept(
                id=str(item["id"]),
                en=tuple(item.get("en", ())),
                fr=tuple(item.get("fr", ())),
                themes=frozenset(item.get("themes", ())),
                generic=bool(item.get("generic", False)),
                exclude=tuple(item.get("exclude", ())),
                broader=tuple(item.get("broader", ())),
            )
        )
    return out


def load_thesaurus(path: Path | str | None = None) -> Thesaurus:
    """Load and compile a thesaurus file; the default file is compiled once and cached."""
    if path is None:
        return _default_thesaurus()
    with open(path, encoding="utf-8") as fh:
        return Thesaurus(concepts_from_json(json.load(fh)))


@lru_cache(maxsize=1)
def _default_thesaurus() -> Thesaurus:
    with open(THESAURUS_PATH, encoding="utf-8") as fh:
        return Thesaurus(concepts_from_json(json.load(fh)))

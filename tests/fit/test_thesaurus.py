"""GEMET + domain terms, French and English stems: what matches what, and the data files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.fit.gemet import COMPILED_PATH
from consortium.fit.thesaurus import (
    THESAURUS_PATH,
    Concept,
    Thesaurus,
    default_thesaurus,
    guess_language,
)

THEMES = Path(__file__).resolve().parents[2] / "consortium" / "directory" / "data" / "themes.json"


@pytest.fixture(scope="module")
def th() -> Thesaurus:
    return default_thesaurus()


def labels(th: Thesaurus, text: str) -> set[str]:
    return {th.concepts[c].label for c in th.match(text)}


def test_gemet_is_shipped_with_its_attribution() -> None:
    with gzip.open(COMPILED_PATH, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    assert len(data["concepts"]) > 5000
    assert "European Environment Agency" in data["source"]
    sources = (COMPILED_PATH.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert "eionet.europa.eu/gemet" in sources


def test_domain_file_keeps_only_what_gemet_lacks() -> None:
    data = json.loads(THESAURUS_PATH.read_text(encoding="utf-8"))
    theme_codes = {t["code"] for t in json.loads(THEMES.read_text(encoding="utf-8"))["themes"]}
    ids = [c["id"] for c in data["concepts"] if "id" in c]
    assert len(ids) == len(set(ids))
    th = default_thesaurus()
    for entry in data["concepts"]:
        assert ("gemet" in entry) != ("id" in entry), entry
        assert set(entry.get("themes", ())) <= theme_codes, entry
        assert set(entry.get("broader", ())) <= set(th.concepts), entry
        if "gemet" in entry:
            # a GEMET concept gets synonyms it lacks, never its own label again
            concept = th.concepts[f"gemet:{entry['gemet']}"]
            assert entry["label"] == concept.label
            assert concept.label not in entry["en"]


def test_french_and_english_meet_on_the_same_concepts(th: Thesaurus) -> None:
    french = th.match("Toitures végétalisées et réemploi des matériaux de construction")
    english = th.match("Green roofs and reuse of construction materials")
    assert {"green_roofs", "reuse", "construction"} <= set(french) & set(english)


def test_stems_join_the_forms_of_a_word(th: Thesaurus) -> None:
    assert "gemet:2724" in th.match("Improving the energy efficiencies of homes")
    assert th.analyse("les rénovations et la rénovation").words == {"renov": 2}


def test_a_label_of_the_other_language_is_matched_only_as_written(th: Thesaurus) -> None:
    # "urban" (English) does not meet "urbanisme" (French) through a shared stem
    assert "urban design" not in labels(th, "Urban heat island in cities")
    # but a French text quoting English keywords finds them
    assert "green roofs" in labels(th, "Nous installons des green roofs sur les écoles")


def test_exclusions_cancel_a_match_inside_them(th: Thesaurus) -> None:
    assert "construction" not in th.match("Capacity building for local NGOs")
    assert "construction" in th.match("Building sector and construction sites")


def test_narrower_levels(th: Thesaurus) -> None:
    levels = th.with_narrower({"circular_economy"}, depth=2)
    assert levels["circular_economy"] == 0
    assert levels["reuse"] == 1


def test_describe_in_the_readers_language(th: Thesaurus) -> None:
    found = th.match("réemploi des matériaux")
    assert th.describe(["reuse"], found, language="en") == "reuse (réemploi)"
    assert th.describe(["reuse"], found, language="fr") == "réemploi"


def test_language_guess() -> None:
    assert guess_language(["le", "la", "les", "des", "pour"]) == "fr"
    assert guess_language(["the", "of", "and"]) == "en"
    assert guess_language(["der", "die", "das", "und"]) == "en"  # neither: English stems


def test_a_bad_thesaurus_is_refused() -> None:
    with pytest.raises(ValueError, match="needs English and French"):
        Thesaurus([Concept("x", ("x",), ())])
    with pytest.raises(ValueError, match="unknown broader"):
        Thesaurus([Concept("x", ("xx",), ("xx",), broader=("nowhere",))])
    with pytest.raises(ValueError, match="duplicate"):
        Thesaurus([Concept("x", ("xx",), ("xx",)), Concept("x", ("yy",), ("yy",))])


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_analysed(text: str) -> None:
    analysis = default_thesaurus().analyse(text)
    assert analysis.language in {"en", "fr"}
    assert set(analysis.found) == set(analysis.concepts)
    assert all(count > 0 for count in analysis.words.values())
    # the words the reasons show are those of the analysis: same language, same stems
    language, written = default_thesaurus().written_words(text)
    assert language == analysis.language
    assert set(written) == set(analysis.words)


def test_the_words_shown_in_reasons_keep_their_accents() -> None:
    text = "Réemploi des matériaux de déconstruction"
    # stems are folded to match across spellings; the reader sees the word as written, and
    # in the language the analysis reads the text in
    assert default_thesaurus().written_words(text) == (
        default_thesaurus().analyse(text).language,
        {"reemploi": "réemploi", "material": "matériaux", "deconstruct": "déconstruction"},
    )
    assert default_thesaurus().written_words(text)[0] == "fr"


def test_a_qualified_term_keeps_the_sense_its_text_names() -> None:
    th = default_thesaurus()
    biology, energy = "gemet:1239", "gemet:1242"  # "cell (biology)", "cell (energy)"
    assert th.concepts[biology].label_in("en") == "cell (biology)"
    assert th.concepts[energy].label_in("fr") == "cellule (énergie)"
    battery = th.concept_ids("Battery cells for energy storage")
    assert energy in battery and biology not in battery
    french = th.concept_ids("Cellules de batteries pour le stockage d'énergie")
    assert energy in french and biology not in french
    tissue = th.concept_ids("Cell biology of plant tissues")
    assert biology in tissue and energy not in tissue
    # a text that names neither qualifier cannot tell: both senses stay
    assert {biology, energy} <= th.concept_ids("Cells and modules")

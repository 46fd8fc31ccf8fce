"""Thesaurus data and FR/EN matching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consortium.fit.thesaurus import (
    THESAURUS_PATH,
    Concept,
    Thesaurus,
    _analyse_folded,
    analyse_text,
    fast_fold,
    load_thesaurus,
    segments,
    stem,
    tokens,
)
from consortium.folding import fold

THEMES = Path(__file__).resolve().parents[2] / "consortium" / "directory" / "data" / "themes.json"


@pytest.fixture(scope="module")
def th() -> Thesaurus:
    return load_thesaurus()


def test_file_is_well_formed() -> None:
    data = json.loads(THESAURUS_PATH.read_text(encoding="utf-8"))
    concepts = data["concepts"]
    ids = [c["id"] for c in concepts]
    assert len(ids) >= 80
    assert len(ids) == len(set(ids))
    theme_codes = {t["code"] for t in json.loads(THEMES.read_text(encoding="utf-8"))["themes"]}
    for concept in concepts:
        assert set(concept) <= {
            "id", "en", "fr", "themes", "generic", "exclude", "broader"
        }, concept["id"]
        assert set(concept.get("broader", ())) <= set(ids) - {concept["id"]}, concept["id"]
        assert concept["en"] and all(isinstance(t, str) and t.strip() for t in concept["en"])
        assert concept["fr"] and all(isinstance(t, str) and t.strip() for t in concept["fr"])
        assert set(concept["themes"]) <= theme_codes, concept["id"]


def test_loaded_thesaurus_matches_file(th: Thesaurus) -> None:
    data = json.loads(THESAURUS_PATH.read_text(encoding="utf-8"))
    assert len(th) == len(data["concepts"])
    assert th.concepts["reuse"].label == "reuse"
    assert th.concepts["reuse"].label_fr == "réemploi"


@pytest.mark.parametrize(
    ("french", "english", "concept"),
    [
        ("réemploi", "reuse", "reuse"),
        ("réutilisation des matériaux", "reuse of materials", "reuse"),
        ("BTP", "construction", "construction"),
        ("bâtiment", "building sector", "construction"),
        ("végétalisation", "urban greening", "urban_greening"),
        ("solutions fondées sur la nature", "nature-based solutions", "nature_based_solutions"),
        ("îlot de chaleur", "urban heat island", "heat_island"),
        ("compost", "composting", "composting"),
        ("biodiversité", "biodiversity", "biodiversity"),
        ("déchets", "waste", "waste"),
        ("économie circulaire", "circular economy", "circular_economy"),
        ("agriculture urbaine", "urban agriculture", "urban_agriculture"),
        ("jardins partagés", "community gardens", "community_gardens"),
        ("désimperméabilisation", "de-sealing", "de_sealing"),
        ("canopée", "urban trees", "urban_trees"),
        ("adaptation au changement climatique", "climate adaptation", "climate_adaptation"),
        ("eaux pluviales", "stormwater", "stormwater"),
        ("matériaux", "materials", "materials"),
        ("déconstruction", "selective demolition", "deconstruction"),
        ("recyclage", "recycling", "recycling"),
        ("insertion", "social inclusion", "social_inclusion"),
        ("insertion par l'activité économique", "work integration", "work_integration"),
        ("sensibilisation", "awareness raising", "awareness_raising"),
        ("participation citoyenne", "citizen participation", "citizen_participation"),
    ],
)
def test_french_and_english_terms_meet(
    th: Thesaurus, french: str, english: str, concept: str
) -> None:
    assert concept in th.concept_ids(french)
    assert concept in th.concept_ids(english)


def test_match_returns_terms_in_order_of_appearance(th: Thesaurus) -> None:
    text = "Association de réemploi dans le BTP : déconstruction sélective."
    assert th.match(text) == {
        "reuse": "réemploi",
        "circular_construction": "réemploi dans le BTP",
        "construction": "BTP",
        "deconstruction": "deconstruction",
    }


def test_accents_and_case_are_ignored(th: Thesaurus) -> None:
    assert th.match("REEMPLOI") == {"reuse": "réemploi"}
    assert th.match("Réemploi") == {"reuse": "réemploi"}
    assert (
        th.match("Végétalisation")
        == th.match("vegetalisation")
        == {"urban_greening": "végétalisation"}
    )
    assert "nature_based_solutions" in th.concept_ids("SOLUTIONS FONDEES SUR LA NATURE")


def test_plurals_and_feminine_forms_match(th: Thesaurus) -> None:
    assert "community_gardens" in th.concept_ids("un jardin partagé")
    assert "heat_island" in th.concept_ids("les îlots de chaleur")
    assert "green_roofs" in th.concept_ids("une toiture végétalisée")
    assert "urban_trees" in th.concept_ids("tree")


def test_phrases_need_every_word_in_sequence(th: Thesaurus) -> None:
    assert "nature_based_solutions" not in th.concept_ids("solutions pour la nature")
    assert "heat_island" not in th.concept_ids("island of heat")


def test_phrases_do_not_cross_sentences(th: Thesaurus) -> None:
    assert "heat_island" not in th.concept_ids("Un îlot. De chaleur")
    assert "heat_island" in th.concept_ids("Un îlot de chaleur.")


def test_exclusions_cancel_a_match(th: Thesaurus) -> None:
    assert th.match("capacity building") == {"capacity_building": "capacity building"}
    assert th.match("building on earlier results") == {}
    assert "construction" in th.concept_ids("capacity building for the building sector")
    assert th.match("co-construction") == {"citizen_participation": "co-construction"}


def test_describe_names_label_and_found_term(th: Thesaurus) -> None:
    matches = th.match("réemploi et BTP, recycling")
    assert th.describe(matches, ["reuse", "construction", "recycling"]) == (
        "reuse (réemploi), construction (BTP), recycling"
    )


def test_themes_of(th: Thesaurus) -> None:
    assert th.themes_of(["reuse", "heat_island"]) == frozenset(
        {"circular_economy_waste", "climate_adaptation", "nature_in_city"}
    )


def test_stem_rules() -> None:
    assert [stem(w) for w in ["arbres", "cities", "eaux", "materiaux", "process", "campus"]] == [
        "arbre",
        "city",
        "eau",
        "materiau",
        "process",
        "campus",
    ]
    assert stem("fondees") == "fonde"
    assert stem("sol") == "sol"


def test_segments_and_tokens() -> None:
    assert segments("Jardins partagés; l'eau.") == [["jardin", "partage"], ["l", "eau"]]
    assert tokens("Les jardins partagés et l'eau de la ville 2030") == frozenset(
        {"jardin", "partage", "eau", "ville"}
    )


def test_thesaurus_rejects_bad_concepts() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        Thesaurus([Concept("a", ("x",), ("y",)), Concept("a", ("z",), ("w",))])
    with pytest.raises(ValueError, match="English and French"):
        Thesaurus([Concept("a", ("x",), ())])


@given(st.text(max_size=60))
def test_fast_fold_equals_fold(text: str) -> None:
    assert fast_fold(text) == fold(text)


@given(st.text(max_size=80), st.sampled_from(["réemploi", "BTP", "jardins partagés", "compost"]))
def test_appending_a_term_never_loses_a_concept(th: Thesaurus, text: str, term: str) -> None:
    before = th.concept_ids(text)
    after = th.concept_ids(text + "\n" + term)
    assert before <= after
    assert th.concept_ids(term) <= after


@given(
    st.lists(
        st.sampled_from(
            ["Réemploi", "BTP", "l'eau", "îlots", "de", "chaleur", ".", ";", "\n", "x,y"]
        )
        | st.text(max_size=6),
        max_size=12,
    ),
    st.sampled_from([" ", "  ", "\n", "\t", ""]),
)
def test_cached_analysis_equals_plain_analysis(parts: list[str], glue: str) -> None:
    text = glue.join(parts)
    assert analyse_text(text) == _analyse_folded(fold(text))


def test_narrower_concepts(th: Thesaurus) -> None:
    circular = th.with_narrower(["circular_economy"])
    assert {"reuse", "reuse_platform", "deconstruction", "reclaimed_materials"} <= circular
    assert "urban_greening" not in circular
    greening = th.with_narrower(["nature_based_solutions"])
    assert {
        "urban_greening", "urban_trees", "community_gardens", "green_spaces", "landscape",
        "urban_agriculture", "de_sealing",
    } <= greening
    assert "reuse" not in greening
    assert th.with_narrower([]) == frozenset()


def test_broader_must_exist() -> None:
    from consortium.fit.thesaurus import Concept

    with pytest.raises(ValueError, match="unknown broader"):
        Thesaurus([Concept("a", ("a",), ("a",), broader=("nope",))])


@pytest.mark.parametrize(
    ("french", "english", "concept"),
    [
        ("paysagistes concepteurs", "landscape architects", "landscape"),
        ("jardins et jardinage", "gardens and gardening", "urban_greening"),
        ("îlots de chaleur", "heat islands", "heat_island"),
        ("palettes végétales", "planting palette", "urban_greening"),
        ("économie circulaire du bâtiment", "circular construction", "circular_construction"),
        ("chantiers de déconstruction", "selective deconstruction", "deconstruction"),
    ],
)
def test_domain_terms_are_bilingual(
    th: Thesaurus, french: str, english: str, concept: str
) -> None:
    assert concept in th.concept_ids(french)
    assert concept in th.concept_ids(english)


def test_place_names_are_not_concepts(th: Thesaurus) -> None:
    # "SuDS" folded and stemmed was "sud": every "Sud" in a name matched stormwater
    assert th.match("Réemploi Bâtiment Sud") == {"reuse": "réemploi", "construction": "bâtiment"}
    assert "sea_coast" not in th.concept_ids("Régie de Quartier Nord Littoral")
    assert "sea_coast" in th.concept_ids("protection du littoral")
    assert "environmental_education" not in th.concept_ids("École de la Deuxième Chance")
    assert "environmental_education" in th.concept_ids("animations dans les écoles")


def test_analysis_cache_follows_the_text() -> None:
    tiny = Thesaurus(
        [
            Concept("reuse", ("reuse",), ("réemploi",)),
            Concept("construction", ("construction",), ("BTP",)),
        ]
    )
    before = tiny.analysis("Association de réemploi")
    assert before == ({"reuse": "réemploi"}, {"association": "association", "reemploi": "reemploi"})
    assert tiny.analysis("Association de réemploi") is before  # same text: cached
    # the description changes: the new text is analysed afresh, the old entry is untouched
    after = tiny.analysis("Association de réemploi dans le BTP")
    assert after[0] == {"reuse": "réemploi", "construction": "BTP"}
    assert tiny.analysis("Association de réemploi") == before
    # analyse() hands out copies: a caller changing them cannot poison the cache
    matches, forms = tiny.analyse("Association de réemploi")
    matches.clear()
    forms["x"] = "x"
    assert tiny.analysis("Association de réemploi") == before
    # a cache belongs to its thesaurus
    other = Thesaurus([Concept("reuse", ("reuse",), ("recyclerie",))])
    assert other.analysis("Association de réemploi")[0] == {}
    tiny.clear_analysis_cache()
    assert tiny.analysis("Association de réemploi") is not before
    assert tiny.analysis("Association de réemploi") == before


def test_analysis_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny = Thesaurus([Concept("reuse", ("reuse",), ("réemploi",))])
    monkeypatch.setattr(Thesaurus, "ANALYSIS_CACHE_SIZE", 3)
    first = tiny.analysis("réemploi 0")
    for i in range(1, 6):
        tiny.analysis(f"réemploi {i}")
    assert len(tiny._analysed) == 3
    assert list(tiny._analysed) == ["réemploi 3", "réemploi 4", "réemploi 5"]  # oldest dropped
    again = tiny.analysis("réemploi 0")
    assert again == first and again is not first


@given(st.text(max_size=60))
def test_cached_match_equals_uncached(text: str) -> None:
    th = load_thesaurus()
    assert th.analysis(text) == (th._match(segments(text)), analyse_text(text)[1])
    assert th.analyse(text) == th.analysis(text)

"""Every generated sentence is in the document's language: each dossier section, the Word
dossier, the letters of commitment and the fit statements are rendered in English and in French
and none contains a word of the other language (the data typed by users is taken out first,
since an organisation or an output keeps the words it was written in)."""

import dataclasses
import re
from decimal import Decimal as D
from io import BytesIO

import pytest
from docx import Document

from consortium.commitments.budget import CostLines, participation_budget
from consortium.commitments.letter import LetterAction, LetterData, build_letters
from consortium.dossier.document import build_dossier, content_from_data
from consortium.dossier.drafting import FitStatement, FitSummary, draft_all
from consortium.translation import organisation_phrase, translator
from tests.dossier.test_drafting import marseille_data

# Words that only the other language uses (short, frequent, and absent from the data below).
ENGLISH_ONLY = {
    "the",
    "and",
    "with",
    "of",
    "partners",
    "workshop",
    "workshops",
    "network",
    "budget is",
    "months",
    "organisations and",
    "not yet available",
    "to be",
    "which",
    "their",
    "its",
    "from",
    "letter",
    "commitment",
    "costs",
    "requested",
}
FRENCH_ONLY = {
    "les",
    "des",
    "avec",
    "du",
    "atelier",
    "ateliers",
    "partenaires",
    "réseau",
    "mois",
    "pas encore",
    "lettre",
    "engagement",
    "coûts",
    "demandée",
    "une",
    "sur",
    "est",
    "sont",
    "aux",
    "dans",
    "leur",
}


def data_strings(value: object) -> set[str]:
    """Every string of the data, however deep (names, outputs, titles typed by users)."""
    found: set[str] = set()
    if isinstance(value, str):
        if value:
            found.add(value)
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            found |= data_strings(getattr(value, item.name))
    elif isinstance(value, tuple | list):
        for item in value:
            found |= data_strings(item)
    return found


def generated_words(text: str, data: set[str]) -> set[str]:
    for typed in sorted((d for d in data if len(d) > 3), key=len, reverse=True):
        text = text.replace(typed, " | ")
    # Quotations and excerpts cut short ("…") repeat what users wrote.
    text = re.sub(r"“[^”]*”?|«[^»]*»?|[^.;:|]*…", " | ", text).lower()
    words = set(re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", text))
    phrases = {p for p in ENGLISH_ONLY | FRENCH_ONLY if " " in p and re.search(rf"\b{p}\b", text)}
    return words | phrases


def foreign(text: str, lang: str, data: set[str]) -> set[str]:
    """Words of the other language in ``text``, paragraph by paragraph."""
    other = FRENCH_ONLY if lang == "en" else ENGLISH_ONLY
    found: set[str] = set()
    for line in text.split("\n"):
        found |= other & generated_words(line, data)
    return found


def dossier_data():
    data = marseille_data()
    fit = FitSummary(
        (
            FitStatement(
                "%(name)s brings what no other member offers: %(concepts)s.",
                ("rms",),
                (("name", "RMS"), ("concepts", "Recyclage")),
            ),
            FitStatement(
                "%(name)s strengthens the consortium on %(concepts)s.",
                ("bcp",),
                (("name", "BCP"), ("concepts", "Déconstruction")),
            ),
        )
    )
    return dataclasses.replace(data, fit=fit)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_dossier_section_is_in_the_documents_language(lang: str) -> None:
    data = dossier_data()
    typed = data_strings(data)
    for code, draft in draft_all(data, translator(lang)).items():
        assert foreign(draft.markup, lang, typed) == set(), code


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_word_dossier_is_in_the_documents_language(lang: str) -> None:
    data = dossier_data()
    tr = translator(lang)
    document = Document(BytesIO(build_dossier(content_from_data(data, tr), tr)))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    typed = data_strings(data)
    # Section headings and the template note come from the Part B structure file (data).
    from consortium.dossier.structure import load_structure, structure_note

    typed |= {s.heading(lang) for s in load_structure("SAP")} | {structure_note(lang, "SAP")}
    assert foreign(text, lang, typed) == set()


def letter() -> LetterData:
    costs = CostLines(personnel=D("10000"), travel=D("500"))
    budget = participation_budget(
        costs,
        indirect_rate=D("0.07"),
        funding_rate=D("0.60"),
        requested_eu=D("6000"),
        own_cofinancing=D("1000"),
        person_months={"WP2": D("6.5")},
    )
    return LetterData(
        organisation_legal_name="Association Cœur de Ville",
        proposal_acronym="REBUILD",
        proposal_title="Réemploi",
        topic_id="LIFE-2026-SAP",
        coordinator_name="Ville de Marseille",
        role="beneficiary",
        organisation_acronym="CVRF",
        city="Marseille",
        country="FR",
        actions=(LetterAction("WP2", "Collecte", leads=True, person_months=D("6.5")),),
        budget=budget,
        signatory_name="Françoise Lefèvre",
        signatory_function="Présidente",
        place="Marseille",
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("role", ["beneficiary", "associated_partner", "affiliated_entity"])
def test_every_letter_is_in_the_letters_language(lang: str, role: str) -> None:
    data = dataclasses.replace(letter(), role=role, affiliated_to="Métropole Aix-Marseille")
    document = Document(BytesIO(build_letters([data], translator(lang))))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    typed = data_strings(data) | {"Métropole Aix-Marseille"}
    assert foreign(text, lang, typed) == set()


def test_french_puts_the_article_before_organisation_names_from_their_first_word() -> None:
    assert organisation_phrase("Ville de Marseille", "fr", "de") == "de la Ville de Marseille"
    assert organisation_phrase("Conseil départemental", "fr", "de") == "du Conseil départemental"
    assert organisation_phrase("Université d’Aix", "fr", "par") == "par l’Université d’Aix"
    assert organisation_phrase("Réemploi Bâtiment Sud", "fr", "par") == "par Réemploi Bâtiment Sud"
    assert organisation_phrase("ADEME", "fr", "pour") == "pour ADEME"
    assert organisation_phrase("Ville de Marseille", "en", "de") == "Ville de Marseille"


@pytest.mark.parametrize(
    ("count", "en", "fr"),
    [
        (0, "0 workshops", "0 atelier"),  # French counts zero in the singular
        (1, "1 workshop", "1 atelier"),
        (2, "2 workshops", "2 ateliers"),
        (1200, "1,200 workshops", "1\u202f200 ateliers"),
    ],
)
def test_counts_take_the_plural_of_their_language(count: int, en: str, fr: str) -> None:
    def say(lang: str) -> str:
        return translator(lang).ngettext("%(num)s workshop", "%(num)s workshops", count)

    assert (say("en"), say("fr")) == (en, fr)


def test_the_french_dossier_puts_articles_before_organisation_names() -> None:
    drafts = draft_all(dossier_data(), translator("fr"))
    assert "Coordonné par la Ville de Marseille, il réunit 5 partenaires" in drafts["0"].markup
    assert "Il est coordonné par la Ville de Marseille." in drafts["2.3"].markup
    assert "La Ville de Marseille coordonne le projet" in drafts["2.4"].markup
    english = draft_all(dossier_data(), translator("en"))
    assert "Coordinated by Ville de Marseille, it brings together 5 partners" in (
        english["0"].markup
    )

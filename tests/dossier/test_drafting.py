"""First drafts: every section drafts in both languages, keeps its sources, says what is missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from consortium.dossier.drafting import (
    Action,
    BudgetRow,
    BudgetSummary,
    DossierData,
    FitStatement,
    FitSummary,
    Member,
    NetworkSummary,
    Organisation,
    Output,
    ProposalData,
    Source,
    Workshop,
    draft_all,
    draft_key,
    draft_section,
    join_names,
)
from consortium.dossier.markup import parse
from consortium.dossier.structure import load_structure
from consortium.formatting import format_date, format_money, format_number, format_percent
from consortium.translation import translator


def marseille_data(lang: str = "fr") -> DossierData:
    """A small dossier shaped on the Marseille seed story (circular economy in construction)."""
    orgs = (
        Organisation(
            "vdm",
            "Ville de Marseille",
            "VdM",
            "public_body",
            "FR",
            "Marseille",
            "Collectivité engagée dans la Mission 100 villes climatiquement neutres.",
            "999999999",
            ("économie circulaire",),
            ("LIFE Nature en ville",),
        ),
        Organisation(
            "cdt",
            "La Cité des transitions",
            "CDT",
            "association",
            "FR",
            "Marseille",
            "Répertoire et agenda des acteurs de la transition.",
            "",
            ("réseau",),
        ),
        Organisation(
            "rms",
            "Réemploi Matériaux Sud",
            "RMS",
            "association",
            "FR",
            "Marseille",
            "Collecte et revente de matériaux de déconstruction.",
            "912345678",
        ),
        Organisation(
            "bcp",
            "BTP Circulaire Provence",
            "BCP",
            "sme",
            "FR",
            "Aubagne",
            "Entreprise de déconstruction sélective.",
            "923456789",
        ),
        Organisation(
            "oeu",
            "Atelier Œuvre Commune",
            "",
            "association",
            "FR",
            "Marseille",
            "Architectes du réemploi, façon « ça se répare ».",
            "934567890",
        ),
    )
    members = (
        Member("vdm", "coordinator", Decimal("600000"), Decimal("360000"), Decimal("48")),
        Member("cdt", "beneficiary", Decimal("150000"), Decimal("90000"), Decimal("18")),
        Member("rms", "beneficiary", Decimal("250000"), Decimal("150000"), Decimal("30")),
        Member("bcp", "beneficiary", Decimal("200000"), Decimal("120000"), Decimal("12.5")),
        Member("oeu", "associated_partner"),
    )
    workshops = (
        Workshop(
            "w1",
            "vision",
            "Vision 2030 du réemploi",
            dt.date(2024, 3, 12),
            "Cité des transitions",
            28,
            45,
            ("vdm", "cdt", "rms", "bcp", "oeu"),
        ),
        Workshop(
            "w2",
            "actions_needs",
            "Actions et besoins",
            dt.date(2024, 5, 21),
            "Hôtel de Ville",
            18,
            30,
            ("vdm", "cdt", "rms", "bcp"),
        ),
        Workshop(
            "w3",
            "dossier_framework",
            "Dossier et cadre de coopération",
            dt.date(2024, 9, 1),
            "Cité des transitions",
            9,
            14,
            ("vdm", "cdt", "rms", "bcp"),
        ),
    )
    outputs = (
        Output(
            "o1",
            "w1",
            "vision",
            "En 2030, la moitié des matériaux de chantier publics sont issus du réemploi.",
            ("vdm",),
            priority=5,
        ),
        Output(
            "o2", "w1", "vision", "Chaque quartier a un point de collecte de matériaux.", ("rms",)
        ),
        Output("o3", "w1", "quote", "On jette des portes en parfait état 🌱", ("rms",)),
        Output("o4", "w2", "need", "Un lieu de stockage de 2 000 m² près du port.", ("rms", "bcp")),
        Output("o5", "w2", "need", "Des clauses de réemploi dans les marchés publics.", ("vdm",)),
        Output(
            "o6",
            "w2",
            "objective",
            "Réemployer 5 000 t de matériaux par an d'ici la fin du projet.",
            ("rms",),
            priority=3,
        ),
        Output(
            "o7",
            "w2",
            "objective",
            "Former 200 professionnels du BTP au diagnostic ressources.",
            ("bcp",),
        ),
        Output(
            "o8",
            "w2",
            "action",
            "Créer une plateforme physique et numérique de réemploi.",
            ("rms", "cdt"),
        ),
        Output("o9", "w2", "resource", "Un entrepôt municipal mis à disposition.", ("vdm",)),
        Output("o10", "w2", "risk", "Retard d'obtention du permis pour l'entrepôt.", ("vdm",)),
        Output(
            "o11",
            "w3",
            "risk",
            "Départ d'un partenaire associatif | faute de trésorerie.",
            ("cdt",),
        ),
        Output(
            "o12",
            "w3",
            "cooperation_rule",
            "Les décisions se prennent au consensus, sinon aux deux tiers.",
            ("vdm", "cdt"),
        ),
    )
    actions = (
        Action(
            "a1",
            "WP1",
            "Coordination et gestion",
            "Piloter le projet",
            "vdm",
            ("cdt",),
            1,
            48,
            ("Plan de gestion", "Rapports"),
        ),
        Action(
            "a2",
            "WP2",
            "Plateforme de réemploi",
            "Ouvrir la plateforme",
            "rms",
            ("bcp", "cdt"),
            3,
            40,
            ("Plateforme ouverte",),
            ("o8", "o4"),
        ),
        Action(
            "a3",
            "WP3",
            "Formation des professionnels",
            "Former 200 professionnels",
            "bcp",
            ("oeu",),
            6,
            44,
            ("Module de formation",),
            ("o7",),
        ),
    )
    budget = BudgetSummary(
        rows=(
            BudgetRow(
                "vdm",
                "Ville de Marseille",
                Decimal("400000"),
                Decimal("50000"),
                Decimal("10000"),
                Decimal("0"),
                Decimal("100000.50"),
                Decimal("0"),
                Decimal("39500"),
            ),
            BudgetRow(
                "cdt",
                "La Cité des transitions",
                Decimal("100000"),
                Decimal("0"),
                Decimal("5000"),
                Decimal("0"),
                Decimal("35000"),
                Decimal("0"),
                Decimal("10000.25"),
            ),
            BudgetRow(
                "rms",
                "Réemploi Matériaux Sud",
                Decimal("150000"),
                Decimal("20000"),
                Decimal("5000"),
                Decimal("40000"),
                Decimal("18000"),
                Decimal("0"),
                Decimal("17000"),
            ),
        ),
        funding_rate=Decimal("0.60"),
    )
    return DossierData(
        proposal=ProposalData(
            acronym="LIFE RÉEMPLOI-MED",
            title="Réemploi des matériaux du BTP à Marseille",
            topic_id="LIFE-2026-SAP-ENV-ENVIRONMENT",
            topic_title="Circular Economy and Zero Pollution",
            sub_programme="ENV",
            subtopics=("Construction et démolition", "Achats publics circulaires"),
            territory="Marseille",
            coordinator_name="Ville de Marseille",
            language="fr",
            duration_months=48,
        ),
        organisations=orgs,
        members=members,
        workshops=workshops,
        outputs=outputs,
        actions=actions,
        budget=budget,
        network=NetworkSummary(0.4167, 5, 6, ("La Cité des transitions",), True),
        fit=FitSummary(
            (FitStatement("RMS apporte la logistique, BCP la déconstruction.", ("rms", "bcp")),)
        ),
    )


SAP = load_structure("SAP")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_section_drafts_and_sources_are_parallel_to_blocks(lang: str) -> None:
    drafts = draft_all(marseille_data(), translator(lang))
    assert list(drafts) == [s.code for s in SAP]
    for spec in SAP:
        draft = drafts[spec.code]
        assert len(parse(draft.markup)) == len(draft.sources), spec.code
        if spec.drafting_key == "heading":
            assert draft.paragraphs == ()
        else:
            assert draft.paragraphs, spec.code


def test_compliance_french_names_topic_two_subtopics_and_territory() -> None:
    draft = draft_section("1.1", marseille_data(), translator("fr"))
    text = draft.markup
    assert text.startswith(
        "Le projet répond au sujet de l'appel LIFE **LIFE-2026-SAP-ENV-ENVIRONMENT – Circular "
        "Economy and Zero Pollution**, dans le sous-programme ENV."
    )
    assert "- Construction et démolition\n- Achats publics circulaires" in text
    assert (
        "Le projet est mis en œuvre à Marseille, où les acteurs locaux ont travaillé ensemble "
        "sur ces enjeux au cours de 3 ateliers depuis le 12 mars 2024." in text
    )
    assert draft.sources[0] == (
        Source(
            "topic",
            "LIFE-2026-SAP-ENV-ENVIRONMENT",
            "LIFE-2026-SAP-ENV-ENVIRONMENT – Circular Economy and Zero Pollution",
        ),
    )


def test_more_than_two_subtopics_keeps_two_and_says_so() -> None:
    data = marseille_data()
    proposal = data.proposal.__class__(**{**data.proposal.__dict__, "subtopics": ("A", "B", "C")})
    draft = draft_section("1.1", DossierData(proposal=proposal), translator("en"))
    assert "- A\n- B" in draft.markup
    assert "- C" not in draft.markup
    assert (
        "Only two sub-topics are assessed by the evaluators; the following were left out of this "
        "draft: C." in draft.markup
    )


def test_vision_list_keeps_output_workshop_and_organisation_sources() -> None:
    draft = draft_section("1.2", marseille_data(), translator("en"))
    assert draft.paragraphs[0].markup == (
        "The partners built a shared vision of Marseille in 2030 during the workshop “Vision "
        "2030 du "
        "réemploi” held on 12 March 2024 in Cité des transitions, with 28 organisations and 45 "
        "participants."
    )
    bullets = draft.paragraphs[2]
    assert bullets.markup == (
        "- En 2030, la moitié des matériaux de chantier publics sont issus du réemploi.\n"
        "- Chaque quartier a un point de collecte de matériaux."
    )
    kinds = [(s.kind, s.id) for s in bullets.sources]
    assert kinds == [
        ("output", "o1"),
        ("workshop", "w1"),
        ("organisation", "vdm"),
        ("output", "o2"),
        ("organisation", "rms"),
    ]
    assert draft.paragraphs[3].markup == "*“On jette des portes en parfait état 🌱” — RMS*"


def test_work_packages_french_with_heading_lead_timing_and_origin() -> None:
    draft = draft_section("2.1", marseille_data(), translator("fr"))
    marks = [p.markup for p in draft.paragraphs]
    assert marks[1] == "### WP1 – Coordination et gestion"
    assert marks[2] == (
        "**Objectif\u00a0:** Piloter le projet. **Responsable\u00a0:** Ville de Marseille (VdM). "
        "**Participants\u00a0:** CDT. **Calendrier\u00a0:** mois 1 à 48. **Livrables\u00a0:** Plan de gestion\u202f; "
        "Rapports."
    )
    assert marks[5] == (
        "Il s'appuie sur 2 productions d'atelier, dont\u00a0: «\u00a0Créer une plateforme physique "
        "et numérique de réemploi.\u00a0»\u202f; «\u00a0Un lieu de stockage de 2 000 m² près du "
        "port.\u00a0»."
    )
    assert [s.id for s in draft.paragraphs[5].sources if s.kind == "output"] == ["o8", "o4"]


def test_risk_table_escapes_pipes_from_outputs() -> None:
    draft = draft_section("2.6", marseille_data(), translator("en"))
    table = parse(draft.paragraphs[1].markup)[0]
    assert table.kind == "table" and table.header
    cells = [[c[0].text if c else "" for c in row] for row in table.rows]
    assert cells[0] == ["Risk", "Raised by", "Mitigation"]
    assert cells[2] == [
        "Départ d'un partenaire associatif | faute de trésorerie.",
        "CDT",
        "to be completed",
    ]


def test_budget_section_figures_are_exact() -> None:
    draft = draft_section("2.5", marseille_data(), translator("en"))
    assert draft.paragraphs[0].markup == (
        "The total estimated eligible costs amount to €999,501, for a requested EU contribution of "
        "€599,700 (60% of the eligible costs; maximum funding rate of the topic: 60%)."
    )
    assert draft.paragraphs[-1].markup == "The partners commit 108.5 person-months in total."
    fr = draft_section("2.5", marseille_data(), translator("fr"))
    assert "999\u202f501\u00a0€" in fr.paragraphs[0].markup  # narrow no-break space groups


@pytest.mark.parametrize(
    ("code", "lang", "expected"),
    [
        (
            "2.5",
            "en",
            "Budget: not yet available (the partners have not yet confirmed their budgets).",
        ),
        (
            "2.5",
            "fr",
            "Budget\u00a0: pas encore disponible (les partenaires n'ont pas encore confirmé leur "
            "budget).",
        ),
        ("2.3", "en", "Partner commitments: not yet available."),
        ("2.3", "fr", "Engagements des partenaires\u00a0: pas encore disponibles."),
    ],
)
def test_missing_data_says_not_yet_available(code: str, lang: str, expected: str) -> None:
    bare = DossierData(proposal=marseille_data().proposal)
    draft = draft_section(code, bare, translator(lang))
    assert draft.paragraphs[0].markup == expected


def test_missing_fit_and_network_are_explicit_in_consortium_section() -> None:
    data = marseille_data()
    bare = DossierData(
        proposal=data.proposal, organisations=data.organisations, members=data.members
    )
    marks = [p.markup for p in draft_section("2.3", bare, translator("fr")).paragraphs]
    assert "Analyse de complémentarité\u00a0: pas encore disponible." in marks
    assert "Analyse du réseau\u00a0: pas encore disponible." in marks
    en = [p.markup for p in draft_section("2.3", bare, translator("en")).paragraphs]
    assert "Complementarity analysis: not yet available." in en
    assert "Network analysis: not yet available." in en


def test_network_paragraph_links_the_figure() -> None:
    draft = draft_section("2.2", marseille_data(), translator("en"))
    net = next(p for p in draft.paragraphs if p.markup.startswith("These exchanges"))
    assert net.markup == (
        "These exchanges built lasting working relationships: the cooperation network of the "
        "consortium "
        "counts 5 members and 6 ties (density 0.42); La Cité des transitions acts as a bridge "
        "between groups "
        "(see the network figure)."
    )
    assert net.sources == (Source("figure", "network", "Network figure"),)
    narrowed = draft.paragraphs[1].markup
    assert (
        narrowed
        == "The workshops were first broad (28 organisations), then narrowed to the future "
        "partners (9 organisations)."
    )


def test_stakeholder_workshop_list_is_numbered_and_counts_outputs() -> None:
    draft = draft_section("2.2", marseille_data(), translator("fr"))
    block = parse(draft.paragraphs[2].markup)[0]
    assert block.kind == "numbered"
    assert "".join(r.text for r in block.items[2]) == (
        "Dossier et cadre de coopération (Dossier et cadre de coopération), 1er septembre 2024, "
        "Cité des transitions\u00a0: 9 organisations, 14 participants, 2 productions enregistrées."
    )


def test_data_with_markup_characters_stays_literal() -> None:
    data = marseille_data()
    nasty = Output("x", "w1", "vision", "- **pas gras** | 1. ### non", ())
    draft = draft_section(
        "1.2", DossierData(proposal=data.proposal, outputs=(nasty,)), translator("en")
    )
    block = parse(draft.paragraphs[2].markup)[0]
    assert block.kind == "bullets"
    assert block.items[0][0].text == "- **pas gras** | 1. ### non"
    assert not block.items[0][0].bold


def test_summary_uses_writer_summary_when_given() -> None:
    data = marseille_data()
    proposal = data.proposal.__class__(
        **{**data.proposal.__dict__, "summary": "Résumé *écrit* à la main."}
    )
    draft = draft_key("summary", DossierData(proposal=proposal), translator("fr"), "0")
    assert draft.markup == "Résumé \\*écrit\\* à la main."


def test_unknown_section_code_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown section code .9\.9."):
        draft_section("9.9", marseille_data(), translator("en"))


def test_formatting_helpers() -> None:
    assert format_date(dt.date(2024, 8, 1), "fr") == "1er août 2024"
    assert format_date(dt.date(2024, 8, 1), "en") == "1 August 2024"
    assert format_number(Decimal("1234567.5"), "fr", 2) == "1\u202f234\u202f567,50"
    assert format_money(Decimal("1234.5"), "en") == "€1,235"
    assert format_percent(Decimal("0.675"), "fr") == "67,5\u00a0%"
    assert join_names(["a", "b", "c"], translator("fr")) == "a, b et c"


# --------------------------------------------------------------------------- structure


def test_sap_structure_has_the_compliance_section_and_page_estimates() -> None:
    from consortium.dossier.structure import families, structure_note

    codes = [s.code for s in SAP]
    assert codes == ["0", "1", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
                     "3", "3.1", "3.2"]  # fmt: skip
    compliance = SAP[2]
    assert compliance.title_en == "Compliance with LIFE programme objectives and call topic"
    assert compliance.heading("fr") == (
        "1.1 Conformité avec les objectifs du programme LIFE et le sujet de l'appel"
    )
    assert (compliance.budget_chars, compliance.budget_pages, compliance.level) == (10500, 3.0, 2)
    assert SAP[0].heading("en") == "Project summary"
    assert SAP[1].heading("en") == "1. Relevance"
    assert families() == ("SAP", "CET", "SIP", "SNAP")
    assert load_structure("sip") == SAP
    assert "check against the official template of your call" in structure_note("en").lower()
    assert "vérifiez-la avec le modèle officiel de votre appel" in structure_note("fr").lower()


def _sections() -> list[dict]:
    import json

    from consortium.dossier.structure import STRUCTURE_PATH

    return json.loads(STRUCTURE_PATH.read_text(encoding="utf-8"))["families"]["SAP"]["sections"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"title_fr": ""},
            "family (edited), section '1.1': field 'title_fr' must be a non-empty text",
        ),
        ({"budget_chars": -1}, "section '1.1': field 'budget_chars' must be an integer"),
        ({"budget_chars": True}, "section '1.1': field 'budget_chars' must be an integer"),
        ({"drafting_key": "poems"}, "section '1.1': field 'drafting_key' must be one of"),
        ({"code": "1.x"}, "section '1.x': field 'code' must look like"),
        ({"code": "9.1"}, "section '9.1': field 'code' has no parent section '9' before it"),
        ({"code": "1"}, "section '1': field 'code' is duplicated"),
        ({"colour": "red"}, "section '1.1': field 'colour' is not a known field"),
    ],
)
def test_validate_structure_names_section_and_field(change: dict, message: str) -> None:
    from consortium.dossier.structure import validate_structure

    sections = _sections()
    sections[2] = {**sections[2], **change}
    with pytest.raises(ValueError) as error:
        validate_structure(sections)
    assert message in str(error.value)


def test_validate_whole_document_and_edited_copy_loads() -> None:
    from consortium.dossier.structure import sections_from_data, validate_structure

    with pytest.raises(ValueError, match="structure: field 'note_fr' must be a non-empty text"):
        validate_structure({"note_en": "x", "families": {}})
    with pytest.raises(ValueError, match="family X: field 'same_as' must name a family"):
        validate_structure({"note_en": "x", "note_fr": "y", "families": {"X": {"same_as": "Z"}}})
    with pytest.raises(ValueError, match="unknown call family 'LIFE-XYZ'"):
        load_structure("LIFE-XYZ")
    edited = _sections()
    edited[0] = {**edited[0], "title_en": "Abstract", "budget_chars": 3500}
    specs = sections_from_data(edited)
    assert (specs[0].title_en, specs[0].budget_pages) == ("Abstract", 1.0)

"""Letters of commitment: content read back with python-docx, bad characters, LibreOffice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal as D
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortium.commitments.budget import CostLines, participation_budget
from consortium.commitments.letter import (
    LetterAction,
    LetterData,
    add_letter,
    build_letter,
    build_letters,
    xml_safe,
)
from consortium.formatting import format_date
from consortium.translation import translator

NBSP = "\u00a0"
NNBSP = "\u202f"  # French groups digits with a narrow no-break space


def budget(role: str = "beneficiary", **kwargs: D):
    return participation_budget(
        CostLines(
            personnel=D(10000),
            subcontracting=D(2000),
            travel=D(500),
            equipment=D(1000),
            other_goods=D(1500),
        ),
        indirect_rate=D("0.07"),
        funding_rate=D("0.60"),
        role=role,
        **kwargs,
    )


def letter(**overrides: object) -> LetterData:
    base = LetterData(
        organisation_legal_name="Association Cœur de Ville – Réemploi & Façades",
        organisation_acronym="CVRF",
        address="12 rue de la République",
        postcode="13002",
        city="Marseille",
        country="France",
        pic="912345678",
        proposal_acronym="REBUILD-MED",
        proposal_title="Réemploi des matériaux du BTP à Marseille",
        topic_id="LIFE-2026-SAP-ENV-ENVIRONMENT",
        coordinator_name="Ville de Marseille",
        role="beneficiary",
        actions=[
            LetterAction("WP2", "Collecte et diagnostic", True, D("6.5")),
            LetterAction("WP4", "Sensibilisation", False, D("2")),
        ],
        tasks="Diagnostic ressources ; plateforme de réemploi.",
        budget=budget(own_cofinancing=D("5364"), other_funding=D("1000")),
        signatory_name="Françoise Lefèvre",
        signatory_function="Présidente",
        place="Marseille",
        date=dt.date(2026, 3, 1),
    )
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]


def all_text(content: bytes) -> str:
    """Every paragraph, table cell, header and footer of a .docx, one line each."""
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    for section in document.sections:
        lines += [p.text for p in section.header.paragraphs]
        lines += [p.text for p in section.footer.paragraphs]
    return "\n".join(lines)


def table_rows(content: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(content))
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def test_french_letter_content() -> None:
    content = build_letter(letter(), translator("fr"))
    text = all_text(content)
    for expected in [
        "Association Cœur de Ville – Réemploi & Façades",
        "13002 Marseille",
        f"PIC{NBSP}: 912345678",
        "À l’attention de la Ville de Marseille, coordinateur de la proposition REBUILD-MED",
        "Lettre d’engagement",
        f"«{NBSP}Réemploi des matériaux du BTP à Marseille{NBSP}»",
        "LIFE-2026-SAP-ENV-ENVIRONMENT",
        f"Rôle dans le consortium{NBSP}: Bénéficiaire",
        f"à apporter un cofinancement de 6{NNBSP}364,00{NBSP}€",
        "Fait à Marseille, le 1er mars 2026",
        "L’Association Cœur de Ville – Réemploi & Façades (CVRF) confirme par la présente",
        "coordonnée par la Ville de Marseille",
        "Pour l’Association Cœur de Ville – Réemploi & Façades (CVRF)",
        f"Nom{NBSP}: Françoise Lefèvre",
        f"Fonction{NBSP}: Présidente",
        "REBUILD-MED · Proposition LIFE · Lettre d’engagement · CVRF",
    ]:
        assert expected in text, expected
    actions, costs, funding = table_rows(content)
    assert actions == [
        ["Lot de travail / action", "Implication", "Personnes-mois"],
        ["WP2 – Collecte et diagnostic", "Responsable", "6,5"],
        ["WP4 – Sensibilisation", "Participant", "2"],
        ["Total", "", "8,5"],
    ]
    assert costs == [
        ["Catégorie de coûts", "Montant"],
        ["A. Frais de personnel", f"10{NNBSP}000,00{NBSP}€"],
        ["B. Sous-traitance", f"2{NNBSP}000,00{NBSP}€"],
        ["C.1 Frais de déplacement et de séjour", f"500,00{NBSP}€"],
        ["C.2 Équipement", f"1{NNBSP}000,00{NBSP}€"],
        ["C.3 Autres biens, travaux et services", f"1{NNBSP}500,00{NBSP}€"],
        ["D. Autres catégories de coûts", f"0,00{NBSP}€"],
        [f"E. Coûts indirects (forfait de 7{NBSP}%)", f"910,00{NBSP}€"],
        ["Total des coûts éligibles", f"15{NNBSP}910,00{NBSP}€"],
    ]
    assert funding == [
        ["Financement de ces coûts", "Montant"],
        [f"Contribution de l’UE demandée (60{NBSP}% des coûts)", f"9{NNBSP}546,00{NBSP}€"],
        ["Cofinancement propre", f"5{NNBSP}364,00{NBSP}€"],
        ["Autres financements (hors fonds de l’UE)", f"1{NNBSP}000,00{NBSP}€"],
    ]


def test_english_letter_content() -> None:
    content = build_letter(
        letter(role="coordinating_beneficiary", date=dt.date(2026, 3, 12)), translator("en")
    )
    text = all_text(content)
    for expected in [
        "PIC: 912345678",
        "To Ville de Marseille, coordinator of the proposal REBUILD-MED",
        "Letter of commitment",
        "“Réemploi des matériaux du BTP à Marseille”",
        "Role in the consortium: Coordinating beneficiary",
        "to provide a co-financing of €6,364.00",
        "Done at Marseille, on 12 March 2026",
        "Name: Françoise Lefèvre",
        "Function: Présidente",
    ]:
        assert expected in text, expected
    _, costs, funding = table_rows(content)
    assert costs[1] == ["A. Personnel costs", "€10,000.00"]
    assert costs[7] == ["E. Indirect costs (7% flat rate)", "€910.00"]
    assert costs[8] == ["Total eligible costs", "€15,910.00"]
    assert funding[1] == ["EU contribution requested (60% of the costs)", "€9,546.00"]


def test_pic_pending_blanks_and_affiliated_entity() -> None:
    data = letter(
        pic=None,
        role="affiliated_entity",
        affiliated_to="Métropole Aix-Marseille",
        signatory_name="",
        signatory_function="",
        place="",
        date=None,
        actions=[],
        tasks="",
        organisation_acronym="",
    )
    fr = all_text(build_letter(data, translator("fr")))
    assert "PIC en cours d’obtention" in fr
    assert f"Rôle dans le consortium{NBSP}: Entité affiliée de la Métropole Aix-Marseille" in fr
    assert "Les lots de travail de l’organisation restent à définir." in fr
    assert "Fait à ____________________, le ____________________" in fr
    assert f"Nom{NBSP}: ____________________" in fr
    en = all_text(build_letter(data, translator("en")))
    assert "PIC pending" in en
    assert "Role in the consortium: Affiliated entity of Métropole Aix-Marseille" in en


def test_associated_partner_requests_no_eu_funding() -> None:
    data = letter(
        role="associated_partner",
        budget=participation_budget(
            CostLines(),
            indirect_rate=D("0.07"),
            funding_rate=D("0.6"),
            own_cofinancing=D(3000),
            role="associated_partner",
        ),
    )
    content = build_letter(data, translator("en"))
    text = all_text(content)
    assert "As an associated partner, the organisation requests no EU funding." in text
    assert "EU contribution requested" not in text
    assert table_rows(content)[-1] == [
        ["Funding of these costs", "Amount"],
        ["Own co-financing", "€3,000.00"],
        ["Other funding (not from EU funds)", "€0.00"],
    ]
    no_budget = all_text(build_letter(letter(budget=None), translator("fr")))
    assert "Le budget de l’organisation reste à définir." in no_budget


def test_page_setup_header_footer_and_fields() -> None:
    content = build_letter(letter(), translator("en"))
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert {
        round(m.mm, 1)
        for m in (
            section.left_margin,
            section.right_margin,
            section.top_margin,
            section.bottom_margin,
        )
    } == {20.0}
    assert section.header.paragraphs[0].text == (
        "REBUILD-MED · LIFE proposal · Letter of commitment · CVRF"
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        footer = archive.read("word/footer1.xml").decode()
        body = archive.read("word/document.xml").decode()
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert '<w:pgNumType w:start="1"/>' in body
    assert document.core_properties.title == (
        "Letter of commitment – REBUILD-MED – Association Cœur de Ville – Réemploi & Façades (CVRF)"
    )
    assert document.core_properties.language == "en-GB"
    assert document.core_properties.author == ""


def test_build_letters_one_section_per_letter() -> None:
    second = letter(
        organisation_legal_name="Les Jardins de Noailles",
        organisation_acronym="JdN",
        signatory_name="Çağla Œuvray",
    )
    content = build_letters([letter(), second], translator("fr"))
    document = docx.Document(io.BytesIO(content))
    assert len(document.sections) == 2
    assert document.sections[1].start_type == 2  # WD_SECTION.NEW_PAGE
    assert document.sections[1].header.paragraphs[0].text.endswith("· JdN")
    assert document.sections[1].footer.is_linked_to_previous is False
    text = all_text(content)
    assert text.count("Lettre d’engagement\n") == 2
    assert f"Nom{NBSP}: Çağla Œuvray" in text
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        footers = [
            archive.read(n).decode() for n in archive.namelist() if n.startswith("word/footer")
        ]
    assert len(footers) == 2
    assert all(" PAGE " in f and "NUMPAGES" not in f for f in footers)
    with pytest.raises(ValueError, match="no letters"):
        build_letters([], translator("fr"))


def test_add_letter_into_an_existing_document() -> None:
    document = docx.Document()
    document.add_paragraph("Dossier")
    add_letter(document, letter(), translator("en"))
    assert len(document.sections) == 2
    assert document.paragraphs[0].text == "Dossier"


def test_unknown_role() -> None:
    with pytest.raises(ValueError):
        build_letter(letter(role="sponsor"), translator("en"))


def test_format_date() -> None:
    assert format_date(dt.date(2026, 3, 1), "fr") == "1er mars 2026"
    assert format_date(dt.date(2026, 8, 15), "fr") == "15 août 2026"
    assert format_date(dt.date(2026, 12, 1), "en") == "1 December 2026"


NASTY = "A\x00B\x08C\x0bD\x0cE\x1bF\ufffeG\uffffH\ud800I\udfffJ\t\u202eK\U0001f331"


def test_xml_safe() -> None:
    assert xml_safe(NASTY) == "ABCDEFGHIJ\t\u202eK\U0001f331"
    assert xml_safe(None) == ""
    assert xml_safe(D("1.5")) == "1.5"
    assert xml_safe("e\u0301") == "é"


def test_nasty_characters_everywhere_do_not_crash() -> None:
    data = letter(
        organisation_legal_name=NASTY,
        organisation_acronym=NASTY,
        address=NASTY,
        city=NASTY,
        country=NASTY,
        pic=NASTY,
        proposal_acronym=NASTY,
        proposal_title=NASTY,
        topic_id=NASTY,
        coordinator_name=NASTY,
        tasks=NASTY + "\n" + NASTY,
        signatory_name=NASTY,
        signatory_function=NASTY,
        place=NASTY,
        actions=[LetterAction(NASTY, NASTY, True, D(1))],
    )
    for lang in ("en", "fr"):
        text = all_text(build_letters([data, data], translator(lang)))
        assert "ABCDEFGHIJ" in text
        assert "\x00" not in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from(["en", "fr"]))
def test_any_unicode_makes_a_readable_letter(name: str, title: str, lang: str) -> None:
    content = build_letter(
        letter(organisation_legal_name=name, proposal_title=title, signatory_name=name),
        translator(lang),
    )  # type: ignore[arg-type]
    all_text(content)


# -- LibreOffice -----------------------------------------------------------------------

SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_letters_to_pdf(tmp_path: Path) -> None:
    single = tmp_path / "letter.docx"
    single.write_bytes(build_letter(letter(), translator("fr")))
    several = tmp_path / "letters.docx"
    several.write_bytes(
        build_letters([letter(), letter(role="associated_partner", budget=None)], translator("en"))
    )
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(single),
            str(several),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "letter.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "letters.pdf").read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        return
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "Association Cœur de Ville – Réemploi & Façades" in text
    assert "15 910,00 €" in text.replace(NBSP, " ")
    assert "Page 1 sur 2" in text and "Page 2 sur 2" in text
    many = subprocess.run(
        ["pdftotext", str(tmp_path / "letters.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert many.count("Letter of commitment\n") == 2

"""The Word dossier, read back with python-docx (and once through LibreOffice)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document
from docx.shared import Mm, Pt

from consortium.dossier.document import (
    DossierContent,
    SectionContent,
    build_dossier,
    build_partner_table,
    build_section,
    content_from_data,
)
from consortium.dossier.drafting import (
    DossierData,
    Organisation,
    Output,
    ProposalData,
    Source,
)
from consortium.dossier.structure import load_structure
from consortium.translation import translator

from .test_drafting import marseille_data

DATE = dt.date(2025, 11, 25)


def _png() -> bytes:
    """A small real PNG (Pillow comes with matplotlib)."""
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 180)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def _content(lang: str = "fr", **changes: object) -> DossierContent:
    content = content_from_data(marseille_data(), translator(lang), network_png=PNG, date=DATE)
    return dataclasses.replace(content, **changes) if changes else content


def _open(data: bytes):  # type: ignore[no-untyped-def]
    return Document(BytesIO(data))


def _headings(doc) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]


def _table(doc, first_header: str):  # type: ignore[no-untyped-def]
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first_header)


def _rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[c.text for c in row.cells] for row in table.rows]


def _xml(doc) -> str:  # type: ignore[no-untyped-def]
    return doc.element.xml


def test_headings_are_numbered_and_in_structure_order() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr")))
    level12 = [h for h in _headings(doc) if h[0] in ("Heading 1", "Heading 2")]
    assert level12 == [
        ("Heading 1", "Résumé du projet"),
        ("Heading 1", "1. Pertinence"),
        ("Heading 2", "1.1 Conformité avec les objectifs du programme LIFE et le sujet de l'appel"),
        ("Heading 2", "1.2 Vision à l'horizon 2030"),
        ("Heading 2", "1.3 Analyse des besoins et objectifs spécifiques"),
        ("Heading 1", "2. Mise en œuvre"),
        ("Heading 2", "2.1 Plan de travail : actions et lots de travail"),
        ("Heading 2", "2.2 Implication des parties prenantes et démarche de co-construction"),
        ("Heading 2", "2.3 Composition du consortium"),
        ("Heading 2", "2.4 Gestion du consortium et prise de décision"),
        ("Heading 2", "2.5 Vue d'ensemble du budget et rapport coût-efficacité"),
        ("Heading 2", "2.6 Risques et mesures d'atténuation"),
        ("Heading 1", "3. Impact"),
        ("Heading 2", "3.1 Impact attendu et ambition"),
        ("Heading 2", "3.2 Pérennité, reproductibilité et changement d'échelle"),
        ("Heading 1", "Annexe — Sources du texte pré-rédigé"),
    ] + [
        ("Heading 2", h)
        for h in [
            "Résumé du projet",
            "1.1 Conformité avec les objectifs du programme LIFE et le sujet de l'appel",
            "1.2 Vision à l'horizon 2030",
            "1.3 Analyse des besoins et objectifs spécifiques",
            "2.1 Plan de travail : actions et lots de travail",
            "2.2 Implication des parties prenantes et démarche de co-construction",
            "2.3 Composition du consortium",
            "2.4 Gestion du consortium et prise de décision",
            "2.5 Vue d'ensemble du budget et rapport coût-efficacité",
            "2.6 Risques et mesures d'atténuation",
            "3.1 Impact attendu et ambition",
            "3.2 Pérennité, reproductibilité et changement d'échelle",
        ]
    ]
    assert ("Heading 3", "WP2 – Plateforme de réemploi") in _headings(doc)


def test_english_headings_and_compliance_section_title() -> None:
    doc = _open(build_dossier(_content("en"), translator("en")))
    texts = [t for _s, t in _headings(doc)]
    assert "1.1 Compliance with LIFE programme objectives and call topic" in texts
    assert texts[:3] == ["Project summary", "1. Relevance", texts[2]]


def test_cover_and_table_of_contents_field() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr")))
    texts = [p.text for p in doc.paragraphs]
    assert "LIFE RÉEMPLOI-MED" in texts
    assert "Réemploi des matériaux du BTP à Marseille" in texts
    assert (
        "Topic\u00a0: LIFE-2026-SAP-ENV-ENVIRONMENT – Circular Economy and Zero Pollution" in texts
    )
    assert "Coordinateur\u00a0: Ville de Marseille" in texts
    assert "Date\u00a0: 25 novembre 2025" in texts
    assert "Partie B — projet" in texts
    assert texts.index("Partie B — projet") < texts.index("Table des matières")
    xml = _xml(doc)
    assert 'TOC \\o "1-3" \\h \\z \\u' in xml
    assert xml.count('w:fldCharType="begin"') == 1  # the TOC; page fields live in the footer
    toc_entries = [p.text for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert toc_entries[:3] == [
        "Résumé du projet",
        "1. Pertinence",
        "1.1 Conformité avec les objectifs du programme LIFE et le sujet de l'appel",
    ]
    assert toc_entries[-1] == "Annexe — Sources du texte pré-rédigé"
    assert len(toc_entries) == 16
    assert "updateFields" in doc.settings.element.xml


def test_page_size_margins_header_and_footer() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr")))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        assert round(getattr(section, side).mm, 1) == 20.0
    assert section.different_first_page_header_footer is True
    assert section.header.paragraphs[0].text == "LIFE RÉEMPLOI-MED — Partie B"
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("LIFE RÉEMPLOI-MED — page ")
    assert " PAGE " in footer._p.xml and " NUMPAGES " in footer._p.xml
    assert (
        doc.core_properties.title == "LIFE RÉEMPLOI-MED – Réemploi des matériaux du BTP à Marseille"
    )
    assert doc.core_properties.language == "fr-FR"


def test_partner_table_values() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr")))
    rows = _rows(_table(doc, "n°"))
    assert rows == [
        ["n°", "Organisation", "Sigle", "Pays", "Type", "Rôle", "PIC"],
        [
            "1",
            "Ville de Marseille",
            "VdM",
            "France",
            "organisme public",
            "coordinateur",
            "999999999",
        ],
        [
            "2",
            "La Cité des transitions",
            "CDT",
            "France",
            "association",
            "bénéficiaire",
            "manquant",
        ],
        [
            "3",
            "Réemploi Matériaux Sud",
            "RMS",
            "France",
            "association",
            "bénéficiaire",
            "912345678",
        ],
        ["4", "BTP Circulaire Provence", "BCP", "France", "PME", "bénéficiaire", "923456789"],
        [
            "5",
            "Atelier Œuvre Commune",
            "",
            "France",
            "association",
            "partenaire associé",
            "934567890",
        ],
    ]


def test_work_package_table_values() -> None:
    doc = _open(build_dossier(_content("en"), translator("en")))
    rows = _rows(_table(doc, "WP"))
    assert rows[0] == ["WP", "Title", "Lead", "Participants", "Start", "End", "Deliverables"]
    assert rows[2] == [
        "WP2",
        "Plateforme de réemploi",
        "RMS",
        "BCP, CDT",
        "M3",
        "M40",
        "Plateforme ouverte",
    ]
    assert rows[1][-1] == "Plan de gestion; Rapports"


def _amount(text: str) -> Decimal:
    return Decimal(text.replace("\u202f", "").replace(",", "."))


def test_budget_table_totals_equal_sum_of_rows_exactly() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr")))
    rows = _rows(_table(doc, "Partenaire"))
    assert rows[0] == ["Partenaire", "A", "B", "C.1", "C.2", "C.3", "D", "E", "Total"]
    assert rows[1] == [
        "Ville de Marseille",
        "400\u202f000,00",
        "50\u202f000,00",
        "10\u202f000,00",
        "0,00",
        "100\u202f000,50",
        "0,00",
        "39\u202f500,00",
        "599\u202f500,50",
    ]
    total = rows[-1]
    assert total[0] == "Total"
    assert total[-1] == "999\u202f500,75"
    body = rows[1:-1]
    for col in range(1, 9):
        assert sum(_amount(r[col]) for r in body) == _amount(total[col])
    for row in body:
        assert sum(_amount(v) for v in row[1:8]) == _amount(row[8])
    texts = [p.text for p in doc.paragraphs]
    assert (
        "Contribution de l'UE demandée\u00a0: 599\u202f700,45\u00a0€ (60\u00a0% des coûts éligibles\u202f; "
        "taux de financement maximal\u00a0: 60\u00a0%)." in texts
    )


def test_markup_blocks_become_word_lists_tables_and_emphasis() -> None:
    markup = (
        "Texte **gras** et *italique*.\n\n- un\n- deux\n\n2. b\n3. c\n\n"
        "| X | Y |\n|---|---|\n| 1 | 2 |"
    )
    section = SectionContent("9", "9. Essai", 1, markup)
    content = _content("fr", sections=(section,), include_sources_annex=False)
    doc = _open(build_section(content, "9", translator("fr")))
    paras = doc.paragraphs
    assert paras[0].text == "9. Essai"
    runs = [(r.text, bool(r.bold), bool(r.italic)) for r in paras[1].runs]
    assert runs == [
        ("Texte ", False, False),
        ("gras", True, False),
        (" et ", False, False),
        ("italique", False, True),
        (".", False, False),
    ]
    assert [(p.style.name, p.text) for p in paras[2:4]] == [
        ("List Bullet", "un"),
        ("List Bullet", "deux"),
    ]
    assert [p.text for p in paras[4:6]] == ["2.\tb", "3.\tc"]
    assert _rows(doc.tables[0]) == [["X", "Y"], ["1", "2"]]
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].runs[0].bold is True


def test_accents_and_emoji_survive() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "«\u00a0On jette des portes en parfait état 🌱\u00a0» — RMS" in text
    assert "Atelier Œuvre Commune" in text
    assert "façon « ça se répare »" in text


def test_network_figure_and_caption() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr")))
    assert len(doc.inline_shapes) == 1
    assert round(doc.inline_shapes[0].width.mm) == 150
    assert "Figure 1 — Réseau de coopération du consortium" in [p.text for p in doc.paragraphs]


def test_unreadable_figure_is_left_out_with_a_note() -> None:
    doc = _open(build_dossier(_content("en", network_png=b"not a png"), translator("en")))
    assert len(doc.inline_shapes) == 0
    assert "[The network figure could not be read and was left out.]" in [
        p.text for p in doc.paragraphs
    ]


def test_sources_annex_lists_each_drafted_paragraph_sources() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr")))
    annex_tables = [t for t in doc.tables if t.rows[0].cells[0].text == "Texte"]
    assert len(annex_tables) == 12
    vision = _rows(annex_tables[2])
    assert vision[1] == [
        "1. Les partenaires ont construit une vision partagée de Marseille en 203…",
        "Atelier\u00a0: Vision 2030 du réemploi (12 mars 2024)",
    ]
    without = _open(build_dossier(_content("fr", include_sources_annex=False), translator("fr")))
    assert not [t for t in without.tables if t.rows[0].cells[0].text == "Texte"]


def test_edited_text_replaces_draft_and_drops_stale_sources() -> None:
    content = content_from_data(
        marseille_data(), translator("en"), texts={"1.2": "Our *own* vision."}, date=DATE
    )
    section = next(s for s in content.sections if s.code == "1.2")
    assert section.markup == "Our *own* vision."
    assert section.sources == ()


def test_nasty_characters_do_not_crash() -> None:
    bad = "A\x00B\x08C\x0bD\x0cE\x1bF\ud800G\ufffeH\uffffI ‮rtl‬ 🌱"
    data = marseille_data()
    proposal = dataclasses.replace(
        data.proposal, acronym=bad, title=bad, coordinator_name=bad, topic_title=bad
    )
    orgs = (*data.organisations, Organisation("bad", bad, bad, bad, bad, bad, bad, bad))
    outputs = (
        *data.outputs,
        Output("ob", "w1", "vision", bad, ("bad",)),
        Output("oc", "w1", "risk", bad),
    )
    nasty = dataclasses.replace(data, proposal=proposal, organisations=orgs, outputs=outputs)
    content = content_from_data(nasty, translator("en"), network_png=PNG, date=DATE)
    sections = (
        *content.sections,
        SectionContent(
            "4", bad, 1, f"{bad}\n\n- {bad}\n\n| {bad} |", "free", ((Source("output", bad, bad),),)
        ),
    )
    doc = _open(
        build_dossier(dataclasses.replace(content, sections=sections, note=bad), translator("en"))
    )
    assert "ABCDEFGHI ‮rtl‬ 🌱" in [p.text for p in doc.paragraphs]
    assert doc.sections[0].header.paragraphs[0].text == "ABCDEFGHI ‮rtl‬ 🌱 — Part B"


def _reference_docx() -> bytes:
    ref = Document()
    heading = ref.styles["Heading 1"]
    heading.font.size = Pt(27)
    heading.font.name = "Georgia"
    for name in ("List Bullet", "Caption"):
        ref.styles[name].element.getparent().remove(ref.styles[name].element)
    ref.add_paragraph("OLD BODY TEXT")
    ref.add_table(rows=1, cols=1).cell(0, 0).text = "OLD TABLE"
    section = ref.sections[0]
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = Mm(10)  # below the 15 mm minimum: replaced by 20 mm
    section.header.paragraphs[0].text = "OLD HEADER"
    buffer = BytesIO()
    ref.save(buffer)
    return buffer.getvalue()


def test_reference_docx_styles_are_used_and_its_body_cleared() -> None:
    doc = _open(build_dossier(_content("fr"), translator("fr"), reference_docx=_reference_docx()))
    assert doc.styles["Heading 1"].font.size == Pt(27)
    assert doc.styles["Heading 1"].font.name == "Georgia"
    texts = [p.text for p in doc.paragraphs]
    assert "OLD BODY TEXT" not in texts
    assert all(t.rows[0].cells[0].text != "OLD TABLE" for t in doc.tables)
    assert "Caption" in doc.styles  # restored from the default template
    assert "Figure 1 — Réseau de coopération du consortium" in texts
    # List Bullet was missing: bullets are drawn by hand instead of relying on absent numbering
    assert any(p.text.startswith("•\t") for p in doc.paragraphs)
    section = doc.sections[0]
    margins = (section.left_margin, section.right_margin, section.top_margin)
    assert [round(m.mm, 1) for m in margins] == [25.0, 25.0, 20.0]
    assert round(section.page_width.mm) == 210
    assert section.header.paragraphs[0].text == "LIFE RÉEMPLOI-MED — Partie B"
    assert "OLD HEADER" not in section.header._element.xml


def test_build_section_contains_one_section_with_its_tables() -> None:
    doc = _open(build_section(_content("en"), "2.3", translator("en")))
    headings = [t for _s, t in _headings(doc)]
    assert headings[0] == "2.3 Consortium set-up"
    assert "1.1 Compliance with LIFE programme objectives and call topic" not in headings
    assert _rows(doc.tables[0])[0] == [
        "#",
        "Organisation",
        "Short name",
        "Country",
        "Type",
        "Role",
        "PIC",
    ]
    assert len(doc.inline_shapes) == 1
    with pytest.raises(ValueError, match="unknown section code"):
        build_section(_content("en"), "7.7", translator("en"))


def test_build_partner_table_alone() -> None:
    data = marseille_data()
    doc = _open(
        build_partner_table(data.proposal, data.organisations, data.members, translator("en"))
    )
    rows = _rows(doc.tables[0])
    assert rows[0] == ["#", "Organisation", "Short name", "Country", "Type", "Role", "PIC"]
    assert rows[1] == [
        "1",
        "Ville de Marseille",
        "VdM",
        "France",
        "public body",
        "coordinator",
        "999999999",
    ]
    assert rows[2][-1] == "missing"


def test_tables_go_to_an_annex_when_no_section_discusses_them() -> None:
    only_summary = tuple(s for s in load_structure("SAP") if s.code in ("0",))
    content = content_from_data(
        marseille_data(), translator("en"), structure=only_summary, network_png=PNG, date=DATE
    )
    doc = _open(build_dossier(content, translator("en")))
    assert "Annex — Tables" in [t for _s, t in _headings(doc)]
    assert {t.rows[0].cells[0].text for t in doc.tables} >= {"#", "WP", "Partner"}


def test_very_long_section_and_hundreds_of_outputs() -> None:
    data = marseille_data()
    outputs = tuple(
        Output(
            f"x{i}",
            "w2",
            ("need", "objective", "risk", "vision")[i % 4],
            f"Production n°{i} — é ç œ",
            ("rms",),
        )
        for i in range(400)
    )
    big = dataclasses.replace(data, outputs=data.outputs + outputs)
    content = content_from_data(big, translator("fr"), date=DATE)
    long_text = ("Un paragraphe très long, avec des accents. " * 2400).strip()
    sections = (*content.sections, SectionContent("4", "4. Long", 1, long_text))
    doc = _open(build_dossier(dataclasses.replace(content, sections=sections), translator("fr")))
    assert len(long_text) > 100_000
    assert long_text in [p.text for p in doc.paragraphs]
    risks = _table(doc, "Risque")
    assert len(risks.rows) == 1 + 2 + 100


def test_empty_proposal_still_builds() -> None:
    content = content_from_data(
        DossierData(proposal=ProposalData("X", "", "", "")), translator("en"), date=DATE
    )
    doc = _open(build_dossier(content, translator("en")))
    texts = [p.text for p in doc.paragraphs]
    assert "Budget: not yet available (the partners have not yet confirmed their budgets)." in texts
    assert "Workshops: not yet available." in texts


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; CI installs it"
)
def test_libreoffice_converts_the_dossier_to_a_multi_page_pdf(tmp_path) -> None:  # type: ignore[no-untyped-def]
    docx_path = tmp_path / "dossier.docx"
    docx_path.write_bytes(build_dossier(_content("fr"), translator("fr")))
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: parallel runs don't lock each other
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "dossier.pdf"
    assert pdf.exists()
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdfinfo"):
        info = subprocess.run(
            ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True
        ).stdout
        pages = int(
            next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        )
        assert pages > 1
    else:
        assert pdf.read_bytes().count(b"/Type /Page") > 1

"""Reading Word files back into sections (pure): bookmarks, headings, markup kept, tracked
changes resolved per decision, comments and footnotes, generated data left out."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortium.dossier.document import DossierContent, SectionContent, build_dossier, build_section
from consortium.dossier.markup import parse, to_markup
from consortium.dossier.structure import load_structure
from consortium.dossier.wordimport import KnownSection, NotADocx, read_docx
from consortium.translation import translator

from .test_document import _content

SPECS = load_structure("SAP")
KNOWN = [
    KnownSection(s.code, s.level, (s.heading("en"), s.heading("fr")), s.drafting_key == "heading")
    for s in SPECS
]


def _canonical(text: str) -> str:
    return to_markup(parse(text))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_exported_dossier_reads_back_section_for_section(lang):
    content = _content(lang)
    found = read_docx(build_dossier(content, translator(lang)), KNOWN)
    texts = {s.code: s.markup for s in content.sections if s.key != "heading"}
    assert [s.code for s in found.sections] == list(texts)
    assert all(s.by_bookmark for s in found.sections)
    for section in found.sections:
        assert section.markup() == _canonical(texts[section.code]), section.code
    assert found.unknown_headings == () and found.duplicates == ()


def test_generated_tables_figure_and_notes_are_left_out():
    content = _content("en")
    data = build_dossier(content, translator("en"))
    doc = Document(io.BytesIO(data))
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert len(captions) >= 3 and len(doc.tables) >= 3  # partners, work packages, budget
    found = {s.code: s for s in read_docx(data, KNOWN).sections}
    texts = {s.code: s.markup for s in content.sections}
    for code in ("2.1", "2.3", "2.5"):
        imported = found[code].markup()
        assert imported == _canonical(texts[code])
        assert not any(caption in imported for caption in captions)


def test_one_exported_section_is_recognised():
    content = _content("en")
    found = read_docx(build_section(content, "1.2", translator("en")), KNOWN)
    assert [s.code for s in found.sections] == ["1.2"]


def _doc_with(*paragraphs: tuple[str, str]) -> bytes:
    doc = Document()
    for style, text in paragraphs:
        doc.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_someone_elses_file_is_read_by_headings_accents_and_case_ignored():
    data = _doc_with(
        ("Title", "Our LIFE project"),
        ("Heading 1", "VISION À L'HORIZON 2030"),
        ("Normal", "Une ville sans déchets."),
        ("List Bullet", "premier point"),
        ("List Bullet", "second point"),
        ("Heading 2", "Détails"),
        ("List Number", "étape un"),
        ("Heading 1", "Something else entirely"),
        ("Normal", "Not imported."),
    )
    found = read_docx(data, KNOWN)
    assert [s.code for s in found.sections] == ["1.2"]
    assert not found.sections[0].by_bookmark
    assert found.sections[0].markup() == (
        "Une ville sans déchets.\n\n- premier point\n- second point\n\n### Détails\n\n1. étape un"
    )
    assert found.unknown_headings == ("Something else entirely",)


def test_a_file_without_dossier_headings_has_no_sections():
    found = read_docx(_doc_with(("Heading 1", "Minutes"), ("Normal", "Text")), KNOWN)
    assert found.sections == () and found.unknown_headings == ("Minutes",)


def test_not_a_docx_is_refused():
    with pytest.raises(NotADocx):
        read_docx(b"PK\x03\x04 not really", KNOWN)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not xml")
    with pytest.raises(NotADocx):
        read_docx(buffer.getvalue(), KNOWN)


def _tracked(paragraph, kind: str, text: str, author: str = "Reviewer") -> None:
    """Append a w:ins or w:del run to a python-docx paragraph."""
    change = OxmlElement(f"w:{kind}")
    change.set(qn("w:id"), str(abs(hash((kind, text))) % 10_000))
    change.set(qn("w:author"), author)
    change.set(qn("w:date"), "2026-12-01T10:00:00Z")
    run = OxmlElement("w:r")
    t = OxmlElement("w:delText" if kind == "del" else "w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    change.append(run)
    paragraph._p.append(change)


def _with_tracked_changes() -> bytes:
    doc = Document()
    doc.add_paragraph("Vision for 2030", style="Heading 1")
    p = doc.add_paragraph("Reuse ")
    _tracked(p, "ins", "half of ")
    _tracked(p, "del", "some ")
    p.add_run("materials.")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_tracked_changes_are_listed_and_resolved_per_decision():
    (section,) = read_docx(_with_tracked_changes(), KNOWN).sections
    assert [(c.number, c.kind, c.author, c.text) for c in section.changes] == [
        (1, "insert", "Reviewer", "half of "),
        (2, "delete", "Reviewer", "some "),
    ]
    assert section.markup() == "Reuse half of materials."
    assert section.markup(frozenset({1})) == "Reuse materials."
    assert section.markup(frozenset({2})) == "Reuse half of some materials."
    assert section.markup(frozenset({1, 2})) == "Reuse some materials."


def test_comments_and_footnotes_are_not_lost():
    doc = Document()
    doc.add_paragraph("Vision for 2030", style="Heading 1")
    paragraph = doc.add_paragraph("A city ")
    run = paragraph.add_run("without waste")
    doc.add_comment(run, text="Too bold?", author="Ann")
    data = io.BytesIO()
    doc.save(data)
    (section,) = read_docx(data.getvalue(), KNOWN).sections
    assert [(c.author, c.text, c.anchor) for c in section.comments] == [
        ("Ann", "Too bold?", "without waste")
    ]
    assert section.markup() == "A city without waste"


def test_bold_italic_and_table_header_round_trip():
    markup_text = (
        "A **bold** and *italic* and ***both*** text.\n\n"
        "| Year | Tonnes |\n|---|---|\n| 2026 | 12 |\n| 2027 | *15* |"
    )
    content = DossierContent(
        proposal=_content("en").proposal,
        sections=(SectionContent("1.2", "1.2 Vision for 2030", 2, markup_text),),
        include_sources_annex=False,
    )
    (section,) = read_docx(build_section(content, "1.2", translator("en")), KNOWN).sections
    assert section.markup() == _canonical(markup_text)


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("*|-#\\ \n1."),
    max_size=200,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_any_markup_survives_the_round_trip_as_text(text):
    """What a writer typed comes back with the same words, block for block (emphasis that
    Word cannot tell apart, such as adjacent bold runs, may be regrouped)."""
    content = DossierContent(
        proposal=_content("en").proposal,
        sections=(SectionContent("1.2", "1.2 Vision for 2030", 2, text),),
        include_sources_annex=False,
    )
    found = read_docx(build_section(content, "1.2", translator("en")), KNOWN).sections
    blocks = parse(text)
    if not any(t.strip() for b in blocks for t in b.texts()):
        return
    (section,) = found
    again = parse(section.markup())
    assert [" ".join(t.split()) for b in again for t in b.texts() if t.strip()] == [
        " ".join(t.split()) for b in blocks for t in b.texts() if t.strip()
    ]


def test_external_entities_are_not_resolved():
    """An entity pointing at a local file stays unresolved (XXE); nothing leaks into text."""
    data = _doc_with(("Heading 1", "Vision for 2030"), ("Normal", "PLACEHOLDER"))
    source = io.BytesIO(data)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w") as new:
        for item in old.infolist():
            content = old.read(item.filename)
            if item.filename == "word/document.xml":
                text = content.decode()
                head, rest = text.split("?>", 1)
                text = head + '?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>' + rest
                content = text.replace("PLACEHOLDER", "A&x;B").encode()
            new.writestr(item, content)
    (section,) = read_docx(out.getvalue(), KNOWN).sections
    assert section.markup() in ("A", "AB")  # the entity's file never comes in

"""Letters of commitment as Word documents (python-docx; pure: plain data in, bytes out).

:func:`build_letter` writes one partner's letter, :func:`build_letters` all partners' letters
in one document (each in its own section, starting on a new page, with its own page
numbering); :func:`add_letter` appends a letter to a document someone else is building (the
dossier export).  The letter is a document with its own language (``"en"`` or ``"fr"``),
independent of the interface language: its texts come from the gettext catalogues through the
:class:`~consortium.translation.Translator` of that language.  Every string goes through
:func:`xml_safe` before it reaches the XML (reliability.md section 4.1), so no user input can
make the export fail.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from consortium.characters import without_control_characters
from consortium.commitments.budget import CATEGORY_LABELS, ParticipationBudget
from consortium.commitments.workflow import ParticipantRole
from consortium.errors import N_
from consortium.formatting import (
    country_name,
    format_date,
    format_money,
    format_number,
    format_percent,
)
from consortium.translation import Translator, organisation_phrase, sentence_start
from consortium.wordfields import add_field

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")


def xml_safe(text: object) -> str:
    """``text`` as a string python-docx accepts: XML-illegal characters and lone surrogates
    removed, NFC-normalised; ``None`` becomes ``""``."""
    if text is None:
        return ""
    cleaned = without_control_characters(text if isinstance(text, str) else str(text))
    return unicodedata.normalize("NFC", cleaned)


BLANK = "____________________"

NO_EU_FUNDING: Mapping[ParticipantRole, str] = {
    ParticipantRole.ASSOCIATED_PARTNER: N_(
        "As an associated partner, the organisation requests no EU funding."
    ),
    ParticipantRole.SUBCONTRACTOR: N_(
        "As a subcontractor, the organisation requests no EU funding."
    ),
}
"""Roles without EU funding, with the sentence that says so (English needs "a"/"an")."""
NO_EU_FUNDING_IN_ROLE = N_("In this role, the organisation requests no EU funding.")

_FONT = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans
_GREY = RGBColor(0x59, 0x59, 0x59)
_DARK = RGBColor(0x1F, 0x3A, 0x5F)
_LANG_TAGS: Mapping[Lang, str] = {"en": "en-GB", "fr": "fr-FR"}


@dataclass(frozen=True, slots=True)
class LetterAction:
    """A work package or action the organisation leads or joins."""

    code: str  # e.g. "WP2" or "A.3"
    title: str
    leads: bool = False
    person_months: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class LetterData:
    """Everything a letter of commitment shows (already-loaded plain data)."""

    organisation_legal_name: str
    proposal_acronym: str
    proposal_title: str
    topic_id: str
    coordinator_name: str
    role: ParticipantRole | str
    organisation_acronym: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    pic: str | None = None
    affiliated_to: str | None = None  # the beneficiary an affiliated entity is linked to
    actions: Sequence[LetterAction] = ()
    tasks: str = ""  # free-text summary of the organisation's tasks
    budget: ParticipationBudget | None = None
    signatory_name: str = ""
    signatory_function: str = ""
    place: str = ""
    date: dt.date | None = None


def _check_lang(lang: str) -> Lang:
    """``lang`` if supported, else ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"unsupported letter language: {lang!r} (use 'en' or 'fr')")
    return lang  # type: ignore[return-value]


# --------------------------------------------------------------------------------------
# Low-level helpers (every string is cleaned here)


def _run(
    paragraph: Paragraph,
    text: object,
    *,
    bold: bool = False,
    size: float | None = None,
    color: RGBColor | None = None,
    italic: bool = False,
) -> None:
    """Append a cleaned run."""
    run = paragraph.add_run(xml_safe(text))
    run.bold = bold or None
    run.italic = italic or None
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color


def _para(
    container: DocxDocument | object,
    text: object = "",
    *,
    bold: bool = False,
    align: WD_ALIGN_PARAGRAPH | None = None,
    space_after: float = 6,
    keep_with_next: bool = False,
    size: float | None = None,
) -> Paragraph:
    """Append a paragraph with one cleaned run to a document, cell, header or footer."""
    paragraph: Paragraph = container.add_paragraph()  # type: ignore[attr-defined]
    if text != "":
        _run(paragraph, text, bold=bold, size=size)
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if keep_with_next:
        fmt.keep_with_next = True
    return paragraph


def _heading(doc: DocxDocument, text: str, *, size: float = 12) -> None:
    """A section heading (bold, dark blue, kept with what follows)."""
    paragraph = _para(doc, space_after=4, keep_with_next=True)
    paragraph.paragraph_format.space_before = Pt(10)
    _run(paragraph, text, bold=True, size=size, color=_DARK)


def _restart_page_numbers(section_element: object) -> None:
    """Make a section number its pages from 1 (``w:pgNumType w:start="1"``)."""
    sect_pr = section_element
    existing = sect_pr.find(qn("w:pgNumType"))  # type: ignore[attr-defined]
    if existing is None:
        existing = OxmlElement("w:pgNumType")
        successors = (
            "w:cols",
            "w:formProt",
            "w:vAlign",
            "w:noEndnote",
            "w:titlePg",
            "w:textDirection",
            "w:bidi",
            "w:rtlGutter",
            "w:docGrid",
            "w:printerSettings",
            "w:sectPrChange",
        )
        for tag in successors:
            follower = sect_pr.find(qn(tag))  # type: ignore[attr-defined]
            if follower is not None:
                follower.addprevious(existing)
                break
        else:
            sect_pr.append(existing)  # type: ignore[attr-defined]
    existing.set(qn("w:start"), "1")


def _table(
    doc: DocxDocument,
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    *,
    right_cols: frozenset[int] = frozenset(),
    bold_rows: frozenset[int] = frozenset(),
) -> Table:
    """A grid table; row 0 is the header (bold, repeated on each page)."""
    table = doc.add_table(rows=0, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for col, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.width = Mm(widths_mm[col])
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(1)
            paragraph.paragraph_format.space_before = Pt(1)
            if col in right_cols:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(paragraph, value, bold=index == 0 or index in bold_rows, size=9.5)
        if index == 0:
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            header = OxmlElement("w:tblHeader")
            tr_pr.append(header)
            for cell in cells:
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:color"), "auto")
                shading.set(qn("w:fill"), "E8EEF5")
                cell._tc.get_or_add_tcPr().append(shading)
    _para(doc, space_after=2)
    return table


# --------------------------------------------------------------------------------------
# Document set-up


def _setup_document(doc: DocxDocument, lang: Lang, title: str) -> None:
    """Default font, language and document properties."""
    normal = doc.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10)
    r_pr = normal.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is not None:
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), _FONT)
    lang_el = r_pr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = OxmlElement("w:lang")
        r_pr.append(lang_el)
    lang_el.set(qn("w:val"), _LANG_TAGS[lang])
    props = doc.core_properties
    props.title = xml_safe(title)
    props.language = _LANG_TAGS[lang]
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""


def _setup_section(
    doc: DocxDocument, data: LetterData, tr: Translator, *, new_section: bool, page_total: bool
) -> None:
    """A4, 20 mm margins, header with the proposal acronym, footer "Page X" (or "of Y").

    "of Y" uses NUMPAGES, so it is only right when the document holds one letter
    (LibreOffice does not compute SECTIONPAGES).
    """
    section = doc.add_section(WD_SECTION.NEW_PAGE) if new_section else doc.sections[-1]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    section.header_distance = section.footer_distance = Mm(10)
    section.different_first_page_header_footer = False
    _restart_page_numbers(section._sectPr)

    header, footer = section.header, section.footer
    header.is_linked_to_previous = False
    footer.is_linked_to_previous = False
    for part in (header, footer):
        for paragraph in part.paragraphs:
            paragraph._p.getparent().remove(paragraph._p)
    head = _para(header, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)
    short = (
        xml_safe(data.organisation_acronym).strip()
        or xml_safe(data.organisation_legal_name).strip()
    )
    header_text = tr.gettext(
        "%(acronym)s · LIFE proposal · Letter of commitment · %(organisation)s",
        acronym=xml_safe(data.proposal_acronym).strip(),
        organisation=short,
    )
    _run(head, header_text, size=8, color=_GREY)
    foot = _para(footer, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _run(foot, tr.gettext("Page "), size=8, color=_GREY)
    add_field(foot, "PAGE")
    if page_total:
        _run(foot, tr.gettext(" of "), size=8, color=_GREY)
        add_field(foot, "NUMPAGES")
    for run in foot.runs:
        run.font.size = Pt(8)
        run.font.color.rgb = _GREY


# --------------------------------------------------------------------------------------
# The letter


def _organisation(data: LetterData) -> str:
    """``Legal name (ACRONYM)`` or just the legal name."""
    name = xml_safe(data.organisation_legal_name).strip()
    acronym = xml_safe(data.organisation_acronym).strip()
    return f"{name} ({acronym})" if acronym and acronym != name else name


def _organisation_as(data: LetterData, tr: Translator, preposition: str = "") -> str:
    """The organisation's name where a sentence puts it (French: with its article)."""
    return organisation_phrase(_organisation(data), tr.lang, preposition)


def _coordinator_as(data: LetterData, tr: Translator, preposition: str) -> str:
    return organisation_phrase(xml_safe(data.coordinator_name).strip(), tr.lang, preposition)


def _role_text(data: LetterData, tr: Translator) -> str:
    """Role name in the letter's language, with the linked beneficiary if any."""
    role = ParticipantRole(data.role)
    name = tr.gettext(role.label)
    if role is ParticipantRole.AFFILIATED_ENTITY and (data.affiliated_to or "").strip():
        # Translators: in French %(beneficiary)s carries "de" and its article ("du …").
        beneficiary = organisation_phrase(xml_safe(data.affiliated_to).strip(), tr.lang, "de")
        return tr.gettext("%(role)s of %(beneficiary)s", role=name, beneficiary=beneficiary)
    return name


def _write_sender(doc: DocxDocument, data: LetterData, tr: Translator) -> None:
    """Sender block: legal name, acronym, address, country, PIC."""
    _para(doc, data.organisation_legal_name, bold=True, space_after=0, size=11)
    lines = [
        data.organisation_acronym,
        data.address,
        " ".join(xml_safe(x).strip() for x in (data.postcode, data.city) if x),
        country_name(xml_safe(data.country).strip(), tr.lang),
    ]
    for line in lines:
        if xml_safe(line).strip():
            _para(doc, line, space_after=0)
    pic = re.sub(r"\s", "", xml_safe(data.pic or ""))
    _para(
        doc,
        tr.gettext("PIC: %(pic)s", pic=pic) if pic else tr.gettext("PIC pending"),
        space_after=12,
    )


def _write_actions(doc: DocxDocument, data: LetterData, tr: Translator) -> None:
    """Tasks text and the work-package table with person-months."""
    _heading(doc, tr.gettext("Tasks and work packages"))
    if xml_safe(data.tasks).strip():
        for block in xml_safe(data.tasks).split("\n"):
            if block.strip():
                _para(doc, block.strip())
    if not data.actions:
        _para(doc, tr.gettext("The work packages of the organisation are still to be defined."))
        return
    rows: list[list[str]] = [
        [
            tr.gettext("Work package / action"),
            tr.gettext("Involvement"),
            tr.gettext("Person-months"),
        ]
    ]
    total = Decimal(0)
    for action in data.actions:
        label = " – ".join(
            x for x in (xml_safe(action.code).strip(), xml_safe(action.title).strip()) if x
        )
        rows.append(
            [
                label,
                tr.gettext("Leader") if action.leads else tr.gettext("Participant"),
                format_number(action.person_months, tr.lang, None),
            ]
        )
        total += Decimal(action.person_months)
    rows.append([tr.gettext("Total"), "", format_number(total, tr.lang, None)])
    _table(
        doc, rows, (109, 33, 28), right_cols=frozenset({2}), bold_rows=frozenset({len(rows) - 1})
    )


def _write_budget(doc: DocxDocument, data: LetterData, tr: Translator) -> None:
    """Budget by category, EU contribution, co-financing."""
    _heading(doc, tr.gettext("Budget"))
    budget = data.budget
    role = ParticipantRole(data.role)
    if not role.receives_eu_funding:
        _para(doc, tr.gettext(NO_EU_FUNDING.get(role, NO_EU_FUNDING_IN_ROLE)))
    if budget is None:
        _para(doc, tr.gettext("The budget of the organisation is still to be defined."))
        return
    lang = tr.lang
    money = lambda value: format_money(value, lang, 2)  # noqa: E731
    if role.receives_eu_funding or budget.total > 0:
        rows = [[tr.gettext("Cost category"), tr.gettext("Amount")]]
        lines = budget.costs.by_category()
        rows += [[tr.gettext(CATEGORY_LABELS[cat]), money(amount)] for cat, amount in lines.items()]
        rows.append(
            [
                tr.gettext(
                    "E. Indirect costs (%(rate)s flat rate)",
                    rate=format_percent(budget.indirect_rate, lang),
                ),
                money(budget.indirect),
            ]
        )
        rows.append([tr.gettext("Total eligible costs"), money(budget.total)])
        _table(
            doc, rows, (125, 45), right_cols=frozenset({1}), bold_rows=frozenset({len(rows) - 1})
        )
    funding: list[list[str]] = [[tr.gettext("Funding of these costs"), tr.gettext("Amount")]]
    if role.receives_eu_funding:
        share = budget.eu_share
        eu_label = (
            tr.gettext(
                "EU contribution requested (%(share)s of the costs)",
                share=format_percent(share, lang),
            )
            if share
            else tr.gettext("EU contribution requested")
        )
        funding.append([eu_label, money(budget.eu_contribution)])
    funding.append([tr.pgettext("table row", "Own co-financing"), money(budget.own_cofinancing)])
    funding.append([tr.gettext("Other funding (not from EU funds)"), money(budget.other_funding)])
    _table(doc, funding, (125, 45), right_cols=frozenset({1}))


def _write_commitment(doc: DocxDocument, data: LetterData, tr: Translator) -> None:
    """The statement of commitment, place and date, signature block."""
    _heading(doc, tr.gettext("Commitment"))
    budget = data.budget
    cofinancing = ""
    if budget is not None and budget.cofinancing_total > 0:
        cofinancing = tr.gettext(
            ", to provide a co-financing of %(amount)s",
            amount=format_money(budget.cofinancing_total, tr.lang, 2),
        )
    _para(
        doc,
        tr.gettext(
            "By signing this letter, %(organisation)s commits to carry out the tasks described "
            "above with the resources stated%(cofinancing)s, and to cooperate with the "
            "coordinator and the other partners during the preparation and, if the proposal is "
            "selected for funding, the implementation of the project.",
            organisation=_organisation_as(data, tr),
            cofinancing=cofinancing,
        ),
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    funded = ParticipantRole(data.role).receives_eu_funding
    if budget is not None and budget.balance_gap > 0 and funded:
        # accepted by the lead ("confirmed despite…"): say it, never certify an unfunded plan
        _para(
            doc,
            tr.gettext(
                "The funding plan above leaves %(gap)s of the costs uncovered: the organisation "
                "does not certify how this amount will be financed yet.",
                gap=format_money(budget.balance_gap, tr.lang, 2),
            ),
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        )
    _para(
        doc,
        tr.gettext(
            "It confirms that its co-financing does not come from other European Union funds and "
            "that the information given in this letter is accurate."
        ),
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        space_after=10,
    )
    _para(doc, tr.gettext("Yours faithfully,"), space_after=14, keep_with_next=True)
    place = xml_safe(data.place).strip() or BLANK
    date = format_date(data.date, tr.lang) if data.date else BLANK
    _para(
        doc,
        tr.gettext("Done at %(place)s, on %(date)s", place=place, date=date),
        space_after=10,
        keep_with_next=True,
    )
    # Translators: %(organisation)s carries its French article ("la Ville de Marseille").
    _para(
        doc,
        tr.gettext("For %(organisation)s", organisation=_organisation_as(data, tr)),
        bold=True,
        space_after=4,
        keep_with_next=True,
    )
    for label, value in (
        (tr.gettext("Name: "), data.signatory_name),
        (tr.gettext("Function: "), data.signatory_function),
    ):
        paragraph = _para(doc, space_after=2, keep_with_next=True)
        _run(paragraph, label)
        _run(paragraph, xml_safe(value).strip() or BLANK, bold=bool(xml_safe(value).strip()))
    _para(doc, tr.gettext("Signature and stamp:"), space_after=2, keep_with_next=True)
    box = _para(doc, space_after=0)
    for _ in range(4):
        box.add_run().add_break(WD_BREAK.LINE)


def _write_letter(doc: DocxDocument, data: LetterData, tr: Translator) -> None:
    """The body of one letter, appended at the end of ``doc``."""
    _write_sender(doc, data, tr)
    acronym = xml_safe(data.proposal_acronym).strip()
    # Translators: %(coordinator)s carries its French "de" and article ("de la Ville de …").
    _para(
        doc,
        tr.gettext(
            "To %(coordinator)s, coordinator of the proposal %(acronym)s",
            coordinator=_coordinator_as(data, tr, "de"),
            acronym=acronym,
        ),
        space_after=14,
    )
    title = _para(doc, space_after=8)
    _run(title, tr.gettext("Letter of commitment"), bold=True, size=16, color=_DARK)
    subject = _para(doc, space_after=10)
    _run(subject, tr.gettext("Subject: "), bold=True)
    _run(
        subject,
        tr.gettext(
            "commitment to the LIFE proposal %(acronym)s – “%(title)s” (topic %(topic)s)",
            acronym=acronym,
            title=xml_safe(data.proposal_title).strip(),
            topic=xml_safe(data.topic_id).strip(),
        ),
    )
    _para(doc, tr.gettext("Dear Sir or Madam,"))
    # Translators: %(organisation)s opens the sentence and %(coordinator)s follows "par" in
    # French; both carry their article ("La Ville de Marseille", "par la Ville de Marseille").
    _para(
        doc,
        tr.gettext(
            "%(organisation)s hereby confirms its participation in the proposal %(acronym)s "
            "“%(title)s”, coordinated by %(coordinator)s and submitted to the EU LIFE programme "
            "under the topic %(topic)s.",
            organisation=sentence_start(_organisation_as(data, tr)),
            acronym=acronym,
            title=xml_safe(data.proposal_title).strip(),
            coordinator=_coordinator_as(data, tr, "par"),
            topic=xml_safe(data.topic_id).strip(),
        ),
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    role = _para(doc, space_after=6)
    _run(role, tr.gettext("Role in the consortium: "))
    _run(role, _role_text(data, tr), bold=True)
    _write_actions(doc, data, tr)
    _write_budget(doc, data, tr)
    _write_commitment(doc, data, tr)


def add_letter(
    doc: DocxDocument,
    data: LetterData,
    tr: Translator,
    *,
    new_section: bool = True,
    page_total: bool = False,
) -> None:
    """Append ``data``'s letter to ``doc``, in a new section (new page) unless told not to.

    The section gets A4 with 20 mm margins, its own header and footer and restarts its page
    numbers, so it can sit inside a larger export such as the dossier.  ``page_total`` adds
    "of N" (the whole document's page count) to the footer: use it for a one-letter file.
    """
    ParticipantRole(data.role)  # fail early on an unknown role
    _setup_section(doc, data, tr, new_section=new_section, page_total=page_total)
    _write_letter(doc, data, tr)


def _save(doc: DocxDocument) -> bytes:
    """Serialise ``doc`` to bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def build_letters(letters: Sequence[LetterData], tr: Translator) -> bytes:
    """All ``letters`` in one .docx, each starting on a new page with its own numbering.

    ``tr`` is the letter's language (the proposal's or the partner's, not the interface's).
    """
    _check_lang(tr.lang)
    if not letters:
        raise ValueError("no letters to build")
    doc = Document()
    first = letters[0]
    title = tr.gettext("Letter of commitment") + " – " + xml_safe(first.proposal_acronym).strip()
    if len(letters) == 1:
        title += " – " + _organisation(first)
    _setup_document(doc, tr.lang, title)
    for index, data in enumerate(letters):
        add_letter(doc, data, tr, new_section=index > 0, page_total=len(letters) == 1)
    return _save(doc)


def build_letter(data: LetterData, tr: Translator) -> bytes:
    """One partner's letter of commitment as .docx bytes."""
    return build_letters([data], tr)

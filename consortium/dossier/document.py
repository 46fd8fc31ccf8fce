"""The Part B dossier as a native Word document (python-docx).

Why native DOCX rather than HTML-to-Word: evaluators' templates are Word files, writers finish
the text in Word or LibreOffice, and real headings, lists, tables, fields (contents, page
numbers) and styles survive that round trip. Pure: plain data in, ``bytes`` out. Every string
passes through :func:`markup.clean_for_word` on its way into the XML, so no user text can make
the export fail.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from zipfile import BadZipFile

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.exceptions import (
    InvalidImageStreamError,
    UnexpectedEndOfFileError,
    UnrecognizedImageError,
)
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from consortium.dossier.drafting import (
    COST_CATEGORIES,
    ROLE_LABELS,
    TYPE_LABELS,
    Action,
    BudgetSummary,
    DossierData,
    Member,
    Organisation,
    ProposalData,
    Source,
    draft_all,
    label,
)
from consortium.dossier.markup import Block, Inline, clean_for_word, parse
from consortium.dossier.structure import SectionSpec, load_structure, structure_note
from consortium.dossier.wordimport import DATA_BOOKMARK, DATA_TABLE, bookmark_name
from consortium.errors import N_
from consortium.formatting import (
    country_name,
    format_date,
    format_money,
    format_number,
    format_percent,
)
from consortium.translation import Translator, translator
from consortium.wordfields import add_field

A4_WIDTH, A4_HEIGHT = Mm(210), Mm(297)
MARGIN = Mm(20)
MIN_MARGIN = Mm(15)
FIGURE_WIDTH = Mm(150)
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
_WORD_LANG = {"en": "en-GB", "fr": "fr-FR"}
GANTT_CAPTION = N_("Work plan: actions by project month, with their milestones")
BUDGET_CAPTION = N_(
    "Budget by partner, by LIFE cost category and by action (EUR; each partner's costs shared "
    "out over its actions by its person-months)"
)

SOURCE_KINDS = {
    "output": N_("Output"),
    "organisation": N_("Organisation"),
    "workshop": N_("Workshop"),
    "action": N_("Work package"),
    "figure": N_("Figure"),
    "topic": N_("Call topic"),
}

_BREAKS = re.compile(r"(\t|\r\n|\n|\r)")
_CATEGORY_HEADERS = {"a": "A", "b": "B", "c1": "C.1", "c2": "C.2", "c3": "C.3", "d": "D", "e": "E"}
_NEEDED_STYLES = (
    "Normal",
    "Title",
    "Subtitle",
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Heading 4",
    "Heading 5",
    "List Bullet",
    "List Paragraph",
    "Table Grid",
    "Caption",
    "Header",
    "Footer",
    "TOC Heading",
)


# --------------------------------------------------------------------------- content


@dataclass(frozen=True)
class SectionContent:
    """One section as it goes into the document: numbered heading, level, markup, sources."""

    code: str
    heading: str
    level: int
    markup: str
    key: str = "free"
    sources: tuple[tuple[Source, ...], ...] = ()

    @classmethod
    def from_spec(
        cls, spec: SectionSpec, lang: str, markup: str, sources: tuple[tuple[Source, ...], ...] = ()
    ) -> SectionContent:
        """Section content from its structure spec and the (drafted or edited) text."""
        return cls(spec.code, spec.heading(lang), spec.level, markup, spec.drafting_key, sources)


@dataclass(frozen=True)
class DossierContent:
    """Everything the Word dossier shows; tables are placed after the section with their key."""

    proposal: ProposalData
    sections: tuple[SectionContent, ...]
    organisations: tuple[Organisation, ...] = ()
    members: tuple[Member, ...] = ()
    actions: tuple[Action, ...] = ()
    budget: BudgetSummary | None = None
    network_png: bytes | None = None
    network_caption: str = ""
    gantt_png: bytes | None = None  # the work plan's Gantt chart (dossier/charts.py)
    budget_png: bytes | None = None  # the budget charts (dossier/charts.py)
    date: dt.date | None = None
    note: str = ""
    include_sources_annex: bool = True


def content_from_data(
    data: DossierData,
    tr: Translator,
    structure: tuple[SectionSpec, ...] | None = None,
    texts: dict[str, str] | None = None,
    network_png: bytes | None = None,
    date: dt.date | None = None,
    family: str = "SAP",
) -> DossierContent:
    """Dossier content from the data: the writer's texts where given, else the first drafts.

    Sources are kept only for sections still holding the untouched draft (edited text no longer
    matches block for block).
    """
    specs = structure if structure is not None else load_structure(family)
    lang = tr.lang
    drafts = draft_all(data, tr, specs)
    sections = []
    for spec in specs:
        draft = drafts[spec.code]
        edited = (texts or {}).get(spec.code)
        if edited is not None and edited != draft.markup:
            sections.append(SectionContent.from_spec(spec, lang, edited))
        else:
            sections.append(SectionContent.from_spec(spec, lang, draft.markup, draft.sources))
    return DossierContent(
        proposal=data.proposal,
        sections=tuple(sections),
        organisations=data.organisations,
        members=data.members,
        actions=data.actions,
        budget=data.budget,
        network_png=network_png,
        date=date,
        note=structure_note(lang, family),
    )


# --------------------------------------------------------------------------- document setup


@lru_cache(maxsize=1)
def _default_styles_xml() -> bytes:
    from lxml import etree

    return etree.tostring(Document().styles.element)


def _new_document(reference_docx: bytes | None) -> tuple[DocxDocument, set[str]]:
    """A document started from the writer's reference (body cleared) or the default template.

    Returns the document and the names of styles that had to be copied from the default template
    (their list numbering may not exist in the reference, so lists are then drawn by hand).
    """
    if reference_docx is None:
        doc = Document()
        _page_setup(doc, from_reference=False)
        return doc, set()
    doc = Document(BytesIO(reference_docx))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    copied: set[str] = set()
    styles = doc.styles
    missing = [name for name in _NEEDED_STYLES if name not in styles]
    if missing:
        from lxml import etree

        defaults = etree.fromstring(_default_styles_xml())
        by_name = {}
        for el in defaults.findall(qn("w:style")):
            name_el = el.find(qn("w:name"))
            if name_el is not None:
                by_name[name_el.get(qn("w:val")).lower()] = el
        for name in missing:
            el = by_name.get(name.lower())
            if el is not None:
                styles.element.append(copy.deepcopy(el))
                copied.add(name)
    _page_setup(doc, from_reference=True)
    return doc, copied


def _style(doc: DocxDocument, name: str, fallback: str = "Normal") -> str:
    """``name`` if the document has that style, else ``fallback`` (cached per document)."""
    cache: dict[str, bool] = doc.__dict__.setdefault("_consortium_has_style", {})
    if name not in cache:
        cache[name] = name in doc.styles
    return name if cache[name] else fallback


def _ensure_paragraph_style(
    doc: DocxDocument, name: str, size: float, bold: bool = False, indent_mm: float = 0
) -> None:
    if name in doc.styles:
        return
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.font.size = Pt(size)
    style.font.bold = bold
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(2 if not indent_mm else 1)
    if indent_mm:
        fmt.left_indent = Mm(indent_mm)


_SETTINGS_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "attachedSchema",
    "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "shapeDefaults",
    "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)  # fmt: skip


def _insert_in_order(parent, element, successors: Iterable[str]) -> None:  # type: ignore[no-untyped-def]
    """Insert ``element`` before the first child named in ``successors`` (schema order matters
    to Word, which otherwise reports unreadable content)."""
    tags = {qn(f"w:{name}") for name in successors}
    tags.add(qn("m:mathPr"))
    for child in parent:
        if child.tag in tags:
            child.addprevious(element)
            return
    parent.append(element)


def _set_language(doc: DocxDocument, lang: str) -> None:
    """Proofing language of the Normal style, so Word spell-checks French as French."""
    rpr = doc.styles["Normal"].element.get_or_add_rPr()
    for old in rpr.findall(qn("w:lang")):
        rpr.remove(old)
    el = OxmlElement("w:lang")
    el.set(qn("w:val"), _WORD_LANG.get(lang, "en-GB"))
    _insert_in_order(rpr, el, ("eastAsianLayout", "specVanish", "oMath"))


def _ask_to_update_fields(doc: DocxDocument) -> None:
    """Ask Word to refresh the TOC and page fields when the file is opened."""
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        el = OxmlElement("w:updateFields")
        el.set(qn("w:val"), "true")
        _insert_in_order(settings, el, _SETTINGS_AFTER_UPDATE_FIELDS)


def _page_setup(doc: DocxDocument, from_reference: bool) -> None:
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            current = getattr(section, side)
            keep = from_reference and current is not None and MIN_MARGIN <= current <= Mm(40)
            setattr(section, side, current if keep else MARGIN)
        section.header_distance = section.footer_distance = Mm(10)


def _clear(part_element) -> None:  # type: ignore[no-untyped-def]
    for child in list(part_element):
        if child.tag in (qn("w:p"), qn("w:tbl"), qn("w:sdt")):
            part_element.remove(child)


def _header_footer(doc: DocxDocument, acronym: str, tr: Translator) -> None:
    for section in doc.sections:
        section.different_first_page_header_footer = True
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
        ):
            part.is_linked_to_previous = False
            _clear(part._element)
        header = section.header.add_paragraph(
            clean_for_word(tr.gettext("%(acronym)s — Part B", acronym=acronym)),
            _style(doc, "Header"),
        )
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer = section.footer.add_paragraph(
            clean_for_word(tr.gettext("%(acronym)s — page ", acronym=acronym)),
            _style(doc, "Footer"),
        )
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_field(footer, "PAGE", dirty=True)
        footer.add_run(tr.gettext(" of "))
        add_field(footer, "NUMPAGES", dirty=True)
        section.first_page_header.add_paragraph("")
        section.first_page_footer.add_paragraph("")


# --------------------------------------------------------------------------- writers


def _fast_run(p, text: str, bold: bool = False, italic: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Append a ``w:r`` to paragraph element ``p``, cleaned for XML.

    python-docx's ``add_run`` walks the text character by character to turn tabs and line
    breaks into elements; here the text is split once on them instead.
    """
    text = clean_for_word(text)
    if not text:
        return
    r = OxmlElement("w:r")
    if bold or italic:
        r_pr = OxmlElement("w:rPr")
        if bold:
            r_pr.append(OxmlElement("w:b"))
        if italic:
            r_pr.append(OxmlElement("w:i"))
        r.append(r_pr)
    for piece in _BREAKS.split(text):
        if not piece:
            continue
        if piece == "\t":
            r.append(OxmlElement("w:tab"))
        elif piece in ("\n", "\r", "\r\n"):
            r.append(OxmlElement("w:br"))
        else:
            t = OxmlElement("w:t")
            t.text = piece
            if piece[0].isspace() or piece[-1].isspace():
                t.set(qn("xml:space"), "preserve")
            r.append(t)
    p.append(r)


class _Writer:
    """Writes blocks and tables into one document, numbering tables and figures."""

    def __init__(self, doc: DocxDocument, tr: Translator, copied: set[str]) -> None:
        self.doc = doc
        self.tr = tr
        self.lang = tr.lang
        self.tables = 0
        self.figures = 0
        self._sids: dict[str, str] = {}
        self.bookmarks = 0
        self._sect_pr = doc.element.body.find(qn("w:sectPr"))
        section = doc.sections[-1]
        usable = section.page_width - section.left_margin - section.right_margin
        self.text_width_mm = max(usable / 36000, 60.0)
        self.bullet_style = (
            "List Bullet" if "List Bullet" in doc.styles and "List Bullet" not in copied else None
        )
        self.list_style = _style(doc, "List Paragraph")
        self.grid = "Table Grid" if "Table Grid" in doc.styles else None
        _ensure_paragraph_style(doc, "Table Text", 9)
        _ensure_paragraph_style(doc, "Table Text Small", 7.5)
        for level in (1, 2, 3):
            _ensure_paragraph_style(
                doc, f"toc {level}", 11, bold=level == 1, indent_mm=(level - 1) * 6
            )

    def sid(self, name: str | None) -> str | None:
        """Style id for a style name, cached: python-docx's own lookup rescans every style."""
        if name is None:
            return None
        if name not in self._sids:
            self._sids[name] = self.doc.styles[name].style_id
        return self._sids[name]

    def add(self, text: str = "", style: str | None = None) -> Paragraph:
        """A new body paragraph with ``text`` (cleaned) in ``style``.

        Inserted straight before the body's final ``sectPr``: python-docx searches the whole
        body for it on every paragraph, which grows quadratically on long dossiers.
        """
        p = OxmlElement("w:p")
        if self._sect_pr is not None:
            self._sect_pr.addprevious(p)
        else:
            self.doc.element.body.append(p)
        style_id = self.sid(style)
        if style_id:
            p.get_or_add_pPr().style = style_id
        if text:
            _fast_run(p, text)
        return Paragraph(p, self.doc._body)

    def bookmark(self, paragraph: Paragraph, name: str) -> Paragraph:
        """Wrap the paragraph in a hidden bookmark (``_`` names are hidden in Word): the
        Word import finds sections and skips generated data by them."""
        self.bookmarks += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmarks))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmarks))
        p = paragraph._p
        p_pr = p.find(qn("w:pPr"))
        if p_pr is not None:
            p_pr.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)
        return paragraph

    def data(self, paragraph: Paragraph) -> Paragraph:
        """Mark a paragraph generated from the data (caption, note): the import skips it."""
        return self.bookmark(paragraph, f"{DATA_BOOKMARK}{self.bookmarks + 1}")

    @staticmethod
    def data_table(table: Table | None) -> Table | None:
        """Mark a table generated from the data, by its description (alt text)."""
        if table is not None:
            description = OxmlElement("w:tblDescription")
            description.set(qn("w:val"), DATA_TABLE)
            table._tbl.tblPr.append(description)
        return table

    # inline -----------------------------------------------------------------
    @staticmethod
    def runs(paragraph: Paragraph, runs: Inline, bold: bool = False) -> Paragraph:
        """Append inline runs (cleaned); ``bold`` forces bold, e.g. for header cells."""
        for run in runs:
            _fast_run(paragraph._p, run.text, bold or run.bold, run.italic)
        return paragraph

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        return self.add(text, style)

    def heading(self, text: str | Inline, level: int) -> Paragraph:
        level = max(1, min(level, 9))
        style = _style(self.doc, f"Heading {level}", _style(self.doc, "Heading 1"))
        if isinstance(text, str):
            return self.add(text, style)
        return self.runs(self.add("", style), text)

    # blocks -----------------------------------------------------------------
    def blocks(self, blocks: Sequence[Block], level: int) -> None:
        for block in blocks:
            if block.kind == "paragraph":
                self.runs(self.add(), block.runs)
            elif block.kind == "heading":
                self.heading(block.runs, level + 1)
            elif block.kind == "bullets":
                for item in block.items:
                    if self.bullet_style:
                        self.runs(self.add("", self.bullet_style), item)
                    else:
                        self._hanging("•", item)
            elif block.kind == "numbered":
                for number, item in enumerate(block.items, block.start):
                    self._hanging(f"{number}.", item)
            elif block.kind == "table":
                self.markup_table(block)

    def _hanging(self, marker: str, item: Inline) -> None:
        p = self.add("", self.list_style)
        fmt = p.paragraph_format
        fmt.left_indent = Mm(8)
        fmt.first_line_indent = Mm(-8)
        fmt.tab_stops.add_tab_stop(Mm(8))
        fmt.space_after = Pt(2)
        _fast_run(p._p, f"{marker}\t")
        self.runs(p, item)

    # tables -----------------------------------------------------------------
    def caption(self, kind: str, caption: str) -> None:
        key = (
            N_("Table %(n)s — %(caption)s") if kind == "table" else N_("Figure %(n)s — %(caption)s")
        )
        self.tables += 1
        p = self.paragraph(
            self.tr.gettext(key, n=self.tables, caption=caption), _style(self.doc, "Caption")
        )
        p.paragraph_format.keep_with_next = True
        self.data(p)

    def table(
        self,
        header: Sequence[str | Inline],
        rows: Iterable[Sequence[str | Inline]],
        widths_mm: Sequence[float] | None = None,
        small: bool = False,
        bold_last: bool = False,
        numeric_from: int | None = None,
    ) -> Table | None:
        """A table with a repeated bold header row; cells are text or inline runs."""
        body = [list(row) for row in rows]
        all_rows = ([list(header)] if header else []) + body
        if not all_rows:
            return None
        n_cols = max(len(r) for r in all_rows) or 1
        table = self.doc.add_table(rows=len(all_rows), cols=n_cols)
        if self.grid:
            table._tbl.tblPr.style = self.sid(self.grid)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        if small:
            _cell_margins(table, Mm(0.9))
        widths = list(widths_mm or [1.0] * n_cols)[:n_cols]
        widths += [widths[-1]] * (n_cols - len(widths))
        scale = self.text_width_mm / sum(widths)
        col_widths = [Mm(w * scale) for w in widths]
        for column, width in zip(table.columns, col_widths, strict=True):
            column.width = width
        style = self.sid("Table Text Small" if small else "Table Text")
        twips = [str(int(w.twips)) for w in col_widths]
        last = len(all_rows) - 1
        for index, (tr, values) in enumerate(zip(table._tbl.tr_lst, all_rows, strict=True)):
            is_header = bool(header) and index == 0
            if is_header:
                el = OxmlElement("w:tblHeader")
                el.set(qn("w:val"), "true")
                tr.get_or_add_trPr().append(el)
            bold = is_header or (bold_last and index == last)
            right = numeric_from is not None and not is_header
            for col, tc in enumerate(tr.tc_lst):
                tc.tcPr.find(qn("w:tcW")).set(qn("w:w"), twips[col])
                p = tc.p_lst[0]
                p_pr = p.get_or_add_pPr()
                p_pr.style = style
                if right and col >= (numeric_from or 0):
                    p_pr.jc_val = WD_ALIGN_PARAGRAPH.RIGHT
                value = values[col] if col < len(values) else ""
                if isinstance(value, str):
                    _fast_run(p, value, bold)
                else:
                    for run in value:
                        _fast_run(p, run.text, bold or run.bold, run.italic)
        self.add()
        return table

    def markup_table(self, block: Block) -> Table | None:
        rows = list(block.rows)
        header = rows.pop(0) if block.header and rows else ()
        return self.table(header, rows)

    # data tables ------------------------------------------------------------
    def partner_table(
        self, organisations: Sequence[Organisation], members: Sequence[Member]
    ) -> Table | None:
        if not members:
            return None
        tr = self.tr
        orgs = {o.id: o for o in organisations}
        ordered = sorted(members, key=lambda m: m.role != "coordinator")
        rows = []
        for number, member in enumerate(ordered, 1):
            org = orgs.get(member.org_id)
            rows.append(
                [
                    str(number),
                    org.name if org else member.org_id,
                    org.acronym if org else "",
                    country_name(org.country, tr.lang) if org else "",
                    label(tr, TYPE_LABELS, org.org_type) if org and org.org_type else "",
                    label(tr, ROLE_LABELS, member.role),
                    (org.pic if org and org.pic else tr.gettext("missing")),
                ]
            )
        self.caption("table", tr.gettext("Partners"))
        cols = [
            tr.gettext("#"),
            tr.gettext("Organisation"),
            tr.gettext("Short name"),
            tr.gettext("Country"),
            tr.gettext("Type"),
            tr.gettext("Role"),
            tr.gettext("PIC"),
        ]
        return self.data_table(self.table(cols, rows, widths_mm=(8, 52, 20, 14, 26, 26, 24)))

    def work_package_table(
        self, organisations: Sequence[Organisation], actions: Sequence[Action]
    ) -> Table | None:
        if not actions:
            return None
        tr = self.tr
        orgs = {o.id: o for o in organisations}

        def short(org_id: str | None) -> str:
            org = orgs.get(org_id or "")
            return (org.acronym or org.name) if org else (org_id or "")

        rows = [
            [
                a.code,
                a.title,
                short(a.lead_id),
                ", ".join(short(o) for o in a.participant_ids),
                f"M{a.start_month}" if a.start_month else "",
                f"M{a.end_month}" if a.end_month else "",
                "; ".join(a.deliverables),
            ]
            for a in actions
        ]
        self.caption("table", tr.gettext("Work packages"))
        cols = [
            tr.gettext("WP"),
            tr.gettext("Title"),
            tr.gettext("Lead"),
            tr.gettext("Participants"),
            tr.gettext("Start"),
            tr.gettext("End"),
            tr.gettext("Deliverables"),
        ]
        return self.data_table(
            self.table(cols, rows, widths_mm=(12, 40, 18, 34, 11, 11, 44), small=True)
        )

    def budget_table(self, budget: BudgetSummary | None) -> Table | None:
        if budget is None or not budget.rows:
            return None
        tr = self.tr
        lang = tr.lang
        amounts = [row.amount(c) for row in budget.rows for c in COST_CATEGORIES]
        decimals = 2 if any(Decimal(a) % 1 for a in amounts) else 0
        money = lambda value: format_number(value, lang, decimals)  # noqa: E731
        rows = [
            [row.name, *(money(row.amount(c)) for c in COST_CATEGORIES), money(row.total)]
            for row in budget.rows
        ]
        rows.append(
            [
                tr.gettext("Total"),
                *(money(budget.category_total(c)) for c in COST_CATEGORIES),
                money(budget.total),
            ]
        )
        self.caption("table", tr.gettext("Budget by partner and cost category (EUR)"))
        cols = [
            tr.gettext("Partner"),
            *(_CATEGORY_HEADERS[c] for c in COST_CATEGORIES),
            tr.gettext("Total"),
        ]
        table = self.table(
            cols,
            rows,
            widths_mm=(30, 17, 17, 17, 17, 17, 17, 17, 21),
            small=True,
            bold_last=True,
            numeric_from=1,
        )
        total = budget.total
        share = format_percent(budget.requested / total, lang) if total else "—"
        note = self.paragraph(
            tr.gettext(
                "Requested EU contribution: %(eu)s (%(share)s of the eligible costs; maximum "
                "funding rate: %(rate)s).",
                eu=format_money(budget.requested, lang, decimals),
                share=share,
                rate=format_percent(budget.funding_rate, lang),
            )
        )
        self.data(note)
        return self.data_table(table)

    def figure(self, png: bytes | None, caption: str) -> bool:
        if not png:
            return False
        try:
            self.doc.add_picture(BytesIO(png), width=FIGURE_WIDTH)
        except UNREADABLE_IMAGE_ERRORS:
            self.paragraph(
                self.tr.gettext("[The network figure could not be read and was left out.]")
            )
            return False
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.doc.paragraphs[-1].paragraph_format.keep_with_next = True  # caption on same page
        self.figures += 1
        caption_paragraph = self.paragraph(
            self.tr.gettext(
                "Figure %(n)s — %(caption)s",
                n=self.figures,
                caption=caption or self.tr.gettext("Cooperation network of the consortium"),
            ),
            _style(self.doc, "Caption"),
        )
        self.data(caption_paragraph)
        return True


def _cell_margins(table: Table, margin: Mm) -> None:
    """Narrow left/right cell margins so amounts fit in the nine-column budget table."""
    tbl_pr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(margin.twips)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    _insert_in_order(tbl_pr, mar, ("tblLook", "tblCaption", "tblDescription"))


def _page_break(doc: DocxDocument) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _cover(w: _Writer, content: DossierContent, tr: Translator) -> None:
    p = content.proposal
    doc = w.doc
    for _ in range(5):
        doc.add_paragraph()
    w.paragraph(p.acronym, _style(doc, "Title"))
    w.paragraph(p.title, _style(doc, "Subtitle"))
    doc.add_paragraph()
    for name, value in (
        (tr.gettext("Topic"), f"{p.topic_id} – {p.topic_title}"),
        (tr.gettext("Coordinator"), p.coordinator_name or _coordinator_name(content)),
        (tr.gettext("Date"), format_date(content.date or dt.datetime.now(dt.UTC).date(), tr.lang)),
    ):
        para = doc.add_paragraph()
        para.add_run(clean_for_word(tr.gettext("%(name)s: ", name=name))).bold = True
        para.add_run(clean_for_word(value))
    doc.add_paragraph()
    part_b = w.paragraph("", None)
    run = part_b.add_run(tr.gettext("Part B — draft"))
    run.bold = True
    run.font.size = Pt(20)
    if content.note:
        doc.add_paragraph()
        w.paragraph("", None).add_run(clean_for_word(content.note)).italic = True
    _page_break(doc)


def _coordinator_name(content: DossierContent) -> str:
    orgs = {o.id: o for o in content.organisations}
    for member in content.members:
        if member.role == "coordinator":
            org = orgs.get(member.org_id)
            return org.name if org else member.org_id
    return ""


def _toc(
    w: _Writer, sections: Sequence[SectionContent], extra: Sequence[str], tr: Translator
) -> None:
    """The TOC field, pre-filled with the headings so it reads even before an update."""
    doc = w.doc
    w.paragraph(tr.gettext("Contents"), _style(doc, "TOC Heading", "Title"))
    w.paragraph("", None).add_run(
        tr.gettext(
            "To update the table of contents and page numbers: in Word, right-click it and choose "
            "“Update field” (or press F9); in LibreOffice, Tools › Update › Update All."
        )
    ).italic = True
    entries = [(s.heading, s.level) for s in sections if s.level <= 3] + [(e, 1) for e in extra]
    if not entries:
        entries = [("", 1)]
    paragraphs = [w.add("", _style(doc, f"toc {min(level, 3)}")) for _, level in entries]
    first, last = paragraphs[0], paragraphs[-1]
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    first.add_run()._r.append(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {TOC_INSTRUCTION} "
    first.add_run()._r.append(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    first.add_run()._r.append(sep)
    for paragraph, (text, _level) in zip(paragraphs, entries, strict=True):
        paragraph.add_run(clean_for_word(text))
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    last.add_run()._r.append(end)
    _page_break(doc)


def _source_text(source: Source, tr: Translator) -> str:
    kind = tr.gettext(SOURCE_KINDS[source.kind]) if source.kind in SOURCE_KINDS else source.kind
    return tr.gettext("%(kind)s: %(label)s", kind=kind, label=source.label)


def _sources_annex(w: _Writer, sections: Sequence[SectionContent], tr: Translator) -> None:
    with_sources = [s for s in sections if any(s.sources)]
    if not with_sources:
        return
    w.data(w.heading(tr.gettext("Annex — Sources of the drafted text"), 1))
    w.paragraph(
        tr.gettext(
            "Each row links a drafted block of text (by its number in the section) to the "
            "workshop outputs, organisations, actions, figures and call topic it came from."
        )
    )
    for section in with_sources:
        w.heading(section.heading, 2)
        blocks = parse(section.markup)
        rows = []
        for number, (block, sources) in enumerate(zip(blocks, section.sources, strict=False), 1):
            if not sources:
                continue
            first = next((t for t in block.texts() if t), "")
            excerpt = first if len(first) <= 70 else first[:69].rstrip() + "…"
            rows.append([f"{number}. {excerpt}", "\n".join(_source_text(s, tr) for s in sources)])
        w.table([tr.gettext("Text"), tr.gettext("Sources")], rows, widths_mm=(60, 110), small=True)


def _write_section(w: _Writer, section: SectionContent, content: DossierContent) -> set[str]:
    """Heading, text and the data tables attached to the section's key; returns keys placed."""
    w.bookmark(w.heading(section.heading, section.level), bookmark_name(section.code))
    w.blocks(parse(section.markup), section.level)
    placed: set[str] = set()
    if section.key == "consortium":
        w.partner_table(content.organisations, content.members)
        w.figure(content.network_png, content.network_caption)
        placed.update({"partners", "figure"})
    elif section.key == "work_packages":
        w.work_package_table(content.organisations, content.actions)
        w.figure(content.gantt_png, w.tr.gettext(GANTT_CAPTION))
        placed.add("work_packages")
    elif section.key == "budget":
        w.budget_table(content.budget)
        w.figure(content.budget_png, w.tr.gettext(BUDGET_CAPTION))
        placed.add("budget")
    return placed


def _has_tables(content: DossierContent, missing: set[str]) -> bool:
    return bool(
        ("partners" in missing and content.members)
        or ("work_packages" in missing and content.actions)
        or ("budget" in missing and content.budget and content.budget.rows)
        or ("figure" in missing and content.network_png)
    )


def _finish(doc: DocxDocument, content: DossierContent, tr: Translator) -> bytes:
    lang = tr.lang
    _header_footer(doc, content.proposal.acronym, tr)
    _set_language(doc, lang)
    props = doc.core_properties
    props.title = clean_for_word(f"{content.proposal.acronym} – {content.proposal.title}")[:255]
    props.subject = clean_for_word(content.proposal.topic_id)[:255]
    props.language = _WORD_LANG.get(lang, "en-GB")
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- public API


def build_dossier(
    content: DossierContent, tr: Translator, reference_docx: bytes | None = None
) -> bytes:
    """The whole Part B draft as DOCX bytes.

    Cover, table of contents (a TOC field to update), numbered section headings with their text,
    the partner / work-package / budget tables and the network figure after the sections that
    discuss them (or in an annex if no such section exists), and the optional sources annex.
    ``reference_docx``: a writer's Word file whose styles, margins (if ≥ 15 mm) and look are kept.
    """
    doc, copied = _new_document(reference_docx)
    w = _Writer(doc, tr, copied)
    _ask_to_update_fields(doc)
    _cover(w, content, tr)
    keys = {s.key for s in content.sections}
    missing = {"partners", "figure"} - ({"partners", "figure"} if "consortium" in keys else set())
    missing |= {"work_packages"} - keys
    missing |= {"budget"} - keys
    extra = []
    if _has_tables(content, missing):
        extra.append(tr.gettext("Annex — Tables"))
    if content.include_sources_annex and any(any(s.sources) for s in content.sections):
        extra.append(tr.gettext("Annex — Sources of the drafted text"))
    _toc(w, content.sections, extra, tr)
    for section in content.sections:
        _write_section(w, section, content)
    if _has_tables(content, missing):
        w.data(w.heading(tr.gettext("Annex — Tables"), 1))
        if "partners" in missing:
            w.partner_table(content.organisations, content.members)
        if "work_packages" in missing:
            w.work_package_table(content.organisations, content.actions)
            w.figure(content.gantt_png, tr.gettext(GANTT_CAPTION))
        if "budget" in missing:
            w.budget_table(content.budget)
            w.figure(content.budget_png, tr.gettext(BUDGET_CAPTION))
        if "figure" in missing:
            w.figure(content.network_png, content.network_caption)
    if content.include_sources_annex:
        _sources_annex(w, content.sections, tr)
    return _finish(doc, content, tr)


def build_section(
    content: DossierContent, code: str, tr: Translator, reference_docx: bytes | None = None
) -> bytes:
    """One section alone (with its tables and figure), same header, footer and page set-up."""
    section = next((s for s in content.sections if s.code == code), None)
    if section is None:
        raise ValueError(f"unknown section code {code!r}")
    doc, copied = _new_document(reference_docx)
    w = _Writer(doc, tr, copied)
    _write_section(w, section, content)
    if content.include_sources_annex:
        _sources_annex(w, [section], tr)
    return _finish(doc, content, tr)


def build_partner_table(
    proposal: ProposalData,
    organisations: Sequence[Organisation],
    members: Sequence[Member],
    tr: Translator,
    reference_docx: bytes | None = None,
) -> bytes:
    """The partner table alone, for the annex tables: name, country, type, role, PIC."""
    doc, copied = _new_document(reference_docx)
    w = _Writer(doc, tr, copied)
    w.heading(tr.gettext("Partners"), 1)
    w.partner_table(organisations, members)
    content = DossierContent(
        proposal=proposal, sections=(), organisations=tuple(organisations), members=tuple(members)
    )
    return _finish(doc, content, tr)


# What python-docx raises on figure bytes it cannot read (truncated or not an image).
UNREADABLE_IMAGE_ERRORS: tuple[type[BaseException], ...] = (
    InvalidImageStreamError,
    UnexpectedEndOfFileError,
    UnrecognizedImageError,
)

# What python-docx, lxml and zipfile raise on a Word file they cannot use.
REFERENCE_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    BadZipFile,
    PackageNotFoundError,
    XMLSyntaxError,
)


def check_reference(reference_docx: bytes) -> None:
    """Build a small dossier with the writer's reference and read the result back; raises one
    of REFERENCE_ERRORS where a later export would fail."""
    content = DossierContent(
        proposal=ProposalData(
            acronym="CHECK", title="Reference check", topic_id="LIFE", topic_title="Reference check"
        ),
        sections=(SectionContent("1", "Heading", 1, "Text with **bold**.\n\n- One item"),),
        include_sources_annex=False,
    )
    Document(BytesIO(build_dossier(content, translator("en"), reference_docx=reference_docx)))

"""Letters of commitment as Word documents (python-docx; pure: plain data in, bytes out).

:func:`build_letter` writes one partner's letter, :func:`build_letters` all partners' letters
in one document (each in its own section, starting on a new page, with its own page
numbering); :func:`add_letter` appends a letter to a document someone else is building (the
dossier export).  The letter is a document with its own language (``"en"`` or ``"fr"``),
independent of the interface language, so its texts live in :data:`TEXTS`, not in the
gettext catalogue.  Every string goes through :func:`xml_safe` before it reaches the XML
(reliability.md section 4.1), so no user input can make the export fail.
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

from consortium.commitments.budget import (
    CostCategory,
    ParticipationBudget,
    format_amount,
    format_number,
    percent,
)
from consortium.commitments.workflow import ParticipantRole
from consortium.wordfields import add_field

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: object) -> str:
    """``text`` as a string python-docx accepts: XML-illegal characters and lone surrogates
    removed, NFC-normalised; ``None`` becomes ``""``."""
    if text is None:
        return ""
    cleaned = _XML_ILLEGAL.sub("", text if isinstance(text, str) else str(text))
    return unicodedata.normalize("NFC", cleaned)


TEXTS: Mapping[Lang, Mapping[str, str]] = {
    "en": {
        "doc_title": "Letter of commitment",
        "header": "{acronym} · LIFE proposal · Letter of commitment · {organisation}",
        "page": "Page ",
        "page_of": " of ",
        "pic": "PIC: {pic}",
        "pic_pending": "PIC pending",
        "to": "To {coordinator}, coordinator of the proposal {acronym}",
        "subject": "Subject: ",
        "subject_text": "commitment to the LIFE proposal {acronym} – “{title}” (topic {topic})",
        "salutation": "Dear Sir or Madam,",
        "intro": "{organisation} hereby confirms its participation in the proposal {acronym} "
                 "“{title}”, coordinated by {coordinator} and submitted to the EU LIFE "
                 "programme under the topic {topic}.",
        "role": "Role in the consortium: ",
        "affiliated_to": "{role} of {beneficiary}",
        "h_tasks": "Tasks and work packages",
        "col_action": "Work package / action",
        "col_involvement": "Involvement",
        "col_pm": "Person-months",
        "leader": "Leader",
        "participant": "Participant",
        "total_pm": "Total",
        "no_actions": "The work packages of the organisation are still to be defined.",
        "h_budget": "Budget",
        "col_category": "Cost category",
        "col_amount": "Amount",
        "h_funding": "Funding of these costs",
        "indirect_rate": "E. Indirect costs ({rate} flat rate)",
        "total_costs": "Total eligible costs",
        "eu": "EU contribution requested",
        "eu_rate": "EU contribution requested ({share} of the costs)",
        "own": "Own co-financing",
        "other": "Other funding (not from EU funds)",
        "no_eu": "As {role}, the organisation requests no EU funding.",
        "no_budget": "The budget of the organisation is still to be defined.",
        "h_commitment": "Commitment",
        "commit": "By signing this letter, {organisation} commits to carry out the tasks "
                  "described above with the resources stated{cofinancing}, and to cooperate "
                  "with the coordinator and the other partners during the preparation and, "
                  "if the proposal is selected for funding, the implementation of the "
                  "project.",
        "commit_cofinancing": ", to provide a co-financing of {amount}",
        "commit_2": "It confirms that its co-financing does not come from other European Union "
                    "funds and that the information given in this letter is accurate.",
        "uncovered": "The funding plan above leaves {gap} of the costs uncovered: the "
                     "organisation does not certify how this amount will be financed yet.",
        "closing": "Yours faithfully,",
        "done_at": "Done at {place}, on {date}",
        "for": "For {organisation}",
        "name": "Name: ",
        "function": "Function: ",
        "signature": "Signature and stamp:",
        "blank": "____________________",
    },
    "fr": {
        "doc_title": "Lettre d’engagement",
        "header": "{acronym} · Proposition LIFE · Lettre d’engagement · {organisation}",
        "page": "Page ",
        "page_of": " sur ",
        "pic": "PIC\u00a0: {pic}",
        "pic_pending": "PIC en cours d’obtention",
        "to": "À l’attention de {coordinator}, coordinateur de la proposition {acronym}",
        "subject": "Objet\u00a0: ",
        "subject_text": "engagement dans la proposition LIFE {acronym} – «\u00a0{title}\u00a0» "
                        "(topic {topic})",
        "salutation": "Madame, Monsieur,",
        "intro": "{organisation} confirme par la présente sa participation à la proposition "
                 "{acronym} «\u00a0{title}\u00a0», coordonnée par {coordinator} et déposée au "
                 "programme LIFE de l’Union européenne au titre du topic {topic}.",
        "role": "Rôle dans le consortium\u00a0: ",
        "affiliated_to": "{role} de {beneficiary}",
        "h_tasks": "Tâches et lots de travail",
        "col_action": "Lot de travail / action",
        "col_involvement": "Implication",
        "col_pm": "Personnes-mois",
        "leader": "Responsable",
        "participant": "Participant",
        "total_pm": "Total",
        "no_actions": "Les lots de travail de l’organisation restent à définir.",
        "h_budget": "Budget",
        "col_category": "Catégorie de coûts",
        "col_amount": "Montant",
        "h_funding": "Financement de ces coûts",
        "indirect_rate": "E. Coûts indirects (taux forfaitaire de {rate})",
        "total_costs": "Total des coûts éligibles",
        "eu": "Contribution de l’UE demandée",
        "eu_rate": "Contribution de l’UE demandée ({share} des coûts)",
        "own": "Cofinancement propre",
        "other": "Autres financements (hors fonds de l’UE)",
        "no_eu": "En tant que {role}, l’organisation ne demande pas de financement de l’UE.",
        "no_budget": "Le budget de l’organisation reste à définir.",
        "h_commitment": "Engagement",
        "commit": "Par la signature de cette lettre, {organisation} s’engage à réaliser les "
                  "tâches décrites ci-dessus avec les moyens indiqués{cofinancing}, et à "
                  "coopérer avec le coordinateur et les autres partenaires pendant la "
                  "préparation et, si la proposition est retenue, la mise en œuvre du projet.",
        "commit_cofinancing": ", à apporter un cofinancement de {amount}",
        "commit_2": "Elle certifie que son cofinancement ne provient pas d’autres fonds de "
                    "l’Union européenne et que les informations de cette lettre sont exactes.",
        "uncovered": "Le plan de financement ci-dessus laisse {gap} de coûts non couverts : "
                     "l’organisation ne certifie pas encore comment ce montant sera financé.",
        "closing": "Veuillez agréer, Madame, Monsieur, l’expression de nos salutations "
                   "distinguées.",
        "done_at": "Fait à {place}, le {date}",
        "for": "Pour {organisation}",
        "name": "Nom\u00a0: ",
        "function": "Fonction\u00a0: ",
        "signature": "Signature et cachet\u00a0:",
        "blank": "____________________",
    },
}
"""Every fixed text of the letter, per document language."""

ROLE_NAMES: Mapping[Lang, Mapping[ParticipantRole, str]] = {
    "en": {
        ParticipantRole.COORDINATING_BENEFICIARY: "coordinating beneficiary",
        ParticipantRole.BENEFICIARY: "beneficiary",
        ParticipantRole.AFFILIATED_ENTITY: "affiliated entity",
        ParticipantRole.ASSOCIATED_PARTNER: "associated partner",
        ParticipantRole.SUBCONTRACTOR: "subcontractor",
    },
    "fr": {
        ParticipantRole.COORDINATING_BENEFICIARY: "bénéficiaire coordinateur",
        ParticipantRole.BENEFICIARY: "bénéficiaire",
        ParticipantRole.AFFILIATED_ENTITY: "entité affiliée",
        ParticipantRole.ASSOCIATED_PARTNER: "partenaire associé",
        ParticipantRole.SUBCONTRACTOR: "sous-traitant",
    },
}

CATEGORY_NAMES: Mapping[Lang, Mapping[CostCategory, str]] = {
    "en": {
        CostCategory.A: "A. Personnel costs",
        CostCategory.B: "B. Subcontracting costs",
        CostCategory.C1: "C.1 Travel and subsistence",
        CostCategory.C2: "C.2 Equipment",
        CostCategory.C3: "C.3 Other goods, works and services",
        CostCategory.D: "D. Other cost categories",
    },
    "fr": {
        CostCategory.A: "A. Frais de personnel",
        CostCategory.B: "B. Sous-traitance",
        CostCategory.C1: "C.1 Frais de déplacement et de séjour",
        CostCategory.C2: "C.2 Équipement",
        CostCategory.C3: "C.3 Autres biens, travaux et services",
        CostCategory.D: "D. Autres catégories de coûts",
    },
}

_MONTHS: Mapping[Lang, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}

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


def format_date(value: dt.date, lang: Lang) -> str:
    """``5 March 2026`` / ``5 mars 2026`` (``1er`` for the first day in French)."""
    day = "1er" if lang == "fr" and value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[lang][value.month - 1]} {value.year}"


def _check_lang(lang: str) -> Lang:
    """``lang`` if supported, else ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"unsupported letter language: {lang!r} (use 'en' or 'fr')")
    return lang  # type: ignore[return-value]


# --------------------------------------------------------------------------------------
# Low-level helpers (every string is cleaned here)


def _run(paragraph: Paragraph, text: object, *, bold: bool = False, size: float | None = None,
         color: RGBColor | None = None, italic: bool = False) -> None:
    """Append a cleaned run."""
    run = paragraph.add_run(xml_safe(text))
    run.bold = bold or None
    run.italic = italic or None
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color


def _para(container: DocxDocument | object, text: object = "", *, bold: bool = False,
          align: WD_ALIGN_PARAGRAPH | None = None, space_after: float = 6,
          keep_with_next: bool = False, size: float | None = None) -> Paragraph:
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
        successors = ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
                      "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                      "w:printerSettings", "w:sectPrChange")
        for tag in successors:
            follower = sect_pr.find(qn(tag))  # type: ignore[attr-defined]
            if follower is not None:
                follower.addprevious(existing)
                break
        else:
            sect_pr.append(existing)  # type: ignore[attr-defined]
    existing.set(qn("w:start"), "1")


def _table(doc: DocxDocument, rows: Sequence[Sequence[str]], widths_mm: Sequence[float], *,
           right_cols: frozenset[int] = frozenset(), bold_rows: frozenset[int] = frozenset(),
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


def _setup_section(doc: DocxDocument, data: LetterData, lang: Lang, *,
                   new_section: bool, page_total: bool) -> None:
    """A4, 20 mm margins, header with the proposal acronym, footer "Page X" (or "of Y").

    "of Y" uses NUMPAGES, so it is only right when the document holds one letter
    (LibreOffice does not compute SECTIONPAGES).
    """
    texts = TEXTS[lang]
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
    short = (xml_safe(data.organisation_acronym).strip()
             or xml_safe(data.organisation_legal_name).strip())
    _run(head, texts["header"].format(acronym=xml_safe(data.proposal_acronym).strip(),
                                      organisation=short), size=8, color=_GREY)
    foot = _para(footer, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _run(foot, texts["page"], size=8, color=_GREY)
    add_field(foot, "PAGE")
    if page_total:
        _run(foot, texts["page_of"], size=8, color=_GREY)
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


def _role_text(data: LetterData, lang: Lang) -> str:
    """Role name in the letter's language, with the linked beneficiary if any."""
    role = ParticipantRole(data.role)
    name = ROLE_NAMES[lang][role]
    name = name[0].upper() + name[1:]
    if role is ParticipantRole.AFFILIATED_ENTITY and (data.affiliated_to or "").strip():
        return TEXTS[lang]["affiliated_to"].format(role=name,
                                                   beneficiary=xml_safe(data.affiliated_to))
    return name


def _write_sender(doc: DocxDocument, data: LetterData, lang: Lang) -> None:
    """Sender block: legal name, acronym, address, country, PIC."""
    texts = TEXTS[lang]
    _para(doc, data.organisation_legal_name, bold=True, space_after=0, size=11)
    lines = [data.organisation_acronym, data.address,
             " ".join(xml_safe(x).strip() for x in (data.postcode, data.city) if x),
             data.country]
    for line in lines:
        if xml_safe(line).strip():
            _para(doc, line, space_after=0)
    pic = re.sub(r"\s", "", xml_safe(data.pic or ""))
    _para(doc, texts["pic"].format(pic=pic) if pic else texts["pic_pending"], space_after=12)


def _write_actions(doc: DocxDocument, data: LetterData, lang: Lang) -> None:
    """Tasks text and the work-package table with person-months."""
    texts = TEXTS[lang]
    _heading(doc, texts["h_tasks"])
    if xml_safe(data.tasks).strip():
        for block in xml_safe(data.tasks).split("\n"):
            if block.strip():
                _para(doc, block.strip())
    if not data.actions:
        _para(doc, texts["no_actions"])
        return
    rows: list[list[str]] = [[texts["col_action"], texts["col_involvement"], texts["col_pm"]]]
    total = Decimal(0)
    for action in data.actions:
        label = " – ".join(x for x in (xml_safe(action.code).strip(),
                                        xml_safe(action.title).strip()) if x)
        rows.append([label, texts["leader"] if action.leads else texts["participant"],
                     format_number(action.person_months, lang)])
        total += Decimal(action.person_months)
    rows.append([texts["total_pm"], "", format_number(total, lang)])
    _table(doc, rows, (109, 33, 28), right_cols=frozenset({2}),
           bold_rows=frozenset({len(rows) - 1}))


def _write_budget(doc: DocxDocument, data: LetterData, lang: Lang) -> None:
    """Budget by category, EU contribution, co-financing."""
    texts = TEXTS[lang]
    _heading(doc, texts["h_budget"])
    budget = data.budget
    role = ParticipantRole(data.role)
    if not role.receives_eu_funding:
        name = ROLE_NAMES[lang][role]
        if lang == "en":  # "as an associated partner", "as a subcontractor"
            name = ("an " if name[:1] in "aeiou" else "a ") + name
        _para(doc, texts["no_eu"].format(role=name))
    if budget is None:
        _para(doc, texts["no_budget"])
        return
    money = lambda value: format_amount(value, lang)  # noqa: E731
    if role.receives_eu_funding or budget.total > 0:
        rows = [[texts["col_category"], texts["col_amount"]]]
        lines = budget.costs.by_category()
        rows += [[CATEGORY_NAMES[lang][cat], money(amount)] for cat, amount in lines.items()]
        rows.append([texts["indirect_rate"].format(rate=_percent(budget.indirect_rate, lang)),
                     money(budget.indirect)])
        rows.append([texts["total_costs"], money(budget.total)])
        _table(doc, rows, (125, 45), right_cols=frozenset({1}),
               bold_rows=frozenset({len(rows) - 1}))
    funding: list[list[str]] = [[texts["h_funding"], texts["col_amount"]]]
    if role.receives_eu_funding:
        share = budget.eu_share
        eu_label = (texts["eu_rate"].format(share=_percent(share, lang)) if share
                    else texts["eu"])
        funding.append([eu_label, money(budget.eu_contribution)])
    funding.append([texts["own"], money(budget.own_cofinancing)])
    funding.append([texts["other"], money(budget.other_funding)])
    _table(doc, funding, (125, 45), right_cols=frozenset({1}))


def _percent(rate: Decimal, lang: Lang) -> str:
    """``7%`` / ``7 %`` (French puts a no-break space before ``%``), ``7,5 %``."""
    text = percent(rate)
    return text.replace(".", ",").replace("%", "\u00a0%") if lang == "fr" else text


def _write_commitment(doc: DocxDocument, data: LetterData, lang: Lang) -> None:
    """The statement of commitment, place and date, signature block."""
    texts = TEXTS[lang]
    _heading(doc, texts["h_commitment"])
    budget = data.budget
    cofinancing = ""
    if budget is not None and budget.cofinancing_total > 0:
        cofinancing = texts["commit_cofinancing"].format(
            amount=format_amount(budget.cofinancing_total, lang))
    _para(doc, texts["commit"].format(organisation=_organisation(data),
                                      cofinancing=cofinancing),
          align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    funded = ParticipantRole(data.role).receives_eu_funding
    if budget is not None and budget.balance_gap > 0 and funded:
        # accepted by the lead ("confirmed despite…"): say it, never certify an unfunded plan
        _para(doc, texts["uncovered"].format(gap=format_amount(budget.balance_gap, lang)),
              align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _para(doc, texts["commit_2"], align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=10)
    _para(doc, texts["closing"], space_after=14, keep_with_next=True)
    blank = texts["blank"]
    place = xml_safe(data.place).strip() or blank
    date = format_date(data.date, lang) if data.date else blank
    _para(doc, texts["done_at"].format(place=place, date=date), space_after=10,
          keep_with_next=True)
    _para(doc, texts["for"].format(organisation=_organisation(data)), bold=True,
          space_after=4, keep_with_next=True)
    for key, value in (("name", data.signatory_name), ("function", data.signatory_function)):
        paragraph = _para(doc, space_after=2, keep_with_next=True)
        _run(paragraph, texts[key])
        _run(paragraph, xml_safe(value).strip() or blank, bold=bool(xml_safe(value).strip()))
    _para(doc, texts["signature"], space_after=2, keep_with_next=True)
    box = _para(doc, space_after=0)
    for _ in range(4):
        box.add_run().add_break(WD_BREAK.LINE)


def _write_letter(doc: DocxDocument, data: LetterData, lang: Lang) -> None:
    """The body of one letter, appended at the end of ``doc``."""
    texts = TEXTS[lang]
    _write_sender(doc, data, lang)
    acronym = xml_safe(data.proposal_acronym).strip()
    _para(doc, texts["to"].format(coordinator=xml_safe(data.coordinator_name).strip(),
                                  acronym=acronym), space_after=14)
    title = _para(doc, space_after=8)
    _run(title, texts["doc_title"], bold=True, size=16, color=_DARK)
    subject = _para(doc, space_after=10)
    _run(subject, texts["subject"], bold=True)
    _run(subject, texts["subject_text"].format(
        acronym=acronym, title=xml_safe(data.proposal_title).strip(),
        topic=xml_safe(data.topic_id).strip()))
    _para(doc, texts["salutation"])
    _para(doc, texts["intro"].format(
        organisation=_organisation(data), acronym=acronym,
        title=xml_safe(data.proposal_title).strip(),
        coordinator=xml_safe(data.coordinator_name).strip(),
        topic=xml_safe(data.topic_id).strip()), align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    role = _para(doc, space_after=6)
    _run(role, texts["role"])
    _run(role, _role_text(data, lang), bold=True)
    _write_actions(doc, data, lang)
    _write_budget(doc, data, lang)
    _write_commitment(doc, data, lang)


def add_letter(doc: DocxDocument, data: LetterData, lang: Lang, *,
               new_section: bool = True, page_total: bool = False) -> None:
    """Append ``data``'s letter to ``doc``, in a new section (new page) unless told not to.

    The section gets A4 with 20 mm margins, its own header and footer and restarts its page
    numbers, so it can sit inside a larger export such as the dossier.  ``page_total`` adds
    "of N" (the whole document's page count) to the footer: use it for a one-letter file.
    """
    lang = _check_lang(lang)
    ParticipantRole(data.role)  # fail early on an unknown role
    _setup_section(doc, data, lang, new_section=new_section, page_total=page_total)
    _write_letter(doc, data, lang)


def _save(doc: DocxDocument) -> bytes:
    """Serialise ``doc`` to bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def build_letters(letters: Sequence[LetterData], lang: Lang) -> bytes:
    """All ``letters`` in one .docx, each starting on a new page with its own numbering."""
    lang = _check_lang(lang)
    if not letters:
        raise ValueError("no letters to build")
    doc = Document()
    first = letters[0]
    title = TEXTS[lang]["doc_title"] + " – " + xml_safe(first.proposal_acronym).strip()
    if len(letters) == 1:
        title += " – " + _organisation(first)
    _setup_document(doc, lang, title)
    for index, data in enumerate(letters):
        add_letter(doc, data, lang, new_section=index > 0, page_total=len(letters) == 1)
    return _save(doc)


def build_letter(data: LetterData, lang: Lang) -> bytes:
    """One partner's letter of commitment as .docx bytes."""
    return build_letters([data], lang)

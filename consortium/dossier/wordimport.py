"""Read a Word file back into dossier sections (the return half of the Word round trip).

Why read the XML rather than python-docx's objects: python-docx skips runs inside tracked
insertions and deletions, comments and footnotes, which the writer must see, and walking the
document part once is fast enough for a 15-page dossier in a few tens of milliseconds.

Sections are found by the hidden bookmarks the export writes at each section heading
(``_Sec_<code>``) and, for files that lost them or never had them, by heading text
(numbered or not, English or French, accents and case ignored). What the editor's markup can
hold is kept: sub-headings, bullet and numbered lists, bold/italic, tables; footnotes become
bracketed text after their reference. Material the export generates from the data (captions,
partner/work-package/budget tables, the figure and the budget note, all marked with
``_Data`` bookmarks or a table description) is skipped: it is rebuilt from the data.

Tracked changes are kept as separate pieces, so the writer decides for each one;
:meth:`ImportedSection.markup` resolves them (insertions kept and deletions applied unless
rejected). Pure: bytes in, plain data out.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from consortium.dossier.markup import Block, Run, to_markup
from consortium.folding import fold
from consortium.identifiers import parse_id

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SECTION_BOOKMARK = "_Sec_"
DATA_BOOKMARK = "_Data_"
DATA_TABLE = "consortium:data"
_OFF = frozenset({"0", "false", "off"})
_NUMBER_PREFIX = re.compile(r"^\s*(\d{1,9})[.)]\t\s*")
_BULLET_PREFIX = re.compile(r"^\s*[•▪◦‣·-]\t\s*")
_HEADING_NUMBER = re.compile(r"^\s*\d{1,2}(\.\d{1,2}){0,3}\.?\s+")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

ParaKind = Literal["paragraph", "heading", "bullet", "numbered", "table"]


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class NotADocx(ValueError):
    """The bytes are not a readable Word document."""


def bookmark_name(code: str) -> str:
    """Hidden bookmark name of a section code: Word allows letters, digits and ``_`` only."""
    return SECTION_BOOKMARK + re.sub(r"[^0-9A-Za-z]", "_", code)


@dataclass(frozen=True)
class KnownSection:
    """A section of the proposal's structure, with the headings it may carry in a file."""

    code: str
    level: int
    headings: tuple[str, ...]
    container: bool = False  # a heading without text of its own ("1. Relevance")


@dataclass(frozen=True)
class Change:
    """A tracked insertion or deletion, numbered in the file's order."""

    number: int
    kind: Literal["insert", "delete"]
    author: str
    date: str
    text: str


@dataclass(frozen=True)
class Comment:
    author: str
    date: str
    text: str
    anchor: str


@dataclass(frozen=True)
class Segment:
    """Text with emphasis; ``change`` is the number of the tracked change it belongs to."""

    text: str
    bold: bool = False
    italic: bool = False
    change: int | None = None
    deleted: bool = False


Segments = tuple[Segment, ...]


@dataclass(frozen=True)
class Para:
    """A paragraph, heading, list item or table as found in the file."""

    kind: ParaKind
    segments: Segments = ()
    rows: tuple[tuple[Segments, ...], ...] = ()
    header: bool = False
    number: int = 1


@dataclass(frozen=True)
class ImportedSection:
    code: str
    heading: str
    by_bookmark: bool
    paras: tuple[Para, ...]
    changes: tuple[Change, ...] = ()
    comments: tuple[Comment, ...] = ()
    footnotes: int = 0

    def markup(self, rejected: frozenset[int] = frozenset()) -> str:
        """The section as markup, tracked changes resolved (``rejected``: change numbers)."""
        return to_markup(self.blocks(rejected))

    def blocks(self, rejected: frozenset[int] = frozenset()) -> tuple[Block, ...]:
        def keep(segment: Segment) -> bool:
            if segment.change is None:
                return True
            return (segment.change in rejected) == segment.deleted

        def runs(segments: Segments) -> tuple[Run, ...]:
            out: list[Run] = []
            for segment in segments:
                if not keep(segment) or not segment.text:
                    continue
                if out and (out[-1].bold, out[-1].italic) == (segment.bold, segment.italic):
                    out[-1] = Run(out[-1].text + segment.text, segment.bold, segment.italic)
                else:
                    out.append(Run(segment.text, segment.bold, segment.italic))
            return _trim(out)

        blocks: list[Block] = []
        for para in self.paras:
            if para.kind == "table":
                rows = tuple(tuple(runs(cell) for cell in row) for row in para.rows)
                if para.header and rows:  # header cells are bold by the table's style
                    plain = tuple(tuple(Run(r.text, False, r.italic) for r in c) for c in rows[0])
                    rows = (plain, *rows[1:])
                if any(any(cell) for cell in rows):
                    blocks.append(Block("table", rows=rows, header=para.header))
                continue
            inline = runs(para.segments)
            if not inline:
                continue
            if para.kind in ("bullet", "numbered"):
                kind = "bullets" if para.kind == "bullet" else "numbered"
                previous = blocks[-1] if blocks else None
                if previous is not None and previous.kind == kind:
                    blocks[-1] = Block(kind, items=(*previous.items, inline), start=previous.start)
                else:
                    blocks.append(Block(kind, items=(inline,), start=para.number))
            else:
                blocks.append(Block(para.kind, runs=inline))
        return tuple(blocks)


def _trim(runs: list[Run]) -> tuple[Run, ...]:
    while runs and not runs[0].text.strip():
        runs.pop(0)
    while runs and not runs[-1].text.strip():
        runs.pop()
    if runs:
        runs[0] = Run(runs[0].text.lstrip(), runs[0].bold, runs[0].italic)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].bold, runs[-1].italic)
    return tuple(runs)


@dataclass(frozen=True)
class ImportedFile:
    sections: tuple[ImportedSection, ...]
    unknown_headings: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()


# --------------------------------------------------------------------------- file parts


def _normal(text: str) -> str:
    return " ".join(fold(text).replace("…", "...").split()).rstrip(" .:")


@dataclass
class _Parts:
    styles: dict[str, tuple[str, str | None]]  # style id -> (lower-case name, basedOn)
    style_numbered: dict[str, str]  # style id -> "bullet" | "numbered" for styles with numPr
    numbering: dict[tuple[str, str], str]  # (numId, ilvl) -> numFmt
    comments: dict[str, tuple[str, str, str]]
    footnotes: dict[str, str]


def _xml(archive: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        data = archive.read(name)
    except KeyError:
        return None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise NotADocx(name) from error


def _plain(element: etree._Element) -> str:
    texts = []
    for p in element.iter(_w("p")):
        texts.append("".join(t.text or "" for t in p.iter(_w("t"))))
    return " ".join(t for t in texts if t).strip()


def _numbering(root: etree._Element | None) -> dict[tuple[str, str], str]:
    if root is None:
        return {}
    abstract: dict[str, dict[str, str]] = {}
    for node in root.iter(_w("abstractNum")):
        levels = {}
        for lvl in node.iter(_w("lvl")):
            fmt = lvl.find(_w("numFmt"))
            levels[lvl.get(_w("ilvl"), "0")] = fmt.get(_w("val"), "") if fmt is not None else ""
        abstract[node.get(_w("abstractNumId"), "")] = levels
    out: dict[tuple[str, str], str] = {}
    for num in root.iter(_w("num")):
        ref = num.find(_w("abstractNumId"))
        if ref is None:
            continue
        for ilvl, fmt in abstract.get(ref.get(_w("val"), ""), {}).items():
            out[(num.get(_w("numId"), ""), ilvl)] = fmt
    return out


def _list_kind(fmt: str) -> str:
    return "bullet" if fmt in ("bullet", "none", "") else "numbered"


def _parts(archive: zipfile.ZipFile) -> _Parts:
    styles: dict[str, tuple[str, str | None]] = {}
    style_numbered: dict[str, str] = {}
    numbering = _numbering(_xml(archive, "word/numbering.xml"))
    root = _xml(archive, "word/styles.xml")
    if root is not None:
        for style in root.iter(_w("style")):
            sid = style.get(_w("styleId"), "")
            name = style.find(_w("name"))
            based = style.find(_w("basedOn"))
            styles[sid] = (
                (name.get(_w("val"), "") if name is not None else sid).lower(),
                based.get(_w("val")) if based is not None else None,
            )
            num_id = style.find(f"{_w('pPr')}/{_w('numPr')}/{_w('numId')}")
            if num_id is not None:
                fmt = numbering.get((num_id.get(_w("val"), ""), "0"), "bullet")
                style_numbered[sid] = _list_kind(fmt)
    comments = {}
    root = _xml(archive, "word/comments.xml")
    if root is not None:
        for comment in root.iter(_w("comment")):
            comments[comment.get(_w("id"), "")] = (
                comment.get(_w("author"), ""),
                comment.get(_w("date"), ""),
                _plain(comment),
            )
    footnotes = {}
    root = _xml(archive, "word/footnotes.xml")
    if root is not None:
        for note in root.iter(_w("footnote")):
            if note.get(_w("type")) in (None, "normal"):
                footnotes[note.get(_w("id"), "")] = _plain(note)
    return _Parts(styles, style_numbered, numbering, comments, footnotes)


# --------------------------------------------------------------------------- walking


@dataclass
class _Builder:
    code: str
    heading: str
    level: int
    by_bookmark: bool
    paras: list[Para] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    footnotes: int = 0


class _Reader:
    def __init__(self, parts: _Parts, known: Sequence[KnownSection]) -> None:
        self.parts = parts
        self.by_bookmark = {bookmark_name(k.code): k for k in known}
        self.by_heading: dict[str, KnownSection] = {}
        titles: dict[str, list[KnownSection]] = {}
        for section in known:
            for heading in section.headings:
                self.by_heading[_normal(heading)] = section
                titles.setdefault(_normal(_HEADING_NUMBER.sub("", heading)), []).append(section)
        self.by_title = {t: s[0] for t, s in titles.items() if len({x.code for x in s}) == 1}
        self.current: _Builder | None = None
        self.done: list[_Builder] = []
        self.seen: set[str] = set()
        self.unknown: list[str] = []
        self.duplicates: list[str] = []
        self.changes = 0
        self.anchors: dict[str, list[str]] = {}
        self.open_comments: set[str] = set()
        self.skip_data = False
        self.stopped = False

    # sections ---------------------------------------------------------------
    def start(self, section: KnownSection, heading: str, by_bookmark: bool) -> None:
        self.finish()
        if section.container:
            return
        if section.code in self.seen:
            self.duplicates.append(heading or section.code)
            return
        self.seen.add(section.code)
        self.current = _Builder(section.code, heading, section.level, by_bookmark)

    def finish(self) -> None:
        if self.current is not None:
            self.done.append(self.current)
        self.current = None

    def match(self, text: str) -> KnownSection | None:
        key = _normal(text)
        return self.by_heading.get(key) or self.by_title.get(_normal(_HEADING_NUMBER.sub("", text)))

    # inline -----------------------------------------------------------------
    def _emphasis(self, r_pr: etree._Element | None) -> tuple[bool, bool]:
        if r_pr is None:
            return False, False

        def on(tag: str) -> bool:
            el = r_pr.find(_w(tag))
            return el is not None and el.get(_w("val"), "true").lower() not in _OFF

        bold, italic = on("b"), on("i")
        style = r_pr.find(_w("rStyle"))
        if style is not None:
            name = self.parts.styles.get(style.get(_w("val"), ""), ("", None))[0]
            bold = bold or name in ("strong", "strong emphasis")
            italic = italic or name in ("emphasis",)
        return bold, italic

    def _change(self, el: etree._Element, kind: Literal["insert", "delete"]) -> int:
        self.changes += 1
        if self.current is not None:
            self.current.changes.append(
                Change(
                    self.changes,
                    kind,
                    el.get(_w("author"), ""),
                    el.get(_w("date"), ""),
                    "",
                )
            )
        return self.changes

    def inline(
        self, el: etree._Element, change: int | None = None, deleted: bool = False
    ) -> Iterator[Segment]:
        for child in el:
            tag = child.tag
            if tag == _w("r"):
                yield from self._run(child, change, deleted)
            elif tag in (_w("ins"), _w("moveTo")):
                yield from self.inline(child, self._change(child, "insert"), False)
            elif tag in (_w("del"), _w("moveFrom")):
                yield from self.inline(child, self._change(child, "delete"), True)
            elif tag in (_w("hyperlink"), _w("smartTag"), _w("fldSimple"), _w("customXml")):
                yield from self.inline(child, change, deleted)
            elif tag == _w("sdt"):
                content = child.find(_w("sdtContent"))
                if content is not None:
                    yield from self.inline(content, change, deleted)
            elif tag == _w("commentRangeStart"):
                self.open_comments.add(child.get(_w("id"), ""))
                self.anchors.setdefault(child.get(_w("id"), ""), [])
                if self.current is not None:
                    self.current.comments.append(child.get(_w("id"), ""))
            elif tag == _w("commentRangeEnd"):
                self.open_comments.discard(child.get(_w("id"), ""))
            elif tag == _w("bookmarkStart"):
                self.bookmark(child)

    def _run(self, r: etree._Element, change: int | None, deleted: bool) -> Iterator[Segment]:
        bold, italic = self._emphasis(r.find(_w("rPr")))
        pieces: list[str] = []
        for child in r:
            tag = child.tag
            if tag in (_w("t"), _w("delText")):
                pieces.append(child.text or "")
            elif tag in (_w("tab"), _w("br"), _w("cr")):
                pieces.append(" " if tag != _w("tab") else "\t")
            elif tag == _w("noBreakHyphen"):
                pieces.append("-")
            elif tag == _w("footnoteReference"):
                note = self.parts.footnotes.get(child.get(_w("id"), ""), "")
                if note:
                    pieces.append(f" [{note}]")
                    if self.current is not None:
                        self.current.footnotes += 1
            elif tag == _w("commentReference") and self.current is not None:
                cid = child.get(_w("id"), "")
                if cid not in self.current.comments:
                    self.current.comments.append(cid)
        text = "".join(pieces)
        if not text:
            return
        for cid in self.open_comments:
            self.anchors.setdefault(cid, []).append(text)
        yield Segment(text, bold, italic, change, deleted)
        if change is not None and self.current is not None:
            for index, known in enumerate(self.current.changes):
                if known.number == change:
                    self.current.changes[index] = Change(
                        known.number, known.kind, known.author, known.date, known.text + text
                    )

    # blocks -----------------------------------------------------------------
    def bookmark(self, el: etree._Element) -> None:
        name = el.get(_w("name"), "")
        if name.startswith(DATA_BOOKMARK):
            self.skip_data = True
        section = self.by_bookmark.get(name)
        if section is not None and (self.current is None or self.current.code != section.code):
            self.start(section, "", True)

    def _style(self, p_pr: etree._Element | None) -> tuple[str, str]:
        if p_pr is None:
            return "", ""
        style = p_pr.find(_w("pStyle"))
        sid = style.get(_w("val"), "") if style is not None else ""
        return sid, self.parts.styles.get(sid, (sid.lower(), None))[0]

    def _heading_level(self, p_pr: etree._Element | None, name: str) -> int | None:
        if name.startswith("heading "):
            level = parse_id(name.removeprefix("heading ").strip())
            if level is not None:
                return level
        if p_pr is not None:
            outline = p_pr.find(_w("outlineLvl"))
            value = parse_id(outline.get(_w("val"), "")) if outline is not None else None
            if value is not None:
                return value + 1 if value < 9 else None
        return None

    def _list_kind(self, p_pr: etree._Element | None, sid: str, name: str) -> str | None:
        if p_pr is not None:
            num_pr = p_pr.find(_w("numPr"))
            if num_pr is not None:
                num_id = num_pr.find(_w("numId"))
                ilvl = num_pr.find(_w("ilvl"))
                key = (
                    num_id.get(_w("val"), "") if num_id is not None else "",
                    ilvl.get(_w("val"), "0") if ilvl is not None else "0",
                )
                if key[0] == "0":
                    return None
                return _list_kind(self.parts.numbering.get(key, "bullet"))
        if sid in self.parts.style_numbered:
            return self.parts.style_numbered[sid]
        if name.startswith("list bullet"):
            return "bullet"
        if name.startswith("list number"):
            return "numbered"
        return None

    def paragraph(self, p: etree._Element) -> None:
        self.skip_data = False
        p_pr = p.find(_w("pPr"))
        sid, name = self._style(p_pr)
        segments = tuple(self.inline(p))
        if self.skip_data:
            if self._heading_level(p_pr, name) is not None:
                self.finish()
                self.stopped = True  # an annex the export generated: nothing after is text
            return
        text = "".join(s.text for s in segments if not s.deleted).strip()
        level = self._heading_level(p_pr, name)
        if level is not None and text:
            section = self.match(text)
            if section is not None:
                if self.current is None or self.current.code != section.code:
                    self.start(section, text, False)
                if self.current is not None:
                    self.current.heading = text
                    self.current.level = level  # sub-headings are deeper than this one
                return
            if self.current is None or level <= self.current.level:
                self.finish()
                self.unknown.append(text)
                return
            self.current.paras.append(Para("heading", segments))
            return
        if self.current is None or not text:
            return
        kind = self._list_kind(p_pr, sid, name)
        number = 1
        first = next((i for i, s in enumerate(segments) if not s.deleted and s.text), None)
        if first is not None:
            lead = segments[first].text
            numbered = _NUMBER_PREFIX.match(lead)
            bullet = None if numbered else _BULLET_PREFIX.match(lead)
            prefix = numbered or bullet
            if prefix and kind is None:
                kind = "numbered" if numbered else "bullet"
                number = int(numbered.group(1)) if numbered else 1
                head = segments[first]
                segments = (
                    *segments[:first],
                    Segment(
                        lead[prefix.end() :], head.bold, head.italic, head.change, head.deleted
                    ),
                    *segments[first + 1 :],
                )
        self.current.paras.append(
            Para(kind or "paragraph", tuple(_untab(s) for s in segments), number=number)  # type: ignore[arg-type]
        )

    def table(self, tbl: etree._Element) -> None:
        description = tbl.find(f"{_w('tblPr')}/{_w('tblDescription')}")
        if description is not None and description.get(_w("val")) == DATA_TABLE:
            return
        rows: list[tuple[Segments, ...]] = []
        header = False
        for index, tr in enumerate(tbl.iterchildren(_w("tr"))):
            tr_pr = tr.find(_w("trPr"))
            if index == 0 and tr_pr is not None and tr_pr.find(_w("tblHeader")) is not None:
                header = True
            cells = []
            for tc in tr.iterchildren(_w("tc")):
                segments: list[Segment] = []
                for p in tc.iterchildren(_w("p")):
                    if segments:
                        segments.append(Segment(" "))
                    segments.extend(_untab(s) for s in self.inline(p))
                cells.append(tuple(segments))
            rows.append(tuple(cells))
        if self.current is not None and rows:
            self.current.paras.append(Para("table", rows=tuple(rows), header=header))

    def body(self, parent: etree._Element) -> None:
        for child in parent:
            if self.stopped:
                return
            tag = child.tag
            if tag == _w("p"):
                self.paragraph(child)
            elif tag == _w("tbl"):
                self.table(child)
            elif tag == _w("sdt"):
                content = child.find(_w("sdtContent"))
                if content is not None:
                    self.body(content)
            elif tag == _w("bookmarkStart"):
                self.bookmark(child)
                self.skip_data = False

    def result(self) -> ImportedFile:
        self.finish()
        sections = []
        for built in self.done:
            comments = tuple(
                Comment(*self.parts.comments[cid], "".join(self.anchors.get(cid, [])).strip())
                for cid in dict.fromkeys(built.comments)
                if cid in self.parts.comments
            )
            sections.append(
                ImportedSection(
                    built.code,
                    built.heading,
                    built.by_bookmark,
                    tuple(built.paras),
                    tuple(built.changes),
                    comments,
                    built.footnotes,
                )
            )
        return ImportedFile(tuple(sections), tuple(self.unknown), tuple(self.duplicates))


def _untab(segment: Segment) -> Segment:
    if "\t" not in segment.text:
        return segment
    return Segment(
        segment.text.replace("\t", " "),
        segment.bold,
        segment.italic,
        segment.change,
        segment.deleted,
    )


def read_docx(data: bytes, known: Sequence[KnownSection]) -> ImportedFile:
    """The sections of ``known`` found in the Word file, in the file's order.

    Raises :class:`NotADocx` when the bytes are not a Word document (check sizes and zip
    entries before: this reads the parts it needs whole).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise NotADocx("zip") from error
    with archive:
        root = _xml(archive, "word/document.xml")
        if root is None:
            raise NotADocx("word/document.xml")
        reader = _Reader(_parts(archive), known)
    body = root.find(_w("body"))
    if body is None:
        raise NotADocx("body")
    reader.body(body)
    return reader.result()

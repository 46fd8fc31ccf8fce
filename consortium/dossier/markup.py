"""The small markup writers use to edit Part B sections.

Why a markup and not HTML: the same text must become safe HTML in the browser *and* native Word
paragraphs, lists and tables, and writers (often not technical) must be able to type it in a
plain text area. The language, documented for writers:

- Paragraphs are separated by a blank line; single line breaks inside a paragraph are joined
  with a space.
- ``- item`` (or ``• item``) starts a bullet list; ``1. item`` (or ``1) item``) a numbered list
  that starts at the first number. A line that follows an item without a marker continues it.
- ``### Title`` is a sub-heading (``####`` … ``######`` too, all one level below the section).
- ``**bold**``, ``*italic*``, ``***both***``; a marker must touch the word it opens or closes,
  so ``2 * 3 * 4`` stays as typed.
- Tables: lines starting with ``|``, cells separated by ``|``; a ``|---|---|`` row after the
  first row makes that first row the header.
- A backslash keeps a marker as text: ``\\*``, ``\\|``, ``\\-``, ``\\#``, ``\\.``, ``\\\\``.

Parsing never fails: anything it does not recognise is text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from consortium.characters import without_control_characters

BlockKind = Literal["paragraph", "bullets", "numbered", "table", "heading"]

_ESCAPABLE = frozenset("\\*|-#.•+)")
_HEADING = re.compile(r"^ {0,3}#{3,6}[ \t]+(.*?)[ \t]*$")
_BULLET = re.compile(r"^ {0,3}[-•][ \t]+(.*)$")
_NUMBERED = re.compile(r"^ {0,3}(\d{1,9})[.)][ \t]+(.*)$")
_TABLE = re.compile(r"^ {0,3}\|")
_SEPARATOR_CELL = re.compile(r"^\s*:?-+:?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Run:
    """A piece of inline text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


Inline = tuple[Run, ...]


@dataclass(frozen=True)
class Block:
    """One block of a section: paragraph/heading use ``runs``, lists ``items``, tables ``rows``."""

    kind: BlockKind
    runs: Inline = ()
    items: tuple[Inline, ...] = ()
    rows: tuple[tuple[Inline, ...], ...] = ()
    header: bool = False
    start: int = 1

    def texts(self) -> tuple[str, ...]:
        """The plain texts of the block: one per paragraph, item or cell."""
        if self.kind in ("paragraph", "heading"):
            return (inline_text(self.runs),)
        if self.kind in ("bullets", "numbered"):
            return tuple(inline_text(item) for item in self.items)
        return tuple(inline_text(cell) for row in self.rows for cell in row)


def inline_text(runs: Inline) -> str:
    """Plain text of inline runs."""
    return "".join(run.text for run in runs)


# --------------------------------------------------------------------------- inline


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    """Split into ('lit', text, pos) and ('mark', '*' | '**', pos) tokens; escapes resolved."""
    tokens: list[tuple[str, str, int]] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in _ESCAPABLE:
            buf.append(text[i + 1])
            i += 2
            continue
        if ch == "*":
            if buf:
                tokens.append(("lit", "".join(buf), i))
                buf = []
            width = 2 if text.startswith("**", i) else 1
            tokens.append(("mark", "*" * width, i))
            i += width
            continue
        buf.append(ch)
        i += 1
    if buf:
        tokens.append(("lit", "".join(buf), n))
    return tokens


def _pair_markers(text: str, tokens: list[tuple[str, str, int]]) -> set[int]:
    """Indexes of marker tokens that open or close emphasis; the others are literal."""
    paired: set[int] = set()
    for marker in ("**", "*"):
        pending: int | None = None
        for index, (kind, value, pos) in enumerate(tokens):
            if kind != "mark" or value != marker:
                continue
            end = pos + len(marker)
            can_open = end < len(text) and not text[end].isspace()
            can_close = pos > 0 and not text[pos - 1].isspace()
            if pending is not None and can_close:
                paired.update((pending, index))
                pending = None
            elif can_open:
                pending = index
    return paired


def parse_inline(text: str) -> Inline:
    """Inline runs of ``text`` with bold/italic flags; unmatched markers stay as text."""
    tokens = _tokenize(text)
    paired = _pair_markers(text, tokens)
    runs: list[Run] = []
    bold = italic = False
    for index, (kind, value, _pos) in enumerate(tokens):
        if kind == "mark" and index in paired:
            if value == "**":
                bold = not bold
            else:
                italic = not italic
            continue
        if runs and runs[-1].bold == bold and runs[-1].italic == italic:
            runs[-1] = Run(runs[-1].text + value, bold, italic)
        else:
            runs.append(Run(value, bold, italic))
    return tuple(run for run in runs if run.text)


# --------------------------------------------------------------------------- blocks


def _split_cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in _CELL_SPLIT.split(body)]


def _table_block(lines: list[str]) -> Block | None:
    rows: list[list[str]] = []
    header = False
    for index, line in enumerate(lines):
        cells = _split_cells(line)
        if cells and all(_SEPARATOR_CELL.match(cell) for cell in cells):
            header = header or (index == 1 and len(rows) == 1)
            continue
        rows.append(cells)
    if not rows:
        return None
    width = max(len(row) for row in rows)
    return Block(
        "table",
        rows=tuple(
            tuple(parse_inline(cell) for cell in row + [""] * (width - len(row))) for row in rows
        ),
        header=header,
    )


def parse(text: str | None) -> tuple[Block, ...]:
    """Blocks of a section's markup (see the module docstring); never raises."""
    if not text:
        return ()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    para: list[str] = []
    items: list[str] = []
    list_kind: BlockKind | None = None
    start = 1
    table: list[str] = []

    def flush() -> None:
        nonlocal list_kind
        if para:
            blocks.append(Block("paragraph", runs=parse_inline(" ".join(para))))
            para.clear()
        if list_kind is not None:
            blocks.append(
                Block(list_kind, items=tuple(parse_inline(item) for item in items), start=start)
            )
            items.clear()
            list_kind = None
        if table:
            block = _table_block(table)
            if block is not None:
                blocks.append(block)
            table.clear()

    for line in lines:
        if not line.strip():
            flush()
            continue
        if _TABLE.match(line):
            if not table:
                flush()
            table.append(line)
            continue
        if table:
            flush()
        heading = _HEADING.match(line)
        if heading:
            flush()
            blocks.append(Block("heading", runs=parse_inline(heading.group(1))))
            continue
        bullet = _BULLET.match(line)
        numbered = None if bullet else _NUMBERED.match(line)
        if bullet or numbered:
            kind: BlockKind = "bullets" if bullet else "numbered"
            if list_kind != kind:
                flush()
                list_kind = kind
                start = int(numbered.group(1)) if numbered else 1
            items.append((bullet or numbered).group(1 if bullet else 2).strip())  # type: ignore[union-attr]
            continue
        if list_kind is not None and not para:
            items[-1] = f"{items[-1]} {line.strip()}".strip()
            continue
        para.append(line.strip())
    flush()
    return tuple(blocks)


def escape(text: str | None) -> str:
    """Make data text (an output, a name) literal in markup: one line, markers escaped."""
    if not text:
        return ""
    flat = _WHITESPACE.sub(" ", text).strip()
    flat = flat.replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|")
    if flat[:1] in ("-", "#", "•", "+"):
        flat = "\\" + flat
    numbered = re.match(r"^(\d{1,9})([.)])", flat)
    if numbered:
        flat = f"{numbered.group(1)}\\{numbered.group(2)}{flat[numbered.end() :]}"
    return flat


# --------------------------------------------------------------------------- outputs


def _inline_html(runs: Inline) -> str:
    out: list[str] = []
    for run in runs:
        piece = html.escape(run.text, quote=True)
        if run.italic:
            piece = f"<em>{piece}</em>"
        if run.bold:
            piece = f"<strong>{piece}</strong>"
        out.append(piece)
    return "".join(out)


def to_html(blocks: tuple[Block, ...], heading_tag: str = "h4") -> str:
    """Safe HTML for the blocks: every text is escaped; only our own tags are emitted."""
    if heading_tag not in {"h2", "h3", "h4", "h5", "h6"}:
        heading_tag = "h4"
    parts: list[str] = []
    for block in blocks:
        if block.kind == "paragraph":
            parts.append(f"<p>{_inline_html(block.runs)}</p>")
        elif block.kind == "heading":
            parts.append(f"<{heading_tag}>{_inline_html(block.runs)}</{heading_tag}>")
        elif block.kind in ("bullets", "numbered"):
            tag = "ul" if block.kind == "bullets" else "ol"
            attr = f' start="{block.start}"' if tag == "ol" and block.start != 1 else ""
            lis = "".join(f"<li>{_inline_html(item)}</li>" for item in block.items)
            parts.append(f"<{tag}{attr}>{lis}</{tag}>")
        elif block.kind == "table":
            rows = list(block.rows)
            head = ""
            if block.header and rows:
                head = (
                    "<thead><tr>"
                    + "".join(f"<th>{_inline_html(c)}</th>" for c in rows.pop(0))
                    + "</tr></thead>"
                )
            body = "".join(
                "<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in row) + "</tr>"
                for row in rows
            )
            parts.append(f"<table>{head}<tbody>{body}</tbody></table>")
    return "\n".join(parts)


def plain_text(text: str | None) -> str:
    """The text as a reader sees it: markup removed, one line per paragraph, item or cell."""
    return "\n".join(t for block in parse(text) for t in block.texts())


def plain_length(text: str | None) -> int:
    """Characters as evaluators count them (Word's "characters with spaces").

    Markup, list markers and paragraph breaks are not counted; text is NFC-normalised so an
    accent typed as two code points counts once.
    """
    return sum(len(unicodedata.normalize("NFC", t)) for block in parse(text) for t in block.texts())


def clean_for_word(text: object) -> str:
    """Remove what Word/XML cannot hold: C0 controls (not tab/newline), surrogates, U+FFFE/FFFF.

    Accepts anything (``None`` -> ``""``) and never raises, so it can sit at the export
    boundary for every run, cell, header and property.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    return without_control_characters(text)


# --------------------------------------------------------------------------- back to markup

_LINE_START = re.compile(r"^(\d{1,9})([.)])")


def _escape_inline(text: str) -> str:
    flat = _WHITESPACE.sub(" ", text)
    return flat.replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|")


def _inline_markup(runs: Inline) -> str:
    """Runs as markup; emphasis markers go around the words, never around edge spaces."""
    out: list[str] = []
    for run in runs:
        text = _escape_inline(run.text)
        core = text.strip(" ")
        if not core:
            out.append(text)
            continue
        lead = text[: len(text) - len(text.lstrip(" "))]
        trail = text[len(text.rstrip(" ")) :]
        marker = "*" * ((2 if run.bold else 0) + (1 if run.italic else 0))
        out.append(f"{lead}{marker}{core}{marker}{trail}")
    return "".join(out).strip(" ")


def _line_safe(text: str) -> str:
    """Escape what would make a line a list item, heading or table row."""
    if text[:1] in ("-", "#", "•", "+"):
        return "\\" + text
    numbered = _LINE_START.match(text)
    if numbered:
        return f"{numbered.group(1)}\\{numbered.group(2)}{text[numbered.end() :]}"
    return text


def to_markup(blocks: tuple[Block, ...]) -> str:
    """Markup that :func:`parse` reads back as the same blocks (used by the Word import)."""
    parts: list[str] = []
    for block in blocks:
        if block.kind == "paragraph":
            text = _line_safe(_inline_markup(block.runs))
            if text:
                parts.append(text)
        elif block.kind == "heading":
            text = _inline_markup(block.runs)
            if text:
                parts.append(f"### {text}")
        elif block.kind == "bullets":
            parts.append("\n".join(f"- {_inline_markup(item)}" for item in block.items))
        elif block.kind == "numbered":
            parts.append(
                "\n".join(
                    f"{number}. {_inline_markup(item)}"
                    for number, item in enumerate(block.items, block.start)
                )
            )
        elif block.kind == "table" and block.rows:
            lines = []
            for index, row in enumerate(block.rows):
                cells = [_line_safe(_inline_markup(cell)) or " " for cell in row]
                lines.append("| " + " | ".join(cells) + " |")
                if index == 0 and block.header:
                    lines.append("|" + "---|" * len(row))
            parts.append("\n".join(lines))
    return "\n\n".join(parts)

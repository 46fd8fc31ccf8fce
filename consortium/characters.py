"""The one rule on characters no database, XML file or Word document can hold.

Why: text comes from forms, spreadsheets, JSON imports and the API and goes to PostgreSQL,
Word, ODS, GraphML and SVG. C0 control characters other than tab, newline and carriage return,
DEL, lone surrogates and the two non-characters are refused at the edge (forms, imports) and
removed before writing a file, with the same definition everywhere.
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
LINE_BREAKS = re.compile("[\t\n\r]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def single_line(text: str) -> str:
    """Text for a one-line label: control characters and line breaks removed."""
    return LINE_BREAKS.sub("", without_control_characters(text))


def short_label(text: str, limit: int) -> str:
    """Text for a label on a figure: one line (control characters removed, runs of white
    space and line breaks made one space), cut with an ellipsis beyond ``limit``."""
    label = " ".join(without_control_characters(text).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"

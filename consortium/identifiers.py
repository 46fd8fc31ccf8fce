"""Whole numbers typed by a user or read from a file: record ids, page numbers, levels.

Why: ``str.isdigit`` accepts superscripts and other Unicode digits ("²", "٣") that ``int``
refuses or reads unexpectedly, so a check with it before ``int`` still lets bad input crash
the request. Everything that turns untrusted text into a number goes through here.
"""

from __future__ import annotations

#: Longer numbers are not ids of this application (and keep ``int`` cheap).
MAX_DIGITS = 11


def parse_id(text: object, *, max_digits: int = MAX_DIGITS) -> int | None:
    """The number ``text`` spells in ASCII digits only (``"42"`` -> 42), else ``None``."""
    if not isinstance(text, str) or not 0 < len(text) <= max_digits:
        return None
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text)

"""Accent- and case-insensitive text folding.

Search and matching must treat ``réemploi``, ``Reemploi`` and ``RÉEMPLOI`` as the same word on
both SQLite and PostgreSQL, so folded text is computed in Python and stored next to the original.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[0-9a-z]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})


def fold(text: str | None) -> str:
    """Lower-case ``text`` and strip accents: ``"Réemploi BTP"`` -> ``"reemploi btp"``."""
    if not text:
        return ""
    lowered = text.casefold().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str | None) -> list[str]:
    """Folded alphanumeric words of ``text``, in order."""
    return _WORD.findall(fold(text))

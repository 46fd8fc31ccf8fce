"""Accent- and case-insensitive text folding.

Search and matching must treat ``réemploi``, ``Reemploi`` and ``RÉEMPLOI`` as the same word on
both SQLite and PostgreSQL, so folded text is computed in Python and stored next to the original.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from pyuca import Collator

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


#: Characters of a name that decide its place in the directory (longer names tie on them).
COLLATION_CHARS = 75


@cache
def _collator() -> Collator:
    return Collator()  # the Unicode Collation Algorithm's default table (DUCET), loaded once


def collation_key(text: str | None) -> str:
    """A key that orders names as people read them, in French and in English.

    The primary weights of the Unicode Collation Algorithm ("École" sorts with "Ecole",
    before "Ville"; case and accents only break ties), as 4 hex digits each, so the database
    orders the stored key the same way on SQLite and PostgreSQL.
    """
    if not text:
        return ""
    weights = _collator().sort_key(text[:COLLATION_CHARS])
    primary = weights[: weights.index(0)] if 0 in weights else weights
    return "".join(f"{min(w, 0xFFFF):04x}" for w in primary)

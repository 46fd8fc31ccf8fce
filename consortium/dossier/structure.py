"""The Part B structure of each LIFE call family, as data.

The official headings change between calls and are only partly public, so the structure is a
JSON file (``structure.json``) that an admin can copy into the database and adjust; this module
loads it and validates any edited copy with messages naming the section and field at fault.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

STRUCTURE_PATH = Path(__file__).with_name("structure.json")

#: Drafting keys understood by :mod:`consortium.dossier.drafting`; ``heading`` drafts nothing.
DRAFTING_KEYS: frozenset[str] = frozenset(
    {
        "heading",
        "summary",
        "compliance",
        "vision",
        "needs_objectives",
        "work_packages",
        "stakeholders",
        "consortium",
        "management",
        "budget",
        "risks",
        "impact",
        "sustainability",
        "free",
    }
)

DEFAULT_CHARS_PER_PAGE = 3500
_CODE = re.compile(r"^\d{1,2}(\.\d{1,2}){0,3}$")
_TEXT_FIELDS = ("title_en", "title_fr", "guidance_en", "guidance_fr")
_MAX_TITLE = 300
_MAX_GUIDANCE = 2000


@dataclass(frozen=True)
class SectionSpec:
    """One Part B section: its code, bilingual title/guidance, length budget, drafting key."""

    code: str
    title_en: str
    title_fr: str
    guidance_en: str
    guidance_fr: str
    budget_chars: int
    drafting_key: str
    numbered: bool = True
    chars_per_page: int = DEFAULT_CHARS_PER_PAGE

    @property
    def level(self) -> int:
        """Heading level: ``"1"`` -> 1, ``"1.2"`` -> 2 (unnumbered sections are level 1)."""
        return self.code.count(".") + 1

    @property
    def budget_pages(self) -> float:
        """Page estimate of the budget (characters / chars_per_page), rounded to 0.1."""
        return round(self.budget_chars / self.chars_per_page, 1)

    def title(self, lang: str) -> str:
        """Title in the document language ('fr' or anything else -> English)."""
        return self.title_fr if lang == "fr" else self.title_en

    def guidance(self, lang: str) -> str:
        """Guidance in the document language."""
        return self.guidance_fr if lang == "fr" else self.guidance_en

    def heading(self, lang: str) -> str:
        """Heading text with its number: ``"1. Relevance"``, ``"1.1 Compliance …"``."""
        title = self.title(lang)
        if not self.numbered:
            return title
        number = f"{self.code}." if self.level == 1 else self.code
        return f"{number} {title}"


def _fail(where: str, field: str, problem: str) -> ValueError:
    return ValueError(f"{where}: field '{field}' {problem}")


def _validate_sections(sections: Any, family: str) -> None:
    if not isinstance(sections, list) or not sections:
        raise _fail(f"family {family}", "sections", "must be a non-empty list")
    seen: set[str] = set()
    for index, raw in enumerate(sections):
        if not isinstance(raw, dict):
            raise _fail(f"family {family}, section #{index + 1}", "(section)", "must be an object")
        code = raw.get("code")
        where = (
            f"family {family}, section {code!r}"
            if code
            else f"family {family}, section #{index + 1}"
        )
        if not isinstance(code, str) or not _CODE.match(code):
            raise _fail(where, "code", "must look like '1', '1.2' or '2.3.1'")
        if code in seen:
            raise _fail(where, "code", "is duplicated")
        if "." in code and code.rsplit(".", 1)[0] not in seen:
            raise _fail(
                where, "code", f"has no parent section {code.rsplit('.', 1)[0]!r} before it"
            )
        seen.add(code)
        for field in _TEXT_FIELDS:
            value = raw.get(field)
            limit = _MAX_TITLE if field.startswith("title") else _MAX_GUIDANCE
            if not isinstance(value, str) or (field.startswith("title") and not value.strip()):
                raise _fail(
                    where,
                    field,
                    "must be a non-empty text" if field.startswith("title") else "must be a text",
                )
            if len(value) > limit:
                raise _fail(where, field, f"is longer than {limit} characters")
        budget = raw.get("budget_chars")
        if isinstance(budget, bool) or not isinstance(budget, int) or not 0 <= budget <= 1_000_000:
            raise _fail(where, "budget_chars", "must be an integer between 0 and 1,000,000")
        key = raw.get("drafting_key")
        if key not in DRAFTING_KEYS:
            raise _fail(where, "drafting_key", f"must be one of {', '.join(sorted(DRAFTING_KEYS))}")
        if "numbered" in raw and not isinstance(raw["numbered"], bool):
            raise _fail(where, "numbered", "must be true or false")
        unknown = set(raw) - {"code", "numbered", "budget_chars", "drafting_key", *_TEXT_FIELDS}
        if unknown:
            raise _fail(where, sorted(unknown)[0], "is not a known field")


def validate_structure(data: Any) -> None:
    """Check a whole structure document (``{"families": …}``) or one list of sections.

    Raises ``ValueError`` naming the family, the section and the field at fault, so an admin
    editing the copy in the database sees what to fix.
    """
    if isinstance(data, list):
        _validate_sections(data, "(edited)")
        return
    if not isinstance(data, dict):
        raise _fail("structure", "(root)", "must be an object or a list of sections")
    for field in ("note_en", "note_fr"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            raise _fail("structure", field, "must be a non-empty text")
    cpp = data.get("chars_per_page", DEFAULT_CHARS_PER_PAGE)
    if isinstance(cpp, bool) or not isinstance(cpp, int) or cpp <= 0:
        raise _fail("structure", "chars_per_page", "must be a positive integer")
    families = data.get("families")
    if not isinstance(families, dict) or not families:
        raise _fail("structure", "families", "must be a non-empty object")
    for name, family in families.items():
        if not isinstance(family, dict):
            raise _fail(f"family {name}", "(family)", "must be an object")
        if "same_as" in family:
            target = families.get(family["same_as"])
            if not isinstance(target, dict) or "sections" not in target:
                raise _fail(f"family {name}", "same_as", "must name a family that has sections")
        else:
            _validate_sections(family.get("sections"), name)


@lru_cache(maxsize=1)
def _load_default() -> dict[str, Any]:
    data = json.loads(STRUCTURE_PATH.read_text(encoding="utf-8"))
    validate_structure(data)
    return data


def families() -> tuple[str, ...]:
    """Names of the call families shipped with the app (``"SAP"`` first)."""
    return tuple(_load_default()["families"])


def structure_note(lang: str, family: str | None = None) -> str:
    """The "check against the official template" note, plus the family's own note if any."""
    data = _load_default()
    suffix = "fr" if lang == "fr" else "en"
    note = data[f"note_{suffix}"]
    if family is not None:
        extra = data["families"].get(family, {}).get(f"note_{suffix}")
        if extra:
            note = f"{note} {extra}"
    return note


def sections_from_data(
    sections: list[dict[str, Any]], chars_per_page: int = DEFAULT_CHARS_PER_PAGE
) -> tuple[SectionSpec, ...]:
    """Validate a list of section objects (e.g. the admin's DB copy) and build the specs."""
    _validate_sections(sections, "(edited)")
    return tuple(
        SectionSpec(
            code=raw["code"],
            title_en=raw["title_en"],
            title_fr=raw["title_fr"],
            guidance_en=raw["guidance_en"],
            guidance_fr=raw["guidance_fr"],
            budget_chars=raw["budget_chars"],
            drafting_key=raw["drafting_key"],
            numbered=raw.get("numbered", True),
            chars_per_page=chars_per_page,
        )
        for raw in sections
    )


def load_structure(family: str = "SAP") -> tuple[SectionSpec, ...]:
    """Sections of ``family`` in document order; unknown families raise ``ValueError``."""
    data = _load_default()
    fams = data["families"]
    key = family.upper()
    if key not in fams:
        raise ValueError(f"unknown call family {family!r}; known: {', '.join(fams)}")
    entry = fams[key]
    if "same_as" in entry:
        entry = fams[entry["same_as"]]
    return sections_from_data(entry["sections"], data.get("chars_per_page", DEFAULT_CHARS_PER_PAGE))

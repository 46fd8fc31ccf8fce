"""Live-capture helpers (pure): organisation references, tags, months, action codes and the
narrowing of attendance from one workshop step to the next.

Organisation references are what a facilitator types during a workshop: an id (``12`` or
``#12``), a label picked from the suggestions (``Réemploi Bâtiment Sud (RBS) #12``), an acronym
(``RBS``) or a full name.  Several references in one field are separated by semicolons or
new lines; commas also separate references that carry no ``#id`` (so ``RBS, VDM`` works).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from consortium.errors import N_

STEP_ORDER = ("vision", "actions_needs", "dossier_framework", "other")
STEP_LABELS = {
    "vision": N_("Vision 2030"),
    "actions_needs": N_("Actions and needs"),
    "dossier_framework": N_("Dossier and cooperation framework"),
    "other": N_("Other"),
}
KIND_LABELS = {
    "vision": N_("Vision statement"),
    "objective": N_("Objective"),
    "action": N_("Action"),
    "need": N_("Need"),
    "resource": N_("Resource offered"),
    "risk": N_("Risk"),
    "cooperation_rule": N_("Cooperation rule"),
    "quote": N_("Quote"),
}
KIND_PLURALS = {
    "vision": N_("Vision statements"),
    "objective": N_("Objectives"),
    "action": N_("Actions"),
    "need": N_("Needs"),
    "resource": N_("Resources offered"),
    "risk": N_("Risks"),
    "cooperation_rule": N_("Cooperation rules"),
    "quote": N_("Quotes"),
}
NEED_LABELS = {
    "skill": N_("Skill"),
    "money": N_("Money"),
    "equipment": N_("Equipment"),
    "data": N_("Data"),
    "permit": N_("Permit"),
    "site": N_("Site"),
    "other": N_("Other need"),
}
RULE_LABELS = {
    "governance": N_("Governance"),
    "decision_making": N_("Decision-making"),
    "intellectual_property": N_("Intellectual property"),
    "communication": N_("Communication"),
    "conflict_resolution": N_("Conflict resolution"),
    "other": N_("Other rule"),
}
# Which sub-kinds each output kind accepts (the others take none).
SUBKINDS = {"need": tuple(NEED_LABELS), "cooperation_rule": tuple(RULE_LABELS)}

MAX_TAGS = 12
MAX_TAG_LENGTH = 40
MAX_REFERENCES = 200
_ID_AT_END = re.compile(r"#\s*(\d{1,12})\s*$")
_DIGITS = re.compile(r"^#?\s*(\d{1,12})$")


@dataclass(frozen=True)
class Reference:
    """One organisation reference: ``id`` when a number was given, else ``text``."""

    raw: str
    id: int | None = None
    text: str | None = None


def split_references(value: str | Iterable[str] | None) -> list[Reference]:
    """The references typed in one field (or several fields of the same name), in order,
    without duplicates of the same id or text."""
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    found: list[Reference] = []
    seen: set[object] = set()
    for chunk in values:
        for token in re.split(r"[;\n\r]", chunk or ""):
            token = token.strip()
            if not token:
                continue
            parts = [token] if "#" in token else [p.strip() for p in token.split(",")]
            for part in parts:
                if not part:
                    continue
                reference = _reference(part)
                key = (
                    ("id", reference.id)
                    if reference.id is not None
                    else ("text", reference.text.casefold())
                )
                if key not in seen:
                    seen.add(key)
                    found.append(reference)
    return found


def _reference(part: str) -> Reference:
    match = _DIGITS.match(part) or _ID_AT_END.search(part)
    if match:
        return Reference(raw=part, id=int(match.group(1)))
    return Reference(raw=part, text=" ".join(part.split()))


def reference_label(name: str, acronym: str | None, organisation_id: int) -> str:
    """The label suggested in pickers; :func:`split_references` reads the id back."""
    return f"{name} ({acronym}) #{organisation_id}" if acronym else f"{name} #{organisation_id}"


def split_tags(value: str | None) -> list[str]:
    """Comma- or semicolon-separated tags, trimmed, without a leading #, de-duplicated
    ignoring case, in the order typed."""
    tags: list[str] = []
    seen: set[str] = set()
    for token in re.split(r"[,;\n]", value or ""):
        tag = " ".join(token.strip().lstrip("#").split())
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def check_tags(tags: Sequence[str]) -> tuple[str, dict] | None:
    if len(tags) > MAX_TAGS:
        return N_("Give at most %(max)d tags."), {"max": MAX_TAGS}
    long = next((t for t in tags if len(t) > MAX_TAG_LENGTH), None)
    if long is not None:
        return N_("A tag has at most %(max)d characters: “%(tag)s…”."), {
            "max": MAX_TAG_LENGTH,
            "tag": long[:20],
        }
    return None


def check_subkind(kind: str, subkind: str | None) -> tuple[str, dict] | None:
    allowed = SUBKINDS.get(kind, ())
    if not subkind:
        return None
    if subkind not in allowed:
        if not allowed:
            return N_("Only needs and cooperation rules take a sub-type."), {}
        return N_("This sub-type does not fit this kind of output."), {}
    return None


def check_months(start: int | None, end: int | None, duration: int) -> dict[str, tuple[str, dict]]:
    """Errors on the start and end months of an action in a project of ``duration`` months."""
    errors: dict[str, tuple[str, dict]] = {}
    for name, month in (("start_month", start), ("end_month", end)):
        if month is None:
            continue
        if month < 1:
            errors[name] = (N_("Months are counted from 1 (the first month)."), {})
        elif month > duration:
            errors[name] = (
                N_(
                    "The proposal lasts %(duration)d months; choose a month from 1 to %(duration)d."
                ),
                {"duration": duration},
            )
    if start is not None and end is not None and "end_month" not in errors and end < start:
        errors["end_month"] = (
            N_("The end month (M%(end)d) comes before the start month (M%(start)d)."),
            {"end": end, "start": start},
        )
    return errors


def next_code(existing: Iterable[str], prefix: str = "A") -> str:
    """The next free code ``A<n>`` after the highest one used."""
    highest = 0
    for code in existing:
        match = re.fullmatch(rf"{re.escape(prefix)}(\d{{1,6}})", (code or "").strip(), re.I)
        if match:
            highest = max(highest, int(match.group(1)))
    return f"{prefix}{highest + 1}"


@dataclass(frozen=True)
class StepSummary:
    step: str
    workshops: int
    organisations: int  # distinct organisations over the step's workshops
    people: int


def narrowing(
    workshops: Sequence[Mapping[str, object]],
) -> list[StepSummary]:
    """Per step, in the order of the method (vision, actions and needs, dossier, other):
    how many workshops, distinct organisations and people.  Each workshop is a mapping with
    ``step``, ``organisation_ids`` (iterable) and ``people`` (int).  Steps without workshops
    are left out."""
    summaries = []
    for step in STEP_ORDER:
        held = [w for w in workshops if w["step"] == step]
        if not held:
            continue
        organisations: set[object] = set()
        for w in held:
            organisations.update(w["organisation_ids"])  # type: ignore[arg-type]
        summaries.append(
            StepSummary(
                step=step,
                workshops=len(held),
                organisations=len(organisations),
                people=sum(int(w["people"]) for w in held),  # type: ignore[call-overload]
            )
        )
    return summaries


def parse_person(line: str) -> tuple[str, str | None, str | None]:
    """``Name; function; organisation`` (function and organisation optional)."""
    parts = [" ".join(p.split()) for p in line.split(";")]
    name = parts[0] if parts else ""
    function = parts[1] if len(parts) > 1 and parts[1] else None
    organisation = "; ".join(p for p in parts[2:] if p) or None
    return name, function, organisation

"""Read topic records in the EU Funding & Tenders portal format into validated plain data.

Pure: the whole file is validated before anything is written, so a malformed record leaves
the catalogue unchanged, and the error names the record and the field at fault.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from consortium.errors import N_

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_CATALOGUE = DATA / "life_topics_2026_open.json"
TOPIC_ID = re.compile(r"^LIFE-\d{4}-[A-Z0-9-]+(-two-stage)?$", re.IGNORECASE)
SUB_PROGRAMMES = ("NAT", "ENV", "CLIMA", "CET")
MAX_TEXT = 200_000


class CatalogueError(ValueError):
    """A record of the file is malformed; ``index`` is 1-based."""

    def __init__(
        self,
        index: int | None,
        topic_id: str | None,
        field_name: str | None,
        template: str,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.index = index
        self.topic_id = topic_id
        self.field = field_name
        self.template = template
        self.params = params or {}
        where = f"record {index}" if index is not None else "file"
        if topic_id:
            where += f" ({topic_id})"
        if field_name:
            where += f", field '{field_name}'"
        super().__init__(f"{where}: {template % self.params}")


@dataclass(frozen=True)
class CriterionRecord:
    code: str
    name: str
    max_points: Decimal | None
    threshold: Decimal | None


@dataclass(frozen=True)
class TopicRecord:
    identifier: str
    title: str
    call_identifier: str
    call_title: str
    programme: str
    programme_id: str | None
    sub_programme: str | None
    action_type: str
    types_of_action: str
    deadline: date | None
    deadline_model: str | None
    status: str | None
    description: str
    objectives: str
    conditions: str
    keywords: str
    portal_url: str | None
    mandatory_annexes: tuple[str, ...]
    optional_annexes: tuple[str, ...]
    funding_rate: Decimal | None
    indirect_rate: Decimal | None
    min_beneficiaries: int | None
    min_countries: int | None
    max_subtopics: int | None
    subtopics: tuple[str, ...]
    criteria: tuple[CriterionRecord, ...]
    defaulted_fields: tuple[str, ...]
    source: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)


def load_defaults() -> dict[str, Any]:
    return json.loads((DATA / "action_types.json").read_text(encoding="utf-8"))


def action_type_of(topic_id: str) -> str:
    """SAP, SIP, SNAP, TA, OAG (CET other action grants), PLP or OG, from the identifier."""
    parts = topic_id.upper().split("-")
    family = parts[2] if len(parts) > 2 else ""
    if family == "SAP":
        return "SAP"
    if family == "STRAT":
        return "SNAP" if "SNAP" in parts else "SIP"
    if family == "TA":
        return "TA"
    if family == "CET":
        return "OAG"
    if family == "PLP":
        return "PLP"
    if family == "NGO":
        return "OG"
    return "SAP"


def sub_programme_of(topic_id: str) -> str | None:
    parts = topic_id.upper().split("-")
    for part in parts[2:]:
        if part in SUB_PROGRAMMES:
            return part
    if "ENER" in parts:
        return "CET"
    return None


_SPLIT_NAMES = re.compile(r"(?<=[a-z\)\.])(?=[A-Z])")


def annexes_from_conditions(conditions: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The portal glues annex names together; split them back into lists."""

    def section(start: str, ends: tuple[str, ...]) -> str:
        begin = conditions.find(start)
        if begin < 0:
            return ""
        rest = conditions[begin + len(start) :]
        cut = min((rest.find(end) for end in ends if rest.find(end) >= 0), default=len(rest))
        return rest[:cut]

    def names(text: str) -> tuple[str, ...]:
        text = text.strip(" :")
        found, depth, current = [], 0, ""
        for piece in _SPLIT_NAMES.split(text):
            current += piece
            depth = current.count("(") - current.count(")")
            if depth <= 0:
                found.append(current.strip(" :"))
                current = ""
        if current.strip():
            found.append(current.strip(" :"))
        return tuple(name for name in found if name)

    mandatory = section(
        "Mandatory Annexes to the application form", ("Optional Annexes", "Additional documents")
    )
    optional = section("Optional Annexes", ("Additional documents",))
    return names(mandatory), names(optional)


def _text(
    record: dict[str, Any], name: str, index: int, topic_id: str | None, *, required: bool = False
) -> str:
    value = record.get(name)
    if value is None:
        if required:
            raise CatalogueError(index, topic_id, name, N_("This field is required."))
        return ""
    if not isinstance(value, str):
        raise CatalogueError(
            index,
            topic_id,
            name,
            N_("Expected text, found %(kind)s."),
            {"kind": type(value).__name__},
        )
    if "\x00" in value:
        raise CatalogueError(index, topic_id, name, N_("The text contains a NUL character."))
    if len(value) > MAX_TEXT:
        raise CatalogueError(
            index,
            topic_id,
            name,
            N_("The text is longer than %(max)d characters."),
            {"max": MAX_TEXT},
        )
    value = value.strip()
    if required and not value:
        raise CatalogueError(index, topic_id, name, N_("This field is required."))
    return value


def parse_record(record: Any, index: int, defaults: dict[str, Any]) -> TopicRecord:
    if not isinstance(record, dict):
        raise CatalogueError(index, None, None, N_("Each record must be a JSON object."))
    topic_id = _text(record, "topicId", index, None, required=True)
    if not TOPIC_ID.match(topic_id) or len(topic_id) > 80:
        raise CatalogueError(
            index,
            topic_id,
            "topicId",
            N_("'%(value)s' is not a LIFE topic identifier."),
            {"value": topic_id},
        )
    title = _text(record, "title", index, topic_id, required=True)[:400]
    call_identifier = _text(record, "callIdentifier", index, topic_id, required=True)[:80]
    raw_deadline = record.get("deadline")
    deadline = None
    if raw_deadline not in (None, ""):
        if not isinstance(raw_deadline, str):
            raise CatalogueError(index, topic_id, "deadline", N_("Expected a date YYYY-MM-DD."))
        try:
            deadline = date.fromisoformat(raw_deadline[:10])
        except ValueError:
            raise CatalogueError(
                index,
                topic_id,
                "deadline",
                N_("'%(value)s' is not a date (YYYY-MM-DD)."),
                {"value": raw_deadline[:40]},
            ) from None
    conditions = _text(record, "topicConditions", index, topic_id)
    mandatory, optional = annexes_from_conditions(conditions)
    action_type = action_type_of(topic_id)
    type_defaults = defaults["action_types"][action_type]
    defaulted = ["funding_rate", "indirect_rate", "min_beneficiaries", "min_countries", "criteria"]
    subtopics = tuple(defaults.get("subtopics", {}).get(topic_id, ()))
    max_subtopics = type_defaults["max_subtopics"] if subtopics else None
    if subtopics:
        defaulted += ["subtopics", "max_subtopics"]
    criteria = tuple(
        CriterionRecord(
            code=c["code"],
            name=c["name"],
            max_points=_decimal(c.get("max_points")),
            threshold=_decimal(c.get("threshold")),
        )
        for c in type_defaults["criteria"]
    )
    deadline_model = _text(record, "deadlineModel", index, topic_id)[:20] or None
    return TopicRecord(
        identifier=topic_id,
        title=title,
        call_identifier=call_identifier,
        call_title=_text(record, "callTitle", index, topic_id)[:300] or call_identifier,
        programme=_text(record, "programme", index, topic_id)[:40] or "LIFE",
        programme_id=_text(record, "programmeId", index, topic_id)[:40] or None,
        sub_programme=sub_programme_of(topic_id),
        action_type=action_type,
        types_of_action=_text(record, "typesOfAction", index, topic_id)[:200],
        deadline=deadline,
        deadline_model=deadline_model,
        status=_text(record, "callStatus", index, topic_id)[:20] or None,
        description=_text(record, "description", index, topic_id),
        objectives=_text(record, "objectives", index, topic_id),
        conditions=conditions,
        keywords=_text(record, "keywords", index, topic_id),
        portal_url=_web_address(_text(record, "portalUrl", index, topic_id)[:500]),
        mandatory_annexes=mandatory,
        optional_annexes=optional,
        funding_rate=_decimal(type_defaults["funding_rate"]),
        indirect_rate=_decimal(type_defaults["indirect_rate"]),
        min_beneficiaries=type_defaults["min_beneficiaries"],
        min_countries=type_defaults["min_countries"],
        max_subtopics=max_subtopics,
        subtopics=subtopics,
        criteria=criteria,
        defaulted_fields=tuple(defaulted),
        source=record,
    )


def _web_address(value: str) -> str | None:
    """Only http(s) addresses become links; "javascript:..." and the like are dropped."""
    return value if value.lower().startswith(("https://", "http://")) else None


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def parse_catalogue(data: bytes | str) -> list[TopicRecord]:
    """Validate every record of a portal export; raise CatalogueError at the first fault."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise CatalogueError(None, None, None, N_("The file is not UTF-8 text.")) from error
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogueError(
            None,
            None,
            None,
            N_("The file is not valid JSON (line %(line)d)."),
            {"line": error.lineno},
        ) from error
    except RecursionError as error:  # "[[[[..." nested deeper than the interpreter's stack
        raise CatalogueError(None, None, None, N_("The file is nested too deeply.")) from error
    if isinstance(payload, dict) and isinstance(payload.get("results"), list):
        payload = payload["results"]
    if not isinstance(payload, list):
        raise CatalogueError(None, None, None, N_("Expected a list of topic records."))
    defaults = load_defaults()
    records = [parse_record(record, index, defaults) for index, record in enumerate(payload, 1)]
    seen: set[str] = set()
    for index, record in enumerate(records, 1):
        if record.identifier in seen:
            raise CatalogueError(
                index, record.identifier, "topicId", N_("This topic appears twice in the file.")
            )
        seen.add(record.identifier)
    return records


# --------------------------------------------------------------------------------------
# Open or closed


def is_closed(deadline: date | None, status: str | None, today: date) -> bool:
    """Whether a topic no longer takes proposals: its deadline has passed or the portal says
    it is closed.  A topic without a deadline is open unless its status says otherwise."""
    if (status or "").strip().casefold() == "closed":
        return True
    return deadline is not None and deadline < today


# --------------------------------------------------------------------------------------
# Reading a topic's text

# The portal's records lost their HTML tags without a space in their place: "Expected
# Impact:Applicants", "the project.In terms of", "requirementsNumber of", "layout.2. Eligible".
# These patterns put the paragraph breaks back where a tag stood; text already spaced or
# broken into lines is kept as it is.
_HEADING_JOIN = re.compile(r"(?<=[a-z]):(?=[A-Z])")
_SENTENCE_JOIN = re.compile(r"(?<=[a-z)\]%”’])([.!?;])(?=[A-Z]|\d{1,2}\.\s)")
_ITEM_JOIN = re.compile(r"(?<=[a-z)])(?=[A-Z][a-z]{2,}\s)")
_NUMBER_JOIN = re.compile(r"(?<=[a-z])(?=\d{1,2}\.\s[A-Z])")
_BREAK = "\u2029"  # paragraph separator: never in the portal's text


def topic_paragraphs(text: str | None) -> list[str]:
    """The topic text as paragraphs, with the breaks the portal's export removed restored.

    ``"Expected Impact:Applicants should"`` -> ``["Expected Impact:", "Applicants should"]``.
    Spaces inside a paragraph are kept; blank lines in the text also separate paragraphs.
    """
    if not text:
        return []
    restored = _HEADING_JOIN.sub(":" + _BREAK, text)
    restored = _SENTENCE_JOIN.sub(lambda m: m.group(1) + _BREAK, restored)
    restored = _NUMBER_JOIN.sub(_BREAK, restored)
    restored = _ITEM_JOIN.sub(_BREAK, restored)
    restored = re.sub(r"\n\s*\n", _BREAK, restored)
    return [part.strip() for part in restored.split(_BREAK) if part.strip()]

"""Import the call catalogue and let administrators correct values from call documents."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from ..auth.models import User
from ..errors import N_, NotAllowed, ValidationFailed
from ..extensions import db
from .catalogue import TopicRecord
from .models import AwardCriterion, Call, Programme, Topic

PORTAL_FIELDS = (
    "title",
    "sub_programme",
    "action_type",
    "types_of_action",
    "deadline",
    "deadline_model",
    "status",
    "description",
    "objectives",
    "conditions",
    "keywords",
    "portal_url",
    "mandatory_annexes",
    "optional_annexes",
)
DEFAULTABLE_FIELDS = (
    "funding_rate",
    "indirect_rate",
    "min_beneficiaries",
    "min_countries",
    "max_subtopics",
    "subtopics",
)


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def import_topics(records: list[TopicRecord]) -> ImportSummary:
    """Create or update topics by identifier: a re-import never duplicates, and values an
    administrator corrected (no longer marked as defaults) are kept."""
    created = updated = unchanged = 0
    programmes = {p.code: p for p in db.session.scalars(select(Programme))}
    calls = {c.identifier: c for c in db.session.scalars(select(Call))}
    topics = {t.identifier: t for t in db.session.scalars(select(Topic))}
    for record in records:
        programme = programmes.get(record.programme)
        if programme is None:
            programme = Programme(
                code=record.programme, name=record.programme, portal_id=record.programme_id
            )
            db.session.add(programme)
            programmes[record.programme] = programme
        call = calls.get(record.call_identifier)
        if call is None:
            call = Call(
                programme=programme, identifier=record.call_identifier, title=record.call_title
            )
            db.session.add(call)
            calls[record.call_identifier] = call
        else:
            call.title = record.call_title
        topic = topics.get(record.identifier)
        values = {name: getattr(record, name) for name in PORTAL_FIELDS}
        values["mandatory_annexes"] = list(record.mandatory_annexes)
        values["optional_annexes"] = list(record.optional_annexes)
        if topic is None:
            topic = Topic(
                identifier=record.identifier,
                call=call,
                source_record=record.source,
                defaulted_fields=list(record.defaulted_fields),
                subtopics=list(record.subtopics),
                **values,
            )
            for name in DEFAULTABLE_FIELDS:
                if name != "subtopics":
                    setattr(topic, name, getattr(record, name))
            topic.criteria = [
                AwardCriterion(
                    position=i,
                    code=c.code,
                    name=c.name,
                    max_points=c.max_points,
                    threshold=c.threshold,
                )
                for i, c in enumerate(record.criteria, 1)
            ]
            db.session.add(topic)
            topics[record.identifier] = topic
            created += 1
            continue
        changed = False
        for name, value in values.items():
            if getattr(topic, name) != value:
                setattr(topic, name, value)
                changed = True
        if topic.call is not call:
            topic.call = call
            changed = True
        for name in DEFAULTABLE_FIELDS:
            if name in topic.defaulted_fields:
                value = getattr(record, name)
                value = list(value) if isinstance(value, tuple) else value
                if getattr(topic, name) != value:
                    setattr(topic, name, value)
                    changed = True
        if topic.source_record != record.source:
            topic.source_record = record.source
            changed = True
        if changed:
            updated += 1
        else:
            unchanged += 1
    db.session.flush()
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


def update_topic_rules(
    topic: Topic,
    *,
    actor: User,
    funding_rate: Decimal | None,
    indirect_rate: Decimal | None,
    min_beneficiaries: int | None,
    min_countries: int | None,
    max_subtopics: int | None,
    subtopics: list[str],
    criteria: list[dict],
) -> None:
    """An administrator records values read in the call document; they stop being defaults."""
    if not actor.is_admin:
        raise NotAllowed(N_("Only an administrator can do this."))
    errors = {}
    for name, value in (("funding_rate", funding_rate), ("indirect_rate", indirect_rate)):
        if value is not None and not Decimal("0") <= value <= Decimal("1"):
            errors[name] = (N_("Enter a rate between 0 and 100 percent."), {})
    if errors:
        raise ValidationFailed(errors)
    new_values = {
        "funding_rate": funding_rate,
        "indirect_rate": indirect_rate,
        "min_beneficiaries": min_beneficiaries,
        "min_countries": min_countries,
        "max_subtopics": max_subtopics,
        "subtopics": subtopics,
    }
    defaulted = set(topic.defaulted_fields)
    for name, value in new_values.items():
        if getattr(topic, name) != value:
            setattr(topic, name, value)
            defaulted.discard(name)
    existing = [(c.code, c.name, c.max_points, c.threshold) for c in topic.criteria]
    wanted = [(c["code"], c["name"], c["max_points"], c["threshold"]) for c in criteria]
    codes = [code for code, *_rest in wanted]
    if len(set(codes)) != len(codes):
        raise ValidationFailed({"criteria": (N_("Each criterion needs its own code."), {})})
    if existing != wanted:
        topic.criteria.clear()
        db.session.flush()
        topic.criteria = [
            AwardCriterion(position=i, code=code, name=name, max_points=points, threshold=threshold)
            for i, (code, name, points, threshold) in enumerate(wanted, 1)
        ]
        defaulted.discard("criteria")
    topic.defaulted_fields = sorted(defaulted)
    db.session.flush()

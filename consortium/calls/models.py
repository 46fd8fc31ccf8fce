"""The LIFE call catalogue: programme -> call -> topic, with award criteria."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import utcnow
from ..extensions import db
from .catalogue import is_closed


class Programme(db.Model):
    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    portal_id: Mapped[str | None] = mapped_column(String(40))

    calls: Mapped[list[Call]] = relationship(back_populates="programme", order_by="Call.identifier")


class Call(db.Model):
    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))

    programme: Mapped[Programme] = relationship(back_populates="calls")
    topics: Mapped[list[Topic]] = relationship(back_populates="call", order_by="Topic.identifier")


class Topic(db.Model):
    """One topic record; values marked in ``defaulted_fields`` came from action-type defaults
    and must be checked against the call document."""

    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(400))
    sub_programme: Mapped[str | None] = mapped_column(String(20))
    action_type: Mapped[str] = mapped_column(String(20))
    types_of_action: Mapped[str | None] = mapped_column(String(200))
    deadline: Mapped[date | None]
    deadline_model: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(20))
    funding_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    indirect_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    min_beneficiaries: Mapped[int | None]
    min_countries: Mapped[int | None]
    max_subtopics: Mapped[int | None]
    subtopics: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    portal_url: Mapped[str | None] = mapped_column(String(500))
    mandatory_annexes: Mapped[list[str]] = mapped_column(JSON, default=list)
    optional_annexes: Mapped[list[str]] = mapped_column(JSON, default=list)
    defaulted_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    source_record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    call: Mapped[Call] = relationship(back_populates="topics")

    def is_closed(self, today: date) -> bool:
        """Whether the topic no longer takes proposals on ``today`` (see catalogue.is_closed)."""
        return is_closed(self.deadline, self.status, today)

    criteria: Mapped[list[AwardCriterion]] = relationship(
        back_populates="topic", cascade="all, delete-orphan", order_by="AwardCriterion.position"
    )

    __mapper_args__ = {"version_id_col": version}


class AwardCriterion(db.Model):
    __tablename__ = "award_criterion"
    __table_args__ = (UniqueConstraint("topic_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    max_points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    weight: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    description: Mapped[str] = mapped_column(Text, default="")

    topic: Mapped[Topic] = relationship(back_populates="criteria")

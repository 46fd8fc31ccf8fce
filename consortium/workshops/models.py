"""Workshops, who attended, what they produced, and the actions that grew from it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import utcnow
from ..directory.models import Organisation
from ..extensions import db

STEPS = ("vision", "actions_needs", "dossier_framework", "other")
OUTPUT_KINDS = (
    "vision",
    "objective",
    "action",
    "need",
    "resource",
    "risk",
    "cooperation_rule",
    "quote",
)
NEED_KINDS = ("skill", "money", "equipment", "data", "permit", "site", "other")
RULE_KINDS = (
    "governance",
    "decision_making",
    "intellectual_property",
    "communication",
    "conflict_resolution",
    "other",
)
OUTPUT_RELATIONS = ("raised", "carries")


class Workshop(db.Model):
    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date | None]
    place: Mapped[str | None] = mapped_column(String(200))
    facilitator: Mapped[str | None] = mapped_column(String(120))
    agenda: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    attendances: Mapped[list[WorkshopAttendance]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="WorkshopAttendance.id"
    )
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="Attendee.id"
    )
    outputs: Mapped[list[Output]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        order_by="Output.position, Output.id",
    )

    __mapper_args__ = {"version_id_col": version}


class WorkshopAttendance(db.Model):
    """An organisation present at a workshop (in the directory, not necessarily a partner)."""

    __tablename__ = "workshop_attendance"
    __table_args__ = (UniqueConstraint("workshop_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )

    workshop: Mapped[Workshop] = relationship(back_populates="attendances")
    organisation: Mapped[Organisation] = relationship()


class Attendee(db.Model):
    """A person present, optionally on behalf of an organisation."""

    __tablename__ = "attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(120))
    function: Mapped[str | None] = mapped_column(String(120))

    workshop: Mapped[Workshop] = relationship(back_populates="attendees")
    organisation: Mapped[Organisation | None] = relationship()


class Output(db.Model):
    """One typed thing a workshop produced: a vision statement, a need, a risk..."""

    __tablename__ = "output"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    subkind: Mapped[str | None] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[int | None]
    votes: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Two people tidying the outputs after a workshop may open the same one.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    workshop: Mapped[Workshop] = relationship(back_populates="outputs")
    organisations: Mapped[list[OutputOrganisation]] = relationship(
        back_populates="output", cascade="all, delete-orphan", order_by="OutputOrganisation.id"
    )

    __mapper_args__ = {"version_id_col": version}


class OutputOrganisation(db.Model):
    __tablename__ = "output_organisation"
    __table_args__ = (UniqueConstraint("output_id", "organisation_id", "relation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(ForeignKey("output.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(20), default="raised")

    output: Mapped[Output] = relationship(back_populates="organisations")
    organisation: Mapped[Organisation] = relationship()


class Action(db.Model):
    """A future work package of the proposal, grown from workshop outputs."""

    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    objective: Mapped[str] = mapped_column(Text, default="")
    lead_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    start_month: Mapped[int | None]
    end_month: Mapped[int | None]
    deliverables: Mapped[str] = mapped_column(Text, default="")
    # One "M<month>: <label>" per line (workshops/schedule.py reads them for the Gantt chart).
    milestones: Mapped[str] = mapped_column(Text, default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    # Every list of actions shows who leads each one.
    lead_organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    participants: Mapped[list[ActionParticipant]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionParticipant.id"
    )
    sources: Mapped[list[ActionOutput]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionOutput.id"
    )

    __mapper_args__ = {"version_id_col": version}


class ActionParticipant(db.Model):
    __tablename__ = "action_participant"
    __table_args__ = (UniqueConstraint("action_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )

    action: Mapped[Action] = relationship(back_populates="participants")
    organisation: Mapped[Organisation] = relationship()


class ActionOutput(db.Model):
    """The workshop outputs (actions, needs, objectives) an action came from or answers."""

    __tablename__ = "action_output"
    __table_args__ = (UniqueConstraint("action_id", "output_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    output_id: Mapped[int] = mapped_column(ForeignKey("output.id", ondelete="CASCADE"), index=True)

    action: Mapped[Action] = relationship(back_populates="sources")
    output: Mapped[Output] = relationship()

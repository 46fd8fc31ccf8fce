"""Proposals, who works on them (roles) and which organisations take part (participations)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..calls.models import Topic
from ..directory.models import Organisation
from ..extensions import db

ROLES = ("lead", "writer", "partner", "viewer")
PARTICIPATION_ROLES = (
    "coordinator",
    "beneficiary",
    "affiliated_entity",
    "associated_partner",
    "subcontractor",
)
PARTICIPATION_STATUSES = (
    "candidate",
    "shortlisted",
    "invited",
    "confirmed",
    "to_reconfirm",
    "declined",
    "withdrawn",
)
COST_FIELDS = (
    "cost_personnel",
    "cost_subcontracting",
    "cost_travel",
    "cost_equipment",
    "cost_other_goods",
    "cost_other",
)


class Proposal(db.Model):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topic.id"), index=True)
    territory: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    working_language: Mapped[str] = mapped_column(String(5), default="fr")
    document_language: Mapped[str] = mapped_column(String(5), default="en")
    subtopics: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_months: Mapped[int] = mapped_column(default=48)
    # Per-proposal fit weights (component -> weight); None means the action-type defaults.
    fit_weights: Mapped[dict[str, float] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    topic: Mapped[Topic] = relationship()
    members: Mapped[list[ProposalMember]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalMember.id"
    )
    participations: Mapped[list[Participation]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="Participation.id"
    )

    __mapper_args__ = {"version_id_col": version}


class ProposalMember(db.Model):
    """A user's role on one proposal; partners are tied to one organisation."""

    __tablename__ = "proposal_member"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="members")
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class Participation(db.Model):
    """An organisation's place in a proposal and its commitment (role, budget, status)."""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("proposal_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(30), default="beneficiary")
    status: Mapped[str] = mapped_column(String(20), default="candidate")
    # For an affiliated entity: the beneficiary it is linked to.
    affiliated_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("participation.id", ondelete="SET NULL")
    )
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_function: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    tasks: Mapped[str] = mapped_column(Text, default="")
    cost_personnel: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    cost_subcontracting: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    cost_travel: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    cost_equipment: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    cost_other_goods: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    cost_other: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    # EU contribution requested; None means "the topic's funding rate applied to the costs".
    eu_requested: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    own_cofinancing: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    other_funding: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    # Monthly personnel rate (EUR per person-month); when set, personnel costs (A) are
    # person-months x rate (commitments/grid.py).
    monthly_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    # Private notes of the leads about this partner; never shown to other partners.
    notes: Mapped[str] = mapped_column(Text, default="")
    confirmed_by_name: Mapped[str | None] = mapped_column(String(120))
    confirmed_by_function: Mapped[str | None] = mapped_column(String(120))
    confirmed_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    # Confirmation gaps the lead accepted ("confirmed despite…", commitments.rules.WAIVABLE_GAPS)
    # and why; cleared when the commitment changes.
    accepted_gaps: Mapped[list[str] | None] = mapped_column(JSON)
    accepted_gaps_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    proposal: Mapped[Proposal] = relationship(back_populates="participations")
    # A participation is nearly always shown with its organisation and budgeted with its
    # efforts: load them with it rather than one query per row (the board lists dozens).
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    affiliated_to: Mapped[Participation | None] = relationship(remote_side=[id])
    efforts: Mapped[list[ActionEffort]] = relationship(
        back_populates="participation", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class ActionEffort(db.Model):
    """Person-months one participant puts into one action."""

    __tablename__ = "action_effort"
    __table_args__ = (UniqueConstraint("participation_id", "action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE")
    )
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    person_months: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal("0"))

    participation: Mapped[Participation] = relationship(back_populates="efforts")


class AuditEvent(db.Model):
    """Who changed what, when, from which value to which: commitments and sections."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int]
    field: Mapped[str] = mapped_column(String(60))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

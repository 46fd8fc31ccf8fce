"""Invitations of partner contacts, the outbox, and signed letters of commitment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..extensions import db
from ..proposals.models import Participation


class Invitation(db.Model):
    """A single-use, expiring link for one contact of one participation.

    Only a hash of the random nonce is stored; the link carries it, signed.
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(120))
    nonce_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

    participation: Mapped[Participation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class OutboxMessage(db.Model):
    """Mail the app wrote; without SMTP the lead copies it from the outbox page."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


class SignedLetter(db.Model):
    """An uploaded signed letter; a replacement keeps the older ones as history."""

    __tablename__ = "signed_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    participation_id: Mapped[int] = mapped_column(
        ForeignKey("participation.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None]

    participation: Mapped[Participation] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class BudgetPeriods(db.Model):
    """The reporting periods the lead sets for a proposal's budget grid (end months)."""

    __tablename__ = "budget_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), unique=True
    )
    # Last month of each period, ascending, the last one the project's duration: [18, 36].
    end_months: Mapped[list[int]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

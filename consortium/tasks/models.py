"""Tasks assigned to people on a proposal, and the reminders already sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..extensions import db

TASK_KINDS = ("section", "letter", "pic", "budget", "other")


class Task(db.Model):
    """A section or a missing item (letter, PIC, budget) given to one person with a due date.

    ``subject`` says which: a section code, or a participation id for the missing items.
    """

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(300))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    due_date: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])

    __mapper_args__ = {"version_id_col": version}


class SentReminder(db.Model):
    """One reminder sent: the unique key makes ``flask reminders send`` idempotent."""

    __tablename__ = "sent_reminder"
    __table_args__ = (UniqueConstraint("proposal_id", "key", "threshold", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(40))  # task:<id> | deadline:<user id>
    threshold: Mapped[int]
    due_date: Mapped[date] = mapped_column(Date)
    recipient: Mapped[str] = mapped_column(String(254))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Organisations, projects and participations read from EU open data, and import jobs.

Open-data rows live beside the directory, never inside it: an ``OpenOrganisation`` points to
the directory organisation it was matched to (``organisation_id``), and only matched ones give
the directory past projects and ties.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import utcnow
from ..directory.models import Organisation
from ..extensions import db

MATCH_STATUSES = ("none", "auto", "review", "confirmed", "rejected")
JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")


class OpenOrganisation(db.Model):
    """One organisation as the open data names it (one row per PIC, else per name+country)."""

    __tablename__ = "open_organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "pic:999822263" or "name:<normalised name>|<country>": what re-imports recognise.
    key: Mapped[str] = mapped_column(String(400), unique=True)
    pic: Mapped[str | None] = mapped_column(String(9), index=True)
    registry_number: Mapped[str | None] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str | None] = mapped_column(String(60))
    activity_type: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), index=True, default="")
    city: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(500))
    # Folded name, short name, city and the titles/topics of its projects, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    project_count: Mapped[int] = mapped_column(default=0)
    last_year: Mapped[int | None]
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    match_status: Mapped[str] = mapped_column(String(12), default="none", index=True)
    match_reason: Mapped[str | None] = mapped_column(String(20))
    match_score: Mapped[float | None]
    # The directory organisation a review-queue entry proposes.
    candidate_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation | None] = relationship(foreign_keys=[organisation_id])
    candidate: Mapped[Organisation | None] = relationship(foreign_keys=[candidate_id])


class OpenProject(db.Model):
    """A funded project (CORDIS project id or LIFE reference)."""

    __tablename__ = "open_project"
    __table_args__ = (UniqueConstraint("source", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))  # cordis_he | cordis_h2020 | life
    reference: Mapped[str] = mapped_column(String(80))
    acronym: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(500), default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    programme: Mapped[str] = mapped_column(String(60), default="")
    topic: Mapped[str | None] = mapped_column(String(120))
    year: Mapped[int | None]


class OpenParticipation(db.Model):
    """Who took part in which project, with which role."""

    __tablename__ = "open_participation"
    __table_args__ = (UniqueConstraint("project_id", "open_organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("open_project.id", ondelete="CASCADE"), index=True
    )
    open_organisation_id: Mapped[int] = mapped_column(
        ForeignKey("open_organisation.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(30), default="participant")
    ec_contribution: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))

    project: Mapped[OpenProject] = relationship()
    open_organisation: Mapped[OpenOrganisation] = relationship()


class ImportJob(db.Model):
    """An open-data import run in the background; progress itself lives in the job store."""

    __tablename__ = "opendata_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "import" reads an uploaded file; "rematch" matches the open data to the directory again.
    kind: Mapped[str] = mapped_column(String(12), default="import", server_default="import")
    filename: Mapped[str] = mapped_column(String(300))
    # Where the uploaded file waits, relative to the upload folder.
    stored_path: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="queued")
    message: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

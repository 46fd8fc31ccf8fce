"""Part B structure (admin-editable), sections of a proposal and their versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User, utcnow
from ..extensions import db

SECTION_STATUSES = ("draft", "in_review", "final")


class SectionTemplate(db.Model):
    """One section of the Part B structure of a call family (copied from structure.json)."""

    __tablename__ = "section_template"
    __table_args__ = (UniqueConstraint("family", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    title_en: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str] = mapped_column(String(300))
    guidance_en: Mapped[str] = mapped_column(Text, default="")
    guidance_fr: Mapped[str] = mapped_column(Text, default="")
    max_chars: Mapped[int | None]
    drafting_key: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Section(db.Model):
    """A proposal's text for one template section, in one document language."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("proposal_id", "code", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5))
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The last generated draft and its per-paragraph sources, to detect a writer's edits.
    generated_body: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    edited_by_writer: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    updated_by: Mapped[User | None] = relationship()
    versions: Mapped[list[SectionVersion]] = relationship(
        back_populates="section",
        cascade="all, delete-orphan",
        order_by="SectionVersion.number.desc()",
    )

    __mapper_args__ = {"version_id_col": version}


class SectionVersion(db.Model):
    __tablename__ = "section_version"
    __table_args__ = (UniqueConstraint("section_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(20), default="edit")  # edit|generated|restore
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    section: Mapped[Section] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()


class ReferenceDocument(db.Model):
    """A writer's .docx whose styles the Word export uses."""

    __tablename__ = "reference_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), unique=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class WordImport(db.Model):
    """A Word file uploaded to bring sections back, kept until its sections are reviewed.

    The file is stored (and read again on each review) rather than its parse, so the review
    always shows what the file holds; ``base_versions`` records each section's version at
    upload, so a section edited meanwhile is never overwritten silently.
    """

    __tablename__ = "word_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(5))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    base_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|applied|discarded
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    uploaded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

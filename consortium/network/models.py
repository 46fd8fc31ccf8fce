"""Runs of the whole-territory analysis, kept so the page can show the last one.

A territory of tens of thousands of organisations takes longer to analyse than a page may
take, so the analysis runs in the background; its row holds the progress while it runs (every
web worker reads the same row) and a summary of the result when it is done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..auth.models import utcnow
from ..extensions import db


class TerritoryAnalysis(db.Model):
    __tablename__ = "territory_analysis"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")  # running|done|failed
    stage: Mapped[str] = mapped_column(String(20), default="queued")
    fraction: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seconds: Mapped[float | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

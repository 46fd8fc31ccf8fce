"""The whole-territory analysis as a background run.

A thread of the web process runs it (inline when the app is testing or ``NETWORK_JOBS`` is
``"inline"``, as the CLI does). Progress is written to the run's row every half second, in
short transactions of their own: the analysis only reads, so nothing it does needs to wait
for the end, and every web worker polling the page reads the same figures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import update

from ..auth.models import utcnow
from ..extensions import db
from . import services
from .models import TerritoryAnalysis

#: Seconds between two progress writes (the page polls every second).
PROGRESS_INTERVAL = 0.5


def start(run_id: int) -> str:
    """Run a committed, queued run; returns how (``inline`` or ``thread``)."""
    app = current_app._get_current_object()
    if app.testing or app.config["NETWORK_JOBS"] == "inline":
        run(run_id)
        return "inline"
    thread = threading.Thread(
        target=_in_thread, args=(app, run_id), name=f"territory-analysis-{run_id}", daemon=True
    )
    thread.start()
    return "thread"


def _in_thread(app: Flask, run_id: int) -> None:
    with app.app_context():
        run(run_id)
        db.session.remove()


def run(run_id: int, *, echo: Callable[[str, float], None] | None = None) -> TerritoryAnalysis:
    """Run one queued analysis to its end (done or failed)."""
    row = db.session.get(TerritoryAnalysis, run_id)
    if row is None or row.status != "queued":
        return row
    row.status = "running"
    db.session.commit()
    last = [0.0]

    def progress(stage: str, fraction: float) -> None:
        if echo is not None:
            echo(stage, fraction)
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL:
            last[0] = now
            db.session.execute(
                update(TerritoryAnalysis)
                .where(TerritoryAnalysis.id == run_id)
                .values(stage=stage, fraction=round(fraction, 4))
            )
            db.session.commit()

    started = time.perf_counter()
    try:
        summary = services.analyse_territory(progress)
    except Exception as error:  # the run must end with a status, whatever broke
        db.session.rollback()
        current_app.logger.exception("territory analysis %s failed", run_id)
        return _finish(run_id, "failed", f"{type(error).__name__}: {error}"[:2000], {}, None)
    return _finish(run_id, "done", "", summary, time.perf_counter() - started)


def _finish(
    run_id: int, status: str, message: str, summary: dict, seconds: float | None
) -> TerritoryAnalysis:
    row = db.session.get(TerritoryAnalysis, run_id)
    row.status = status
    row.stage = status
    row.fraction = 1.0 if status == "done" else row.fraction
    row.message = message
    row.summary = summary
    row.seconds = round(seconds, 2) if seconds is not None else None
    row.finished_at = utcnow()
    db.session.commit()
    return row

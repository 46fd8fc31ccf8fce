"""Open-data imports as background jobs: RQ on Redis, else a thread in this process.

``OPENDATA_JOBS`` chooses: ``"auto"`` (RQ when Redis answers at ``REDIS_URL`` and an RQ worker
is listening on the queue, else a thread; inline when the app is testing), ``"rq"``,
``"thread"`` or ``"inline"`` (run at once, for tests and the CLI). Progress and cancellation
requests live in a job store: Redis when it answers (so an RQ worker and every web worker see
the same figures), else this process' memory (the thread fallback runs in the same process
as the page that polls it).

A job runs the import in one transaction: it commits only at the end; a failure or a
cancellation rolls everything back, so the database is as it was.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, has_app_context

from ..auth.models import User, utcnow
from ..characters import single_line
from ..extensions import db
from .models import ImportJob
from .services import CANCELLED, Cancelled, ImportSummary, import_open_data, rematch

QUEUE = "consortium-opendata"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Seconds between two progress writes (the page polls every second).
PROGRESS_INTERVAL = 0.5


@dataclass
class Progress:
    fraction: float = 0.0
    stage: str = "queued"
    cancel: bool = False


class MemoryStore:
    """Progress of the jobs of one app (the thread fallback runs in the same process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Progress] = {}

    def write(self, job_id: int, fraction: float, stage: str) -> None:
        with self._lock:
            current = self._jobs.setdefault(job_id, Progress())
            current.fraction, current.stage = fraction, stage

    def read(self, job_id: int) -> Progress:
        with self._lock:
            current = self._jobs.get(job_id, Progress())
            return Progress(current.fraction, current.stage, current.cancel)

    def request_cancel(self, job_id: int) -> None:
        with self._lock:
            self._jobs.setdefault(job_id, Progress()).cancel = True

    def reset(self, job_id: int) -> None:
        with self._lock:
            self._jobs[job_id] = Progress()


class RedisStore:
    def __init__(self, connection) -> None:
        self.redis = connection

    def _key(self, job_id: int) -> str:
        return f"consortium:opendata:job:{job_id}"

    def write(self, job_id: int, fraction: float, stage: str) -> None:
        self.redis.hset(self._key(job_id), mapping={"fraction": fraction, "stage": stage})
        self.redis.expire(self._key(job_id), 7 * 24 * 3600)

    def read(self, job_id: int) -> Progress:
        data = {k.decode(): v.decode() for k, v in self.redis.hgetall(self._key(job_id)).items()}
        return Progress(
            float(data.get("fraction", 0.0)), data.get("stage", "queued"), data.get("cancel") == "1"
        )

    def request_cancel(self, job_id: int) -> None:
        self.redis.hset(self._key(job_id), "cancel", "1")
        self.redis.expire(self._key(job_id), 7 * 24 * 3600)

    def reset(self, job_id: int) -> None:
        """A new job may reuse the id of one a restored database forgot."""
        self.redis.delete(self._key(job_id))


def redis_connection(app: Flask):
    """A Redis connection that answered a ping, or ``None`` (no URL, no server)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    connection = redis.Redis.from_url(url, socket_connect_timeout=0.3, socket_timeout=5)
    try:
        connection.ping()
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
        return None
    return connection


def store(app: Flask | None = None) -> MemoryStore | RedisStore:
    app = app or current_app._get_current_object()
    cached = app.extensions.get("opendata_store")
    if cached is None:
        connection = redis_connection(app)
        cached = RedisStore(connection) if connection is not None else MemoryStore()
        app.extensions["opendata_store"] = cached
    return cached


def mode(app: Flask) -> str:
    """How the next job runs: rq, thread or inline (see the module docstring)."""
    chosen = app.config.get("OPENDATA_JOBS", "auto")
    if chosen != "auto":
        return chosen
    if app.testing:  # the test client's requests see the job's result at once
        return "inline"
    connection = redis_connection(app)
    if connection is None:
        return "thread"
    from rq import Worker

    return "rq" if Worker.count(connection=connection, queue=_queue(connection)) else "thread"


def _queue(connection):
    from rq import Queue

    return Queue(QUEUE, connection=connection)


def create_job(filename: str, stored_path: str, *, actor: User | None) -> ImportJob:
    """The job row; the uploaded file's name is shown as a label, so one line without control
    characters (PostgreSQL refuses a NUL in text)."""
    job = ImportJob(
        filename=single_line(filename)[:300],
        stored_path=stored_path,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(job)
    db.session.flush()
    return job


def create_rematch_job(*, actor: User | None) -> ImportJob:
    """A job that matches the open data already imported to the directory again."""
    job = ImportJob(
        kind="rematch", filename="", stored_path="", created_by_id=actor.id if actor else None
    )
    db.session.add(job)
    db.session.flush()
    return job


def _work(job: ImportJob, actor: User | None, progress) -> ImportSummary:
    """What the job does: import its file, or match again."""
    if job.kind == "rematch":
        return rematch(actor=actor, progress=progress)
    path = Path(current_app.config["UPLOAD_FOLDER"]) / job.stored_path
    return import_open_data(path, actor=actor, progress=progress)


def start(job_id: int) -> str:
    """Run or queue a committed job; returns the mode used."""
    app = current_app._get_current_object()
    store(app).reset(job_id)
    chosen = mode(app)
    if chosen == "rq":
        _queue(redis_connection(app)).enqueue(
            "consortium.opendata.jobs.rq_entry", job_id, job_timeout=3600
        )
    elif chosen == "thread":
        thread = threading.Thread(
            target=_in_thread, args=(app, job_id), name=f"opendata-job-{job_id}", daemon=True
        )
        thread.start()
    else:
        run_job(job_id)
    return chosen


def _in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        run_job(job_id)
        db.session.remove()


def rq_entry(job_id: int) -> None:
    """What the RQ worker calls: inside the worker's app context, or a new app."""
    if has_app_context():
        run_job(job_id)
        return
    from .. import create_app

    with create_app().app_context():
        run_job(job_id)


def cancel(job: ImportJob) -> None:
    """Ask a running job to stop; a queued one is cancelled at once."""
    store().request_cancel(job.id)
    if job.status == "queued":
        job.status = "cancelled"
        job.message = CANCELLED
        job.finished_at = utcnow()


def run_job(job_id: int, *, echo=None) -> ImportJob | None:
    """Run one job to its end; ``echo(stage, fraction)`` also receives progress."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status != "queued":
        return job
    job.status = "running"
    actor_id = job.created_by_id
    db.session.commit()
    jobs_store = store()
    last = [0.0]

    def progress(stage: str, fraction: float) -> None:
        now = time.monotonic()
        if echo is not None:
            echo(stage, fraction)
        if now - last[0] >= PROGRESS_INTERVAL or fraction >= 1.0:
            last[0] = now
            jobs_store.write(job_id, fraction, stage)
            if jobs_store.read(job_id).cancel:
                raise Cancelled(CANCELLED)

    actor = db.session.get(User, actor_id) if actor_id else None
    try:
        summary = _work(job, actor, progress)
    except Cancelled:
        db.session.rollback()
        return _finish(job_id, "cancelled", CANCELLED, {})
    except Exception as error:  # the job must end with a status, whatever broke
        db.session.rollback()
        current_app.logger.exception("open-data job %s failed", job_id)
        return _finish(job_id, "failed", f"{type(error).__name__}: {error}"[:2000], {})
    if summary.errors:
        db.session.rollback()
        return _finish(job_id, "failed", summary.errors[0].text, summary.as_dict())
    db.session.commit()
    jobs_store.write(job_id, 1.0, "done")
    return _finish(job_id, "done", "", summary.as_dict())


def _finish(job_id: int, status: str, message: str, summary: dict) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    job.status = status
    job.message = message
    job.summary = json.loads(json.dumps(summary, default=str))
    job.finished_at = utcnow()
    db.session.commit()
    if job.stored_path.startswith("opendata/"):
        (Path(current_app.config["UPLOAD_FOLDER"]) / job.stored_path).unlink(missing_ok=True)
    return job

"""Faults: the database connections cut mid-run, a worker killed during an export, the upload
folder full or read-only, a request cut mid-upload. Each gives a clear answer and loses no
committed data. The in-process tests run on both databases; the gunicorn ones start a real
server (quick versions here, longer ones behind ``-m slow``)."""

from __future__ import annotations

import errno
import io
import os
import re
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.exc import OperationalError

from consortium.commitments.models import SignedLetter
from consortium.dossier.models import ReferenceDocument
from consortium.extensions import db
from consortium.proposals.models import Participation
from tests.production import server as srv
from tests.production.conftest import deployed

UNAVAILABLE = "The database did not answer. Nothing was saved: try again in a moment."
STORAGE = "The file could not be stored (the disk is full or read-only)."
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
postgres_only = pytest.mark.skipif(
    not srv.TEST_DATABASE_URL, reason="needs CONSORTIUM_TEST_DATABASE_URL (PostgreSQL)"
)


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = inspect(connection).get_table_names()
            return {
                name: connection.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in names
            }
    finally:
        engine.dispose()


def _files(folder: Path) -> list[str]:
    return (
        sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        if folder.exists()
        else []
    )


# ---------------------------------------------------------------------------------------
# In process: the 503 page and full or read-only upload folders (SQLite and PostgreSQL)


def test_a_lost_database_connection_is_a_503_try_again_page(make_app):
    app = make_app(RENDER_500_IN_TESTS=True)

    def lost():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    app.add_url_rule("/boom", "boom", lost)
    app.add_url_rule("/api/v1/boom", "api_boom", lost)
    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    body = page.get_data(as_text=True)
    assert "<h1>Service briefly unavailable</h1>" in body and UNAVAILABLE in body
    assert "Traceback" not in body and "server closed" not in body
    api = client.get("/api/v1/boom")
    assert (api.status_code, api.get_json()) == (
        503,
        {"error": {"code": 503, "message": UNAVAILABLE}},
    )
    client.post("/language/fr")
    french = client.get("/boom").get_data(as_text=True)
    assert "Service momentanément indisponible" in french
    assert client.get("/api/v1/health").status_code == 200


def _failing_disk(monkeypatch, code: int) -> None:
    """The write itself fails after a partial write (ENOSPC) or at open (EROFS)."""
    import consortium.web.storage as storage

    if code == errno.ENOSPC:

        def fsync(_fd):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(storage.os, "fsync", fsync)
    else:
        real_open = open

        def read_only_open(path, mode="r", *args, **kwargs):
            if "w" in mode:
                raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
            return real_open(path, mode, *args, **kwargs)

        monkeypatch.setattr(storage, "open", read_only_open, raising=False)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_signed_letter_upload_on_a_full_or_read_only_disk(app, world, login, monkeypatch, code):
    with app.app_context():
        part = db.session.scalar(
            select(Participation.id).where(
                Participation.proposal_id == world["proposal"],
                Participation.organisation_id == world["org_a"],
            )
        )
    client = app.test_client()
    login("partner@example.org", target=client)
    app.config["RENDER_500_IN_TESTS"] = True
    _failing_disk(monkeypatch, code)
    reply = client.post(
        f"/proposals/{world['proposal']}/commitments/{part}/signed",
        data={"file": (io.BytesIO(PDF), "signed.pdf")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 503
    body = reply.get_data(as_text=True)
    assert STORAGE in body and "Traceback" not in body
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignedLetter)) == 0
    assert _files(Path(app.config["UPLOAD_FOLDER"])) == []
    monkeypatch.undo()
    again = client.post(
        f"/proposals/{world['proposal']}/commitments/{part}/signed",
        data={"file": (io.BytesIO(PDF), "signed.pdf")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302
    with app.app_context():
        stored = db.session.scalars(select(SignedLetter.stored_name)).all()
    assert _files(Path(app.config["UPLOAD_FOLDER"])) == [f"letters/{stored[0]}"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_reference_upload_on_a_full_or_read_only_disk(app, world, login, monkeypatch, code):
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    client = app.test_client()
    login("writer@example.org", target=client)
    app.config["RENDER_500_IN_TESTS"] = True
    _failing_disk(monkeypatch, code)
    reply = client.post(
        f"/proposals/{world['proposal']}/dossier/reference",
        data={"file": (io.BytesIO(buffer.getvalue()), "model.docx")},
        content_type="multipart/form-data",
    )
    assert reply.status_code == 503
    assert STORAGE in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReferenceDocument)) == 0
    assert _files(Path(app.config["UPLOAD_FOLDER"])) == []


# ---------------------------------------------------------------------------------------
# Against gunicorn


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with deployed(tmp_path_factory, "faults", workers=2) as server:
        yield server


def _first_proposal(client) -> int:
    return min(int(i) for i in re.findall(r'href="/proposals/(\d+)"', client.get("/").text))


def _terminate_app_connections(url: str) -> int:
    import psycopg

    plain = url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(plain, autocommit=True) as connection:
        return len(
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        )


def _hammer_while_cutting(live, seconds: float, cuts: int) -> dict[int, int]:
    client = live.client()
    client.log_in("lead@example.org")
    pid = _first_proposal(client)
    paths = [
        "/",
        f"/proposals/{pid}",
        f"/proposals/{pid}/commitments",
        f"/proposals/{pid}/workshops",
        "/api/v1/health",
    ]
    statuses: dict[int, int] = {}
    bodies: list[str] = []
    stop = threading.Event()

    def browse():
        mine = srv.Client(live.port, cookies=dict(client.cookies))
        i = 0
        while not stop.is_set():
            reply = mine.get(paths[i % len(paths)])
            statuses[reply.status] = statuses.get(reply.status, 0) + 1
            if reply.status >= 500:
                bodies.append(reply.text)
            i += 1

    threads = [threading.Thread(target=browse) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(cuts):
        time.sleep(seconds / cuts)
        _terminate_app_connections(live.database_url)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert set(statuses) <= {200, 503}, statuses
    for body in bodies:
        assert UNAVAILABLE in body or '"status":"unavailable"' in body.replace(" ", "")
        assert "Traceback" not in body
    # Recovered: every page answers again.
    for path in paths:
        assert client.get(path).status == 200, path
    return statuses


@postgres_only
def test_database_connections_cut_mid_run_fail_cleanly_then_recover(live):
    before = _counts(live.database_url)
    statuses = _hammer_while_cutting(live, seconds=3, cuts=3)
    assert statuses.get(200, 0) > 0
    after = _counts(live.database_url)
    # Browsing writes sessions only; no business row appeared or vanished.
    assert {k: v for k, v in after.items() if k not in ("user_session",)} == {
        k: v for k, v in before.items() if k not in ("user_session",)
    }


@postgres_only
@pytest.mark.slow
def test_database_connections_cut_repeatedly_for_a_minute(live):
    statuses = _hammer_while_cutting(live, seconds=60, cuts=30)
    assert statuses.get(200, 0) > 100


def _kill_workers_during_export(live) -> str:
    client = live.client()
    client.log_in("writer@example.org")
    pid = _first_proposal(client)
    before = _counts(live.database_url)
    outcome: dict[str, object] = {}

    def export():
        try:
            outcome["reply"] = client.get(f"/proposals/{pid}/dossier/export.docx")
        except (ConnectionError, OSError, srv.http.client.HTTPException) as error:
            outcome["error"] = error

    workers = live.worker_pids()
    thread = threading.Thread(target=export)
    thread.start()
    time.sleep(0.3)
    interrupted = thread.is_alive()
    for worker in workers:
        os.kill(worker, signal.SIGKILL)
    thread.join(timeout=60)
    if interrupted:
        assert "error" in outcome or outcome["reply"].status >= 500, outcome
    # The master respawns workers; the next request works, the export too.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (len(set(live.worker_pids()) - set(workers)) < 2):
        time.sleep(0.2)
    assert len(set(live.worker_pids()) - set(workers)) == 2
    live.wait_healthy()
    again = client.get(f"/proposals/{pid}/dossier/export.docx")
    assert again.status == 200 and again.body.startswith(b"PK")
    after = _counts(live.database_url)
    assert {k: v for k, v in after.items() if k != "user_session"} == {
        k: v for k, v in before.items() if k != "user_session"
    }
    return "interrupted" if interrupted else "finished first"


def test_worker_killed_during_an_export_is_respawned_and_nothing_is_half_written(live):
    assert _kill_workers_during_export(live) == "interrupted"


def test_request_cut_mid_upload_commits_nothing(live):
    client = live.client()
    client.log_in("partner@example.org")
    pid = _first_proposal(client)
    mine = client.get(f"/proposals/{pid}/commitments/mine")
    assert mine.status == 200
    action = re.search(r'action="(/proposals/\d+/commitments/\d+/signed)"', mine.text).group(1)
    token = srv.csrf_token(mine.text)
    before = _counts(live.database_url)
    files_before = _files(live.instance / "uploads")
    boundary = "----cut-mid-upload"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="signed.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    partial = head + PDF + b"x" * 5000  # no closing boundary, and far less than announced
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    request = (
        f"POST {action} HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\n"
        f"Cookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {len(partial) + 1_000_000}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall(request + partial)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    # The worker answers 400 (client disconnected) or just closes; never a 5xx.
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:200]
    after = _counts(live.database_url)
    assert after["signed_letter"] == before["signed_letter"] == 1  # the demo's letter
    assert {k: v for k, v in after.items() if k != "user_session"} == {
        k: v for k, v in before.items() if k != "user_session"
    }
    assert _files(live.instance / "uploads") == files_before
    assert client.get(f"/proposals/{pid}/commitments/mine").status == 200
    assert live.client().get("/api/v1/health").status == 200

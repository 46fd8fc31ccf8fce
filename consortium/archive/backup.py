"""Whole-instance backups: the database through its own online tool, plus the upload folder.

SQLite is copied with its online backup API (a plain file copy of a live WAL database can be
torn); PostgreSQL with ``pg_dump --format=custom``. The result is one zip file.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from .entries import (
    UnsafeEntry,
    check_entry_name,
    check_entry_names,
    is_symbolic_link,
    target_inside,
)

MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """The backup or restore could not be done; nothing was changed."""


def create_backup(engine: Engine, upload_folder: Path, destination: Path) -> dict:
    """Write a zip with the database and the uploads; returns the manifest."""
    dialect = engine.dialect.name
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if dialect == "sqlite":
            database_file = tmp_path / "database.sqlite"
            _sqlite_backup(engine, database_file)
        elif dialect == "postgresql":
            database_file = tmp_path / "database.dump"
            _pg_dump(engine, database_file)
        else:  # pragma: no cover - only the two supported databases
            raise BackupError(f"unsupported database {dialect}")
        files = (
            sorted(p for p in upload_folder.rglob("*") if p.is_file())
            if upload_folder.exists()
            else []
        )
        manifest = {
            "format": "consortium-backup",
            "version": 1,
            "dialect": dialect,
            "created_at": datetime.now(UTC).isoformat(),
            "database": database_file.name,
            "uploads": [str(p.relative_to(upload_folder)) for p in files],
        }
        partial = destination.with_name(destination.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
            archive.write(database_file, database_file.name)
            for path in files:
                archive.write(path, "uploads/" + str(path.relative_to(upload_folder)))
        partial.replace(destination)  # never leave a half-written backup under the real name
    return manifest


def restore_backup(engine: Engine, upload_folder: Path, source: Path) -> dict:
    """Replace the database and uploads with the backup's content."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(f"{source} is not a consortium backup ({error})") from error
    with archive, tempfile.TemporaryDirectory() as tmp:
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except (KeyError, ValueError) as error:
            raise BackupError(f"{source} has no valid manifest") from error
        if manifest.get("format") != "consortium-backup":
            raise BackupError(f"{source} is not a consortium backup")
        if manifest.get("dialect") != engine.dialect.name:
            raise BackupError(
                f"the backup is of a {manifest['dialect']} database; this "
                f"instance uses {engine.dialect.name}"
            )
        uploads = _checked_contents(archive, manifest)
        database_file = Path(tmp) / manifest["database"]
        database_file.write_bytes(archive.read(manifest["database"]))
        engine.dispose()
        if engine.dialect.name == "sqlite":
            _sqlite_restore(engine, database_file)
        else:
            _pg_restore(engine, database_file)
        staging = upload_folder.with_name(upload_folder.name + ".restoring")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for relative in uploads:
            try:
                target = target_inside(staging, relative)
            except UnsafeEntry as error:  # checked already; a link planted meanwhile
                raise BackupError(str(error)) from error
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read("uploads/" + relative))
        if upload_folder.exists():
            shutil.rmtree(upload_folder)
        staging.replace(upload_folder)
    return manifest


def _checked_contents(archive: zipfile.ZipFile, manifest: dict) -> list[str]:
    """The manifest's upload list, once every entry and manifest field is known to be safe:
    checked before anything is replaced, so a refused archive changes nothing."""
    infos = archive.infolist()
    uploads = manifest.get("uploads")
    database = manifest.get("database")
    if not isinstance(uploads, list) or not all(isinstance(u, str) for u in uploads):
        raise BackupError("unsafe manifest: the uploads list is not a list of names")
    if not isinstance(database, str) or "/" in database:
        raise BackupError("unsafe manifest: the database must be a file at the top")
    try:
        check_entry_names(info.filename for info in infos)
        check_entry_name(database)
        check_entry_names(uploads)
    except UnsafeEntry as error:
        raise BackupError(str(error)) from error
    links = [info.filename for info in infos if is_symbolic_link(info.external_attr)]
    if links:
        raise BackupError(f"unsafe archive: symbolic link {links[0]!r}")
    names = {info.filename for info in infos}
    missing = [name for name in [database, *("uploads/" + u for u in uploads)] if name not in names]
    if missing:
        raise BackupError(f"the backup is incomplete: {missing[0]!r} is missing")
    return uploads


def _sqlite_backup(engine: Engine, target: Path) -> None:
    raw = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        with destination:
            raw.driver_connection.backup(destination)
        destination.close()
    finally:
        raw.close()


def _sqlite_restore(engine: Engine, source: Path) -> None:
    raw = engine.raw_connection()
    try:
        origin = sqlite3.connect(source)
        origin.backup(raw.driver_connection)
        origin.close()
    finally:
        raw.close()


def _pg_arguments(engine: Engine) -> tuple[list[str], dict[str, str]]:
    url = make_url(engine.url)
    arguments = [
        "--host",
        url.host or "127.0.0.1",
        "--port",
        str(url.port or 5432),
        "--username",
        url.username or "postgres",
        "--dbname",
        url.database or "",
    ]
    env = {"PGPASSWORD": url.password} if url.password else {}
    return arguments, env


def _run(command: list[str], env: dict[str, str]) -> None:
    import os

    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)")
    result = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def _pg_dump(engine: Engine, target: Path) -> None:
    arguments, env = _pg_arguments(engine)
    _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target), *arguments], env)


def _pg_restore(engine: Engine, source: Path) -> None:
    arguments, env = _pg_arguments(engine)
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *arguments,
            str(source),
        ],
        env,
    )

"""A crafted backup or proposal archive cannot write outside its folders (issue #15, item 1)."""

import io
import json
import stat
import zipfile

import pytest
from sqlalchemy import func, select

from consortium.archive.backup import BackupError, restore_backup
from consortium.archive.entries import UnsafeEntry, check_entry_names, target_inside
from consortium.archive.services import TransferError, import_proposal
from consortium.auth.models import User
from consortium.extensions import db
from tests import factories


def _backup(
    tmp_path,
    dialect: str,
    *,
    uploads: list[str],
    entries: dict[str, bytes],
    database: str = "database.sqlite",
    symlink: str | None = None,
) -> bytes:
    manifest = {
        "format": "consortium-backup",
        "version": 1,
        "dialect": dialect,
        "created_at": "2026-12-04T00:00:00+00:00",
        "database": database,
        "uploads": uploads,
    }
    path = tmp_path / "crafted.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr(database, b"not restored")
        for name, content in entries.items():
            archive.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def _crafted_cases(victim):
    absolute = str(victim)
    return {
        "absolute path after uploads//": dict(
            uploads=[absolute], entries={"uploads/" + absolute: b"owned"}
        ),
        "parent directory in manifest": dict(
            uploads=["../../victim"], entries={"uploads/../../victim": b"owned"}
        ),
        "parent directory hidden in the middle": dict(
            uploads=["a/../../victim"], entries={"uploads/a/../../victim": b"owned"}
        ),
        "absolute database name": dict(uploads=[], entries={}, database=absolute),
        "drive letter": dict(uploads=["C:/victim"], entries={"uploads/C:/victim": b"owned"}),
        "backslash path": dict(uploads=["..\\victim"], entries={"uploads/..\\victim": b"owned"}),
        "symbolic link": dict(uploads=["link"], entries={}, symlink="uploads/link"),
        "listed but missing": dict(uploads=["missing.pdf"], entries={}),
    }


@pytest.mark.parametrize("case", list(_crafted_cases("/x")))
def test_restore_refuses_crafted_paths_and_writes_nothing(app, tmp_path, case):
    victim = tmp_path / "outside" / "victim"
    victim.parent.mkdir()
    victim.write_bytes(b"original")
    uploads = tmp_path / "instance" / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "kept.pdf").write_bytes(b"kept")
    with app.app_context():
        factories.make_user("marker@example.org")
        db.session.commit()
        source = _backup(tmp_path, db.engine.dialect.name, **_crafted_cases(victim)[case])
        with pytest.raises(BackupError, match=r"unsafe|missing"):
            restore_backup(db.engine, uploads, source)
        assert db.session.scalar(select(func.count(User.id))) == 1
    assert victim.read_bytes() == b"original"
    assert (uploads / "kept.pdf").read_bytes() == b"kept"
    assert not (tmp_path / "instance" / "uploads.restoring").exists()


def test_restore_refuses_duplicate_entry_names(app, tmp_path):
    uploads = tmp_path / "uploads"
    path = tmp_path / "dup.zip"
    with app.app_context():
        manifest = {
            "format": "consortium-backup",
            "version": 1,
            "dialect": db.engine.dialect.name,
            "created_at": "x",
            "database": "database.sqlite",
            "uploads": ["a.pdf"],
        }
        with (
            pytest.warns(UserWarning, match="Duplicate name"),
            zipfile.ZipFile(path, "w") as archive,
        ):
            archive.writestr("manifest.json", json.dumps(manifest))
            archive.writestr("database.sqlite", b"x")
            archive.writestr("uploads/a.pdf", b"first")
            archive.writestr("uploads/a.pdf", b"second")
        with pytest.raises(BackupError, match="unsafe"):
            restore_backup(db.engine, uploads, path)


def _proposal_archive(entries: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "proposal.json", json.dumps({"format": "consortium-proposal", "topic": "LIFE-1999-X"})
        )
        for name, content in entries.items():
            archive.writestr(name, content)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "entries, symlink",
    [
        ({"files//etc/passwd": b"x"}, None),
        ({"files/../../x": b"x"}, None),
        ({"files/C:/x": b"x"}, None),
        ({}, "files/link"),
    ],
)
def test_proposal_import_refuses_crafted_entries(app, tmp_path, entries, symlink):
    with app.app_context(), pytest.raises(TransferError, match="unsafe"):
        import_proposal(
            _proposal_archive(entries, symlink), actor=None, upload_folder=tmp_path / "uploads"
        )
    assert not (tmp_path / "uploads").exists()


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "uploads//etc/passwd",
        "../x",
        "a/../../x",
        "C:/x",
        "c:x",
        "..\\x",
        "a\\b",
        "",
        "a/./b",
        "a/\x00b",
    ],
)
def test_entry_names_that_could_leave_the_folder_are_refused(name):
    with pytest.raises(UnsafeEntry):
        check_entry_names([name])


def test_ordinary_entry_names_pass_and_duplicates_do_not():
    check_entry_names(["manifest.json", "uploads/letters/ab12.pdf", "files/cd34.docx"])
    with pytest.raises(UnsafeEntry, match="twice"):
        check_entry_names(["uploads/a.pdf", "uploads/a.pdf"])


def test_target_must_stay_inside_its_folder(tmp_path):
    assert target_inside(tmp_path, "letters/a.pdf") == tmp_path / "letters" / "a.pdf"
    (tmp_path / "escape").symlink_to("/etc")
    for relative in ("/etc/passwd", "../x", "escape/passwd"):
        with pytest.raises(UnsafeEntry):
            target_inside(tmp_path, relative)

"""Backups and proposal transfer lose nothing."""

import hashlib
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consortium.archive.backup import BackupError, create_backup, restore_backup
from consortium.archive.services import TransferError, export_proposal, import_proposal
from consortium.auth.models import User
from consortium.commitments.models import SignedLetter
from consortium.demo.load import load_demo
from consortium.directory.models import Organisation, Tie
from consortium.extensions import db
from consortium.proposals.models import Participation, Proposal
from consortium.workshops.models import Action, Output, Workshop
from tests.conftest import TEST_DATABASE_URL


def _snapshot(acronym: str) -> dict:
    proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == acronym))
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.proposal_id == proposal.id).order_by(Workshop.held_on)
    ).all()
    return {
        "title": proposal.title,
        "summary": proposal.summary,
        "subtopics": proposal.subtopics,
        "members": sorted((m.user.email, m.role) for m in proposal.members),
        "participations": sorted(
            (
                p.organisation.name,
                p.role,
                p.status,
                p.cost_personnel,
                p.own_cofinancing,
                sorted(e.person_months for e in p.efforts),
            )
            for p in proposal.participations
        ),
        "workshops": [
            (
                w.step,
                w.title,
                str(w.held_on),
                len(w.attendances),
                len(w.attendees),
                [
                    (
                        o.kind,
                        o.text,
                        sorted((x.organisation.name, x.relation) for x in o.organisations),
                    )
                    for o in w.outputs
                ],
            )
            for w in workshops
        ],
        "actions": sorted(
            (
                a.code,
                a.title,
                a.lead_organisation.name if a.lead_organisation else None,
                sorted(p.organisation.name for p in a.participants),
                sorted(s.output.text for s in a.sources),
            )
            for a in db.session.scalars(select(Action).where(Action.proposal_id == proposal.id))
        ),
    }


def test_proposal_export_then_import_elsewhere_loses_nothing(make_app, tmp_path):
    source_app = make_app()
    with source_app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        before = _snapshot("REBATIR")
        archive = export_proposal(
            db.session.scalar(select(Proposal).where(Proposal.acronym == "REBATIR")),
            Path(source_app.config["UPLOAD_FOLDER"]),
        )
        letters_before = sorted(
            (letter.sha256, letter.original_name)
            for letter in db.session.scalars(select(SignedLetter))
        )
        ties_among = db.session.scalar(select(func.count(Tie.id)))

    target_app = make_app()
    with target_app.app_context():
        from consortium.calls.catalogue import DEFAULT_CATALOGUE, parse_catalogue
        from consortium.calls.services import import_topics

        import_topics(parse_catalogue(DEFAULT_CATALOGUE.read_bytes()))
        actor = User(email="importer@example.org", name="Importer", password_hash="x")
        db.session.add(actor)
        db.session.flush()
        import_proposal(archive, actor=actor, upload_folder=tmp_path / "target")
        db.session.commit()

        assert _snapshot("REBATIR") == before
        letters = list(db.session.scalars(select(SignedLetter)))
        assert sorted((x.sha256, x.original_name) for x in letters) == letters_before
        assert letters_before  # the demo has a signed letter
        for letter in letters:
            content = (tmp_path / "target" / "letters" / letter.stored_name).read_bytes()
            assert hashlib.sha256(content).hexdigest() == letter.sha256
        assert 0 < db.session.scalar(select(func.count(Tie.id))) <= ties_among
        lead = db.session.scalar(select(User).where(User.email == "lead@example.org"))
        assert lead.active is False  # created for the record, cannot log in
        with pytest.raises(TransferError, match="already exists"):
            import_proposal(archive, actor=actor, upload_folder=tmp_path / "target")


def test_import_matches_existing_organisations_by_pic(make_app, tmp_path):
    app = make_app()
    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == "VERDIR"))
        archive = export_proposal(proposal, tmp_path)
        organisations = db.session.scalar(select(func.count(Organisation.id)))
        actor = db.session.scalar(select(User).where(User.email == "admin@example.org"))

        copy = import_proposal(archive, actor=actor, upload_folder=tmp_path, acronym="VERDIR2")
        db.session.commit()

        assert db.session.scalar(select(func.count(Organisation.id))) == organisations
        assert copy.acronym == "VERDIR2"
        assert len(copy.participations) == len(proposal.participations)
        assert db.session.scalar(
            select(func.sum(Participation.cost_personnel)).where(
                Participation.proposal_id == copy.id
            )
        ) == Decimal("1360000.00")


@pytest.mark.parametrize("data", [b"not a zip", b""])
def test_import_refuses_what_is_not_an_archive(app, tmp_path, data):
    with app.app_context(), pytest.raises(TransferError, match="not a proposal archive"):
        import_proposal(data, actor=None, upload_folder=tmp_path)


def test_import_refuses_an_unknown_topic(app, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "proposal.json", '{"format": "consortium-proposal", "topic": "LIFE-1999-X"}'
        )
    with app.app_context(), pytest.raises(TransferError) as error:
        import_proposal(buffer.getvalue(), actor=None, upload_folder=tmp_path)
    assert error.value.params == {"topic": "LIFE-1999-X"}


@pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite backup path")
def test_sqlite_backup_and_restore_round_trip(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'live.sqlite'}")
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "letter.pdf").write_bytes(b"%PDF-1.4 signed")
    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        before = _snapshot("VERDIR")
        files_before = sorted(
            str(p.relative_to(uploads)) for p in uploads.rglob("*") if p.is_file()
        )
        manifest = create_backup(db.engine, uploads, tmp_path / "backup.zip")
        db.session.delete(db.session.scalar(select(Proposal).where(Proposal.acronym == "VERDIR")))
        db.session.commit()
        (uploads / "letter.pdf").unlink()
        db.session.remove()

        restore_backup(db.engine, uploads, tmp_path / "backup.zip")

        assert manifest["uploads"] == files_before
        assert "letter.pdf" in files_before
        assert (
            sorted(str(p.relative_to(uploads)) for p in uploads.rglob("*") if p.is_file())
            == files_before
        )
        assert _snapshot("VERDIR") == before
        assert (uploads / "letter.pdf").read_bytes() == b"%PDF-1.4 signed"
        assert db.session.scalar(select(func.count(Output.id))) == 50


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL backup path")
def test_postgresql_backup_and_restore_round_trip(app, tmp_path):
    uploads = tmp_path / "uploads"
    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        before = _snapshot("VERDIR")
        create_backup(db.engine, uploads, tmp_path / "backup.zip")
        db.session.delete(db.session.scalar(select(Proposal).where(Proposal.acronym == "VERDIR")))
        db.session.commit()
        db.session.remove()

        restore_backup(db.engine, uploads, tmp_path / "backup.zip")

        assert _snapshot("VERDIR") == before


def test_restore_refuses_a_foreign_file(app, tmp_path):
    (tmp_path / "junk.zip").write_bytes(b"junk")
    with app.app_context(), pytest.raises(BackupError, match="is not a consortium backup"):
        restore_backup(db.engine, tmp_path / "uploads", tmp_path / "junk.zip")


def test_cli_backup_and_proposal_export(app, runner, tmp_path):
    with app.app_context():
        load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()

    exported = runner.invoke(
        args=["proposals", "export", "REBATIR", "--out", str(tmp_path / "rebatir.zip")]
    )
    imported = runner.invoke(
        args=[
            "proposals",
            "import",
            str(tmp_path / "rebatir.zip"),
            "--as",
            "REBATIR-COPY",
            "--actor",
            "admin@example.org",
        ]
    )

    assert exported.output == f"REBATIR exported to {tmp_path / 'rebatir.zip'}.\n"
    assert imported.output == "Proposal REBATIR-COPY imported.\n"

"""The commitments demo loader: a pending invitation in the outbox, a valid signed PDF."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from consortium.commitments.models import Invitation, OutboxMessage, SignedLetter
from consortium.extensions import db


def _load(app):
    from consortium.auth.models import User
    from consortium.demo import commitments, load
    from consortium.demo.data import ACCOUNTS
    from consortium.directory.models import Organisation
    from consortium.proposals.models import Proposal

    with app.app_context():
        load.load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        users = {
            e: db.session.scalar(select(User).where(User.email == e)) for e, *_rest in ACCOUNTS
        }
        proposals = {
            "rebatir": db.session.scalar(select(Proposal).where(Proposal.acronym == "REBATIR"))
        }
        orgs = {
            key: db.session.scalar(select(Organisation).where(Organisation.acronym == ac))
            for key, ac in (("rbs", "RBS"), ("mcp", "MCP"))
        }
        commitments.load(proposals=proposals, orgs=orgs, users=users)
        db.session.commit()


def test_demo_is_idempotent_and_valid(app, tmp_path):
    _load(app)
    _load(app)
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 1
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.recipient == "nadia.benali@rbs.example" and "/invitations/" in message.body
        letter = db.session.scalars(select(SignedLetter)).one()
        from pathlib import Path

        pdf = (Path(app.config["UPLOAD_FOLDER"]) / "letters" / letter.stored_name).read_bytes()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    if shutil.which("pdftotext"):
        source = tmp_path / "demo.pdf"
        source.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", str(source), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert "REBATIR" in text
    elif shutil.which("qpdf"):
        source = tmp_path / "demo.pdf"
        source.write_bytes(pdf)
        subprocess.run(["qpdf", "--check", str(source)], check=True, capture_output=True)
    else:
        pytest.skip("no PDF checker installed")

"""Letters (docx, LibreOffice), signed uploads, mail through SMTP, CSV/XLSX exports."""

from __future__ import annotations

import hashlib
import io
import shutil
import socketserver
import subprocess
import threading
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from consortium.commitments.models import OutboxMessage, SignedLetter
from consortium.extensions import db
from consortium.proposals.models import Participation
from tests.commitments.helpers import invite, log_in

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _upload(client, pid, part, content, name):
    return client.post(
        f"/proposals/{pid}/commitments/{part}/signed",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_signed_letter_upload_replace_and_history(app, cworld):
    pid, part = cworld["proposal"], cworld["part_a"]
    partner = log_in(app.test_client(), "partner@example.org")
    assert _upload(partner, pid, part, PDF, "signed.pdf").status_code == 302
    assert _upload(partner, pid, part, PNG, "scan.png").status_code == 302
    with app.app_context():
        letters = db.session.scalars(select(SignedLetter).order_by(SignedLetter.id)).all()
        assert [(x.original_name, x.content_type, x.superseded_at is None) for x in letters] == [
            ("signed.pdf", "application/pdf", False),
            ("scan.png", "image/png", True),
        ]
        assert letters[0].sha256 == hashlib.sha256(PDF).hexdigest()
        stored = Path(app.config["UPLOAD_FOLDER"]) / "letters" / letters[0].stored_name
        assert stored.read_bytes() == PDF and "signed" not in letters[0].stored_name
        first_id = letters[0].id
    download = partner.get(f"/proposals/{pid}/commitments/{part}/signed/{first_id}")
    assert download.status_code == 200 and download.data == PDF
    lead = log_in(app.test_client(), "lead@example.org")
    assert lead.get(f"/proposals/{pid}/commitments/{part}/signed/{first_id}").data == PDF
    other = log_in(app.test_client(), "partner2@example.org")
    assert other.get(f"/proposals/{pid}/commitments/{part}/signed/{first_id}").status_code == 404


@pytest.mark.parametrize(
    "content,name",
    [
        (b"MZ\x90\x00 not a pdf", "evil.pdf"),  # extension says PDF, bytes do not
        (PDF, "letter.exe"),  # bytes are PDF, extension is not
        (PNG, "letter.pdf"),  # PNG bytes named .pdf
        (b"", "empty.pdf"),
        (b"<html><script>alert(1)</script>", "x.png"),
    ],
)
def test_bad_uploads_are_refused(app, cworld, content, name):
    partner = log_in(app.test_client(), "partner@example.org")
    response = _upload(partner, cworld["proposal"], cworld["part_a"], content, name)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(SignedLetter)).all() == []
    folder = Path(app.config["UPLOAD_FOLDER"]) / "letters"
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_oversized_upload_is_refused(make_app):
    from tests import factories

    app = make_app(MAX_CONTENT_LENGTH=64 * 1024 * 1024)
    with app.app_context():
        ids = factories.standard_world()
    partner = log_in(app.test_client(), "partner@example.org")
    with app.app_context():
        part = db.session.scalar(
            select(Participation.id).where(Participation.organisation_id == ids["org_a"])
        )
    big = PDF + b"0" * (10 * 1024 * 1024 + 10)
    assert _upload(partner, ids["proposal"], part, big, "big.pdf").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(SignedLetter)).all() == []
    import gc

    gc.collect()  # the test client's spooled request body (not the app's) is freed here


@pytest.mark.parametrize(
    "lang,expected", [("en", "Letter of commitment"), ("fr", "Lettre d’engagement")]
)
def test_letter_is_filled_from_the_participation(app, cworld, lang, expected):
    lead = log_in(app.test_client(), "lead@example.org")
    response = lead.get(
        f"/proposals/{cworld['proposal']}/commitments/{cworld['part_a']}/letter.docx?lang={lang}"
    )
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    xml = zipfile.ZipFile(io.BytesIO(response.data)).read("word/document.xml").decode()
    assert "Association Réemploi Sud" in xml and "REUSE" in xml and "A2" in xml
    assert "Ville de Marseille" in xml  # the coordinator
    header = "".join(
        zipfile.ZipFile(io.BytesIO(response.data)).read(n).decode()
        for n in zipfile.ZipFile(io.BytesIO(response.data)).namelist()
        if n.startswith("word/header")
    )
    assert expected in xml + header
    assert (
        lead.get(
            f"/proposals/{cworld['proposal']}/commitments/{cworld['part_a']}/letter.docx?lang=de"
        ).status_code
        == 404
    )


def test_libreoffice_opens_the_letter(app, cworld, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice is not installed")
    lead = log_in(app.test_client(), "lead@example.org")
    for lang in ("en", "fr"):
        docx = lead.get(
            f"/proposals/{cworld['proposal']}/commitments/{cworld['part_a']}"
            f"/letter.docx?lang={lang}"
        ).data
        source = tmp_path / f"letter-{lang}.docx"
        source.write_bytes(docx)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp_path}/lo",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        pdf = (tmp_path / f"letter-{lang}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF")
        import re

        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 1


class _FakeSMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP to receive one message on loopback."""

    received: list[bytes] = []

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 fake ESMTP")
        data = None
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if data is not None:
                if line in (b".\r\n", b".\n"):
                    type(self).received.append(b"".join(data))
                    data = None
                    self.reply("250 OK")
                else:
                    data.append(line)
                continue
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.reply("250 fake")
            elif command == b"DATA":
                data = []
                self.reply("354 go ahead")
            elif command == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_server():
    _FakeSMTP.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeSMTP)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _FakeSMTP.received
    server.shutdown()
    server.server_close()


def test_invitation_is_sent_by_smtp_when_configured(make_app, smtp_server):
    from tests import factories

    port, received = smtp_server
    app = make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_SENDER="consortium@marseille.example",
    )
    with app.app_context():
        ids = factories.standard_world()
        part = db.session.scalar(
            select(Participation.id).where(Participation.organisation_id == ids["org_a"])
        )
    lead = log_in(app.test_client(), "lead@example.org")
    response = invite(lead, ids["proposal"], part, "anne@ars.example")
    assert response.headers["Location"].endswith(f"/commitments/{part}")
    assert len(received) == 1
    assert b"To: anne@ars.example" in received[0] and b"/invitations/" in received[0]
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is not None and message.error is None


def test_unreachable_smtp_keeps_the_message_in_the_outbox(make_app):
    from tests import factories

    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False)
    with app.app_context():
        ids = factories.standard_world()
        part = db.session.scalar(
            select(Participation.id).where(Participation.organisation_id == ids["org_a"])
        )
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, ids["proposal"], part, "anne@ars.example")
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.sent_at is None and "ConnectionRefused" in message.error


def test_reminders_write_one_message_per_pending_partner(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    pid = cworld["proposal"]
    invite(lead, pid, cworld["part_a"], "anne@ars.example")
    response = lead.post(f"/proposals/{pid}/commitments/remind")
    assert response.status_code == 302
    with app.app_context():
        recipients = db.session.scalars(
            select(OutboxMessage.recipient).order_by(OutboxMessage.id)
        ).all()
    # org_a: invitation then reminder (a fresh link); org_c: reminder to its contact
    assert recipients == ["anne@ars.example", "anne@ars.example", "canary@bv.example"]


def test_exports_are_formula_safe_and_exact(app, cworld):
    with app.app_context():
        org = db.session.get(Participation, cworld["part_a"]).organisation
        org.name = '=HYPERLINK("http://evil")'
        db.session.commit()
    lead = log_in(app.test_client(), "lead@example.org")
    pid = cworld["proposal"]
    csv_text = lead.get(f"/proposals/{pid}/commitments/board.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    lines = csv_text.splitlines()
    assert lines[0].startswith("Organisation,Role,Status,Person-months,A. Personnel costs")
    workbook = load_workbook(io.BytesIO(lead.get(f"/proposals/{pid}/commitments/board.xlsx").data))
    sheet = workbook.active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[-1] == "Total"
    assert '\'=HYPERLINK("http://evil")' in names
    totals = dict(
        zip([c.value for c in sheet[1]], [c.value for c in sheet[sheet.max_row]], strict=True)
    )
    # A 100000 + 200000 + canary 987654.32; E = 7% of A+C
    assert totals["A. Personnel costs"] == pytest.approx(1287654.32)
    assert totals["C.1 Travel and subsistence"] == pytest.approx(5000)


def test_invitations_and_reminders_speak_the_recipients_language(app, cworld):
    """Not the language of the lead who clicks: the recipient's account's, else the
    proposal's working language."""
    from consortium.auth.models import User
    from consortium.proposals.models import Proposal

    pid = cworld["proposal"]
    with app.app_context():
        db.session.get(Proposal, pid).working_language = "fr"
        db.session.scalar(select(User).where(User.email == "outsider@example.org")).language = "en"
        acronym = db.session.get(Proposal, pid).acronym
        db.session.commit()
    lead = log_in(app.test_client(), "lead@example.org")
    lead.post("/language/en")
    invite(lead, pid, cworld["part_a"], "anne@ars.example")  # no account: working language
    lead.post("/language/fr")
    invite(lead, pid, cworld["part_b"], "Outsider@example.org")  # account in English
    lead.post(f"/proposals/{pid}/commitments/remind")
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    subjects = {(m.recipient.lower(), m.subject) for m in mails}
    assert ("anne@ars.example", f"Invitation à la proposition LIFE {acronym}") in subjects
    assert ("outsider@example.org", f"Invitation to the LIFE proposal {acronym}") in subjects
    assert ("anne@ars.example", f"Rappel\u00a0: votre engagement dans {acronym}") in subjects
    assert mails[0].body.startswith("Bonjour,") and "expire dans 14 jours" in mails[0].body


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "1 signed letter received."),
        ("en", 3, "3 signed letters received."),
        ("fr", 1, "1 lettre signée reçue."),
        ("fr", 3, "3 lettres signées reçues."),
    ],
)
def test_counted_checks_take_the_plural_of_the_readers_language(app, lang, count, expected):
    from consortium.commitments.views import tr
    from consortium.errors import NP_

    with app.test_request_context("/", headers={"Accept-Language": lang}):
        template = NP_("%(num)d signed letter received.", "%(num)d signed letters received.")
        assert tr(template, {"num": count}) == expected

"""Upload quotas per participation and per instance, and every uploaded document opened
before it is kept (issue #15, item 7)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from consortium.commitments.models import SignedLetter
from consortium.config import Defaults
from consortium.dossier.models import ReferenceDocument
from consortium.extensions import db
from consortium.proposals.models import Participation
from tests import factories
from tests.commitments.helpers import log_in

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _world(make_app, **config):
    app = make_app(**config)
    with app.app_context():
        ids = factories.standard_world()
        ids["part_a"] = db.session.scalar(
            select(Participation.id).where(Participation.organisation_id == ids["org_a"])
        )
    return app, ids


def _upload(client, ids, content: bytes, name: str = "letter.pdf"):
    response = client.post(
        f"/proposals/{ids['proposal']}/commitments/{ids['part_a']}/signed",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return response.get_data(as_text=True)


def _stored(app) -> tuple[int, int]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "letters"
    files = len(list(folder.iterdir())) if folder.exists() else 0
    with app.app_context():
        return db.session.scalar(select(func.count(SignedLetter.id))), files


def test_default_quotas():
    assert (
        Defaults.UPLOAD_MAX_LETTERS_PER_PARTICIPATION,
        Defaults.UPLOAD_MAX_BYTES_PER_PARTICIPATION,
        Defaults.UPLOAD_MAX_BYTES_PER_INSTANCE,
    ) == (10, 30 * 1024 * 1024, 2 * 1024**3)


def test_a_partner_cannot_store_more_letters_than_the_participation_quota(make_app):
    app, ids = _world(make_app, UPLOAD_MAX_LETTERS_PER_PARTICIPATION=3)
    partner = log_in(app.test_client(), "partner@example.org")
    for _ in range(3):
        assert "The signed letter is received." in _upload(partner, ids, PDF)
    page = _upload(partner, ids, PDF)
    assert "This organisation has reached the limit of stored signed letters (3)." in page
    assert _stored(app) == (3, 3)


def test_the_participation_byte_quota_counts_every_stored_version(make_app):
    app, ids = _world(make_app, UPLOAD_MAX_BYTES_PER_PARTICIPATION=2 * len(PDF) + 10)
    partner = log_in(app.test_client(), "partner@example.org")
    _upload(partner, ids, PDF)
    _upload(partner, ids, PDF)
    page = _upload(partner, ids, PDF)
    assert "The signed letters of this organisation would take more than the space allowed" in page
    assert _stored(app) == (2, 2)


def test_the_instance_quota_covers_letters_and_reference_documents(make_app):
    from tests.dossier.test_views import _docx_bytes

    docx = _docx_bytes()
    app, ids = _world(make_app, UPLOAD_MAX_BYTES_PER_INSTANCE=len(docx) + len(PDF) + 10)
    lead = log_in(app.test_client(), "lead@example.org")
    reference = lead.post(
        f"/proposals/{ids['proposal']}/dossier/reference",
        data={"file": (io.BytesIO(docx), "ref.docx")},
        content_type="multipart/form-data",
    )
    assert reference.status_code == 302
    partner = log_in(app.test_client(), "partner@example.org")
    assert "The signed letter is received." in _upload(partner, ids, PDF)
    page = _upload(partner, ids, PDF)
    assert "The storage space of this instance is full: nothing was stored." in page
    assert _stored(app) == (1, 1)
    # Replacing the reference by one of the same size fits: the old one is given back.
    again = lead.post(
        f"/proposals/{ids['proposal']}/dossier/reference",
        data={"file": (io.BytesIO(docx), "ref.docx")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 302


def _without_body(data: bytes) -> bytes:
    """A .docx Word and python-docx open, whose document has no body: building an export
    with it as the reference fails."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename == "word/document.xml":
                archive.writestr(
                    info.filename,
                    b'<?xml version="1.0"?><w:document xmlns:w='
                    b'"http://schemas.openxmlformats.org/wordprocessingml/2006/'
                    b'main"/>',
                )
            else:
                archive.writestr(info, source.read(info))
    return out.getvalue()


@pytest.mark.parametrize("broken", ["no body"])
def test_a_reference_docx_that_would_break_the_exports_is_refused(make_app, broken):
    from tests.dossier.test_views import _docx_bytes

    app, ids = _world(make_app)
    lead = log_in(app.test_client(), "lead@example.org")
    response = lead.post(
        f"/proposals/{ids['proposal']}/dossier/reference",
        data={"file": (io.BytesIO(_without_body(_docx_bytes())), "ref.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "This is not a Word .docx file." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ReferenceDocument.id))) == 0
    export = lead.get(f"/proposals/{ids['proposal']}/dossier/export.docx?lang=en")
    assert export.status_code == 200

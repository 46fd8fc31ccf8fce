"""Word import pages: per-role access, the per-section review, accept/reject, tracked-change
decisions, stale sections, bad files, CSRF."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from sqlalchemy import select

from consortium.auth.models import User
from consortium.dossier.models import Section, SectionVersion, WordImport
from consortium.extensions import db
from consortium.proposals.models import AuditEvent
from tests.conftest import PASSWORD

from .test_views import EDIT, ROLES, _as, sections  # noqa: F401  (fixture)
from .test_wordimport import _tracked


def _export(client, pid) -> bytes:
    response = client.get(f"/proposals/{pid}/dossier/export.docx?what=dossier&lang=en")
    assert response.status_code == 200
    return response.data


def _edited(data: bytes) -> bytes:
    """The export with 1.1's first paragraph rewritten and a tracked insertion in 1.2."""
    doc = Document(io.BytesIO(data))
    paragraphs = doc.paragraphs

    def heading_index(prefix: str) -> int:
        return next(
            i
            for i, p in enumerate(paragraphs)
            if p.style.name.startswith("Heading") and p.text.startswith(prefix)
        )

    heading = heading_index("1.1 ")
    target = paragraphs[heading + 1]
    for run in target.runs[1:]:
        run._r.getparent().remove(run._r)
    target.runs[0].text = "A rewritten first paragraph."
    vision = heading_index("1.2 ")
    _tracked(paragraphs[vision + 1], "ins", " Added in Word.", author="Bea")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _upload(client, pid, data: bytes, name: str = "edited.docx", lang: str = "en"):
    return client.post(
        f"/proposals/{pid}/dossier/import",
        data={"file": (io.BytesIO(data), name), "language": lang},
        content_type="multipart/form-data",
    )


def _import_id(response) -> int:
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


@pytest.mark.parametrize("role", ROLES)
def test_import_pages_per_role(app, client, sections, role):  # noqa: F811
    _as(client, sections, "lead")
    pid = sections["proposal"]
    upload = _upload(client, pid, _export(client, pid))
    assert upload.status_code == 302
    import_id = _import_id(upload)
    _as(client, sections, role)
    expected = EDIT[role]
    assert client.get(f"/proposals/{pid}/dossier/import").status_code == expected
    assert client.get(f"/proposals/{pid}/dossier/imports/{import_id}").status_code == expected
    response = client.post(
        f"/proposals/{pid}/dossier/imports/{import_id}", data={"action": "discard", "version": "1"}
    )
    assert response.status_code == {200: 302}.get(expected, expected)
    with app.app_context():
        status = db.session.get(WordImport, import_id).status
    assert status == ("discarded" if expected == 200 else "pending")


def test_import_of_another_proposal_is_404(client, sections):  # noqa: F811
    _as(client, sections, "lead")
    pid = sections["proposal"]
    import_id = _import_id(_upload(client, pid, _export(client, pid)))
    other = sections["other_proposal"]
    _as(client, sections, "admin")
    assert client.get(f"/proposals/{other}/dossier/imports/{import_id}").status_code == 404


def test_anonymous_is_sent_to_login(client, sections):  # noqa: F811
    pid = sections["proposal"]
    for url in (f"/proposals/{pid}/dossier/import", f"/proposals/{pid}/dossier/imports/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unchanged_export_shows_no_change(client, sections):  # noqa: F811
    _as(client, sections, "writer")
    pid = sections["proposal"]
    import_id = _import_id(_upload(client, pid, _export(client, pid)))
    page = client.get(f"/proposals/{pid}/dossier/imports/{import_id}").get_data(as_text=True)
    assert 'data-state="changed"' not in page
    assert page.count('data-state="unchanged"') == 12


def test_accept_one_keep_one_and_reject_a_tracked_change(app, client, sections):  # noqa: F811
    _as(client, sections, "writer")
    pid = sections["proposal"]
    import_id = _import_id(_upload(client, pid, _edited(_export(client, pid))))
    url = f"/proposals/{pid}/dossier/imports/{import_id}"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'data-testid="import-1\.1" data-state="changed"', page)
    assert re.search(r'data-testid="import-1\.2" data-state="changed"', page)
    assert re.search(r"diff-insert.*rewritten", page)
    assert "Added in Word." in page and "Bea" in page
    _as(client, sections, "lead")  # someone else reviews: the uploader stays the author
    decisions = {
        "version": "1",
        "action": "apply",
        "section-1.1": "accept",
        "section-1.2": "accept",
        "change-1.2-1": "reject",
    }
    # The diff on screen was computed with the insertion accepted: nothing is saved before
    # the writer sees the diff with the insertion rejected.
    response = client.post(url, data={**decisions, "shown-1.2": ""})
    assert response.status_code == 200
    assert "check the diff below" in response.get_data(as_text=True)
    # With its only change rejected, 1.2 is the current text again.
    assert re.search(r'data-testid="import-1\.2" data-state="unchanged"', response.text)
    with app.app_context():
        assert db.session.get(WordImport, import_id).status == "pending"
    response = client.post(url, data={**decisions, "shown-1.2": "1"})
    assert response.status_code == 302
    with app.app_context():
        rows = {
            s.code: s for s in db.session.scalars(select(Section).where(Section.proposal_id == pid))
        }
        first = rows["1.1"]
        assert first.body.startswith("A rewritten first paragraph.")
        newest = db.session.scalars(
            select(SectionVersion)
            .where(SectionVersion.section_id == first.id)
            .order_by(SectionVersion.number.desc())
        ).first()
        assert (newest.number, newest.origin, newest.author.email) == (
            2,
            "import",
            "writer@example.org",
        )
        # 1.2: the only change was the rejected insertion, so nothing was saved.
        assert "Added in Word." not in rows["1.2"].body
        assert len(rows["1.2"].versions) == 1
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == first.id, AuditEvent.field == "body")
        ).one()
        assert event.details["origin"] == "import" and event.details["file"] == "edited.docx"
        assert db.session.get(WordImport, import_id).status == "applied"


def test_section_saved_after_upload_is_not_overwritten(app, client, sections):  # noqa: F811
    _as(client, sections, "writer")
    pid, sid = sections["proposal"], sections["section"]
    import_id = _import_id(_upload(client, pid, _edited(_export(client, pid))))
    client.post(
        f"/proposals/{pid}/dossier/sections/{sid}",
        data={"body": "Typed meanwhile.", "status": "draft", "version": "1"},
    )
    url = f"/proposals/{pid}/dossier/imports/{import_id}"
    assert re.search(r'data-testid="import-1\.1" data-state="stale"', client.get(url).text)
    response = client.post(url, data={"version": "1", "action": "apply", "section-1.1": "accept"})
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Section, sid).body == "Typed meanwhile."


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", b"plain text", "This is not a Word .docx file."),
        ("macro.docm", b"PK\x03\x04", "This is not a Word .docx file."),
    ],
)
def test_bad_files_are_refused_with_a_message(app, client, sections, name, data, message):  # noqa: F811
    _as(client, sections, "writer")
    pid = sections["proposal"]
    response = _upload(client, pid, data, name=name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(WordImport)) is None


def test_too_large_file_is_refused_before_it_is_opened(app, sections):  # noqa: F811
    from consortium.dossier import services
    from consortium.errors import ValidationFailed
    from consortium.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, sections["proposal"])
        writer = db.session.get(User, sections["writer"])
        with pytest.raises(ValidationFailed) as refused:
            services.upload_word(
                proposal,
                lang="en",
                filename="big.docx",
                data=b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 10),
                upload_folder=app.config["UPLOAD_FOLDER"],
                actor=writer,
            )
    assert refused.value.errors["file"][0] == "The file is larger than %(max)d MB."


def test_file_without_dossier_headings_gets_a_clear_message(client, sections):  # noqa: F811
    _as(client, sections, "writer")
    doc = Document()
    doc.add_paragraph("Meeting minutes", style="Heading 1")
    doc.add_paragraph("Nothing about the dossier.")
    buffer = io.BytesIO()
    doc.save(buffer)
    response = _upload(client, sections["proposal"], buffer.getvalue())
    assert response.status_code == 400
    assert "No section of this proposal" in response.get_data(as_text=True)


def test_zip_bomb_is_refused(client, sections):  # noqa: F811
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "wordprocessingml")
        archive.writestr("word/document.xml", "<a>" + " " * 10_000_000 + "</a>")
    _as(client, sections, "writer")
    response = _upload(client, sections["proposal"], buffer.getvalue())
    assert response.status_code == 400
    assert "This is not a Word .docx file." in response.get_data(as_text=True)


def test_csrf_is_enforced(make_app):
    from tests import factories

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = factories.standard_world()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": "writer@example.org", "password": PASSWORD, "csrf_token": token}
    )
    pid = world["proposal"]
    response = client.post(
        f"/proposals/{pid}/dossier/import",
        data={"file": (io.BytesIO(b"x"), "a.docx"), "language": "en"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert client.post(f"/proposals/{pid}/dossier/imports/1", data={}).status_code in (400, 404)

"""Dossier pages: permissions per role, editing with history, regeneration, conflicts, bad input,
the Part B structure admin pages and reference documents."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import select

from consortium.dossier import services
from consortium.dossier.models import Section, SectionTemplate, SectionVersion
from consortium.extensions import db
from consortium.proposals.models import AuditEvent, Proposal
from tests import factories
from tests.conftest import PASSWORD

ROLES = ("admin", "lead", "writer", "viewer", "partner", "other_partner", "outsider")
VIEW = {
    "admin": 200,
    "lead": 200,
    "writer": 200,
    "viewer": 200,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}
EDIT = {**VIEW, "viewer": 403}


@pytest.fixture
def sections(app, world) -> dict:
    """The world's proposal with its sections drafted in English, plus another proposal."""
    with app.app_context():
        proposal = db.session.get(Proposal, world["proposal"])
        proposal.participations[0].cost_personnel = Decimal("100000")
        rows = services.ensure_sections(proposal, "en", services.structure_for(proposal))
        other = factories.make_proposal(acronym="OTHER")
        other_rows = services.ensure_sections(other, "en", services.structure_for(other))
        db.session.commit()
        return {
            **world,
            "section": rows["1.1"].id,
            "budget_section": rows["2.5"].id,
            "other_proposal": other.id,
            "other_section": other_rows["1.1"].id,
        }


def _as(client, world, role):
    client.post("/logout")
    if role is None:
        return client
    emails = {
        "admin": "admin@example.org",
        "lead": "lead@example.org",
        "writer": "writer@example.org",
        "viewer": "viewer@example.org",
        "partner": "partner@example.org",
        "other_partner": "partner2@example.org",
        "outsider": "outsider@example.org",
    }
    response = client.post("/login", data={"email": emails[role], "password": PASSWORD})
    assert response.status_code == 302
    return client


def _section(app, section_id) -> Section:
    with app.app_context():
        section = db.session.get(Section, section_id)
        db.session.expunge(section)
        return section


@pytest.mark.parametrize("role", ROLES)
def test_read_pages_per_role(client, sections, role):
    _as(client, sections, role)
    pid, sid = sections["proposal"], sections["section"]
    for url in (
        f"/proposals/{pid}/dossier",
        f"/proposals/{pid}/dossier/sections/{sid}",
        f"/proposals/{pid}/dossier/sections/{sid}/history",
    ):
        assert client.get(url).status_code == VIEW[role], url


@pytest.mark.parametrize("role", ROLES)
def test_exports_per_role_partners_never_get_budgets(client, sections, role):
    _as(client, sections, role)
    pid = sections["proposal"]
    for url in (
        f"/proposals/{pid}/dossier/export",
        f"/proposals/{pid}/dossier/export.docx?what=dossier",
        f"/proposals/{pid}/dossier/export.docx?what=partners",
        f"/proposals/{pid}/dossier/export.docx?what=letters",
        f"/proposals/{pid}/dossier/sections/{sections['budget_section']}/export.docx",
    ):
        response = client.get(url)
        assert response.status_code == EDIT[role], url
        is_docx = response.mimetype.endswith("wordprocessingml.document")
        assert is_docx is (EDIT[role] == 200 and ".docx" in url)
        if EDIT[role] != 200:
            assert b"100000" not in response.data and b"100,000" not in response.data


@pytest.mark.parametrize("role", ROLES)
def test_save_per_role(app, client, sections, role):
    _as(client, sections, role)
    pid, sid = sections["proposal"], sections["section"]
    response = client.post(
        f"/proposals/{pid}/dossier/sections/{sid}",
        data={"body": "New text", "status": "draft", "version": "1"},
    )
    expected = {200: 302}.get(EDIT[role], EDIT[role])
    assert response.status_code == expected
    assert (_section(app, sid).body == "New text") is (expected == 302)


def test_anonymous_is_sent_to_login(client, sections):
    pid, sid = sections["proposal"], sections["section"]
    for url in (
        f"/proposals/{pid}/dossier",
        f"/proposals/{pid}/dossier/export.docx",
        f"/proposals/{pid}/dossier/sections/{sid}",
        "/admin/dossier/structure",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_idor_section_of_another_proposal_is_404(app, client, sections):
    _as(client, sections, "lead")
    pid, other = sections["proposal"], sections["other_section"]
    base = f"/proposals/{pid}/dossier/sections/{other}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/history").status_code == 404
    assert client.get(f"{base}/export.docx").status_code == 404
    assert (
        client.post(base, data={"body": "x", "status": "draft", "version": "1"}).status_code == 404
    )
    assert client.post(f"{base}/regenerate", data={"version": "1"}).status_code == 404
    assert client.post(f"{base}/versions/1/restore", data={"version": "1"}).status_code == 404
    assert client.get(f"/proposals/{sections['other_proposal']}/dossier").status_code == 404
    assert _section(app, other).body != "x"


def test_save_creates_versions_audit_and_diff(app, client, sections):
    _as(client, sections, "writer")
    pid, sid = sections["proposal"], sections["section"]
    url = f"/proposals/{pid}/dossier/sections/{sid}"
    response = client.post(
        url,
        data={
            "body": "First <b>line</b>\n\nSecond **bold**",
            "status": "in_review",
            "version": "1",
        },
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "<p>First &lt;b&gt;line&lt;/b&gt;</p>" in page
    assert "<strong>bold</strong>" in page
    response = client.post(
        url,
        data={"body": "First <b>line</b>\n\nSecond *italic*", "status": "final", "version": "2"},
    )
    assert response.status_code == 302
    with app.app_context():
        versions = db.session.scalars(
            select(SectionVersion)
            .where(SectionVersion.section_id == sid)
            .order_by(SectionVersion.number)
        ).all()
        assert [(v.number, v.origin, v.status) for v in versions] == [
            (1, "generated", "draft"),
            (2, "edit", "in_review"),
            (3, "edit", "final"),
        ]
        assert versions[2].author.email == "writer@example.org"
        events = db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity == "section",
                AuditEvent.entity_id == sid,
                AuditEvent.field.in_(("body", "status")),
            )
            .order_by(AuditEvent.id)
        ).all()
        assert [(e.field, e.after) for e in events] == [
            ("body", "First <b>line</b>\n\nSecond **bold**"),
            ("status", "in_review"),
            ("body", "First <b>line</b>\n\nSecond *italic*"),
            ("status", "final"),
        ]
        assert all(e.actor.email == "writer@example.org" for e in events)
    history = client.get(f"{url}/history?a=2&b=3").get_data(as_text=True)
    assert "<del>**bold**</del>" in history and "<ins>*italic*</ins>" in history
    assert "First &lt;b&gt;line&lt;/b&gt;" in history
    # Saving the same text and status makes no new version.
    client.post(
        url,
        data={"body": "First <b>line</b>\n\nSecond *italic*", "status": "final", "version": "3"},
    )
    with app.app_context():
        assert (
            db.session.scalar(
                select(SectionVersion.number)
                .where(SectionVersion.section_id == sid)
                .order_by(SectionVersion.number.desc())
            )
            == 3
        )


def test_stale_save_gets_409_and_keeps_the_text(app, client, sections):
    _as(client, sections, "writer")
    pid, sid = sections["proposal"], sections["section"]
    url = f"/proposals/{pid}/dossier/sections/{sid}"
    assert (
        client.post(url, data={"body": "Writer A", "status": "draft", "version": "1"}).status_code
        == 302
    )
    response = client.post(
        url, data={"body": "Writer B’s précieux texte", "status": "draft", "version": "1"}
    )
    assert response.status_code == 409
    assert "Writer B’s précieux texte" in response.get_data(as_text=True)
    assert _section(app, sid).body == "Writer A"


def test_409_page_names_fields_as_the_form_does_and_shows_the_difference(app, client, sections):
    # Issue #14 point 8: the page showed "body", "status", "in_review" and no difference.
    _as(client, sections, "writer")
    pid, sid = sections["proposal"], sections["section"]
    url = f"/proposals/{pid}/dossier/sections/{sid}"
    client.post(
        url, data={"body": "The city leads the reuse platform", "status": "draft", "version": "1"}
    )
    response = client.post(
        url,
        data={
            "body": "The city and ARS lead the reuse platform",
            "status": "in_review",
            "version": "1",
        },
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert '<label for="kept-1">Text</label>' in page
    assert '<label for="kept-2">Status</label>' in page
    assert ">In review</textarea>" in page and ">in_review<" not in page
    assert "The city <del>leads</del> <ins>and ARS lead</ins> the reuse platform" in page
    assert "<del>Draft</del> <ins>In review</ins>" in page
    client.post("/language/fr")
    again = client.post(url, data={"body": "x", "status": "in_review", "version": "1"})
    assert '<label for="kept-1">Texte</label>' in again.get_data(as_text=True)


def test_regenerate_asks_before_overwriting_edits_then_restore(app, client, sections):
    _as(client, sections, "writer")
    pid, sid = sections["proposal"], sections["section"]
    url = f"/proposals/{pid}/dossier/sections/{sid}"
    generated = _section(app, sid).body
    client.post(url, data={"body": "My own words", "status": "draft", "version": "1"})
    assert _section(app, sid).edited_by_writer is True
    response = client.post(f"{url}/regenerate", data={"version": "2"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Replace the writers" in page and "My own words" in page
    assert _section(app, sid).body == "My own words"
    response = client.post(f"{url}/regenerate", data={"version": "2", "confirm": "yes"})
    assert response.status_code == 302
    section = _section(app, sid)
    assert (section.body, section.edited_by_writer, section.version) == (generated, False, 3)
    response = client.post(f"{url}/versions/2/restore", data={"version": "3"})
    assert response.status_code == 302
    section = _section(app, sid)
    assert (section.body, section.edited_by_writer) == ("My own words", True)
    with app.app_context():
        assert [v.origin for v in db.session.get(Section, sid).versions] == [
            "restore",
            "generated",
            "edit",
            "generated",
        ]
    # A stale restore is a 409, nothing changes.
    assert client.post(f"{url}/versions/1/restore", data={"version": "3"}).status_code == 409


def test_regenerate_without_edits_updates_silently(app, client, sections):
    _as(client, sections, "lead")
    pid, sid = sections["proposal"], sections["section"]
    response = client.post(
        f"/proposals/{pid}/dossier/sections/{sid}/regenerate", data={"version": "1"}
    )
    assert response.status_code == 302
    assert _section(app, sid).version == 1  # same data: nothing new


@pytest.mark.parametrize("body", ["\x00nul", "bell\x07", "x" * (services.MAX_BODY + 1)])
def test_bad_text_is_refused_with_a_message(app, client, sections, body):
    _as(client, sections, "writer")
    pid, sid = sections["proposal"], sections["section"]
    before = _section(app, sid).body
    response = client.post(
        f"/proposals/{pid}/dossier/sections/{sid}",
        data={"body": body, "status": "draft", "version": "1"},
    )
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert _section(app, sid).body == before


@pytest.mark.parametrize(
    "data",
    [
        {"body": "x", "status": "published", "version": "1"},
        {"body": "x", "status": "draft", "version": "abc"},
        {"body": "x", "status": "draft"},
    ],
)
def test_bad_status_or_version_never_500(app, client, sections, data):
    _as(client, sections, "writer")
    pid, sid = sections["proposal"], sections["section"]
    response = client.post(f"/proposals/{pid}/dossier/sections/{sid}", data=data)
    assert response.status_code in (400, 409)
    assert _section(app, sid).body != "x"


def test_unknown_language_and_versions_are_404(client, sections):
    _as(client, sections, "lead")
    pid, sid = sections["proposal"], sections["section"]
    assert client.get(f"/proposals/{pid}/dossier?lang=de").status_code == 404
    assert client.get(f"/proposals/{pid}/dossier/export.docx?lang=xx").status_code == 404
    assert client.get(f"/proposals/{pid}/dossier/export.docx?what=secret").status_code == 404
    assert client.get(f"/proposals/{pid}/dossier/sections/{sid}/history?a=99").status_code == 404
    assert (
        client.post(
            f"/proposals/{pid}/dossier/sections/{sid}/versions/99/restore", data={"version": "1"}
        ).status_code
        == 404
    )


def test_index_shows_statuses_lengths_and_unavailable_data(client, sections):
    _as(client, sections, "viewer")
    page = client.get(f"/proposals/{sections['proposal']}/dossier").get_data(as_text=True)
    assert "1.1 Compliance with LIFE programme objectives and call topic" in page
    assert "Check against the official template of your call" in page
    assert "not yet available" in page
    assert '<svg class="bar length-bar' in page
    assert "Export to Word" not in page  # viewers do not export


def test_french_interface_and_french_sections(client, sections):
    _as(client, sections, "lead")
    client.post("/language/fr", data={"next": "/"})
    page = client.get(f"/proposals/{sections['proposal']}/dossier?lang=fr").get_data(as_text=True)
    assert "Dossier — Partie B" in page
    assert "1.1 Conformité avec les objectifs du programme LIFE et le sujet de l&#39;appel" in page


def test_index_seeds_the_structure_when_the_table_is_empty(app, client, world):
    with app.app_context():
        assert db.session.scalar(select(SectionTemplate.id).limit(1)) is None
    _as(client, world, "writer")
    assert client.get(f"/proposals/{world['proposal']}/dossier").status_code == 200
    with app.app_context():
        codes = db.session.scalars(
            select(SectionTemplate.code)
            .where(SectionTemplate.family == "SAP")
            .order_by(SectionTemplate.position)
        ).all()
        assert codes == [
            "0",
            "1",
            "1.1",
            "1.2",
            "1.3",
            "2",
            "2.1",
            "2.2",
            "2.3",
            "2.4",
            "2.5",
            "2.6",
            "3",
            "3.1",
            "3.2",
        ]
        assert db.session.scalar(select(Section.id).where(Section.code == "1")) is None


# --------------------------------------------------------------------------- structure admin


def test_structure_pages_admin_only(app, client, sections):
    for role in ("lead", "writer", "viewer", "partner"):
        _as(client, sections, role)
        assert client.get("/admin/dossier/structure").status_code == 403
    _as(client, sections, "admin")
    page = client.get("/admin/dossier/structure").get_data(as_text=True)
    assert "Compliance with LIFE programme objectives and call topic" in page
    assert 'data-testid="family-CET"' in page


def test_admin_edits_a_section_budget_and_titles(app, client, sections):
    _as(client, sections, "admin")
    with app.app_context():
        template = db.session.scalar(
            select(SectionTemplate).where(
                SectionTemplate.family == "SAP", SectionTemplate.code == "1.1"
            )
        )
        tid, version = template.id, template.version
    url = f"/admin/dossier/structure/{tid}"
    data = {
        "title_en": "Compliance with the call",
        "title_fr": "Conformité à l'appel",
        "guidance_en": "Say it.",
        "guidance_fr": "Dites-le.",
        "max_chars": "7000",
        "version": str(version),
    }
    assert client.post(url, data=data).status_code == 302
    for bad in (
        {"max_chars": "-1"},
        {"max_chars": "abc"},
        {"title_en": ""},
        {"title_fr": "x" * 301},
        {"guidance_en": "\x00"},
    ):
        response = client.post(url, data={**data, "version": str(version + 1), **bad})
        assert response.status_code == 400, bad
    assert client.post(url, data=data).status_code == 409  # stale version
    _as(client, sections, "writer")
    page = client.get(f"/proposals/{sections['proposal']}/dossier").get_data(as_text=True)
    assert "1.1 Compliance with the call" in page
    assert "/ 7000 characters" in page


def test_cli_sync_structure_is_idempotent(app, runner):
    result = runner.invoke(args=["dossier", "sync-structure"])
    assert result.exit_code == 0 and "SAP: 15 sections added" in result.output
    result = runner.invoke(args=["dossier", "sync-structure"])
    assert "SAP: 0 sections added" in result.output
    app.config["BABEL_DEFAULT_LOCALE"] = "fr"  # the command speaks the deployment's language
    result = runner.invoke(args=["dossier", "sync-structure"])
    assert "SAP\u00a0: 0 section ajoutée" in result.output


# --------------------------------------------------------------------------- reference document


def _docx_bytes() -> bytes:
    from docx import Document

    doc = Document()
    doc.styles["Normal"].font.name = "Georgia"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types>wordprocessingml</Types>")
        archive.writestr("word/document.xml", "<a>" + "a" * 5_000_000 + "</a>")
    return buffer.getvalue()


def test_reference_upload_is_checked_stored_and_used(app, client, sections, tmp_path):
    _as(client, sections, "writer")
    pid = sections["proposal"]
    url = f"/proposals/{pid}/dossier/reference"
    for name, data in (
        ("x.docx", b"not a zip"),
        ("bomb.docx", _bomb()),
        ("x.docx", b"PK\x03\x04broken"),
        ("x.txt", _docx_bytes()),
    ):
        response = client.post(
            url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
        )
        assert response.status_code == 400, name
        assert "This is not a Word .docx file." in response.get_data(as_text=True)
    good = _docx_bytes()
    response = client.post(
        url,
        data={"file": (io.BytesIO(good), "Modèle LIFE.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        ref = services.reference_of(db.session.get(Proposal, pid))
        path = services.reference_path(ref, app.config["UPLOAD_FOLDER"])
        assert ref.original_name == "Modèle LIFE.docx" and path.read_bytes() == good
        assert len(ref.stored_name) == 37 and ref.size == len(good)
    response = client.get(f"/proposals/{pid}/dossier/export.docx?lang=en")
    assert response.status_code == 200
    from docx import Document

    assert Document(io.BytesIO(response.data)).styles["Normal"].font.name == "Georgia"
    assert client.post(f"{url}/delete").status_code == 302
    assert not path.exists()
    _as(client, sections, "viewer")
    assert (
        client.post(
            url, data={"file": (io.BytesIO(good), "a.docx")}, content_type="multipart/form-data"
        ).status_code
        == 403
    )

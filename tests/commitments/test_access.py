"""Who reaches which page of the commitments area, and what a partner can never see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consortium.commitments.models import Invitation, SignedLetter
from consortium.extensions import db
from consortium.proposals.models import Participation
from tests import factories
from tests.commitments.conftest import CANARY
from tests.commitments.helpers import invite, log_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

EMAILS = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
    "other_partner": "partner2@example.org",
    "outsider": "outsider@example.org",
}


def _client(app, who):
    client = app.test_client()
    return log_in(client, EMAILS[who]) if who != "anonymous" else client


BOARD_EXPECTED = {
    "admin": 200,
    "lead": 200,
    "writer": 200,
    "viewer": 200,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}
MINE_EXPECTED = {
    "admin": 403,
    "lead": 403,
    "writer": 403,
    "viewer": 403,
    "partner": 200,
    "other_partner": 200,
    "outsider": 404,
}
MANAGE_EXPECTED = {
    "admin": 200,
    "lead": 200,
    "writer": 403,
    "viewer": 403,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("who", [*EMAILS, "anonymous"])
def test_get_pages_by_role(app, cworld, who):
    client = _client(app, who)
    pid = cworld["proposal"]
    pages = {
        f"/proposals/{pid}/commitments": BOARD_EXPECTED,
        f"/proposals/{pid}/commitments/board.csv": BOARD_EXPECTED,
        f"/proposals/{pid}/commitments/board.xlsx": BOARD_EXPECTED,
        f"/proposals/{pid}/commitments/{cworld['part_a']}": BOARD_EXPECTED,
        f"/proposals/{pid}/commitments/outbox": MANAGE_EXPECTED,
        f"/proposals/{pid}/commitments/mine": MINE_EXPECTED,
        f"/proposals/{pid}/commitments/mine/organisation": MINE_EXPECTED,
    }
    for url, expected in pages.items():
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"], url
        else:
            assert response.status_code == expected[who], (url, who)


@pytest.mark.parametrize("who", ["writer", "viewer", "partner", "outsider"])
def test_writes_refused_without_manage(app, cworld, who):
    client = _client(app, who)
    pid, part = cworld["proposal"], cworld["part_c"]
    expected = 404 if who == "outsider" else 403
    with app.app_context():
        before = db.session.get(Participation, part).version
    for url, data in [
        (f"/proposals/{pid}/commitments/{part}", {"version": before, "notes": "x"}),
        (f"/proposals/{pid}/commitments/{part}/invite", {"email": "a@b.example"}),
        (f"/proposals/{pid}/commitments/{part}/status/withdraw", {"version": before}),
        (f"/proposals/{pid}/commitments/add", {"organisation": cworld["org_a"]}),
        (f"/proposals/{pid}/commitments/remind", {}),
    ]:
        assert client.post(url, data=data).status_code == expected, url
    with app.app_context():
        assert db.session.get(Participation, part).version == before
        assert db.session.scalars(select(Invitation)).all() == []


def test_idor_participation_of_another_proposal_is_404(app, cworld):
    with app.app_context():
        lead = db.session.get(factories.User, cworld["lead"])
        other = factories.make_proposal(lead=lead, acronym="OTHER")
        org = factories.make_org("Elsewhere")
        foreign = factories.make_participation(other, org, notes=CANARY)
        db.session.commit()
        foreign_id = foreign.id
    lead = _client(app, "lead")
    pid = cworld["proposal"]
    for url in [
        f"/proposals/{pid}/commitments/{foreign_id}",
        f"/proposals/{pid}/commitments/{foreign_id}/letter.docx",
    ]:
        response = lead.get(url)
        assert response.status_code == 404 and CANARY not in response.get_data(as_text=True)
    assert (
        lead.post(
            f"/proposals/{pid}/commitments/{foreign_id}/status/withdraw", data={"version": 1}
        ).status_code
        == 404
    )
    assert (
        lead.post(
            f"/proposals/{pid}/commitments/{foreign_id}/invite", data={"email": "x@y.example"}
        ).status_code
        == 404
    )


def test_partner_never_reaches_another_partners_data(app, cworld):
    """Canary planted in org_c's notes, contact and budget; partner (org_a) tries every route
    of the area with org_c's ids, plus the proposal and directory pages."""
    pid, own, foreign = cworld["proposal"], cworld["part_a"], cworld["part_c"]
    with app.app_context():
        letter = SignedLetter(
            participation_id=foreign,
            original_name=f"{CANARY}.pdf",
            stored_name="canary.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
        )
        db.session.add(letter)
        db.session.commit()
        letter_id = letter.id
    partner = _client(app, "partner")
    urls = [
        f"/proposals/{pid}",
        f"/proposals/{pid}/members",
        "/",
        "/directory",
        f"/directory/{cworld['org_c']}",
        f"/proposals/{pid}/commitments",
        f"/proposals/{pid}/commitments/board.csv",
        f"/proposals/{pid}/commitments/board.xlsx",
        f"/proposals/{pid}/commitments/outbox",
        f"/proposals/{pid}/commitments/mine",
        f"/proposals/{pid}/commitments/mine/organisation",
        f"/proposals/{pid}/commitments/{foreign}",
        f"/proposals/{pid}/commitments/{foreign}/letter.docx?lang=en",
        f"/proposals/{pid}/commitments/{foreign}/letter.docx?lang=fr",
        f"/proposals/{pid}/commitments/{foreign}/signed/{letter_id}",
        f"/proposals/{pid}/commitments/{own}/signed/{letter_id}",
        f"/proposals/{pid}/commitments/{own}/letter.docx?lang=en",
        f"/api/proposals/{pid}",
        f"/api/proposals/{pid}/participations",
    ]
    leaks = []
    for url in urls:
        response = partner.get(url)
        body = response.data
        if (
            CANARY.encode() in body
            or b"987654" in body
            or b"987,654" in body
            or "987\u00a0654".encode() in body
            or "987\u202f654".encode() in body
            or b"canary@bv" in body
        ):
            leaks.append(url)
        if "/commitments/" in url and str(foreign) in url.split("/commitments/")[1][:8]:
            assert response.status_code in (403, 404), url
    # own letter: the docx is zipped; check its text too
    import io
    import zipfile

    docx = partner.get(f"/proposals/{pid}/commitments/{own}/letter.docx?lang=en").data
    text = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")
    assert CANARY.encode() not in text and b"987" not in text
    for url, data in [
        (f"/proposals/{pid}/commitments/{foreign}/signed", {"file": (io.BytesIO(PDF), "x.pdf")}),
        (f"/proposals/{pid}/commitments/{foreign}", {"notes": "x"}),
    ]:
        assert partner.post(url, data=data).status_code in (403, 404), url
    assert leaks == []


def test_writer_board_is_read_only_and_hides_notes(app, cworld):
    page = (
        _client(app, "writer")
        .get(f"/proposals/{cworld['proposal']}/commitments/{cworld['part_c']}")
        .get_data(as_text=True)
    )
    assert "private note" not in page
    assert 'data-testid="invite"' not in page
    board = _client(app, "writer").get(f"/proposals/{cworld['proposal']}/commitments")
    assert "Add as a candidate" not in board.get_data(as_text=True)


def test_lead_sees_notes_and_audit(app, cworld):
    lead = _client(app, "lead")
    invite(lead, cworld["proposal"], cworld["part_c"], "canary@bv.example")
    page = lead.get(f"/proposals/{cworld['proposal']}/commitments/{cworld['part_c']}")
    text = page.get_data(as_text=True)
    assert f"{CANARY} private note" in text and 'data-testid="audit"' in text


def test_anonymous_sweep_of_the_area(app, cworld):
    from consortium.commitments.views import PUBLIC_ENDPOINTS

    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("commitments.") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        values = {
            arg: ("csv" if arg == "fmt" else "withdraw" if arg == "action" else 1)
            for arg in rule.arguments
        }
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/login"), (method, url)
            checked += 1
    assert checked >= 18
    assert client.get("/invitations/x").status_code == 404
    assert client.get("/invitation").status_code == 404

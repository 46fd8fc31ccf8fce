"""Invitation links: the whole partner journey, and every way a link is refused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from consortium.commitments import services
from consortium.commitments.models import Invitation, OutboxMessage
from consortium.extensions import db
from consortium.proposals.models import AuditEvent, Participation, ProposalMember
from tests.commitments.helpers import invite, last_token, log_in

NEW_PASSWORD = "a long partner password"


def _join_new(client, token, name="Anne Ars"):
    first = client.get(f"/invitations/{token}")
    assert first.status_code == 302 and first.headers["Location"].endswith("/invitation")
    return client.post(
        "/invitation", data={"name": name, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )


def test_partner_journey_from_invitation_to_confirmation(app, cworld):
    pid, part = cworld["proposal"], cworld["part_a"]
    lead = log_in(app.test_client(), "lead@example.org")
    response = invite(lead, pid, part, "Anne@ARS.example")
    assert response.headers["Location"].endswith(f"/proposals/{pid}/commitments/outbox")
    outbox_page = lead.get(f"/proposals/{pid}/commitments/outbox").get_data(as_text=True)
    token = last_token(app)
    assert f"/invitations/{token}" in outbox_page
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        assert invitation.email == "anne@ars.example"
        assert token not in (invitation.nonce_hash or "")
        assert len(invitation.nonce_hash) == 64

    partner = app.test_client()
    response = _join_new(partner, token)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/proposals/{pid}/commitments/mine")
    with app.app_context():
        member = db.session.scalar(
            select(ProposalMember)
            .join(ProposalMember.user)
            .where(ProposalMember.user.has(email="anne@ars.example"))
        )
        assert (member.role, member.organisation_id, member.proposal_id) == (
            "partner",
            cworld["org_a"],
            pid,
        )
        assert db.session.get(Invitation, invitation.id).used_at is not None

    page = partner.get(f"/proposals/{pid}/commitments/mine")
    assert page.status_code == 200
    with app.app_context():
        version = db.session.get(Participation, part).version
    saved = partner.post(
        f"/proposals/{pid}/commitments/mine",
        data={
            "version": version,
            "contact_name": "Anne Ars",
            "contact_function": "Director",
            "contact_email": "anne@ars.example",
            "tasks": "Collect materials",
            "cost_personnel": "120 000",
            "cost_subcontracting": "",
            "cost_travel": "5 000,50",
            "cost_equipment": "",
            "cost_other_goods": "",
            "cost_other": "",
            "eu_requested": "",
            "own_cofinancing": "20000",
            "other_funding": "",
            f"pm_{cworld['a2']}": "14,5",
            # mass assignment: ignored for a partner
            "role": "coordinator",
            "notes": "hacked",
            "status": "confirmed",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    with app.app_context():
        p = db.session.get(Participation, part)
        assert (p.role, p.notes, p.status) == ("beneficiary", "Reliable partner", "invited")
        assert (p.cost_personnel, p.cost_travel) == (Decimal("120000.00"), Decimal("5000.50"))
        assert [(e.action_id, e.person_months) for e in p.efforts] == [
            (cworld["a2"], Decimal("14.50"))
        ]
        fields = set(
            db.session.scalars(
                select(AuditEvent.field).where(
                    AuditEvent.entity_id == part, AuditEvent.entity == "participation"
                )
            )
        )
        assert {
            "cost_personnel",
            "cost_travel",
            "person_months:A2",
            "tasks",
            "contact_function",
            "partner_account",
        } <= fields
        version = p.version
    # The funding plan leaves part of the costs uncovered: the confirmation is refused and
    # the page says what is missing (consortium.commitments.rules.confirmation_gaps).
    refused = partner.post(
        f"/proposals/{pid}/commitments/mine/confirm",
        data={"version": version, "name": "Anne Ars", "function": "Director"},
        follow_redirects=True,
    )
    assert "does not cover the total costs" in refused.get_data(as_text=True)
    with app.app_context():
        p = db.session.get(Participation, part)
        assert p.status == "invited"
        gap = services.budget_of(p).balance_gap
        own = Decimal("20000") + gap
    partner.post(
        f"/proposals/{pid}/commitments/mine",
        data={
            "version": version,
            "contact_name": "Anne Ars",
            "contact_function": "Director",
            "contact_email": "anne@ars.example",
            "tasks": "Collect materials",
            "cost_personnel": "120 000",
            "cost_travel": "5 000,50",
            "own_cofinancing": f"{own:.2f}",
            f"pm_{cworld['a2']}": "14,5",
        },
    )
    with app.app_context():
        p = db.session.get(Participation, part)
        assert services.budget_of(p).balance_gap == 0
        version = p.version
    confirmed = partner.post(
        f"/proposals/{pid}/commitments/mine/confirm",
        data={"version": version, "name": "Anne Ars", "function": "Director"},
    )
    assert confirmed.status_code == 302
    with app.app_context():
        p = db.session.get(Participation, part)
        assert (p.status, p.confirmed_by_name, p.confirmed_by_function) == (
            "confirmed",
            "Anne Ars",
            "Director",
        )
        version = p.version
    letter = partner.get(f"/proposals/{pid}/commitments/{part}/letter.docx?lang=fr")
    assert letter.status_code == 200 and letter.data[:2] == b"PK"
    board = lead.get(f"/proposals/{pid}/commitments").get_data(as_text=True)
    assert "badge-confirmed" in board
    # A later change sends the commitment back to "to re-confirm".
    partner.post(
        f"/proposals/{pid}/commitments/mine",
        data={
            "version": version,
            "contact_name": "Anne Ars",
            "contact_function": "Director",
            "contact_email": "anne@ars.example",
            "tasks": "Collect materials",
            "cost_personnel": "130000",
            "cost_travel": "5000.50",
            "own_cofinancing": "20000",
            f"pm_{cworld['a2']}": "14.5",
        },
    )
    with app.app_context():
        assert db.session.get(Participation, part).status == "to_reconfirm"


def test_replayed_link_is_refused(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, cworld["proposal"], cworld["part_a"], "anne@ars.example")
    token = last_token(app)
    assert _join_new(app.test_client(), token).status_code == 302
    again = app.test_client().get(f"/invitations/{token}")
    assert again.status_code == 410
    assert 'data-reason="used"' in again.get_data(as_text=True)


def test_expired_link_is_refused_by_signature_age(app, cworld, monkeypatch):
    import itsdangerous.timed

    from consortium.auth.models import User

    old = int(datetime.now(UTC).timestamp()) - app.config["INVITATION_MAX_AGE"] - 5
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: old)
        _invitation, token = services.create_invitation(
            p,
            actor=db.session.get(User, cworld["lead"]),
            email="anne@ars.example",
            name=None,
            secret_key=app.config["SECRET_KEY"],
            max_age=app.config["INVITATION_MAX_AGE"],
        )
        monkeypatch.undo()
        db.session.commit()
    response = app.test_client().get(f"/invitations/{token}")
    assert response.status_code == 410
    assert 'data-reason="expired"' in response.get_data(as_text=True)


def test_expired_link_is_refused_by_stored_expiry(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, cworld["proposal"], cworld["part_a"], "anne@ars.example")
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        invitation.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    response = app.test_client().get(f"/invitations/{last_token(app)}")
    assert response.status_code == 410
    assert 'data-reason="expired"' in response.get_data(as_text=True)


def test_revoked_link_is_refused_and_resend_replaces_it(app, cworld):
    pid = cworld["proposal"]
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, pid, cworld["part_a"], "anne@ars.example")
    first = last_token(app)
    with app.app_context():
        invitation_id = db.session.scalars(select(Invitation.id)).one()
    assert (
        lead.post(f"/proposals/{pid}/commitments/invitations/{invitation_id}/resend").status_code
        == 302
    )
    second = last_token(app)
    assert second != first
    refused = app.test_client().get(f"/invitations/{first}")
    assert (refused.status_code, 'data-reason="revoked"' in refused.get_data(as_text=True)) == (
        410,
        True,
    )
    with app.app_context():
        newest = db.session.scalar(select(func.max(Invitation.id)))
    assert lead.post(f"/proposals/{pid}/commitments/invitations/{newest}/revoke").status_code == 302
    assert app.test_client().get(f"/invitations/{second}").status_code == 410


def test_link_used_by_a_partner_of_another_organisation_is_refused(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, cworld["proposal"], cworld["part_a"], "anne@ars.example")
    token = last_token(app)
    other = log_in(app.test_client(), "partner2@example.org")
    assert other.get(f"/invitations/{token}").status_code == 302
    response = other.post("/invitation", data={})
    assert response.status_code == 403
    assert 'data-reason="other"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Invitation.used_at)).one() is None


@pytest.mark.parametrize("token", ["garbage", "eyJpIjoxLCJuIjoieCJ9.AAAA.BBBB", "x" * 600])
def test_tampered_link_is_refused(app, cworld, token):
    response = app.test_client().get(f"/invitations/{token}")
    assert response.status_code == 404
    assert 'data-reason="invalid"' in response.get_data(as_text=True)


def test_every_flipped_character_is_refused(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, cworld["proposal"], cworld["part_a"], "anne@ars.example")
    token = last_token(app)
    client = app.test_client()
    accepted = 0
    # The last character of unpadded base64 carries padding bits that decode to the same
    # signature bytes for several letters, so it is not part of this check.
    for index in range(0, len(token) - 1, 3):
        flipped = token[:index] + ("A" if token[index] != "A" else "B") + token[index + 1 :]
        if client.get(f"/invitations/{flipped}").status_code == 302:
            accepted += 1
    assert accepted == 0


def test_join_without_token_in_session_is_refused(client):
    assert client.get("/invitation").status_code == 404


def test_existing_account_joins_with_its_password(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, cworld["proposal"], cworld["part_a"], "outsider@example.org")
    token = last_token(app)
    client = app.test_client()
    client.get(f"/invitations/{token}")
    wrong = client.post("/invitation", data={"password": "nope nope nope"})
    assert wrong.status_code == 200 and "Wrong password." in wrong.get_data(as_text=True)
    from tests.conftest import PASSWORD

    ok = client.post("/invitation", data={"password": PASSWORD})
    assert ok.status_code == 302
    with app.app_context():
        member = db.session.scalar(
            select(ProposalMember).where(ProposalMember.user_id == cworld["outsider"])
        )
        assert (member.role, member.organisation_id) == ("partner", cworld["org_a"])


def test_concurrent_claims_succeed_exactly_once(make_app, tmp_path):
    from tests import factories
    from tests.conftest import TEST_DATABASE_URL

    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'race.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        ids = factories.standard_world()
        p = db.session.get(Participation, _part(ids))
        lead = db.session.get(factories.User, ids["lead"])
        invitation, _token = services.create_invitation(
            p, actor=lead, email="race@example.org", name=None, secret_key="k", max_age=3600
        )
        # The link is bound to its address: six browsers of the invited account race.
        users = [factories.make_user("race@example.org").id] * 6
        db.session.commit()
        invitation_id = invitation.id
    results = []
    barrier = threading.Barrier(len(users))

    def claim(user_id):
        with app.app_context():
            barrier.wait()
            try:
                inv = db.session.get(Invitation, invitation_id)
                services.claim_invitation(inv, db.session.get(factories.User, user_id))
                db.session.commit()
                results.append("ok")
            except services.InvitationRefused:
                db.session.rollback()
                results.append("refused")
            except Exception as error:
                db.session.rollback()
                results.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(ProposalMember.id)).where(ProposalMember.user_id.in_(users))
            )
            == 1
        )


def _part(ids):
    return db.session.scalar(
        select(Participation.id).where(Participation.organisation_id == ids["org_a"])
    )


def test_invite_requires_shortlisting_and_moves_status(app, cworld):
    pid = cworld["proposal"]
    lead = log_in(app.test_client(), "lead@example.org")
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        p.status = "candidate"
        db.session.commit()
    lead.post(
        f"/proposals/{pid}/commitments/{cworld['part_a']}/invite",
        data={"email": "anne@ars.example"},
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
        p = db.session.get(Participation, cworld["part_a"])
        p.status = "shortlisted"
        db.session.commit()
    invite(lead, pid, cworld["part_a"], "anne@ars.example")
    with app.app_context():
        assert db.session.get(Participation, cworld["part_a"]).status == "invited"


# --------------------------------------------------------------------------------------
# Issue #15 item 6: concurrent claims on a live server, and links bound to their address


def test_concurrent_new_account_claims_on_a_live_server_give_one_account_and_clear_refusals(
    make_app, tmp_path
):
    """Eight browsers post the new-account form of one link at the same moment: one account
    is created, the seven others get the "already used" page, never a 500."""
    from tests import factories
    from tests.conftest import TEST_DATABASE_URL
    from tests.live import at_once, serving

    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'claims.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, RENDER_500_IN_TESTS=True)
    with app.app_context():
        ids = factories.standard_world()
        p = db.session.get(Participation, _part(ids))
        lead = db.session.get(factories.User, ids["lead"])
        _invitation, token = services.create_invitation(
            p,
            actor=lead,
            email="race@example.org",
            name=None,
            secret_key=app.config["SECRET_KEY"],
            max_age=3600,
        )
        db.session.commit()
    with serving(app) as new_client:
        clients = [new_client() for _ in range(8)]
        for client in clients:
            assert client.get(f"/invitations/{token}").status == 302
        replies = at_once(
            len(clients),
            lambda i: clients[i].post_form(
                "/invitation",
                {"name": f"Racer {i}", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
            ),
        )
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [302] + [410] * 7, statuses
    assert all('data-reason="used"' in r.text for r in replies if r.status == 410)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(factories.User.id)).where(
                    factories.User.email == "race@example.org"
                )
            )
            == 1
        )
        assert (
            db.session.scalar(
                select(func.count(ProposalMember.id)).where(
                    ProposalMember.organisation_id == ids["org_a"]
                )
            )
            == 2
        )  # partner + the new one


def test_logged_in_user_cannot_claim_a_link_sent_to_another_address(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, cworld["proposal"], cworld["part_a"], "anne@ars.example")
    token = last_token(app)
    outsider = log_in(app.test_client(), "outsider@example.org")
    assert outsider.get(f"/invitations/{token}").status_code == 302
    response = outsider.post("/invitation", data={})
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert 'data-reason="address"' in body and "anne@ars.example" not in body
    with app.app_context():
        assert db.session.scalars(select(Invitation.used_at)).one() is None


def test_logged_in_user_claims_a_link_sent_to_its_own_address(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    invite(lead, cworld["proposal"], cworld["part_a"], "Outsider@Example.org")
    token = last_token(app)
    outsider = log_in(app.test_client(), "outsider@example.org")
    outsider.get(f"/invitations/{token}")
    assert outsider.post("/invitation", data={}).status_code == 302
    with app.app_context():
        member = db.session.scalar(
            select(ProposalMember).where(ProposalMember.user_id == cworld["outsider"])
        )
        assert (member.role, member.organisation_id) == ("partner", cworld["org_a"])

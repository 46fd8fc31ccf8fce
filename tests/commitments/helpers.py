"""Helpers shared by the commitments tests."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD

LINK = re.compile(r"https?://[^\s]+/invitations/([A-Za-z0-9_.\-]+)")


def log_in(client, email: str, password: str = PASSWORD):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    return client


def invite(client, proposal_id: int, participation_id: int, email: str, name: str = "Anne"):
    response = client.post(
        f"/proposals/{proposal_id}/commitments/{participation_id}/invite",
        data={"email": email, "name": name},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def last_token(app) -> str:
    from sqlalchemy import select

    from consortium.commitments.models import OutboxMessage
    from consortium.extensions import db

    with app.app_context():
        message = db.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id.desc())
        ).first()
        match = LINK.search(message.body)
        assert match, message.body
        return match.group(1)

"""Sessions end after an idle and an absolute lifetime; API tokens end with a password
change or a deactivation and stay revoked after reactivation (issue #15, item 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from consortium.auth.models import ApiToken, UserSession
from consortium.auth.services import user_for_api_token
from consortium.config import Defaults
from consortium.extensions import db
from tests import factories
from tests.conftest import PASSWORD


def _logged_in(app, login, email="ann@example.org", **values):
    with app.app_context():
        factories.make_user(email, name="Ann", **values)
        db.session.commit()
    client = app.test_client()
    login(email, target=client)
    return client


def _age(app, *, created: timedelta, seen: timedelta) -> None:
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(
            update(UserSession).values(created_at=now - created, last_seen_at=now - seen)
        )
        db.session.commit()


def test_defaults_are_four_hours_idle_and_one_day_at_most():
    assert (Defaults.SESSION_IDLE_SECONDS, Defaults.SESSION_MAX_SECONDS) == (4 * 3600, 86400)


@pytest.mark.parametrize(
    "created, seen, works",
    [
        (timedelta(hours=3), timedelta(hours=3, minutes=50), True),
        (timedelta(hours=5), timedelta(hours=4, minutes=10), False),  # idle too long
        (timedelta(hours=23), timedelta(minutes=1), True),
        (timedelta(hours=24, minutes=5), timedelta(minutes=1), False),  # too old, though active
        (timedelta(days=365), timedelta(days=365), False),
    ],
)
def test_sessions_end_after_their_idle_and_absolute_lifetimes(app, login, created, seen, works):
    client = _logged_in(app, login)
    _age(app, created=created, seen=seen)
    response = client.get("/account")
    assert response.status_code == (200 if works else 302)
    if not works:
        assert response.headers["Location"].startswith("/login")


def test_lifetimes_are_configurable(make_app, login):
    app = make_app(SESSION_IDLE_SECONDS=600, SESSION_MAX_SECONDS=3600)
    client = _logged_in(app, login)
    _age(app, created=timedelta(minutes=11), seen=timedelta(minutes=11))
    assert client.get("/account").status_code == 302


def test_an_active_session_is_kept_alive(app, login):
    client = _logged_in(app, login)
    _age(app, created=timedelta(hours=1), seen=timedelta(hours=1))
    assert client.get("/account").status_code == 200
    with app.app_context():
        seen = db.session.scalar(select(UserSession.last_seen_at))
    assert datetime.now(UTC) - seen < timedelta(minutes=1)


def test_logging_in_removes_the_accounts_expired_sessions(app, login):
    _logged_in(app, login)
    _age(app, created=timedelta(days=2), seen=timedelta(days=2))
    login("ann@example.org", target=app.test_client())
    with app.app_context():
        assert len(db.session.scalars(select(UserSession)).all()) == 1


def _token(client) -> str:
    page = client.post("/account/tokens", data={"token-name": "script"}).get_data(as_text=True)
    return page.split('data-testid="new-token">')[1].split("<")[0]


def test_password_change_revokes_the_api_tokens(app, login):
    client = _logged_in(app, login)
    token = _token(client)
    client.post(
        "/account", data={"current_password": PASSWORD, "new_password": "a much longer secret"}
    )
    with app.app_context():
        assert user_for_api_token(token) is None
        assert db.session.scalar(select(ApiToken.revoked_at)) is not None


def test_tokens_of_a_deactivated_account_stay_revoked_when_it_is_reactivated(app, login):
    client = _logged_in(app, login)
    token = _token(client)
    admin = _logged_in(app, login, "boss@example.org", is_admin=True)
    with app.app_context():
        ann_id = db.session.scalar(select(ApiToken.user_id))
    admin.post(f"/admin/users/{ann_id}/active", data={"active": "0"})
    admin.post(f"/admin/users/{ann_id}/active", data={"active": "1"})
    with app.app_context():
        assert user_for_api_token(token) is None
    assert (
        app.test_client()
        .get("/api/v1/proposals", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 401
    )

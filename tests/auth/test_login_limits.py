"""Login throttling that concurrency cannot get past, no account discovery by timing, and no
lock-out of a person by someone else's failures (issue #15, item 3)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from consortium.auth import services
from consortium.auth.models import LoginAttempt
from consortium.extensions import db
from tests import factories
from tests.conftest import PASSWORD, TEST_DATABASE_URL
from tests.live import at_once, serving


def _user(app, email="ann@example.org"):
    with app.app_context():
        factories.make_user(email, name="Ann")
        db.session.commit()


@pytest.fixture
def counted_checks(monkeypatch):
    """Every password check is counted and takes 200 ms, as a real scrypt check does: the
    window in which concurrent attempts could slip past the limit is wide open."""
    checked: list[str] = []
    real = services.check_password_hash

    def slow_check(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])
        time.sleep(0.2)
        return real(stored, password)

    monkeypatch.setattr(services, "check_password_hash", slow_check)
    return checked


def test_concurrent_wrong_passwords_on_a_live_server_check_at_most_the_limit(
    make_app, tmp_path, counted_checks
):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'limits.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, RENDER_500_IN_TESTS=True)
    _user(app)
    with serving(app) as new_client:
        clients = [new_client() for _ in range(12)]
        replies = at_once(
            12,
            lambda i: clients[i].post_form(
                "/login", {"email": "ann@example.org", "password": f"wrong guess {i}"}
            ),
        )
        statuses = [reply.status for reply in replies]
        wrong = statuses.count(200)
        # Reservations are counted as soon as they exist, so a burst may be refused before
        # the limit is used up; it can never be exceeded.
        assert 1 <= wrong <= 5 and statuses.count(429) == 12 - wrong, statuses
        assert len(counted_checks) == wrong
        # One by one afterwards: exactly the rest of the limit is checked, then 429.
        late = new_client()
        answers = [
            late.post_form("/login", {"email": "ann@example.org", "password": "late guess"}).status
            for _ in range(6 - wrong)
        ]
    assert answers == [200] * (5 - wrong) + [429]
    assert len(counted_checks) == 5
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 5


def test_unknown_accounts_are_checked_against_a_hash_of_the_configured_cost(
    make_app, counted_checks
):
    app = make_app(PASSWORD_HASH_METHOD="pbkdf2:sha256:600000")
    app.test_client().post("/login", data={"email": "ghost@example.org", "password": "x" * 12})
    assert counted_checks == ["pbkdf2:sha256:600000"]


def test_a_right_password_does_not_count_as_a_failure(app, client, login):
    _user(app)
    for _ in range(6):
        login("ann@example.org", target=app.test_client())
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 0


def _exhaust(app, email: str, count: int = 5) -> None:
    attacker = app.test_client()
    for _ in range(count):
        attacker.post("/login", data={"email": email, "password": "attacker guess"})


def test_a_browser_that_logged_in_before_is_not_locked_out_by_someone_elses_failures(app, login):
    """The attacker uses the same address (an office NAT): the account and the address are
    over their limits, yet Ann's own browser, which logged in before, still gets in."""
    _user(app)
    _user(app, "bob@example.org")
    ann = app.test_client()
    login("ann@example.org", target=ann)
    ann.post("/logout")
    _exhaust(app, "ann@example.org")

    assert (
        app.test_client()
        .post("/login", data={"email": "ann@example.org", "password": PASSWORD})
        .status_code
        == 429
    )
    assert (
        ann.post("/login", data={"email": "ann@example.org", "password": PASSWORD}).status_code
        == 302
    )
    # The device cookie is Ann's: it does not lift the limit of another account.
    _exhaust(app, "bob@example.org")
    ann.post("/logout")
    assert (
        ann.post("/login", data={"email": "bob@example.org", "password": PASSWORD}).status_code
        == 429
    )


def test_a_known_browser_still_has_its_own_limit(app, login):
    _user(app)
    ann = app.test_client()
    login("ann@example.org", target=ann)
    ann.post("/logout")
    for _ in range(5):
        assert (
            ann.post(
                "/login", data={"email": "ann@example.org", "password": "typo typo"}
            ).status_code
            == 200
        )
    assert (
        ann.post("/login", data={"email": "ann@example.org", "password": PASSWORD}).status_code
        == 429
    )


def test_a_forged_device_cookie_is_ignored(app, login):
    _user(app)
    _exhaust(app, "ann@example.org")
    forger = app.test_client()
    forger.set_cookie("login_device", "eyJlIjoiYW5uIiwiZCI6IngifQ.forged.signature")
    assert (
        forger.post("/login", data={"email": "ann@example.org", "password": PASSWORD}).status_code
        == 429
    )

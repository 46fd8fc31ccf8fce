"""Login, logout, revocation, throttling, password change, deactivation."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from consortium.auth.models import LoginAttempt, User, UserSession
from consortium.extensions import db
from tests import factories
from tests.conftest import PASSWORD


def _user(app, email="ann@example.org", **values):
    with app.app_context():
        user = factories.make_user(email, name="Ann", **values)
        db.session.commit()
        return user.id


def test_login_then_logout_revokes_a_copied_cookie(app, client, login):
    _user(app)
    login("ann@example.org")
    cookie = client.get_cookie("session").value
    assert client.get("/account").status_code == 200

    client.post("/logout")

    thief = app.test_client()
    thief.set_cookie("session", cookie)
    response = thief.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id))) == 0


def test_wrong_password_is_refused_and_recorded(app, client):
    _user(app)

    response = client.post("/login", data={"email": "ann@example.org", "password": "nope"})

    assert response.status_code == 200
    assert "Wrong email or password." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1


def test_unknown_account_gets_the_same_message(app, client):
    response = client.post("/login", data={"email": "ghost@example.org", "password": "x" * 12})
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_login_is_throttled_per_account_even_with_the_right_password(app, client):
    _user(app)
    for _ in range(5):
        client.post("/login", data={"email": "ann@example.org", "password": "wrong"})

    response = client.post("/login", data={"email": "ann@example.org", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_throttle_per_address_across_accounts(make_app):
    app = make_app(LOGIN_MAX_FAILURES_PER_ADDRESS=3)
    client = app.test_client()
    for n in range(3):
        client.post("/login", data={"email": f"a{n}@example.org", "password": "wrong"})
    _user(app)

    response = client.post("/login", data={"email": "ann@example.org", "password": PASSWORD})

    assert response.status_code == 429


def test_throttle_holds_across_workers_because_it_is_in_the_database(app):
    """Two app instances (two gunicorn workers) share the counter through the database."""
    _user(app)
    other_worker = app.test_client()
    for _ in range(5):
        app.test_client().post("/login", data={"email": "ann@example.org", "password": "bad"})

    response = other_worker.post("/login", data={"email": "ann@example.org", "password": PASSWORD})

    assert response.status_code == 429


def test_old_failures_expire(app, client, login):
    _user(app)
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(hours=1)
        for _ in range(5):
            db.session.add(LoginAttempt(email="ann@example.org", address="127.0.0.1", at=long_ago))
        db.session.commit()

    login("ann@example.org")


def test_deactivated_account_cannot_log_in_and_its_sessions_end(app, client, login):
    user_id = _user(app)
    admin = app.test_client()
    with app.app_context():
        factories.make_user("boss@example.org", is_admin=True)
        db.session.commit()
    login("ann@example.org")
    login("boss@example.org", target=admin)

    response = admin.post(f"/admin/users/{user_id}/active", data={"active": "0"})

    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    response = client.post("/login", data={"email": "ann@example.org", "password": PASSWORD})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).active is False


def test_password_change_closes_other_sessions_and_keeps_this_one(app, client, login):
    _user(app)
    other = app.test_client()
    login("ann@example.org")
    login("ann@example.org", target=other)

    response = client.post(
        "/account", data={"current_password": PASSWORD, "new_password": "a much longer secret"}
    )

    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    client.post("/logout")
    login("ann@example.org", password="a much longer secret")


def test_password_change_requires_the_current_password_and_a_long_new_one(app, client, login):
    _user(app)
    login("ann@example.org")

    wrong = client.post(
        "/account", data={"current_password": "nope", "new_password": "a much longer secret"}
    )
    short = client.post("/account", data={"current_password": PASSWORD, "new_password": "short"})

    assert "The current password is wrong." in wrong.get_data(as_text=True)
    assert "The password must have at least 10 characters." in short.get_data(as_text=True)


def test_login_redirect_never_leaves_the_site(app, client):
    _user(app)
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"email": "ann@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(app, client):
    _user(app)
    response = client.post(
        "/login?next=/calls/", data={"email": "ann@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/calls/"


def test_passwords_are_hashed_with_strong_scrypt_by_default():
    from consortium.config import Defaults

    assert Defaults.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"


def test_api_tokens_are_stored_hashed_and_revocable(app, client, login):
    from consortium.auth.models import ApiToken
    from consortium.auth.services import user_for_api_token

    _user(app)
    login("ann@example.org")
    page = client.post("/account/tokens", data={"token-name": "script"}).get_data(as_text=True)
    token = page.split('data-testid="new-token">')[1].split("<")[0]
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert token not in (row.token_hash, row.prefix)
        assert user_for_api_token(token).email == "ann@example.org"
        token_id = row.id

    client.post(f"/account/tokens/{token_id}/revoke")

    with app.app_context():
        assert user_for_api_token(token) is None

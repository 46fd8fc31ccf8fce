"""Accounts and sessions: password checks with throttling, revocable sessions, roles."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import N_, DomainError, NotAllowed, ValidationFailed
from ..extensions import db
from .models import ApiToken, LoginAttempt, User, UserSession

DEVICE_SALT = "consortium.login-device"


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of the configured cost to check against when the account does not exist, so
    an unknown address takes as long as a known one and timing reveals nothing."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


class TooManyAttempts(DomainError):
    """Login refused without checking the password: too many recent failures."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str, *, method: str) -> str:
    return generate_password_hash(password, method=method)


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    method: str,
    is_admin: bool = False,
    min_length: int = 10,
) -> User:
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ValidationFailed({"email": (N_("An account with this email already exists."), {})})
    check_password_strength(password, min_length=min_length)
    user = User(
        email=email,
        name=name.strip(),
        is_admin=is_admin,
        password_hash=hash_password(password, method=method),
    )
    db.session.add(user)
    db.session.flush()
    return user


def check_password_strength(password: str, *, min_length: int) -> None:
    if len(password) < min_length:
        raise ValidationFailed(
            {
                "password": (
                    N_("The password must have at least %(count)d characters."),
                    {"count": min_length},
                )
            }
        )
    if len(password) > 256:
        raise ValidationFailed({"password": (N_("The password is too long."), {})})


def login_limits(config: Mapping[str, object]) -> dict[str, object]:
    """The app's settings for :func:`authenticate`: failures allowed per account and per
    address in the window, and the password hash method (the login page and the invitation
    page count attempts alike)."""
    return {
        "max_per_account": config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        "max_per_address": config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        "window_seconds": config["LOGIN_WINDOW_SECONDS"],
        "hash_method": config["PASSWORD_HASH_METHOD"],
    }


def authenticate(
    *,
    email: str,
    password: str,
    address: str,
    max_per_account: int,
    max_per_address: int,
    window_seconds: int,
    hash_method: str,
    device: str | None = None,
    max_per_device: int = 5,
) -> User | None:
    """The user if the password is right, None if not, TooManyAttempts past the limits.

    The attempt is reserved (committed on its own connection) before the limits are
    counted and the password checked: of concurrent attempts, the k-th to be reserved sees
    at least k, so no more than the limit are ever checked. A wrong password keeps its
    reservation as a counted failure; a right one or a refusal removes it (in the request's
    transaction). A browser that logged in to this account before (``device``, from a
    signed cookie) is counted on its own, so failures by others on the account or from a
    shared address (an office NAT) do not lock its owner out.
    """
    email = normalise_email(email)[:254]
    attempt_id = _reserve_attempt(email=email, address=address[:64], device=device)
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    if device is not None:
        over = _failures(LoginAttempt.device == device, since) > max_per_device
    else:
        anonymous = LoginAttempt.device.is_(None)
        over = (
            _failures(and_(LoginAttempt.email == email, anonymous), since) > max_per_account
            or _failures(and_(LoginAttempt.address == address[:64], anonymous), since)
            > max_per_address
        )
    if over:
        db.session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
        raise TooManyAttempts(
            N_("Too many failed attempts. Try again in %(minutes)d minutes."),
            {"minutes": max(1, window_seconds // 60)},
        )
    user = db.session.scalar(select(User).where(User.email == email))
    valid = check_password_hash(user.password_hash if user else _dummy_hash(hash_method), password)
    if user is None or not valid or not user.active:
        return None
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
    return user


def _reserve_attempt(*, email: str, address: str, device: str | None) -> int:
    """Insert and commit the attempt outside the request's transaction, so every other
    worker counts it before this password is checked."""
    with db.engine.begin() as connection:
        result = connection.execute(
            insert(LoginAttempt).values(
                email=email, address=address, device=device, at=datetime.now(UTC)
            )
        )
        return result.inserted_primary_key[0]


def _failures(condition, since: datetime) -> int:
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(condition, LoginAttempt.at >= since)
    )


def device_cookie(email: str, *, secret_key: str) -> str:
    """A signed cookie value naming this browser as one that logged in to ``email``."""
    serializer = URLSafeTimedSerializer(secret_key, salt=DEVICE_SALT)
    return serializer.dumps(
        {"e": token_digest(normalise_email(email))[:32], "d": secrets.token_hex(16)}
    )


def device_from_cookie(
    cookie: str | None, email: str, *, secret_key: str, max_age: int
) -> str | None:
    """The browser's device id if its cookie is genuine, recent and for this account."""
    if not cookie or len(cookie) > 300:
        return None
    serializer = URLSafeTimedSerializer(secret_key, salt=DEVICE_SALT)
    try:
        payload = serializer.loads(cookie, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("d"), str):
        return None
    if payload.get("e") != token_digest(normalise_email(email))[:32]:
        return None
    return payload["d"][:32]


def open_session(user: User, *, user_agent: str | None = None, max_seconds: int = 86400) -> str:
    """Create a server-side session; the returned token goes into the signed cookie. The
    account's sessions past their absolute lifetime are removed on the way."""
    token = secrets.token_urlsafe(32)
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.created_at < datetime.now(UTC) - timedelta(seconds=max_seconds),
        )
    )
    db.session.add(
        UserSession(user=user, token_hash=token_digest(token), user_agent=(user_agent or "")[:200])
    )
    db.session.flush()
    return token


def load_session_user(token: str, *, idle_seconds: int, max_seconds: int) -> User | None:
    """The session's user, unless the session was idle or has lived too long."""
    row = db.session.scalar(
        select(UserSession)
        .where(UserSession.token_hash == token_digest(token))
        .options(joinedload(UserSession.user))  # every request: one query, not two
    )
    if row is None or not row.user.active:
        return None
    now = datetime.now(UTC)
    if now - row.last_seen_at > timedelta(seconds=idle_seconds) or now - row.created_at > (
        timedelta(seconds=max_seconds)
    ):
        return None
    if now - row.last_seen_at > timedelta(minutes=5):
        # Written on its own connection: most requests (pages read) never commit.
        with db.engine.begin() as connection:
            connection.execute(
                update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
            )
    user = row.user
    user.session_token = token
    return user


def close_session(token: str) -> None:
    db.session.execute(delete(UserSession).where(UserSession.token_hash == token_digest(token)))


def close_all_sessions(user: User, *, keep_token: str | None = None) -> None:
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_token:
        query = query.where(UserSession.token_hash != token_digest(keep_token))
    db.session.execute(query)


def change_password(
    user: User, *, current: str, new: str, method: str, min_length: int, keep_token: str | None
) -> None:
    if not check_password_hash(user.password_hash, current):
        raise ValidationFailed({"current_password": (N_("The current password is wrong."), {})})
    check_password_strength(new, min_length=min_length)
    user.password_hash = hash_password(new, method=method)
    close_all_sessions(user, keep_token=keep_token)
    revoke_all_api_tokens(user)


def set_active(user: User, active: bool, *, actor: User) -> None:
    if not actor.is_admin:
        raise NotAllowed(N_("Only an administrator can do this."))
    if user.id == actor.id and not active:
        raise DomainError(N_("You cannot deactivate your own account."))
    user.active = active
    if not active:
        close_all_sessions(user)
        revoke_all_api_tokens(user)  # for good: reactivation does not bring them back


def revoke_all_api_tokens(user: User) -> None:
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def create_api_token(user: User, *, name: str) -> str:
    """A new API token; only its hash is kept, so it is shown once."""
    token = "cst_" + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(
            user=user,
            name=name.strip()[:100] or "token",
            token_hash=token_digest(token),
            prefix=token[:12],
        )
    )
    db.session.flush()
    return token


def user_for_api_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None or not row.user.active:
        return None
    row.last_used_at = datetime.now(UTC)
    return row.user


def revoke_api_token(token_id: int, *, actor: User) -> None:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != actor.id:
        raise NotAllowed(N_("This token is not yours."))
    row.revoked_at = row.revoked_at or datetime.now(UTC)

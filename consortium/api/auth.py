"""Bearer-token authentication for the JSON API; cookies are never accepted here, so the
API needs no CSRF protection."""

from __future__ import annotations

from functools import wraps

from flask import g, request

from ..auth.services import user_for_api_token
from ..extensions import db


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or {}


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Send an API token: Authorization: Bearer <token>.")
        user = user_for_api_token(token.strip())
        if user is None:
            raise ApiError(401, "This token is unknown, revoked, or its account is deactivated.")
        db.session.commit()  # records last_used_at
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped

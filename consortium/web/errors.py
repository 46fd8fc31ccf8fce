"""Friendly error pages; a stale save becomes a 409 page that keeps what the user typed."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..extensions import db

log = logging.getLogger(__name__)
HIDDEN_FIELDS = {"csrf_token", "version"}


def submitted_text() -> list[tuple[str, str]]:
    """The non-empty text fields of the refused form, to show back to the user."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in HIDDEN_FIELDS and value.strip()
    ]


def render_conflict():
    db.session.rollback()
    return render_template("errors/409.html", submitted=submitted_text()), 409


def init_app(app: Flask) -> None:
    @app.errorhandler(StaleDataError)
    def stale(_error):
        return render_conflict()

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return render_template("errors/400.html", reason="csrf"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            return {"error": {"code": error.code, "message": error.description}}, error.code
        code = error.code or 500
        template = {
            403: "errors/403.html",
            404: "errors/404.html",
            409: "errors/409.html",
            413: "errors/413.html",
        }.get(code, "errors/generic.html")
        return render_template(template, error=error, submitted=[]), code

    if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
        return  # let tests see the real exception

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if request.path.startswith("/api/"):
            return {"error": {"code": 500, "message": "Internal error"}}, 500
        return render_template("errors/500.html"), 500

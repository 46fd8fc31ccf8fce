"""Friendly error pages; a stale save becomes a 409 page that keeps what the user typed."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DisconnectionError, OperationalError, PendingRollbackError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..extensions import db, login_manager
from .storage import StorageUnavailable

log = logging.getLogger(__name__)
HIDDEN_FIELDS = {"csrf_token", "version"}


def submitted_text() -> list[tuple[str, str]]:
    """The non-empty text fields of the refused form, to show back to the user."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in HIDDEN_FIELDS and value.strip()
    ]


@dataclass(frozen=True)
class KeptField:
    """One field of a refused save: its label, what the user typed, what is saved now."""

    name: str
    label: str
    yours: str
    theirs: str | None  # None when the page did not say what is saved now
    changes: tuple[tuple[str, str], ...]  # ("equal" | "delete" | "insert", words)


def _shown(form: Any, name: str, value: object) -> str:
    """A value as the form shows it: the label of a chosen option, else the text."""
    field = form[name] if form is not None and name in form else None
    text = "" if value is None else str(value)
    for choice in getattr(field, "choices", None) or ():
        if isinstance(choice, tuple) and len(choice) >= 2 and str(choice[0]) == text:
            return str(choice[1])
    return text


def word_changes(theirs: str, yours: str) -> tuple[tuple[str, str], ...]:
    """Word by word, what the user's text removes from and adds to the saved one."""
    old, new = theirs.split(), yours.split()
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(("delete", " ".join(old[i1:i2])))
        if j2 > j1:
            out.append(("insert", " ".join(new[j1:j2])))
    return tuple(out)


def kept_fields(form: Any = None, current: Mapping[str, object] | None = None) -> list[KeptField]:
    """The refused form's fields with human labels, and their difference with the saved
    version when ``current`` gives it (field name -> value saved by the other person)."""
    kept = []
    for name, value in submitted_text():
        field = form[name] if form is not None and name in form else None
        label = str(field.label.text) if field is not None else name.replace("_", " ")
        yours = _shown(form, name, value)
        theirs = None
        if current is not None and name in current:
            theirs = _shown(form, name, current[name])
        changes = word_changes(theirs, yours) if theirs is not None and theirs != yours else ()
        kept.append(KeptField(name, label, yours, theirs, changes))
    return kept


def current_values(record: object) -> dict[str, object]:
    """What ``record`` holds now for each submitted field it has (the other person's save);
    call it before changing the record."""
    return {
        name: getattr(record, name) for name, _value in submitted_text() if hasattr(record, name)
    }


def render_conflict(form: Any = None, current: Mapping[str, object] | None = None):
    """The 409 page: the user's text kept, labelled as the form labels it, and compared with
    what the other person saved when the view passes ``current``."""
    db.session.rollback()
    return render_template("errors/409.html", kept=kept_fields(form, current)), 409


def discard_session() -> None:
    """Give the connection back after a database error, without expiring loaded objects
    (the layout still shows the signed-in user). On a dead connection even the rollback
    fails: SQLAlchemy has invalidated the connection by then and the session is dropped;
    the pool opens a fresh one for the next query (pool_pre_ping)."""
    try:
        db.session.close()
    except Exception:
        log.warning("Closing the database session failed; the connection is discarded")
        with contextlib.suppress(Exception):
            db.session.close()
        db.session.registry.clear()


def render_unavailable(message: str, *, status: int = 503):
    """A friendly "try again" page; plain HTML if even the layout cannot be rendered."""
    title = _("Service briefly unavailable")
    if request.path.startswith("/api/"):
        return {"error": {"code": status, "message": message}}, status, {"Retry-After": "5"}
    try:
        body = render_template("errors/503.html", title=title, message=message)
    except Exception:
        log.warning("Could not render the 503 page", exc_info=True)
        body = (
            f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>"
            f"<p>{escape(message)}</p>"
        )
    return body, status, {"Retry-After": "5"}


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def close_session_quietly(_error):
        # Runs before Flask-SQLAlchemy's own teardown (registered earlier). A connection cut
        # after the response was built (the database restarted, the backend terminated)
        # makes the final rollback fail: that must not turn a finished page into a 500.
        discard_session()
        db.session.registry.clear()

    @app.errorhandler(OperationalError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(PendingRollbackError)
    def database_unavailable(error: Exception):
        # A lost or refused database connection (restart, failover, terminated backend): the
        # transaction is rolled back, nothing is half-saved, and the pool reconnects on the
        # next request (pool_pre_ping).
        log.error(
            "Database unavailable on %s %s: %s",
            request.method,
            request.path,
            str(error).splitlines()[0] if str(error) else type(error).__name__,
        )
        discard_session()
        if "_login_user" not in g:
            # The user could not be loaded: the page is drawn for a visitor rather than
            # asking the database again.
            g._login_user = login_manager.anonymous_user()
        return render_unavailable(
            _("The database did not answer. Nothing was saved: try again in a moment.")
        )

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(error: Exception):
        log.error("Upload storage unavailable on %s %s: %s", request.method, request.path, error)
        discard_session()
        return render_unavailable(
            _(
                "The file could not be stored (the disk is full or read-only). Nothing was "
                "saved: try again later or tell the administrator."
            )
        )

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
        return render_template(template, error=error, kept=[]), code

    if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
        return  # let tests see the real exception

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if request.path.startswith("/api/"):
            return {"error": {"code": 500, "message": "Internal error"}}, 500
        return render_template("errors/500.html"), 500

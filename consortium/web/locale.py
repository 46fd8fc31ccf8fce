"""The language switcher: the choice is kept in the session and beats the browser's."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, redirect, request, session, url_for
from flask_babel import get_locale

bp = Blueprint("locale", __name__)


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths are followed after an action (no open redirect)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.post("/language/<code>")
def switch(code: str):
    if code not in ("en", "fr"):
        abort(404)
    session["lang"] = code
    return redirect(safe_next(request.form.get("next"), url_for("proposals.index")))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def language_context() -> dict:
        return {"current_language": str(get_locale() or "en")}

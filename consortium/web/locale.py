"""The language switcher: the choice is kept in the session and beats the browser's."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, redirect, request, session, url_for
from flask_babel import get_locale

from ..formatting import format_date, format_datetime, format_money, format_number, format_percent

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


def reader_language() -> str:
    """The reader's interface language, "fr" or "en": what pages, reasons and documents are
    written in for this request."""
    return "fr" if str(get_locale() or "en").startswith("fr") else "en"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # Pages format dates like the documents do: British English, never "12/4/26, 8:09 PM".
    app.jinja_env.filters.update(
        dateformat=lambda value, style="medium": format_date(value, reader_language(), style),
        datetimeformat=lambda value, style="short": format_datetime(
            value, reader_language(), style
        ),
        number=lambda value, decimals=0: format_number(value, reader_language(), decimals),
        money=lambda value, decimals=0: format_money(value, reader_language(), decimals),
        percent=lambda ratio: format_percent(ratio, reader_language()),
    )

    @app.context_processor
    def language_context() -> dict:
        return {"current_language": reader_language()}

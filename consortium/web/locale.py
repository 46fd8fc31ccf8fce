"""The language switcher: the choice is kept in the session and beats the browser's."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, redirect, request, session, url_for
from flask_babel import format_currency, get_locale

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


def euros(value: Decimal | float | int | None) -> str:
    """An amount in euros in the reader's language ("€400,000.00", "400 000,00 €"); "—" if None.

    Babel's currency formatting, in one place for the pages that have no formatter of their own
    (the organisation page printed "400000.00").
    """
    if value is None:
        return "—"
    return format_currency(Decimal(str(value)), "EUR")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(euros, "euros")

    @app.context_processor
    def language_context() -> dict:
        return {"current_language": str(get_locale() or "en")}

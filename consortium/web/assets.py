"""Files browsers ask for at fixed addresses: ``/favicon.ico`` (it was a 404 on every page)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app

bp = Blueprint("assets", __name__)


@cache
def _icon(static_folder: str) -> bytes:
    """The icon's bytes, read once (a small file: no open file handle per request)."""
    return (Path(static_folder) / "favicon.ico").read_bytes()


@bp.get("/favicon.ico")
def favicon():
    response = Response(_icon(current_app.static_folder), mimetype="image/vnd.microsoft.icon")
    response.cache_control.public = True
    response.cache_control.max_age = 7 * 24 * 3600
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

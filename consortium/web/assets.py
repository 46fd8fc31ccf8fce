"""Files browsers ask for at fixed addresses: ``/favicon.ico`` (it was a 404 on every page)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, send_from_directory

bp = Blueprint("assets", __name__)


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon", max_age=7 * 24 * 3600)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

"""Pages of the workshops area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workshops", __name__)

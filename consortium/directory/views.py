"""Pages of the directory area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("directory", __name__)

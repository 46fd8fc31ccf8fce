"""Pages of the commitments area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("commitments", __name__)

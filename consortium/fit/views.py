"""Pages of the fit area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("fit", __name__)

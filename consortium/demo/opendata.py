"""Demo open data: a real CORDIS sample of projects with a Marseille participant, so the
open-data pages, the review queue and the Europe-wide search have something to show."""

from __future__ import annotations

from pathlib import Path

from ..auth.models import User
from ..directory.models import Organisation
from ..opendata.services import import_open_data
from ..proposals.models import Proposal

SAMPLE = Path(__file__).resolve().parent.parent / "opendata" / "data"


def load(
    *, proposals: dict[str, Proposal], orgs: dict[str, Organisation], users: dict[str, User]
) -> None:
    """Idempotent like the rest of the demo: a second import changes nothing."""
    import_open_data(SAMPLE / "cordis_he_organization_marseille.csv", actor=None)

"""Demo data of the dossier area: the Part B structure in the database (idempotent).

Sections themselves are drafted from the proposal's data on first opening, so the demo shows
fresh drafts of whatever the other areas loaded.
"""

from __future__ import annotations

from ..auth.models import User
from ..directory.models import Organisation
from ..proposals.models import Proposal


def load(
    *, proposals: dict[str, Proposal], orgs: dict[str, Organisation], users: dict[str, User]
) -> None:
    from ..dossier.services import sync_structure

    sync_structure()

"""Demo data of the dossier area: the Part B structure in the database (idempotent).

Each proposal's sections are drafted once every other area has loaded its data, as for any new
proposal (sections exist from the moment a proposal does).
"""

from __future__ import annotations

from ..auth.models import User
from ..directory.models import Organisation
from ..proposals.models import Proposal


def load(
    *, proposals: dict[str, Proposal], orgs: dict[str, Organisation], users: dict[str, User]
) -> None:
    from ..dossier.services import start_sections, sync_structure

    sync_structure()
    for proposal in proposals.values():
        start_sections(proposal)

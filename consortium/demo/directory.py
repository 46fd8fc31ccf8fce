"""Directory demo data: derived search fields of the Marseille organisations (idempotent)."""

from __future__ import annotations

from ..auth.models import User
from ..directory.dedupe import normalise_name
from ..directory.models import Organisation
from ..directory.services import search_text_of
from ..extensions import db
from ..proposals.models import Proposal


def load(
    *, proposals: dict[str, Proposal], orgs: dict[str, Organisation], users: dict[str, User]
) -> None:
    """Fill ``name_key`` (duplicate detection) and ``search_text`` the way the directory's
    services do, so demo organisations are found and matched like the ones users add."""
    for org in orgs.values():
        name_key = normalise_name(org.name)
        search_text = search_text_of(org)
        if org.name_key != name_key:
            org.name_key = name_key
        if org.search_text != search_text:
            org.search_text = search_text
    db.session.flush()

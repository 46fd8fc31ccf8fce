"""Fixtures of the workshops tests: the standard world plus a workshop with outputs."""

from __future__ import annotations

from datetime import date

import pytest

from consortium.extensions import db
from tests import factories


@pytest.fixture
def ws(app, world) -> dict:
    """A workshop on the world's proposal with two outputs, and a second proposal whose
    workshop, output and action serve as IDOR canaries."""
    from consortium.directory.models import Organisation
    from consortium.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, world["proposal"])
        org_a = db.session.get(Organisation, world["org_a"])
        org_b = db.session.get(Organisation, world["org_b"])
        workshop = factories.make_workshop(
            proposal, title="Vision 2030 — round 1", held_on=date(2025, 3, 14), place="Friche"
        )
        need = factories.make_output(
            workshop,
            "A storage site for reclaimed materials",
            kind="need",
            organisations=(org_a,),
            subkind="site",
        )
        vision = factories.make_output(workshop, "Zero waste sites by 2030", kind="vision")
        other = factories.make_proposal(acronym="OTHER", title="Someone else's")
        other_workshop = factories.make_workshop(other, title="Other workshop")
        other_output = factories.make_output(other_workshop, "Other need", organisations=(org_b,))
        other_action = factories.make_action(other, "Other action")
        db.session.commit()
        return {
            **world,
            "workshop": workshop.id,
            "need": need.id,
            "vision": vision.id,
            "other_proposal": other.id,
            "other_workshop": other_workshop.id,
            "other_output": other_output.id,
            "other_action": other_action.id,
        }

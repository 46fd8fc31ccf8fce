"""Fixtures of the commitments tests: the standard world plus actions, budgets and canaries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests import factories
from tests.conftest import PASSWORD  # noqa: F401

CANARY = "CANARY-7f3a9c"
CANARY_AMOUNT = Decimal("987654.32")


@pytest.fixture
def cworld(app):
    """The standard world with two actions, budgets, and canaries in org_c's participation
    (partner2's organisation): notes, contact and an unmistakable amount."""
    from consortium.extensions import db
    from consortium.proposals.models import ActionEffort, Participation

    with app.app_context():
        ids = factories.standard_world()
        proposal = db.session.get(factories.Proposal, ids["proposal"])
        org_a = db.session.get(factories.Organisation, ids["org_a"])
        org_b = db.session.get(factories.Organisation, ids["org_b"])
        a1 = factories.make_action(proposal, "Reuse platform", code="A1", lead=org_b)
        a2 = factories.make_action(proposal, "Training", code="A2", lead=org_a)
        parts = {p.organisation_id: p for p in proposal.participations}
        pa, pb, pc = parts[ids["org_a"]], parts[ids["org_b"]], parts[ids["org_c"]]
        pa.cost_personnel = Decimal("100000")
        pa.cost_travel = Decimal("5000")
        pa.own_cofinancing = Decimal("20000")
        pa.contact_name, pa.contact_email = "Anne Ars", "anne@ars.example"
        pa.notes = "Reliable partner"
        pb.cost_personnel = Decimal("200000")
        pb.own_cofinancing = Decimal("85600")
        pc.cost_personnel = CANARY_AMOUNT
        pc.contact_name = f"{CANARY} Contact"
        pc.contact_email = "canary@bv.example"
        pc.notes = f"{CANARY} private note"
        pc.tasks = "Green roofs"
        db.session.add(ActionEffort(participation=pa, action_id=a2.id, person_months=Decimal("12")))
        db.session.add(ActionEffort(participation=pb, action_id=a1.id, person_months=Decimal("24")))
        db.session.commit()
        ids.update(a1=a1.id, a2=a2.id, part_a=pa.id, part_b=pb.id, part_c=pc.id)
        assert db.session.get(Participation, pc.id).notes.startswith(CANARY)
        return ids

"""Demo data of the tasks area: a few REBATIR tasks due in the coming weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..directory.models import Organisation
from ..extensions import db
from ..proposals.models import Participation, Proposal
from ..tasks.models import Task


def load(
    *, proposals: dict[str, Proposal], orgs: dict[str, Organisation], users: dict[str, User]
) -> None:
    proposal = proposals.get("rebatir")
    writer = users.get("writer@example.org")
    partner = users.get("partner@example.org")
    lead = users.get("lead@example.org")
    if proposal is None or writer is None or partner is None or lead is None:
        return
    rbs = orgs.get("rbs")
    letter_of = (
        db.session.scalar(
            select(Participation.id).where(
                Participation.proposal_id == proposal.id,
                Participation.organisation_id == rbs.id,
            )
        )
        if rbs is not None
        else None
    )
    today = datetime.now(UTC).date()
    planned = [
        ("1.2 Vision for 2030", "section", "1.2", writer, 10),
        ("2.6 Risks and mitigation", "section", "2.6", writer, 21),
    ]
    if letter_of is not None:
        planned.append(("Signed letter of commitment", "letter", str(letter_of), partner, 14))
    for title, kind, subject, who, days in planned:
        db.session.add(
            Task(
                proposal_id=proposal.id,
                kind=kind,
                subject=subject,
                title=title,
                assignee_id=who.id,
                due_date=today + timedelta(days=days),
                created_by_id=lead.id,
            )
        )

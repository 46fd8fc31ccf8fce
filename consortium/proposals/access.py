"""Load a proposal for the current user or answer 404/403: the first lines of every view."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..auth.permissions import Capability, can, sees_proposal
from ..extensions import db
from .models import Proposal, ProposalMember


def membership(user, proposal_id: int) -> ProposalMember | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        select(ProposalMember).where(
            ProposalMember.proposal_id == proposal_id, ProposalMember.user_id == user.id
        )
    )


def role_on(user, proposal_id: int) -> str | None:
    member = membership(user, proposal_id)
    return member.role if member else None


def load_proposal(
    proposal_id: int, capability: Capability = Capability.VIEW
) -> tuple[Proposal, ProposalMember | None]:
    """The proposal and the user's membership; 404 without a role, 403 without the right."""
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    member = membership(current_user, proposal_id)
    role = member.role if member else None
    if not sees_proposal(role, is_admin=current_user.is_admin):
        abort(404)
    if not can(role, capability, is_admin=current_user.is_admin):
        abort(403)
    return proposal, member


def allowed(member: ProposalMember | None, capability: Capability) -> bool:
    """For templates: show a link only to those who may follow it."""
    return can(member.role if member else None, capability, is_admin=current_user.is_admin)

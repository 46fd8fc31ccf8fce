"""Create and edit proposals, give roles, and summarise where a proposal stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from ..auth.models import User
from ..auth.permissions import ROLE_CAPABILITIES
from ..calls.models import Topic
from ..commitments import rules
from ..directory.models import Organisation
from ..errors import N_, DomainError, ValidationFailed
from ..extensions import db
from .models import Participation, Proposal, ProposalMember

ACRONYM_MAX = 30
#: Why a lead may start a proposal on a closed topic.
CLOSED_CALL_PURPOSES = ("practice", "resubmission")


def create_proposal(
    *,
    actor: User,
    acronym: str,
    title: str,
    topic: Topic,
    territory: str = "",
    summary: str = "",
    working_language: str = "fr",
    document_language: str = "en",
    subtopics: list[str] | None = None,
    duration_months: int = 48,
    closed_call: str = "",
    today: date | None = None,
) -> Proposal:
    """The creator becomes the proposal's lead.

    A closed topic (deadline passed) is refused unless ``closed_call`` says why the lead
    starts one anyway: ``practice`` or ``resubmission`` (issue #14, point 7).
    """
    acronym = acronym.strip()
    errors = {}
    today = today or datetime.now(UTC).date()
    if topic.is_closed(today) and closed_call not in CLOSED_CALL_PURPOSES:
        errors["closed_call"] = (
            N_(
                "This topic closed on %(deadline)s: choose whether the proposal is for practice "
                "or a re-submission."
            ),
            {"deadline": topic.deadline.isoformat() if topic.deadline else "—"},
        )
    if not acronym or len(acronym) > ACRONYM_MAX:
        errors["acronym"] = (
            N_("Enter an acronym of at most %(max)d characters."),
            {"max": ACRONYM_MAX},
        )
    elif (
        db.session.scalar(
            select(Proposal.id).where(func.lower(Proposal.acronym) == acronym.lower())
        )
        is not None
    ):
        errors["acronym"] = (N_("Another proposal already uses this acronym."), {})
    _check_subtopics(topic, subtopics or [], errors)
    if errors:
        raise ValidationFailed(errors)
    proposal = Proposal(
        acronym=acronym,
        title=title.strip(),
        topic=topic,
        territory=territory,
        summary=summary,
        working_language=working_language,
        document_language=document_language,
        subtopics=subtopics or [],
        duration_months=duration_months,
        created_by_id=actor.id,
    )
    db.session.add(proposal)
    db.session.flush()
    db.session.add(ProposalMember(proposal=proposal, user_id=actor.id, role="lead"))
    db.session.flush()
    return proposal


def _check_subtopics(topic: Topic, subtopics: list[str], errors: dict) -> None:
    limit = topic.max_subtopics
    if limit and len(subtopics) > limit:
        errors["subtopics"] = (N_("Choose at most %(max)d sub-topics."), {"max": limit})
    unknown = [s for s in subtopics if topic.subtopics and s not in topic.subtopics]
    if unknown:
        errors["subtopics"] = (N_("Unknown sub-topic: %(name)s."), {"name": unknown[0]})


def update_proposal(
    proposal: Proposal,
    *,
    actor: User,
    title: str,
    topic: Topic,
    territory: str,
    summary: str,
    working_language: str,
    document_language: str,
    subtopics: list[str],
    duration_months: int,
) -> None:
    errors: dict = {}
    _check_subtopics(topic, subtopics, errors)
    if errors:
        raise ValidationFailed(errors)
    proposal.title = title.strip()
    proposal.topic = topic
    proposal.territory = territory
    proposal.summary = summary
    proposal.working_language = working_language
    proposal.document_language = document_language
    proposal.subtopics = subtopics
    proposal.duration_months = duration_months
    db.session.flush()


def give_role(
    proposal: Proposal,
    user: User,
    role: str,
    *,
    actor: User,
    organisation: Organisation | None = None,
) -> ProposalMember:
    """Give or change a user's role; a partner is tied to exactly one organisation."""
    if role not in ROLE_CAPABILITIES:
        raise ValidationFailed({"role": (N_("Unknown role."), {})})
    if role == "partner" and organisation is None:
        raise ValidationFailed(
            {"organisation": (N_("A partner must be tied to an organisation."), {})}
        )
    member = db.session.scalar(
        select(ProposalMember).where(
            ProposalMember.proposal_id == proposal.id, ProposalMember.user_id == user.id
        )
    )
    if member is None:
        member = ProposalMember(proposal=proposal, user_id=user.id, role=role)
        db.session.add(member)
    elif member.role == "lead" and role != "lead" and _lead_count(proposal) == 1:
        raise DomainError(N_("A proposal keeps at least one lead."))
    member.role = role
    member.organisation_id = organisation.id if role == "partner" and organisation else None
    db.session.flush()
    return member


def remove_member(member: ProposalMember, *, actor: User) -> None:
    if member.role == "lead" and _lead_count(member.proposal) == 1:
        raise DomainError(N_("A proposal keeps at least one lead."))
    db.session.delete(member)
    db.session.flush()


def _lead_count(proposal: Proposal) -> int:
    return (
        db.session.scalar(
            select(func.count(ProposalMember.id)).where(
                ProposalMember.proposal_id == proposal.id, ProposalMember.role == "lead"
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Standing:
    """Counts shown on the dashboard, including for areas that are still empty."""

    days_to_deadline: int | None
    participations_by_status: dict[str, int]
    organisations_in_directory: int
    workshops: int
    outputs: int
    actions: int
    sections: int
    sections_final: int
    invitations_pending: int
    letters_received: int

    @property
    def members(self) -> int:
        """Participations in the consortium (``commitments.rules.MEMBER_STATUSES``)."""
        return sum(
            n for status, n in self.participations_by_status.items() if rules.is_member(status)
        )

    @property
    def not_members(self) -> int:
        """Candidates, declined and withdrawn participations: not counted, not listed."""
        return sum(self.participations_by_status.values()) - self.members


def standing(proposal: Proposal, *, today: date) -> Standing:
    from ..commitments.models import Invitation, SignedLetter
    from ..dossier.models import Section
    from ..workshops.models import Action, Output, Workshop

    by_status = dict(
        db.session.execute(
            select(Participation.status, func.count(Participation.id))
            .where(Participation.proposal_id == proposal.id)
            .group_by(Participation.status)
        ).all()
    )
    workshop_ids = select(Workshop.id).where(Workshop.proposal_id == proposal.id)
    participation_ids = select(Participation.id).where(Participation.proposal_id == proposal.id)
    deadline = proposal.topic.deadline
    return Standing(
        days_to_deadline=(deadline - today).days if deadline else None,
        participations_by_status=by_status,
        organisations_in_directory=db.session.scalar(select(func.count(Organisation.id))) or 0,
        workshops=db.session.scalar(select(func.count()).select_from(workshop_ids.subquery())) or 0,
        outputs=db.session.scalar(
            select(func.count(Output.id)).where(Output.workshop_id.in_(workshop_ids))
        )
        or 0,
        actions=db.session.scalar(
            select(func.count(Action.id)).where(Action.proposal_id == proposal.id)
        )
        or 0,
        # the document language's sections: those the Word export contains
        sections=db.session.scalar(
            select(func.count(Section.id)).where(
                Section.proposal_id == proposal.id,
                Section.language == proposal.document_language,
            )
        )
        or 0,
        sections_final=db.session.scalar(
            select(func.count(Section.id)).where(
                Section.proposal_id == proposal.id,
                Section.language == proposal.document_language,
                Section.status == "final",
            )
        )
        or 0,
        invitations_pending=db.session.scalar(
            select(func.count(Invitation.id)).where(
                Invitation.participation_id.in_(participation_ids),
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
        )
        or 0,
        letters_received=db.session.scalar(
            select(func.count(func.distinct(SignedLetter.participation_id))).where(
                SignedLetter.participation_id.in_(participation_ids),
                SignedLetter.superseded_at.is_(None),
            )
        )
        or 0,
    )


def actions_of(proposal: Proposal) -> list:
    from ..workshops.models import Action

    return list(
        db.session.scalars(
            select(Action)
            .where(Action.proposal_id == proposal.id)
            .order_by(Action.position, Action.code, Action.id)
        )
    )

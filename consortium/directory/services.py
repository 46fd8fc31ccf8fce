"""Directory services: organisations, duplicates, merge, ties, import and export.

Services add and flush but never commit; the view or CLI command commits once. They raise
``consortium.errors`` DomainError subclasses whose messages are English templates (``N_``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, delete, func, insert, or_, select, update

from ..auth.models import User
from ..auth.permissions import (
    READER_ROLES,
    DirectoryAccess,
    directory_access,
    may_edit_organisation_of,
    may_restructure_organisation,
    sees_organisation_private_fields,
)
from ..errors import N_, DomainError, ValidationFailed
from ..extensions import db
from ..fit.scoring import load_eligible_countries
from ..folding import collation_key, fold, words
from ..proposals.models import PARTICIPATION_STATUSES, Participation, Proposal, ProposalMember
from ..workshops.models import (
    Action,
    ActionParticipant,
    Attendee,
    OutputOrganisation,
    WorkshopAttendance,
)
from .dedupe import Match, OrgIndex, find_duplicates, normalise_name
from .models import (
    EU_EXPERIENCE,
    TIE_KINDS,
    Contact,
    Organisation,
    OrganisationMerge,
    OrganisationTheme,
    PastProject,
    Tie,
)
from .records import (
    ITEM_TOO_LONG,
    ContactRecord,
    FieldError,
    OrganisationRecord,
    PastProjectRecord,
)
from .spreadsheet import (
    DECLARED,
    REPEATED_TIE,
    ImportReport,
    ParsedTable,
    RowError,
    TieReport,
    validate_rows,
    validate_ties,
)

# Database column sizes tighter than the record validator's limits.
DB_CONTACT_NAME = 120
DB_PROJECT_ROLE = 30
MAX_TIE_NOTE = 1000

PIC_TAKEN = N_("PIC %(pic)s is already used by “%(name)s”.")
PIC_TAKEN_ROW = N_("PIC %(pic)s is already used by the existing organisation “%(name)s”.")
LOOKS_LIKE_ROW = N_(
    "Looks like the existing organisation “%(name)s” (same name and city); "
    "add it from the form if it is a different one."
)
IN_PROPOSAL = N_(
    "“%(name)s” takes part in %(proposals)s and cannot be deleted; "
    "merge it into another organisation instead."
)
MERGE_SELF = N_("Choose another organisation to merge.")
MERGE_SAME_PROPOSAL = N_(
    "Both organisations take part in %(proposals)s; remove one of the two participations "
    "before merging."
)
SELF_TIE = N_("An organisation cannot have a tie with itself.")
DUPLICATE_TIE = N_("This tie already exists.")
DUPLICATE_TIE_ROW = N_("“%(a)s” and “%(b)s” already have a tie of this kind.")
ALREADY_RECORDED_ROW = N_(
    "“%(a)s” and “%(b)s” already have this tie with this year and note; nothing is added."
)
ADDS_TO_TIE_ROW = N_(
    "“%(a)s” and “%(b)s” already have a tie of this kind: this row adds to its weight."
)
UNKNOWN_KIND = N_("Choose a kind of tie.")
FUTURE_YEAR = N_("Year %(value)s is in the future (this year is %(current)s).")
EARLY_YEAR = N_("Year %(value)s is before %(min)s.")
NOTE_TOO_LONG = N_("Too long: %(length)s characters, the limit is %(limit)s.")
UNKNOWN_ORGANISATION = N_("Choose an organisation from the directory.")


# ---------------------------------------------------------------------------------------------
# Who sees what


@dataclass(frozen=True)
class Viewer:
    """The directory rights of one user. Per organisation, the rules of
    auth/permissions.py apply to the proposals holding it (looked up once per organisation)."""

    access: DirectoryAccess
    own_ids: frozenset[int] = frozenset()
    is_admin: bool = False
    member_proposal_ids: frozenset[int] = frozenset()  # any role
    reader_proposal_ids: frozenset[int] = frozenset()  # lead, writer or viewer
    led_proposal_ids: frozenset[int] = frozenset()
    _holding: dict[int, frozenset[int]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def edits_all(self) -> bool:
        """May add organisations and ties, import: administrators and leads."""
        return self.access is DirectoryAccess.EDIT

    @property
    def private(self) -> bool:
        """Sees private fields of some organisations (sharing badges and filters)."""
        return self.access in (DirectoryAccess.EDIT, DirectoryAccess.READ)

    def holding(self, org_id: int) -> frozenset[int]:
        if org_id not in self._holding:
            self._holding.update(holding_proposals([org_id]))
        return self._holding[org_id]

    def know_holdings(self, org_ids: Iterable[int]) -> None:
        """Look the holding proposals of many organisations up in one query (lists)."""
        missing = [i for i in org_ids if i not in self._holding]
        if missing:
            self._holding.update(holding_proposals(missing))

    def sees(self, org: Organisation) -> bool:
        if self.private:
            return True
        return self.access is DirectoryAccess.PARTNER and (
            org.shared_with_partners or org.id in self.own_ids
        )

    def sees_private_of(self, org: Organisation) -> bool:
        return sees_organisation_private_fields(
            self.access,
            is_admin=self.is_admin,
            is_own=org.id in self.own_ids,
            holding_proposal_ids=self.holding(org.id),
            reader_proposal_ids=self.reader_proposal_ids,
        )

    def edits(self, org: Organisation) -> bool:
        return may_edit_organisation_of(
            self.access,
            is_admin=self.is_admin,
            is_own=org.id in self.own_ids,
            holding_proposal_ids=self.holding(org.id),
            led_proposal_ids=self.led_proposal_ids,
        )

    def restructures(self, org: Organisation) -> bool:
        return may_restructure_organisation(
            self.access,
            is_admin=self.is_admin,
            holding_proposal_ids=self.holding(org.id),
            led_proposal_ids=self.led_proposal_ids,
        )

    def visible_proposals(self, org: Organisation) -> list[Proposal]:
        """The proposals it takes part in that this user may know of."""
        if not self.sees_private_of(org):
            return []
        return [
            p for p in proposals_of(org.id) if self.is_admin or p.id in self.member_proposal_ids
        ]


def viewer_for(user: User) -> Viewer:
    rows = db.session.execute(
        select(
            ProposalMember.role, ProposalMember.organisation_id, ProposalMember.proposal_id
        ).where(ProposalMember.user_id == user.id)
    ).all()
    access = directory_access([r.role for r in rows], is_admin=bool(user.is_admin))
    own = frozenset(r.organisation_id for r in rows if r.role == "partner" and r.organisation_id)
    return Viewer(
        access,
        own,
        is_admin=bool(user.is_admin),
        member_proposal_ids=frozenset(r.proposal_id for r in rows),
        reader_proposal_ids=frozenset(r.proposal_id for r in rows if r.role in READER_ROLES),
        led_proposal_ids=frozenset(r.proposal_id for r in rows if r.role == "lead"),
    )


def holding_proposals(org_ids: Sequence[int]) -> dict[int, frozenset[int]]:
    """Per organisation, the proposals holding it: a participation or a partner account."""
    found: dict[int, set[int]] = {org_id: set() for org_id in org_ids}
    for query in (
        select(Participation.organisation_id, Participation.proposal_id).where(
            Participation.organisation_id.in_(list(org_ids))
        ),
        select(ProposalMember.organisation_id, ProposalMember.proposal_id).where(
            ProposalMember.organisation_id.in_(list(org_ids))
        ),
    ):
        for org_id, proposal_id in db.session.execute(query):
            found[org_id].add(proposal_id)
    return {org_id: frozenset(ids) for org_id, ids in found.items()}


# ---------------------------------------------------------------------------------------------
# Records <-> rows


def search_text_of(org: Organisation) -> str:
    return fold(
        " ".join(
            filter(
                None,
                [
                    org.name,
                    org.acronym,
                    org.city,
                    org.registry_number,
                    org.description,
                    " ".join(org.keywords or []),
                ],
            )
        )
    )


def db_limit_errors(record: OrganisationRecord) -> list[FieldError]:
    """Checks the record validator leaves to the database's column sizes."""
    errors = []
    for number, contact in enumerate(record.contacts, start=1):
        if len(contact.name) > DB_CONTACT_NAME:
            errors.append(
                FieldError(
                    "contacts",
                    ITEM_TOO_LONG,
                    {"item": number, "length": len(contact.name), "limit": DB_CONTACT_NAME},
                )
            )
    for number, project in enumerate(record.past_projects, start=1):
        if len(project.role) > DB_PROJECT_ROLE:
            errors.append(
                FieldError(
                    "past_projects",
                    ITEM_TOO_LONG,
                    {"item": number, "length": len(project.role), "limit": DB_PROJECT_ROLE},
                )
            )
    return errors


def org_to_record(org: Organisation, *, private: bool = True) -> OrganisationRecord:
    """The organisation as a record; without contacts and budget when ``private`` is false."""
    return OrganisationRecord(
        name=org.name,
        country=org.country,
        acronym=org.acronym or "",
        org_type=org.org_type,
        natural_person=bool(org.natural_person),
        region=org.region or "",
        city=org.city or "",
        pic=org.pic,
        registry_number=org.registry_number,
        website=org.website or "",
        email=org.email or "",
        description=org.description or "",
        themes=tuple(org.theme_codes),
        keywords=tuple(org.keywords or ()),
        staff=org.staff,
        annual_budget_eur=org.annual_budget_eur if private else None,
        past_projects=tuple(
            PastProjectRecord(p.programme, p.reference or "", p.title, p.year, p.role or "")
            for p in org.past_projects
        ),
        contacts=tuple(
            ContactRecord(c.name, c.function or "", c.email or "", c.phone or "")
            for c in org.contacts
        )
        if private
        else (),
        languages=tuple(org.languages or ()),
    )


def _apply(org: Organisation, record: OrganisationRecord, *, contacts: bool = True) -> None:
    org.name = record.name
    org.acronym = record.acronym or None
    org.org_type = record.org_type
    org.natural_person = record.natural_person
    org.country = record.country
    org.region = record.region or None
    org.city = record.city or None
    org.pic = record.pic
    org.registry_number = record.registry_number
    org.website = record.website or None
    org.email = record.email or None
    org.description = record.description
    org.keywords = list(record.keywords)
    org.languages = list(record.languages)
    org.staff = record.staff
    org.annual_budget_eur = record.annual_budget_eur
    current = {link.theme: link for link in org.themes}
    org.themes = [current.get(code) or OrganisationTheme(theme=code) for code in record.themes]
    org.past_projects = [
        PastProject(
            programme=p.programme,
            reference=p.reference or None,
            title=p.title,
            year=p.year,
            role=p.role,
        )
        for p in record.past_projects
    ]
    if contacts:
        org.contacts = [
            Contact(
                name=c.name, function=c.role or None, email=c.email or None, phone=c.phone or None
            )
            for c in record.contacts
        ]
    org.search_text = search_text_of(org)
    org.name_key = normalise_name(org.name)


def _check_pic(record: OrganisationRecord, exclude_id: int | None = None) -> None:
    if not record.pic:
        return
    query = select(Organisation.name).where(Organisation.pic == record.pic)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    taken = db.session.scalar(query)
    if taken is not None:
        raise ValidationFailed({"pic": (PIC_TAKEN, {"pic": record.pic, "name": taken})})


def _check_limits(record: OrganisationRecord) -> None:
    errors = db_limit_errors(record)
    if errors:
        raise ValidationFailed({e.column: (e.template, dict(e.params)) for e in errors})


def create_organisation(
    record: OrganisationRecord,
    *,
    actor: User | None,
    notes: str = "",
    shared_with_partners: bool = False,
    eu_experience: str = "none",
) -> Organisation:
    _check_limits(record)
    _check_pic(record)
    org = Organisation(
        notes=notes,
        shared_with_partners=shared_with_partners,
        eu_experience=eu_experience if eu_experience in EU_EXPERIENCE else "none",
        created_by_id=actor.id if actor else None,
        updated_by_id=actor.id if actor else None,
    )
    _apply(org, record)
    db.session.add(org)
    db.session.flush()
    return org


def update_organisation(
    org: Organisation,
    record: OrganisationRecord,
    *,
    actor: User | None,
    notes: str | None = None,
    shared_with_partners: bool | None = None,
    eu_experience: str | None = None,
    contacts: bool = True,
) -> Organisation:
    """Save ``record`` over ``org``; ``None`` leaves lead-only fields (notes, sharing) alone."""
    _check_limits(record)
    _check_pic(record, exclude_id=org.id)
    _apply(org, record, contacts=contacts)
    if notes is not None:
        org.notes = notes
    if shared_with_partners is not None:
        org.shared_with_partners = shared_with_partners
    if eu_experience is not None and eu_experience in EU_EXPERIENCE:
        org.eu_experience = eu_experience
    org.updated_by_id = actor.id if actor else None
    org.updated_at = dt.datetime.now(dt.UTC)
    db.session.flush()
    return org


def possible_duplicates(
    record: OrganisationRecord, *, exclude_id: int | None = None
) -> list[tuple[Organisation, Match]]:
    """Existing organisations with the same PIC or a near-identical name in the same city."""
    query = select(Organisation.id, Organisation.name, Organisation.city, Organisation.pic)
    if exclude_id is not None:
        query = query.where(Organisation.id != exclude_id)
    matches = find_duplicates(record, db.session.execute(query).all())
    if not matches:
        return []
    orgs = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_([m.id for m in matches]))
        )
    }
    return [(orgs[m.id], m) for m in matches if m.id in orgs]


def proposals_of(org_id: int) -> list[Proposal]:
    ids = select(Participation.proposal_id).where(Participation.organisation_id == org_id)
    member_ids = select(ProposalMember.proposal_id).where(ProposalMember.organisation_id == org_id)
    return list(
        db.session.scalars(
            select(Proposal)
            .where(or_(Proposal.id.in_(ids), Proposal.id.in_(member_ids)))
            .order_by(Proposal.acronym)
        )
    )


def delete_organisation(org: Organisation, *, actor: User | None) -> None:
    proposals = proposals_of(org.id)
    if proposals:
        raise DomainError(
            IN_PROPOSAL,
            {"name": org.name, "proposals": ", ".join(p.acronym for p in proposals)},
        )
    db.session.execute(
        delete(Tie).where(or_(Tie.organisation_a_id == org.id, Tie.organisation_b_id == org.id))
    )
    db.session.delete(org)
    db.session.flush()


# ---------------------------------------------------------------------------------------------
# Merge


def merge_organisations(
    keep: Organisation, other: Organisation, *, actor: User | None
) -> OrganisationMerge:
    """Fold ``other`` into ``keep``: every link moves, then ``other`` is deleted.

    Participations: when both organisations take part in the same proposal the merge is
    refused (a lead removes one of the two participations first), so no commitment, budget or
    status is silently lost. Ties that would link ``keep`` to itself are dropped, ties that would
    duplicate an existing one (same pair and kind) are dropped; workshop attendance, output and
    action-participant links already held by ``keep`` are dropped, the others move. Empty fields
    of ``keep`` are filled from ``other``; themes, keywords and languages are united.
    """
    _refuse_merge(keep, other)
    details: dict[str, Any] = {"merged_id": other.id}
    _move_links(keep, other, details)
    details["ties_moved"], details["ties_dropped"] = _move_ties(keep, other)
    details["contacts"] = _move(Contact, "organisation_id", keep, other, details)
    details["past_projects"] = _move(PastProject, "organisation_id", keep, other, details)
    new_themes = [t.theme for t in other.themes if t.theme not in keep.theme_codes]
    details["themes"] = new_themes
    db.session.execute(
        delete(OrganisationTheme).where(OrganisationTheme.organisation_id == other.id)
    )
    details["filled"] = _fill_from(keep, other)
    merged_name, other_pic, other_registry = other.name, other.pic, other.registry_number
    db.session.flush()
    db.session.expire(keep, ["contacts", "past_projects", "themes"])
    db.session.expire(other, ["contacts", "past_projects", "themes"])
    db.session.delete(other)
    db.session.flush()
    # Unique identifiers move only once the merged entry is gone.
    if keep.pic is None and other_pic:
        keep.pic = other_pic
        details["filled"].append("pic")
    if keep.registry_number is None and other_registry:
        keep.registry_number = other_registry
        details["filled"].append("registry_number")
    keep.themes = [*keep.themes, *(OrganisationTheme(theme=code) for code in new_themes)]
    keep.search_text = search_text_of(keep)
    keep.name_key = normalise_name(keep.name)
    keep.updated_by_id = actor.id if actor else None
    keep.updated_at = dt.datetime.now(dt.UTC)
    record = OrganisationMerge(
        kept_id=keep.id,
        merged_name=merged_name,
        merged_pic=other_pic,
        details=details,
        actor_id=actor.id if actor else None,
    )
    db.session.add(record)
    db.session.flush()
    return record


def _refuse_merge(keep: Organisation, other: Organisation) -> None:
    """Same organisation, or both in one proposal: nothing may be lost silently."""
    if keep.id == other.id:
        raise DomainError(MERGE_SELF)
    keep_proposals = set(
        db.session.scalars(
            select(Participation.proposal_id).where(Participation.organisation_id == keep.id)
        )
    )
    clash = db.session.scalars(
        select(Proposal.acronym)
        .join(Participation, Participation.proposal_id == Proposal.id)
        .where(Participation.organisation_id == other.id, Proposal.id.in_(keep_proposals))
        .order_by(Proposal.acronym)
    ).all()
    if clash:
        raise DomainError(MERGE_SAME_PROPOSAL, {"proposals": ", ".join(clash)})


def _move(
    model,
    column: str,
    keep: Organisation,
    other: Organisation,
    details: dict[str, Any],
    unique_with: str | None = None,
) -> int:
    """Point ``column`` of ``model`` rows from other to keep; drop rows that would clash."""
    col = getattr(model, column)
    dropped = 0
    if unique_with is not None:
        other_key = getattr(model, unique_with)
        held = select(other_key).where(col == keep.id)
        dropped = db.session.execute(
            delete(model).where(col == other.id, other_key.in_(held))
        ).rowcount
    moved = db.session.execute(
        update(model).where(col == other.id).values({column: keep.id})
    ).rowcount
    details["dropped_duplicate_links"] = details.get("dropped_duplicate_links", 0) + dropped
    return moved


def _move_links(keep: Organisation, other: Organisation, details: dict[str, Any]) -> None:
    """Participations, memberships, workshops, outputs and actions move to ``keep``."""
    details["participations"] = _move(Participation, "organisation_id", keep, other, details)
    details["proposal_members"] = _move(ProposalMember, "organisation_id", keep, other, details)
    details["workshop_attendance"] = _move(
        WorkshopAttendance, "organisation_id", keep, other, details, "workshop_id"
    )
    details["attendees"] = _move(Attendee, "organisation_id", keep, other, details)
    # Output links are unique per (output, organisation, relation).
    held_outputs = db.session.execute(
        select(OutputOrganisation.output_id, OutputOrganisation.relation).where(
            OutputOrganisation.organisation_id == keep.id
        )
    ).all()
    for output_id, relation in held_outputs:
        db.session.execute(
            delete(OutputOrganisation).where(
                OutputOrganisation.organisation_id == other.id,
                OutputOrganisation.output_id == output_id,
                OutputOrganisation.relation == relation,
            )
        )
    details["outputs"] = _move(OutputOrganisation, "organisation_id", keep, other, details)
    details["action_leads"] = _move(Action, "lead_organisation_id", keep, other, details)
    details["action_participants"] = _move(
        ActionParticipant, "organisation_id", keep, other, details, "action_id"
    )


def _move_ties(keep: Organisation, other: Organisation) -> tuple[int, int]:
    """Re-point ``other``'s ties, keep each pair ordered, drop self-ties and duplicates."""
    existing = {
        (t.organisation_a_id, t.organisation_b_id, t.kind)
        for t in db.session.scalars(
            select(Tie).where(
                or_(Tie.organisation_a_id == keep.id, Tie.organisation_b_id == keep.id)
            )
        )
    }
    moved = dropped = 0
    for tie in db.session.scalars(
        select(Tie).where(or_(Tie.organisation_a_id == other.id, Tie.organisation_b_id == other.id))
    ).all():
        partner = (
            tie.organisation_b_id if tie.organisation_a_id == other.id else tie.organisation_a_id
        )
        a, b = sorted((keep.id, partner))
        if partner == keep.id or (a, b, tie.kind) in existing:
            db.session.delete(tie)
            dropped += 1
            continue
        existing.add((a, b, tie.kind))
        tie.organisation_a_id, tie.organisation_b_id = a, b
        moved += 1
    db.session.flush()
    return moved, dropped


def _fill_from(keep: Organisation, other: Organisation) -> list[str]:
    """Empty fields of ``keep`` take ``other``'s; lists are united, notes appended."""
    filled = []
    for name in ("acronym", "region", "city", "website", "email", "staff", "annual_budget_eur"):
        if getattr(keep, name) in (None, "") and getattr(other, name) not in (None, ""):
            setattr(keep, name, getattr(other, name))
            filled.append(name)
    if not keep.description and other.description:
        keep.description = other.description
        filled.append("description")
    if other.notes:
        keep.notes = f"{keep.notes}\n\n{other.notes}".strip() if keep.notes else other.notes
    keep.keywords = list(dict.fromkeys([*(keep.keywords or []), *(other.keywords or [])]))
    keep.languages = list(dict.fromkeys([*(keep.languages or []), *(other.languages or [])]))
    keep.shared_with_partners = keep.shared_with_partners or other.shared_with_partners
    return filled


# ---------------------------------------------------------------------------------------------
# Ties


def add_tie(
    org: Organisation,
    other: Organisation | None,
    kind: str,
    *,
    year: int | None,
    note: str,
    actor: User | None,
    today: dt.date | None = None,
) -> Tie:
    errors: dict[str, tuple[str, dict]] = {}
    current = (today or dt.datetime.now(dt.UTC).date()).year
    if other is None:
        errors["other"] = (UNKNOWN_ORGANISATION, {})
    elif other.id == org.id:
        errors["other"] = (SELF_TIE, {})
    if kind not in TIE_KINDS:
        errors["kind"] = (UNKNOWN_KIND, {})
    if year is not None:
        if year > current:
            errors["year"] = (FUTURE_YEAR, {"value": year, "current": current})
        elif year < 1900:
            errors["year"] = (EARLY_YEAR, {"value": year, "min": 1900})
    if len(note) > MAX_TIE_NOTE:
        errors["note"] = (NOTE_TOO_LONG, {"length": len(note), "limit": MAX_TIE_NOTE})
    if errors:
        raise ValidationFailed(errors)
    a, b = sorted((org.id, other.id))
    if db.session.scalar(
        select(Tie.id).where(
            Tie.organisation_a_id == a, Tie.organisation_b_id == b, Tie.kind == kind
        )
    ):
        raise ValidationFailed({"kind": (DUPLICATE_TIE, {})})
    tie = Tie(
        organisation_a_id=a,
        organisation_b_id=b,
        kind=kind,
        year=year,
        note=note,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(tie)
    db.session.flush()
    return tie


def ties_of(org_id: int) -> list[Tie]:
    return list(
        db.session.scalars(
            select(Tie)
            .where(or_(Tie.organisation_a_id == org_id, Tie.organisation_b_id == org_id))
            .order_by(Tie.year.desc(), Tie.id)
        )
    )


def delete_tie(tie: Tie, *, actor: User | None) -> None:
    db.session.delete(tie)
    db.session.flush()


def org_index() -> OrgIndex:
    return OrgIndex.build(
        db.session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.acronym,
                Organisation.pic,
                Organisation.registry_number,
                Organisation.city,
            )
        ).all()
    )


def check_ties(parsed: ParsedTable, *, today: dt.date | None = None) -> TieReport:
    """Validate a tie file against the directory.

    Rows naming the same two organisations and kind add up into one tie (a warning says so);
    a declaration the stored tie already holds is a warning and adds nothing.
    """
    report = validate_ties(
        parsed, org_index(), current_year=(today or dt.datetime.now(dt.UTC).date()).year
    )
    existing = {
        (a, b, k): evidence
        for a, b, k, evidence in db.session.execute(
            select(Tie.organisation_a_id, Tie.organisation_b_id, Tie.kind, Tie.evidence)
        ).all()
    }
    names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    first_row: dict[tuple[int, int, str], int] = {}
    seen: dict[tuple[int, int, str], set[str]] = {}
    for number, tie in report.valid:
        a, b = sorted((int(tie.org_a), int(tie.org_b)))
        key = (a, b, tie.kind)
        stored = existing.get(key)
        labels = seen.setdefault(key, set(stored or ([DECLARED] if stored is not None else [])))
        if tie.evidence in labels:
            report.warnings.append(
                RowError(number, "", ALREADY_RECORDED_ROW, {"a": names[a], "b": names[b]})
            )
        elif key in first_row:
            report.warnings.append(RowError(number, "", REPEATED_TIE, {"row": first_row[key]}))
        elif stored is not None:
            report.warnings.append(
                RowError(number, "", ADDS_TO_TIE_ROW, {"a": names[a], "b": names[b]})
            )
        labels.add(tie.evidence)
        first_row.setdefault(key, number)
    report.errors.sort(key=lambda e: e.row or 0)
    report.warnings.sort(key=lambda e: e.row or 0)
    return report


@dataclass
class TieImportResult:
    report: TieReport
    created: int = 0
    strengthened: int = 0
    committed: bool = False


def import_ties(
    report: TieReport, *, actor: User | None, dry_run: bool, valid_only: bool = False
) -> TieImportResult:
    """All or nothing unless ``valid_only``; repeated declarations add weight and evidence."""
    result = TieImportResult(report)
    if dry_run or (report.errors and not valid_only) or not report.valid:
        return result
    stored = {
        (t.organisation_a_id, t.organisation_b_id, t.kind): t
        for t in db.session.scalars(select(Tie))
    }
    for _number, record in report.valid:
        a, b = sorted((int(record.org_a), int(record.org_b)))
        tie = stored.get((a, b, record.kind))
        if tie is None:
            tie = Tie(
                organisation_a_id=a,
                organisation_b_id=b,
                kind=record.kind,
                year=record.year,
                note=record.note,
                evidence=[record.evidence],
                weight=1.0,
                created_by_id=actor.id if actor else None,
            )
            db.session.add(tie)
            stored[(a, b, record.kind)] = tie
            result.created += 1
            continue
        evidence = list(tie.evidence or []) or [DECLARED]
        if record.evidence in evidence:
            continue
        tie.evidence = [*evidence, record.evidence]
        tie.weight = (tie.weight or 1.0) + 1.0
        if record.year and (tie.year is None or record.year > tie.year):
            tie.year = record.year
        if record.note and record.note not in (tie.note or ""):
            tie.note = f"{tie.note}\n{record.note}".strip()[:MAX_TIE_NOTE]
        result.strengthened += 1
    db.session.flush()
    result.committed = True
    return result


# ---------------------------------------------------------------------------------------------
# Import


def check_organisations(parsed: ParsedTable) -> ImportReport:
    """Validate rows, then refuse rows that clash with the directory (PIC, name and city)."""
    report = validate_rows(parsed)
    headers = parsed.headers
    by_pic: dict[str, str] = {}
    by_name: dict[tuple[str, str], str] = {}
    for name, city, pic, name_key in db.session.execute(
        select(Organisation.name, Organisation.city, Organisation.pic, Organisation.name_key)
    ):
        if pic:
            by_pic[pic] = name
        by_name.setdefault((name_key or normalise_name(name), " ".join(words(city))), name)
    kept = []
    for number, record in report.valid:
        problems = [
            RowError(number, e.column, e.template, dict(e.params), headers.get(e.column, ""))
            for e in db_limit_errors(record)
        ]
        if record.pic and record.pic in by_pic:
            problems.append(
                RowError(
                    number,
                    "pic",
                    PIC_TAKEN_ROW,
                    {"pic": record.pic, "name": by_pic[record.pic]},
                    headers.get("pic", ""),
                )
            )
        key = (normalise_name(record.name), " ".join(words(record.city)))
        if not problems and key in by_name:
            problems.append(
                RowError(
                    number, "name", LOOKS_LIKE_ROW, {"name": by_name[key]}, headers.get("name", "")
                )
            )
        if problems:
            report.errors.extend(problems)
        else:
            kept.append((number, record))
            report.warnings.extend(_life_warnings(number, record, headers.get("country", "")))
    report.valid = kept
    report.errors.sort(key=lambda e: e.row or 0)
    report.warnings.sort(key=lambda e: e.row or 0)
    return report


NOT_LIFE_COUNTRY = N_(
    "%(name)s is established in %(country)s, a country not associated to "
    "LIFE: it can take part only as an associated partner, at its own cost."
)


def _life_warnings(number: int, record, header: str) -> list[RowError]:
    """Import now what the fit checks would flag later: a country that cannot be a LIFE
    beneficiary (the row is still imported: such an organisation may be an associated
    partner)."""
    if load_eligible_countries().category(record.country) != "third_country":
        return []
    return [
        RowError(
            number,
            "country",
            NOT_LIFE_COUNTRY,
            {"name": record.name, "country": record.country},
            header,
        )
    ]


@dataclass
class ImportResult:
    report: ImportReport
    created: list[int] = field(default_factory=list)
    committed: bool = False

    @property
    def file_errors(self) -> list[RowError]:
        return [e for e in self.report.errors if e.row is None]

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.report.errors if e.row is not None})


def import_organisations(
    report: ImportReport, *, actor: User | None, valid_only: bool, dry_run: bool
) -> ImportResult:
    """Create the report's valid rows.

    All or nothing (``valid_only=False``): any error creates nothing. Import the valid rows
    (``valid_only=True``): the valid rows are created unless the file itself could not be read.
    A dry run creates nothing. ``committed`` says whether rows were added to the session.
    """
    result = ImportResult(report)
    if dry_run or result.file_errors or not report.valid:
        return result
    if report.errors and not valid_only:
        return result
    actor_id = actor.id if actor else None
    now = dt.datetime.now(dt.UTC)
    rows = [_organisation_row(record, actor_id, now) for _number, record in report.valid]
    # A Core bulk insert (batched statements) rather than one ORM object per row: the same
    # columns as ``_apply`` writes, several times faster on 5,000 rows.
    ids = list(
        db.session.scalars(
            insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
            rows,
        )
    )
    _insert_children(zip(ids, (record for _number, record in report.valid), strict=True))
    result.created = ids
    result.committed = True
    return result


def _organisation_row(
    record: OrganisationRecord, actor_id: int | None, now: dt.datetime
) -> dict[str, Any]:
    """The organisation table's columns for one imported record (what ``_apply`` sets)."""
    keywords = list(record.keywords)
    words_of = [
        record.name,
        record.acronym,
        record.city,
        record.registry_number,
        record.description,
        " ".join(keywords),
    ]
    return {
        "name": record.name,
        "acronym": record.acronym or None,
        "org_type": record.org_type,
        "natural_person": record.natural_person,
        "country": record.country,
        "region": record.region or None,
        "city": record.city or None,
        "pic": record.pic,
        "registry_number": record.registry_number,
        "website": record.website or None,
        "email": record.email or None,
        "description": record.description,
        "keywords": keywords,
        "languages": list(record.languages),
        "staff": record.staff,
        "annual_budget_eur": record.annual_budget_eur,
        "eu_experience": "none",
        "notes": "",
        "shared_with_partners": False,
        "search_text": fold(" ".join(filter(None, words_of))),
        "name_key": normalise_name(record.name),
        "sort_key": collation_key(record.name),
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor_id,
        "updated_by_id": actor_id,
        "version": 1,
    }


def _insert_children(created: Iterable[tuple[int, OrganisationRecord]]) -> None:
    """Themes, contacts and past projects of the organisations just inserted, in bulk."""
    themes, contacts, projects = [], [], []
    for org_id, record in created:
        themes += [{"organisation_id": org_id, "theme": code} for code in record.themes]
        contacts += [
            {
                "organisation_id": org_id,
                "name": c.name,
                "function": c.role or None,
                "email": c.email or None,
                "phone": c.phone or None,
            }
            for c in record.contacts
        ]
        projects += [
            {
                "organisation_id": org_id,
                "programme": p.programme,
                "reference": p.reference or None,
                "title": p.title,
                "year": p.year,
                "role": p.role,
            }
            for p in record.past_projects
        ]
    for model, values in (
        (OrganisationTheme, themes),
        (Contact, contacts),
        (PastProject, projects),
    ):
        if values:
            db.session.execute(insert(model), values)


# ---------------------------------------------------------------------------------------------
# Search


SORTS = ("name", "-updated", "country", "type")


@dataclass
class Filters:
    q: str = ""
    org_type: str = ""
    country: str = ""
    theme: str = ""
    pic: str = ""  # "missing" or "present"
    proposal_id: int | None = None
    status: str = ""
    shared: str = ""  # "yes" or "no"
    sort: str = "name"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(filters: Filters, viewer: Viewer) -> Select:
    """The directory query for ``filters`` as ``viewer`` may see it (not yet paginated)."""
    query = select(Organisation)
    if not viewer.private:
        query = query.where(
            or_(
                Organisation.shared_with_partners.is_(True),
                Organisation.id.in_(sorted(viewer.own_ids) or [-1]),
            )
        )
    for token in fold(filters.q).split():
        query = query.where(Organisation.search_text.like(f"%{_like_escape(token)}%", escape="\\"))
    if filters.org_type:
        query = query.where(Organisation.org_type == filters.org_type)
    if filters.country:
        query = query.where(Organisation.country == filters.country)
    if filters.theme:
        query = query.where(
            Organisation.id.in_(
                select(OrganisationTheme.organisation_id).where(
                    OrganisationTheme.theme == filters.theme
                )
            )
        )
    if filters.pic == "missing":
        query = query.where(Organisation.pic.is_(None))
    elif filters.pic == "present":
        query = query.where(Organisation.pic.is_not(None))
    if filters.shared == "yes" and viewer.private:
        query = query.where(Organisation.shared_with_partners.is_(True))
    elif filters.shared == "no" and viewer.private:
        query = query.where(Organisation.shared_with_partners.is_(False))
    if filters.proposal_id is not None:
        part = select(Participation.organisation_id).where(
            Participation.proposal_id == filters.proposal_id
        )
        if filters.status in PARTICIPATION_STATUSES:
            part = part.where(Participation.status == filters.status)
        if filters.status == "none":
            query = query.where(
                Organisation.id.not_in(
                    select(Participation.organisation_id).where(
                        Participation.proposal_id == filters.proposal_id
                    )
                )
            )
        else:
            query = query.where(Organisation.id.in_(part))
    by_name = (Organisation.sort_key, func.lower(Organisation.name), Organisation.id)
    order = {
        "name": by_name,
        "-updated": (Organisation.updated_at.desc(), Organisation.id.desc()),
        "country": (Organisation.country, *by_name),
        "type": (Organisation.org_type, *by_name),
    }.get(filters.sort, by_name)
    return query.order_by(*order)


def countries_in_directory(viewer: Viewer) -> list[str]:
    """Country codes of the organisations ``viewer`` may see, each once."""
    visible = search(Filters(), viewer).order_by(None).with_only_columns(Organisation.country)
    return sorted({code for code in db.session.scalars(visible.distinct()) if code})


def statuses_in(proposal_id: int, org_ids: Sequence[int]) -> dict[int, str]:
    if not org_ids:
        return {}
    return dict(
        db.session.execute(
            select(Participation.organisation_id, Participation.status).where(
                Participation.proposal_id == proposal_id,
                Participation.organisation_id.in_(list(org_ids)),
            )
        ).all()
    )


def export_records(query: Select, viewer: Viewer) -> Iterable[OrganisationRecord]:
    from sqlalchemy.orm import selectinload

    query = query.options(
        selectinload(Organisation.themes),
        selectinload(Organisation.past_projects),
        selectinload(Organisation.contacts),
    )
    for chunk in db.session.scalars(query).partitions(500):
        viewer.know_holdings([org.id for org in chunk])
        for org in chunk:
            yield org_to_record(org, private=viewer.sees_private_of(org))


__all__ = [
    "Filters",
    "ImportResult",
    "Viewer",
    "add_tie",
    "check_organisations",
    "check_ties",
    "create_organisation",
    "delete_organisation",
    "delete_tie",
    "import_organisations",
    "import_ties",
    "merge_organisations",
    "possible_duplicates",
    "search",
    "update_organisation",
    "viewer_for",
]

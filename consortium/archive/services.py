"""Export one proposal with everything it depends on, and import it into another instance.

The export is a zip: ``proposal.json`` (rows as plain values, cross-references by local keys,
never by database ids) plus the uploaded files. On import, organisations are matched by PIC,
then by name and country; accounts by email (missing ones are created deactivated, without a
usable password); the topic must exist in the target's catalogue.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select

from ..auth.models import User
from ..calls.models import Topic
from ..commitments.models import SignedLetter
from ..directory.models import Contact, Organisation, OrganisationTheme, PastProject, Tie
from ..dossier.models import ReferenceDocument, Section, SectionVersion
from ..errors import N_, DomainError
from ..extensions import db
from ..proposals.models import ActionEffort, AuditEvent, Participation, Proposal, ProposalMember
from ..workshops.models import (
    Action,
    ActionOutput,
    ActionParticipant,
    Attendee,
    Output,
    OutputOrganisation,
    Workshop,
    WorkshopAttendance,
)
from .entries import UnsafeEntry, check_entry_names, is_symbolic_link

FORMAT = "consortium-proposal"
# Sub-folders of the upload folder, as the commitments and dossier areas store them.
LETTERS_DIR = "letters"
REFERENCE_DIR = "dossier"
SKIP = {"id", "version"}
# A stored file keeps its original extension only if it is plainly one.
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,9}")


class TransferError(DomainError):
    """The archive cannot be imported; nothing was written."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        kind, raw = next(iter(value.items()))
        if kind == "$datetime":
            return datetime.fromisoformat(raw)
        if kind == "$date":
            return date.fromisoformat(raw)
        if kind == "$decimal":
            return Decimal(raw)
    return value


def _columns(obj, *, skip: set[str] = frozenset()) -> dict[str, Any]:
    mapper = inspect(type(obj))
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in SKIP and attr.key not in skip and not attr.key.endswith("_id")
    }


def _assign(obj, values: dict[str, Any]) -> None:
    keys = {attr.key for attr in inspect(type(obj)).column_attrs}
    for key, value in values.items():
        if key in keys and key not in SKIP and not key.endswith("_id"):
            setattr(obj, key, _typed(value))


def _ref(org_id: int | None) -> str | None:
    """The archive's key of an organisation."""
    return f"org-{org_id}" if org_id else None


def _referenced_org_ids(proposal: Proposal, participations, workshops, actions) -> set[int]:
    """Every organisation the proposal names: partners, members, attendees, output and action
    links."""
    org_ids = {p.organisation_id for p in participations}
    org_ids |= {m.organisation_id for m in proposal.members if m.organisation_id}
    for workshop in workshops:
        org_ids |= {a.organisation_id for a in workshop.attendances}
        org_ids |= {a.organisation_id for a in workshop.attendees if a.organisation_id}
        for output in workshop.outputs:
            org_ids |= {link.organisation_id for link in output.organisations}
    for action in actions:
        org_ids |= {p.organisation_id for p in action.participants}
        if action.lead_organisation_id:
            org_ids.add(action.lead_organisation_id)
    return org_ids


def _exported_files(proposal: Proposal, participations, upload_folder: Path):
    """The signed letters' rows, the reference document's row and the files they point to."""
    files: dict[str, bytes] = {}
    letters = []
    for letter in db.session.scalars(
        select(SignedLetter)
        .where(SignedLetter.participation_id.in_([p.id for p in participations]))
        .order_by(SignedLetter.id)
    ):
        path = Path(upload_folder) / LETTERS_DIR / letter.stored_name
        if path.exists():
            files[f"files/{letter.stored_name}"] = path.read_bytes()
        letters.append(
            {
                **_columns(letter),
                "organisation": _ref(letter.participation.organisation_id),
                "uploaded_by": letter.uploaded_by.email if letter.uploaded_by else None,
            }
        )
    reference = db.session.scalar(
        select(ReferenceDocument).where(ReferenceDocument.proposal_id == proposal.id)
    )
    if reference is not None:
        path = Path(upload_folder) / REFERENCE_DIR / reference.stored_name
        if path.exists():
            files[f"files/{reference.stored_name}"] = path.read_bytes()
    return files, letters, (_columns(reference) if reference else None)


def _organisations_payload(orgs) -> list[dict]:
    return [
        {
            **_columns(o),
            "key": _ref(o.id),
            "themes": o.theme_codes,
            "contacts": [_columns(c) for c in o.contacts],
            "past_projects": [_columns(p) for p in o.past_projects],
        }
        for o in orgs
    ]


def _participations_payload(participations) -> list[dict]:
    return [
        {
            **_columns(p),
            "organisation": _ref(p.organisation_id),
            "affiliated_to": _ref(p.affiliated_to.organisation_id) if p.affiliated_to else None,
            "efforts": [
                {"action": f"action-{e.action_id}", "person_months": _plain(e.person_months)}
                for e in p.efforts
            ],
        }
        for p in participations
    ]


def _workshops_payload(workshops) -> list[dict]:
    return [
        {
            **_columns(w),
            "attendance": [_ref(a.organisation_id) for a in w.attendances],
            "attendees": [
                {**_columns(a), "organisation": _ref(a.organisation_id)} for a in w.attendees
            ],
            "outputs": [
                {
                    **_columns(o),
                    "key": f"output-{o.id}",
                    "organisations": [
                        {"organisation": _ref(link.organisation_id), "relation": link.relation}
                        for link in o.organisations
                    ],
                }
                for o in w.outputs
            ],
        }
        for w in workshops
    ]


def _actions_payload(actions) -> list[dict]:
    return [
        {
            **_columns(a),
            "key": f"action-{a.id}",
            "lead": _ref(a.lead_organisation_id),
            "participants": [_ref(p.organisation_id) for p in a.participants],
            "sources": [f"output-{s.output_id}" for s in a.sources],
        }
        for a in actions
    ]


def _sections_payload(proposal: Proposal) -> list[dict]:
    sections = db.session.scalars(
        select(Section).where(Section.proposal_id == proposal.id).order_by(Section.id)
    )
    return [
        {
            **_columns(s),
            "updated_by": s.updated_by.email if s.updated_by else None,
            "versions": [
                {**_columns(v), "author": v.author.email if v.author else None} for v in s.versions
            ],
        }
        for s in sections
    ]


def _audit_payload(proposal: Proposal) -> list[dict]:
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.proposal_id == proposal.id).order_by(AuditEvent.id)
    )
    return [{**_columns(e), "actor": e.actor.email if e.actor else None} for e in events]


def _ties_payload(org_ids: set[int]) -> list[dict]:
    """The ties between the exported organisations."""
    ties = db.session.scalars(
        select(Tie)
        .where(Tie.organisation_a_id.in_(org_ids), Tie.organisation_b_id.in_(org_ids))
        .order_by(Tie.id)
    )
    return [
        {**_columns(t), "a": _ref(t.organisation_a_id), "b": _ref(t.organisation_b_id)}
        for t in ties
    ]


def export_proposal(proposal: Proposal, upload_folder: Path) -> bytes:
    """The proposal and its whole neighbourhood as a zip archive."""
    participations = list(proposal.participations)
    workshops = list(
        db.session.scalars(
            select(Workshop).where(Workshop.proposal_id == proposal.id).order_by(Workshop.id)
        )
    )
    actions = list(
        db.session.scalars(
            select(Action).where(Action.proposal_id == proposal.id).order_by(Action.id)
        )
    )
    org_ids = _referenced_org_ids(proposal, participations, workshops, actions)
    orgs = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(org_ids)).order_by(Organisation.id)
    )
    files, letters, reference = _exported_files(proposal, participations, upload_folder)
    payload = {
        "format": FORMAT,
        "version": 1,
        "exported_at": datetime.now(UTC).isoformat(),
        "topic": proposal.topic.identifier,
        "proposal": _columns(proposal),
        "organisations": _organisations_payload(orgs),
        "ties": _ties_payload(org_ids),
        "members": [
            {
                "email": m.user.email,
                "name": m.user.name,
                "role": m.role,
                "organisation": _ref(m.organisation_id),
            }
            for m in proposal.members
        ],
        "participations": _participations_payload(participations),
        "workshops": _workshops_payload(workshops),
        "actions": _actions_payload(actions),
        "sections": _sections_payload(proposal),
        "audit_events": _audit_payload(proposal),
        "signed_letters": letters,
        "reference_document": reference,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("proposal.json", json.dumps(payload, ensure_ascii=False, indent=1))
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def read_archive(data: bytes) -> tuple[dict, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if len(infos) > 5000 or sum(i.file_size for i in infos) > 500_000_000:
            raise TransferError(N_("The archive is too large."))
        try:
            check_entry_names(i.filename for i in infos)
        except UnsafeEntry as error:
            raise TransferError(N_("This archive holds an unsafe file name.")) from error
        if any(is_symbolic_link(i.external_attr) for i in infos):
            raise TransferError(N_("This archive holds an unsafe file name."))
        payload = json.loads(archive.read("proposal.json"))
        files = {i.filename: archive.read(i) for i in infos if i.filename.startswith("files/")}
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise TransferError(N_("This file is not a proposal archive.")) from error
    if payload.get("format") != FORMAT:
        raise TransferError(N_("This file is not a proposal archive."))
    return payload, files


class _Import:
    """One archive being imported: the rows created so far, by the archive's keys."""

    def __init__(self, payload: dict, files: dict[str, bytes], upload_folder: Path) -> None:
        self.payload = payload
        self.files = files
        self.upload_folder = Path(upload_folder)
        self.users: dict[str, User] = {}
        self.orgs: dict[str, Organisation] = {}
        self.outputs: dict[str, Output] = {}
        self.actions: dict[str, Action] = {}
        self.participations: dict[str, Participation] = {}

    def user(self, email: str | None, name: str = "") -> User | None:
        """The account with this email; created deactivated, with no usable password, when
        this instance lacks it."""
        if not email:
            return None
        if email not in self.users:
            found = db.session.scalar(select(User).where(User.email == email))
            if found is None:
                found = User(
                    email=email,
                    name=name or email,
                    active=False,
                    password_hash="!" + secrets.token_hex(16),
                )
                db.session.add(found)
                db.session.flush()
            self.users[email] = found
        return self.users[email]

    def org_id(self, key: str | None) -> int | None:
        return self.orgs[key].id if key else None

    def organisations(self) -> None:
        """Match each organisation by PIC, then by name and country; create the others."""
        for record in self.payload["organisations"]:
            org = None
            if record.get("pic"):
                org = db.session.scalar(
                    select(Organisation).where(Organisation.pic == record["pic"])
                )
            if org is None:
                org = db.session.scalar(
                    select(Organisation).where(
                        Organisation.name == record["name"],
                        Organisation.country == record["country"],
                    )
                )
            if org is None:
                org = Organisation()
                _assign(org, record)
                org.themes = [OrganisationTheme(theme=t) for t in record["themes"]]
                org.contacts = [_new(Contact, c) for c in record["contacts"]]
                org.past_projects = [_new(PastProject, p) for p in record["past_projects"]]
                db.session.add(org)
            self.orgs[record["key"]] = org
        db.session.flush()

    def ties(self) -> None:
        """The archive's ties this instance does not know yet."""
        for record in self.payload["ties"]:
            a, b = sorted((self.orgs[record["a"]].id, self.orgs[record["b"]].id))
            known = db.session.scalar(
                select(Tie.id).where(
                    Tie.organisation_a_id == a,
                    Tie.organisation_b_id == b,
                    Tie.kind == record["kind"],
                )
            )
            if known is None:
                tie = _new(Tie, record)
                tie.organisation_a_id, tie.organisation_b_id = a, b
                db.session.add(tie)

    def proposal(self, topic: Topic, acronym: str, actor: User) -> Proposal:
        """The proposal and its members."""
        proposal = _new(Proposal, self.payload["proposal"])
        proposal.acronym = acronym
        proposal.topic = topic
        proposal.created_by_id = actor.id
        db.session.add(proposal)
        db.session.flush()
        for record in self.payload["members"]:
            member = self.user(record["email"], record["name"])
            db.session.add(
                ProposalMember(
                    proposal=proposal,
                    user_id=member.id,
                    role=record["role"],
                    organisation_id=self.org_id(record["organisation"]),
                )
            )
        return proposal

    def workshops(self, proposal: Proposal) -> None:
        """Workshops with attendance, attendees and outputs."""
        for record in self.payload["workshops"]:
            workshop = _new(Workshop, record)
            workshop.proposal_id = proposal.id
            workshop.attendances = [
                WorkshopAttendance(organisation_id=self.orgs[k].id) for k in record["attendance"]
            ]
            workshop.attendees = [
                _with(_new(Attendee, a), organisation_id=self.org_id(a["organisation"]))
                for a in record["attendees"]
            ]
            for item in record["outputs"]:
                output = _new(Output, item)
                output.organisations = [
                    OutputOrganisation(
                        organisation_id=self.orgs[o["organisation"]].id, relation=o["relation"]
                    )
                    for o in item["organisations"]
                ]
                workshop.outputs.append(output)
                self.outputs[item["key"]] = output
            db.session.add(workshop)
        db.session.flush()

    def work_plan(self, proposal: Proposal) -> None:
        """Actions with their lead, participants and source outputs."""
        for record in self.payload["actions"]:
            action = _new(Action, record)
            action.proposal_id = proposal.id
            action.lead_organisation_id = self.org_id(record["lead"])
            action.participants = [
                ActionParticipant(organisation_id=self.orgs[k].id) for k in record["participants"]
            ]
            action.sources = [ActionOutput(output_id=self.outputs[k].id) for k in record["sources"]]
            db.session.add(action)
            self.actions[record["key"]] = action
        db.session.flush()

    def commitments(self, proposal: Proposal) -> None:
        """Participations with their person-months, then their affiliations."""
        for record in self.payload["participations"]:
            participation = _new(Participation, record)
            participation.proposal = proposal
            participation.organisation_id = self.orgs[record["organisation"]].id
            participation.efforts = [
                ActionEffort(
                    action_id=self.actions[e["action"]].id,
                    person_months=_typed(e["person_months"]),
                )
                for e in record["efforts"]
            ]
            db.session.add(participation)
            self.participations[record["organisation"]] = participation
        db.session.flush()
        for record in self.payload["participations"]:
            if record["affiliated_to"]:
                self.participations[record["organisation"]].affiliated_to = self.participations[
                    record["affiliated_to"]
                ]

    def sections_and_events(self, proposal: Proposal) -> None:
        """Sections with their versions, then the audit trail pointing at them."""
        entity_ids = {key: p.id for key, p in self.participations.items()}
        for record in self.payload["sections"]:
            section = _new(Section, record)
            section.proposal_id = proposal.id
            author = self.user(record["updated_by"])
            section.updated_by_id = author.id if author else None
            section.versions = [
                _with(
                    _new(SectionVersion, v),
                    author_id=(self.user(v["author"]).id if v["author"] else None),
                )
                for v in record["versions"]
            ]
            db.session.add(section)
            db.session.flush()
            entity_ids[f"section-{section.code}-{section.language}"] = section.id
        for record in self.payload["audit_events"]:
            event = _new(AuditEvent, record)
            event.proposal_id = proposal.id
            event.entity_id = entity_ids.get(record.get("entity_ref"), 0)
            actor_user = self.user(record["actor"])
            event.actor_id = actor_user.id if actor_user else None
            db.session.add(event)

    def stored_files(self, proposal: Proposal) -> None:
        """Signed letters and the reference document, their files stored under new names."""
        self.upload_folder.mkdir(parents=True, exist_ok=True)
        for record in self.payload["signed_letters"]:
            letter = _new(SignedLetter, record)
            letter.participation = self.participations[record["organisation"]]
            uploader = self.user(record["uploaded_by"])
            letter.uploaded_by_id = uploader.id if uploader else None
            letter.stored_name = self.store(record["stored_name"], LETTERS_DIR)
            db.session.add(letter)
        record = self.payload.get("reference_document")
        if record:
            reference = _new(ReferenceDocument, record)
            reference.proposal_id = proposal.id
            reference.stored_name = self.store(record["stored_name"], REFERENCE_DIR)
            db.session.add(reference)

    def store(self, stored_name: str, folder: str) -> str:
        return _store(
            self.files.get(f"files/{stored_name}"), self.upload_folder / folder, stored_name
        )


def import_proposal(
    data: bytes, *, actor: User, upload_folder: Path, acronym: str | None = None
) -> Proposal:
    """Create the proposal from an archive; flushes, never commits."""
    payload, files = read_archive(data)
    topic = db.session.scalar(select(Topic).where(Topic.identifier == payload["topic"]))
    if topic is None:
        raise TransferError(
            N_("Import the topic %(topic)s into the catalogue first."), {"topic": payload["topic"]}
        )
    acronym = acronym or payload["proposal"]["acronym"]
    if db.session.scalar(select(Proposal.id).where(Proposal.acronym == acronym)) is not None:
        raise TransferError(N_("A proposal %(acronym)s already exists here."), {"acronym": acronym})
    run = _Import(payload, files, upload_folder)
    run.organisations()
    run.ties()
    proposal = run.proposal(topic, acronym, actor)
    run.workshops(proposal)
    run.work_plan(proposal)
    run.commitments(proposal)
    run.sections_and_events(proposal)
    run.stored_files(proposal)
    db.session.flush()
    return proposal


def _new(model, record: dict):
    obj = model()
    _assign(obj, record)
    return obj


def _with(obj, **values):
    for key, value in values.items():
        setattr(obj, key, value)
    return obj


def _store(content: bytes | None, folder: Path, original: str = "") -> str:
    suffix = Path(original).suffix[:10]
    name = secrets.token_hex(16) + (suffix if _SAFE_SUFFIX.fullmatch(suffix) else "")
    folder.mkdir(parents=True, exist_ok=True)
    if content is not None:
        (folder / name).write_bytes(content)
    return name

"""The dossier's services: Part B structure per family, sections and their history, drafting
from the proposal's data, and the Word exports.

Services add and flush, never commit; they raise :mod:`consortium.errors` DomainErrors.
Numbers in the dossier come from the same pure arithmetic as the commitments board
(:mod:`consortium.commitments.budget`), so the totals match to the cent.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import logging
import re
import secrets
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..commitments import budget as b
from ..commitments import budget_charts, rules
from ..commitments.letter import LetterData, build_letters
from ..commitments.services import (
    UploadQuota,
    budget_of,
    check_instance_quota,
    coordinator_of,
    rates,
)
from ..commitments.services import letter_data as commitment_letter_data
from ..directory.models import Organisation as OrgModel
from ..errors import N_, Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..fit.services import dossier_fit
from ..network.services import dossier_network
from ..proposals.models import AuditEvent, Participation, Proposal
from ..translation import translator
from ..web.storage import write_upload
from ..workshops.models import Action as ActionModel
from ..workshops.models import Output as OutputModel
from ..workshops.models import Workshop as WorkshopModel
from ..workshops.schedule import Gantt
from ..workshops.services import work_plan
from . import charts, document, drafting, markup, structure, wordimport
from .models import (
    SECTION_STATUSES,
    ReferenceDocument,
    Section,
    SectionTemplate,
    SectionVersion,
    WordImport,
)

log = logging.getLogger(__name__)


#: Participations left out of the dossier (not, or no longer, part of the consortium).
MAX_BODY = 200_000
LANGS = ("en", "fr")

# Reference .docx limits (reliability.md 4.4): checked before python-docx opens the file.
MAX_REFERENCE_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED = 20 * 1024 * 1024
MAX_ENTRIES = 500
MAX_RATIO = 100
REFERENCE_DIR = "dossier"


# --------------------------------------------------------------------------- structure


def family_of(proposal: Proposal) -> str:
    """The proposal's call family (the topic's action type) if shipped, else SAP."""
    action_type = (proposal.topic.action_type or "").upper() if proposal.topic else ""
    return action_type if action_type in structure.families() else "SAP"


def ensure_templates(family: str) -> list[SectionTemplate]:
    """The family's SectionTemplate rows, seeded from structure.json on first use."""
    rows = _templates(family)
    if rows:
        return rows
    try:
        with db.session.begin_nested():
            for position, spec in enumerate(structure.load_structure(family), 1):
                db.session.add(_template_from_spec(family, position, spec))
    except IntegrityError:  # another request seeded it at the same time
        pass
    return _templates(family)


def sync_structure(families: Sequence[str] | None = None) -> dict[str, int]:
    """Add the sections of structure.json missing from the database (admin edits are kept)."""
    added: dict[str, int] = {}
    for family in families or structure.families():
        existing = {t.code for t in _templates(family)}
        count = 0
        for position, spec in enumerate(structure.load_structure(family), 1):
            if spec.code not in existing:
                db.session.add(_template_from_spec(family, position, spec))
                count += 1
        added[family] = count
    db.session.flush()
    return added


def _templates(family: str) -> list[SectionTemplate]:
    return list(
        db.session.scalars(
            select(SectionTemplate)
            .where(SectionTemplate.family == family)
            .order_by(SectionTemplate.position, SectionTemplate.id)
        )
    )


def _template_from_spec(family: str, position: int, spec: structure.SectionSpec) -> SectionTemplate:
    return SectionTemplate(
        family=family,
        code=spec.code,
        position=position,
        title_en=spec.title_en,
        title_fr=spec.title_fr,
        guidance_en=spec.guidance_en,
        guidance_fr=spec.guidance_fr,
        max_chars=spec.budget_chars,
        drafting_key=spec.drafting_key,
    )


def _chars_per_page() -> int:
    return structure._load_default().get("chars_per_page", structure.DEFAULT_CHARS_PER_PAGE)


def specs_of(templates: Sequence[SectionTemplate]) -> tuple[structure.SectionSpec, ...]:
    """SectionSpecs from the database copy (unnumbered sections as in structure.json)."""
    shipped = {}
    for family in structure.families():
        for spec in structure.load_structure(family):
            shipped.setdefault(spec.code, spec)
    raw = []
    for t in templates:
        item = {
            "code": t.code,
            "title_en": t.title_en,
            "title_fr": t.title_fr,
            "guidance_en": t.guidance_en or "",
            "guidance_fr": t.guidance_fr or "",
            "budget_chars": t.max_chars or 0,
            "drafting_key": t.drafting_key or "free",
        }
        if t.code in shipped and not shipped[t.code].numbered:
            item["numbered"] = False
        raw.append(item)
    return structure.sections_from_data(raw, _chars_per_page())


def structure_for(proposal: Proposal) -> tuple[structure.SectionSpec, ...]:
    return specs_of(ensure_templates(family_of(proposal)))


def update_template(
    template: SectionTemplate, *, values: dict[str, Any], expected_version: int | None, actor: User
) -> None:
    """Change an admin-editable section; the whole family is re-validated before saving."""
    if expected_version is not None and str(expected_version) != str(template.version):
        raise Conflict(N_("Someone else changed this section of the structure."))
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    for field in ("title_en", "title_fr"):
        if not (values.get(field) or "").strip():
            errors[field] = (N_("Enter a title."), {})
        elif len(values[field]) > 300:
            errors[field] = (N_("At most %(max)d characters."), {"max": 300})
    for field in ("guidance_en", "guidance_fr"):
        if len(values.get(field) or "") > 2000:
            errors[field] = (N_("At most %(max)d characters."), {"max": 2000})
    budget = values.get("max_chars")
    if budget is None or isinstance(budget, bool) or not 0 <= int(budget) <= 1_000_000:
        errors["max_chars"] = (N_("Enter a number between 0 and 1,000,000."), {})
    if errors:
        raise ValidationFailed(errors)
    for field in ("title_en", "title_fr", "guidance_en", "guidance_fr"):
        setattr(template, field, values.get(field) or "")
    template.max_chars = int(budget)
    try:
        specs_of(_templates(template.family))
    except ValueError as error:
        raise ValidationFailed(
            {"title_en": (N_("Invalid structure: %(error)s"), {"error": str(error)})}
        ) from None
    db.session.flush()


# --------------------------------------------------------------------------- gathering


@dataclass(frozen=True)
class Gathered:
    """The proposal's data as the dossier needs it, plus the network figure."""

    data: drafting.DossierData
    network_png: bytes | None
    consortium: b.ConsortiumBudget
    participations: tuple[Participation, ...]
    plan: Gantt | None = None  # the actions' Gantt chart (workshops/schedule.py)


def consortium_participations(proposal: Proposal) -> list[Participation]:
    """Participations the dossier presents: the consortium's members (``rules.is_member``)."""
    return [p for p in proposal.participations if rules.is_member(p.status)]


def _actions(proposal: Proposal) -> list[ActionModel]:
    return list(
        db.session.scalars(
            select(ActionModel)
            .where(ActionModel.proposal_id == proposal.id)
            .order_by(ActionModel.position, ActionModel.code, ActionModel.id)
            .options(selectinload(ActionModel.participants), selectinload(ActionModel.sources))
        )
    )


def _gathered_budget(participations: list[Participation], by_id):
    """The consortium budget (the commitments board's own computation, so the dossier's
    totals equal the board's), the dossier's budget table and its members."""
    budgets = [(p, budget_of(p, by_id)) for p in participations]
    consortium = b.consortium_budget(
        [b.ConsortiumRow(str(p.id), p.organisation.short_name, pb) for p, pb in budgets]
    )
    rows = tuple(
        drafting.BudgetRow(
            org_id=str(p.organisation_id),
            name=p.organisation.short_name,
            a=pb.costs.personnel,
            b=pb.costs.subcontracting,
            c1=pb.costs.travel,
            c2=pb.costs.equipment,
            c3=pb.costs.other_goods,
            d=pb.costs.other_costs,
            e=pb.indirect,
            eu_contribution=pb.eu_contribution,
        )
        for p, pb in budgets
        if pb.role is None or pb.role.receives_eu_funding
    )
    members = tuple(
        drafting.Member(
            org_id=str(p.organisation_id),
            role=p.role,
            budget_total=pb.total,
            eu_contribution=pb.eu_contribution,
            person_months=pb.person_months_total if pb.person_months else None,
        )
        for p, pb in budgets
    )
    return consortium, rows, members


def _workshops(proposal: Proposal) -> list[WorkshopModel]:
    return list(
        db.session.scalars(
            select(WorkshopModel)
            .where(WorkshopModel.proposal_id == proposal.id)
            .order_by(WorkshopModel.held_on, WorkshopModel.id)
            .options(
                selectinload(WorkshopModel.attendances),
                selectinload(WorkshopModel.attendees),
                selectinload(WorkshopModel.outputs).selectinload(OutputModel.organisations),
            )
        )
    )


def _output_data(ws: WorkshopModel, output: OutputModel) -> drafting.Output:
    return drafting.Output(
        id=str(output.id),
        workshop_id=str(ws.id),
        kind=output.kind,  # type: ignore[arg-type]
        text=output.text,
        organisation_ids=tuple(
            dict.fromkeys(str(link.organisation_id) for link in output.organisations)
        ),
        tags=tuple(output.tags or ()),
        # The app ranks 1 = first; the drafts put higher numbers first.
        priority=(100 - output.priority) if output.priority else 0,
    )


def _gathered_workshops(
    proposal: Proposal, org_ids: set[int]
) -> tuple[list[drafting.Workshop], list[drafting.Output]]:
    """The workshops and their outputs; the organisations they name join ``org_ids``."""
    workshops, outputs = [], []
    for ws in _workshops(proposal):
        org_ids.update(a.organisation_id for a in ws.attendances)
        workshops.append(
            drafting.Workshop(
                id=str(ws.id),
                step=ws.step
                if ws.step in ("vision", "actions_needs", "dossier_framework")
                else "other",
                title=ws.title,
                date=ws.held_on,
                place=ws.place or "",
                n_organisations=len(ws.attendances),
                n_people=len(ws.attendees),
                organisation_ids=tuple(str(a.organisation_id) for a in ws.attendances),
            )
        )
        for output in ws.outputs:
            org_ids.update(link.organisation_id for link in output.organisations)
            outputs.append(_output_data(ws, output))
    return workshops, outputs


def _gathered_actions(actions: list[ActionModel], org_ids: set[int]) -> list[drafting.Action]:
    """The actions as work packages; their lead and participants join ``org_ids``."""
    action_data = []
    for a in actions:
        if a.lead_organisation_id:
            org_ids.add(a.lead_organisation_id)
        org_ids.update(x.organisation_id for x in a.participants)
        action_data.append(
            drafting.Action(
                id=str(a.id),
                code=a.code,
                title=a.title,
                objective=a.objective or "",
                lead_id=str(a.lead_organisation_id) if a.lead_organisation_id else None,
                participant_ids=tuple(str(x.organisation_id) for x in a.participants),
                start_month=a.start_month,
                end_month=a.end_month,
                deliverables=tuple(
                    d.strip() for d in re.split(r"[;\n]", a.deliverables or "") if d.strip()
                ),
                source_output_ids=tuple(str(s.output_id) for s in a.sources),
            )
        )
    return action_data


def _gathered_organisations(org_ids: set[int]) -> tuple[drafting.Organisation, ...]:
    """Every organisation the dossier names, by id."""
    if not org_ids:
        return ()
    orgs = db.session.scalars(
        select(OrgModel)
        .where(OrgModel.id.in_(org_ids))
        .options(selectinload(OrgModel.themes), selectinload(OrgModel.past_projects))
    ).all()
    return tuple(
        drafting.Organisation(
            id=str(o.id),
            name=o.name,
            acronym=o.acronym or "",
            org_type=o.org_type or "",
            country=o.country or "",
            city=o.city or "",
            description=o.description or "",
            pic=o.pic or "",
            themes=tuple(o.theme_codes),
            past_projects=tuple(
                f"{pp.programme} {pp.reference or ''} – {pp.title}".replace("  ", " ")
                for pp in o.past_projects[:3]
            ),
        )
        for o in sorted(orgs, key=lambda o: o.id)
    )


def _proposal_data(proposal: Proposal) -> drafting.ProposalData:
    coordinator = coordinator_of(proposal)
    topic = proposal.topic
    return drafting.ProposalData(
        acronym=proposal.acronym,
        title=proposal.title,
        topic_id=topic.identifier,
        topic_title=topic.title,
        sub_programme=topic.sub_programme or "",
        subtopics=tuple(proposal.subtopics or ()),
        territory=proposal.territory or "",
        summary="",  # the summary is drafted from the data; the proposal's own is a note
        coordinator_name=coordinator.organisation.name if coordinator else "",
        language="fr" if proposal.document_language == "fr" else "en",
        duration_months=proposal.duration_months,
    )


def _gathered_network(proposal: Proposal) -> tuple[drafting.NetworkSummary | None, bytes | None]:
    """The network summary and its figure (the summary says when the figure exists)."""
    network, png = dossier_network(proposal)
    if network is not None and png and not network.figure_available:
        network = drafting.NetworkSummary(
            density=network.density,
            n_members=network.n_members,
            n_ties=network.n_ties,
            brokers=network.brokers,
            figure_available=True,
        )
    return network, png


def gather(proposal: Proposal) -> Gathered:
    """Read everything the drafts and the export use from the database.

    Always with the network analysis: a draft gathered without it said "Network analysis: not
    yet available" and, once stored, outlived the export (issue #14, point 2).
    """
    participations = consortium_participations(proposal)
    actions = _actions(proposal)
    consortium, rows, members = _gathered_budget(participations, {a.id: a for a in actions})
    funding, _indirect = rates(proposal)
    budget_summary = (
        drafting.BudgetSummary(rows=rows, funding_rate=funding, eu_contribution=consortium.eu_total)
        if rows
        else None
    )
    org_ids = {p.organisation_id for p in participations}
    workshops, outputs = _gathered_workshops(proposal, org_ids)
    action_data = _gathered_actions(actions, org_ids)
    network, png = _gathered_network(proposal)
    data = drafting.DossierData(
        proposal=_proposal_data(proposal),
        organisations=_gathered_organisations(org_ids),
        members=members,
        workshops=tuple(workshops),
        outputs=tuple(outputs),
        actions=tuple(action_data),
        budget=budget_summary,
        network=network,
        fit=dossier_fit(proposal),
    )
    return Gathered(data, png, consortium, tuple(participations), plan=work_plan(proposal, actions))


# --------------------------------------------------------------------------- sections


def _sources_json(draft: drafting.Draft) -> list[list[dict[str, str]]]:
    return [
        [{"kind": s.kind, "id": s.id, "label": s.label} for s in block] for block in draft.sources
    ]


def sources_of(section: Section) -> tuple[tuple[drafting.Source, ...], ...]:
    """The stored per-block sources (empty once the writer edited the text)."""
    if section.edited_by_writer or not isinstance(section.sources, list):
        return ()
    found = []
    for block in section.sources:
        items = []
        for item in block if isinstance(block, list) else []:
            if isinstance(item, dict) and {"kind", "id", "label"} <= set(item):
                items.append(
                    drafting.Source(str(item["kind"]), str(item["id"]), str(item["label"]))
                )  # type: ignore[arg-type]
        found.append(tuple(items))
    return tuple(found)


def language_of(proposal: Proposal, requested: str | None = None) -> str:
    if requested in LANGS:
        return requested  # type: ignore[return-value]
    return "fr" if proposal.document_language == "fr" else "en"


def sections_of(proposal: Proposal, lang: str) -> dict[str, Section]:
    return {
        s.code: s
        for s in db.session.scalars(
            select(Section).where(Section.proposal_id == proposal.id, Section.language == lang)
        )
    }


def versions_count(section: Section) -> int:
    """How many versions the section has, counted in the database (a long-edited section has
    hundreds, and the editing page only shows the number)."""
    if section.id is None:
        return 0
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SectionVersion)
            .where(SectionVersion.section_id == section.id)
        )
        or 0
    )


def _next_number(section: Section) -> int:
    if section.id is None:
        return 1
    current = db.session.scalar(
        select(func.max(SectionVersion.number)).where(SectionVersion.section_id == section.id)
    )
    return (current or 0) + 1


def audit(
    section: Section,
    field: str,
    before: object,
    after: object,
    *,
    actor: User | None,
    **details: object,
) -> None:
    db.session.add(
        AuditEvent(
            proposal_id=section.proposal_id,
            entity="section",
            entity_id=section.id,
            field=field,
            before=None if before is None else str(before),
            after=None if after is None else str(after),
            actor_id=actor.id if actor else None,
            details={"code": section.code, "language": section.language, **details},
        )
    )


def ensure_sections(
    proposal: Proposal,
    lang: str,
    specs: Sequence[structure.SectionSpec],
    gathered: Gathered | None = None,
    *,
    actor: User | None = None,
) -> dict[str, Section]:
    """Every drafted section of the structure has a row in ``lang`` (first draft as version 1)."""
    existing = sections_of(proposal, lang)
    missing = [s for s in specs if s.drafting_key != "heading" and s.code not in existing]
    placeholders = [s for s in specs if s.code in existing and _is_placeholder(existing[s.code])]
    if placeholders:
        gathered = gathered or gather(proposal)
        for spec in placeholders:
            _first_draft(existing[spec.code], spec, gathered, specs, actor)
        db.session.flush()
    if not missing:
        return existing
    gathered = gathered or gather(proposal)
    try:
        with db.session.begin_nested():
            for spec in missing:
                draft = drafting.draft_section(
                    spec.code, gathered.data, translator(lang), tuple(specs)
                )
                section = Section(
                    proposal_id=proposal.id,
                    code=spec.code,
                    language=lang,
                    body=draft.markup,
                    status="draft",
                    generated_body=draft.markup,
                    sources=_sources_json(draft),
                    edited_by_writer=False,
                    updated_by_id=actor.id if actor else None,
                )
                db.session.add(section)
                db.session.flush()
                db.session.add(
                    SectionVersion(
                        section=section,
                        number=1,
                        body=draft.markup,
                        status="draft",
                        origin="generated",
                        author_id=actor.id if actor else None,
                    )
                )
                audit(section, "created", None, "draft", actor=actor, version=1)
            db.session.flush()
    except IntegrityError:  # another request created them at the same moment
        pass
    return sections_of(proposal, lang)


def start_sections(proposal: Proposal, *, actor: User | None = None) -> dict[str, Section]:
    """Sections of the document language from the moment the proposal exists.

    Called wherever a proposal is created (page, CLI, demo) so that the dashboard counts the
    real number of sections before anyone opens the dossier (issue #14, point 5).
    """
    lang = language_of(proposal)
    return ensure_sections(proposal, lang, structure_for(proposal), actor=actor)


def _is_placeholder(section: Section) -> bool:
    """A row the migration created for an existing proposal, not drafted yet."""
    return section.generated_body is None and not section.body and section.status == "draft"


def _first_draft(
    section: Section,
    spec: structure.SectionSpec,
    gathered: Gathered,
    specs: Sequence[structure.SectionSpec],
    actor: User | None,
) -> None:
    """Fill a placeholder with its first draft, as version 1."""
    draft = drafting.draft_section(
        spec.code, gathered.data, translator(section.language), tuple(specs)
    )
    section.body = section.generated_body = draft.markup
    section.sources = _sources_json(draft)
    db.session.add(
        SectionVersion(
            section=section,
            number=_next_number(section),
            body=draft.markup,
            status="draft",
            origin="generated",
            author_id=actor.id if actor else None,
        )
    )
    audit(section, "created", None, "draft", actor=actor, version=1)


def find_section(proposal: Proposal, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.proposal_id != proposal.id:
        raise NotFound(N_("No such section."))
    return section


def _check_version(section: Section, expected_version: object) -> None:
    try:
        expected = int(expected_version)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Conflict(N_("This section changed since you opened it.")) from None
    if expected != section.version:
        raise Conflict(N_("This section changed since you opened it."))


def _new_version(section: Section, origin: str, actor: User | None) -> SectionVersion:
    version = SectionVersion(
        section=section,
        number=_next_number(section),
        body=section.body,
        status=section.status,
        origin=origin,
        author_id=actor.id if actor else None,
    )
    db.session.add(version)
    return version


def save_section(
    section: Section, *, body: str, status: str, expected_version: object, actor: User
) -> SectionVersion | None:
    """A writer's save: a new version when text or status changed; None when nothing did."""
    _check_version(section, expected_version)
    errors: dict[str, tuple[str, dict[str, object]]] = {}
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(body) > MAX_BODY:
        errors["body"] = (N_("At most %(max)d characters."), {"max": MAX_BODY})
    if status not in SECTION_STATUSES:
        errors["status"] = (N_("Choose a status from the list."), {})
    if errors:
        raise ValidationFailed(errors)
    if body == section.body and status == section.status:
        return None
    if body != section.body:
        audit(section, "body", section.body, body, actor=actor, origin="edit")
        section.body = body
        section.edited_by_writer = body != (section.generated_body or "")
    if status != section.status:
        audit(section, "status", section.status, status, actor=actor)
        section.status = status
    section.updated_by_id = actor.id
    section.updated_at = dt.datetime.now(dt.UTC)
    version = _new_version(section, "edit", actor)
    db.session.flush()
    return version


def draft_for(
    section: Section, proposal: Proposal, gathered: Gathered | None = None
) -> drafting.Draft:
    specs = structure_for(proposal)
    if not any(s.code == section.code for s in specs):
        raise NotFound(N_("This section is no longer in the structure."))
    gathered = gathered or gather(proposal)
    return drafting.draft_section(section.code, gathered.data, translator(section.language), specs)


def regenerate(
    section: Section,
    draft: drafting.Draft,
    *,
    expected_version: object,
    confirmed: bool,
    actor: User,
) -> SectionVersion | None:
    """Replace the text by a fresh draft; a writer's edits are replaced only when confirmed."""
    _check_version(section, expected_version)
    if section.edited_by_writer and not confirmed:
        raise Conflict(N_("The writers edited this section: confirm to replace their text."))
    section.generated_body = draft.markup
    section.sources = _sources_json(draft)
    section.edited_by_writer = False
    if draft.markup == section.body:
        db.session.flush()
        return None
    audit(section, "body", section.body, draft.markup, actor=actor, origin="generated")
    section.body = draft.markup
    section.updated_by_id = actor.id
    section.updated_at = dt.datetime.now(dt.UTC)
    version = _new_version(section, "generated", actor)
    db.session.flush()
    return version


def find_version(section: Section, number: int) -> SectionVersion:
    version = db.session.scalar(
        select(SectionVersion).where(
            SectionVersion.section_id == section.id, SectionVersion.number == number
        )
    )
    if version is None:
        raise NotFound(N_("No such version."))
    return version


def restore(
    section: Section, version: SectionVersion, *, expected_version: object, actor: User
) -> SectionVersion:
    """Bring back an old text as a new version (history is never rewritten)."""
    _check_version(section, expected_version)
    audit(
        section,
        "body",
        section.body,
        version.body,
        actor=actor,
        origin="restore",
        restored=version.number,
    )
    section.body = version.body
    section.edited_by_writer = version.body != (section.generated_body or "")
    section.updated_by_id = actor.id
    section.updated_at = dt.datetime.now(dt.UTC)
    restored = _new_version(section, "restore", actor)
    db.session.flush()
    return restored


# --------------------------------------------------------------------------- diff and length


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: ``tag`` is equal/insert/delete; ``parts`` (tag, text) word runs."""

    tag: str
    parts: tuple[tuple[str, str], ...]


def _words(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text)


def diff(before: str, after: str) -> list[DiffLine]:
    """Line diff with word-level highlights inside changed lines (rendered escaped)."""
    old, new = (before or "").split("\n"), (after or "").split("\n")
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            lines.extend(DiffLine("equal", (("equal", line),)) for line in old[i1:i2])
            continue
        removed, added = old[i1:i2], new[j1:j2]
        if op == "replace" and len(removed) == len(added):
            for a_line, b_line in zip(removed, added, strict=True):
                a_words, b_words = _words(a_line), _words(b_line)
                words = difflib.SequenceMatcher(a=a_words, b=b_words, autojunk=False)
                del_parts, ins_parts = [], []
                for wop, a1, a2, b1, b2 in words.get_opcodes():
                    if wop == "equal":
                        del_parts.append(("equal", "".join(a_words[a1:a2])))
                        ins_parts.append(("equal", "".join(b_words[b1:b2])))
                    else:
                        if a2 > a1:
                            del_parts.append(("delete", "".join(a_words[a1:a2])))
                        if b2 > b1:
                            ins_parts.append(("insert", "".join(b_words[b1:b2])))
                lines.append(DiffLine("delete", tuple(del_parts)))
                lines.append(DiffLine("insert", tuple(ins_parts)))
            continue
        lines.extend(DiffLine("delete", (("delete", line),)) for line in removed)
        lines.extend(DiffLine("insert", (("insert", line),)) for line in added)
    return lines


@dataclass(frozen=True)
class Length:
    chars: int
    budget: int
    pages: float

    @property
    def ratio(self) -> float:
        return self.chars / self.budget if self.budget else 0.0

    @property
    def over(self) -> bool:
        return bool(self.budget) and self.chars > self.budget


def length_of(body: str | None, spec: structure.SectionSpec) -> Length:
    chars = markup.plain_length(body)
    return Length(chars, spec.budget_chars, round(chars / spec.chars_per_page, 1))


def page_estimate(bodies: Sequence[str], chars_per_page: int | None = None) -> float:
    """Pages of running text of the whole Part B (characters / characters per page)."""
    per_page = chars_per_page or _chars_per_page()
    return round(sum(markup.plain_length(body) for body in bodies) / per_page, 1)


# --------------------------------------------------------------------------- exports


def _reference_bytes(proposal: Proposal, upload_folder: str) -> bytes | None:
    ref = db.session.scalar(
        select(ReferenceDocument).where(ReferenceDocument.proposal_id == proposal.id)
    )
    if ref is None:
        return None
    path = reference_path(ref, upload_folder)
    try:
        data = path.read_bytes()
    except OSError:
        log.warning("reference document %s is missing", path)
        return None
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        log.warning("reference document %s does not match its checksum", path)
        return None
    return data


def _budget_figure(gathered: Gathered, lang: str) -> bytes | None:
    """The budget charts of the commitments board, drawn for the dossier's budget section."""
    actions = [(a.code, f"{a.code} {a.title}") for a in gathered.data.actions]
    return charts.budget_png(budget_charts.budget_charts(gathered.consortium, actions), lang)


def dossier_content(
    proposal: Proposal,
    lang: str,
    *,
    include_sources: bool = True,
    today: dt.date | None = None,
    gathered: Gathered | None = None,
    section_code: str | None = None,
) -> document.DossierContent:
    """What the Word export shows: the writers' texts where they exist, else the drafts.

    With ``section_code`` (a one-section export), only the figures that section shows are
    drawn: the budget charts take about half a second.
    """
    gathered = gathered or gather(proposal)
    specs = structure_for(proposal)
    drafts = drafting.draft_all(gathered.data, translator(lang), specs)
    rows = sections_of(proposal, lang)
    sections = []
    for spec in specs:
        row = rows.get(spec.code)
        if row is not None:
            sections.append(
                document.SectionContent.from_spec(spec, lang, row.body, sources_of(row))
            )
        else:
            draft = drafts[spec.code]
            sections.append(
                document.SectionContent.from_spec(spec, lang, draft.markup, draft.sources)
            )
    shown = {s.key for s in sections if section_code is None or s.code == section_code}
    if section_code is None:  # the whole dossier places missing tables in an annex
        shown |= {"work_packages", "budget"}
    return document.DossierContent(
        proposal=gathered.data.proposal,
        sections=tuple(sections),
        organisations=gathered.data.organisations,
        members=gathered.data.members,
        actions=gathered.data.actions,
        budget=gathered.data.budget,
        network_png=gathered.network_png,
        gantt_png=charts.gantt_png(gathered.plan, lang)
        if gathered.plan and "work_packages" in shown
        else None,
        budget_png=_budget_figure(gathered, lang) if "budget" in shown else None,
        date=today or dt.datetime.now(dt.UTC).date(),
        note=structure.structure_note(lang, family_of(proposal)),
        include_sources_annex=include_sources,
    )


def _build(function, *args, reference: bytes | None):  # type: ignore[no-untyped-def]
    """Build with the writer's reference styles; a reference python-docx cannot use is skipped."""
    if reference is not None:
        try:
            return function(*args, reference_docx=reference)
        except document.REFERENCE_ERRORS:
            log.exception("building with the reference document failed; using default styles")
    return function(*args, reference_docx=None)


def export_dossier(
    proposal: Proposal,
    lang: str,
    *,
    upload_folder: str,
    include_sources: bool = True,
    today: dt.date | None = None,
) -> bytes:
    content = dossier_content(proposal, lang, include_sources=include_sources, today=today)
    return _build(
        document.build_dossier,
        content,
        translator(lang),
        reference=_reference_bytes(proposal, upload_folder),
    )


def export_section(
    proposal: Proposal, code: str, lang: str, *, upload_folder: str, include_sources: bool = True
) -> bytes:
    content = dossier_content(proposal, lang, include_sources=include_sources, section_code=code)
    if not any(s.code == code for s in content.sections):
        raise NotFound(N_("No such section."))
    return _build(
        document.build_section,
        content,
        code,
        translator(lang),
        reference=_reference_bytes(proposal, upload_folder),
    )


def export_partner_table(proposal: Proposal, lang: str, *, upload_folder: str) -> bytes:
    gathered = gather(proposal)
    data = gathered.data
    return _build(
        document.build_partner_table,
        data.proposal,
        data.organisations,
        data.members,
        translator(lang),
        reference=_reference_bytes(proposal, upload_folder),
    )


def letter_data(p: Participation, actions: Sequence[ActionModel], *, today: dt.date) -> LetterData:
    """One partner's letter of commitment: the commitments area's own letter data."""
    return commitment_letter_data(p, today=today)


def export_letters(proposal: Proposal, lang: str, *, today: dt.date | None = None) -> bytes:
    """The letters of commitment of all the consortium's partners, in one document."""
    today = today or dt.datetime.now(dt.UTC).date()
    actions = _actions(proposal)
    participations = consortium_participations(proposal)
    if not participations:
        raise NotFound(N_("No partner in the consortium yet: there is no letter to export."))
    ordered = sorted(participations, key=lambda p: (p.role != "coordinator", p.id))
    return build_letters([letter_data(p, actions, today=today) for p in ordered], translator(lang))


def export_filename(proposal: Proposal, what: str, lang: str) -> str:
    """A safe ASCII file name: ``REBATIR-part-b-fr.docx``."""
    acronym = re.sub(r"[^A-Za-z0-9_-]+", "-", proposal.acronym).strip("-") or "proposal"
    what = re.sub(r"[^A-Za-z0-9_.-]+", "-", what).strip("-")
    return f"{acronym}-{what}-{lang}.docx"


# --------------------------------------------------------------------------- reference document


def check_docx(data: bytes) -> None:
    """Refuse anything that is not a small, sane OOXML word-processing zip (zip-bomb safe)."""
    invalid = ValidationFailed({"file": (N_("This is not a Word .docx file."), {})})
    if len(data) > MAX_REFERENCE_BYTES:
        raise ValidationFailed(
            {
                "file": (
                    N_("The file is larger than %(max)d MB."),
                    {"max": MAX_REFERENCE_BYTES // (1024 * 1024)},
                )
            }
        )
    if not data.startswith(b"PK\x03\x04"):
        raise invalid
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise invalid
            total = 0
            names = set()
            for entry in entries:
                name = entry.filename
                if (
                    name.startswith(("/", "\\"))
                    or ".." in name.replace("\\", "/").split("/")
                    or ":" in name
                ):
                    raise invalid
                if stat.S_ISLNK(entry.external_attr >> 16):
                    raise invalid
                total += entry.file_size
                if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
                    raise invalid
                if not entry.compress_size and entry.file_size > 1024:
                    raise invalid
                names.add(name)
            if (
                total > MAX_UNZIPPED
                or "[Content_Types].xml" not in names
                or "word/document.xml" not in names
            ):
                raise invalid
            content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, ValueError, EOFError):
        raise invalid from None
    if b"wordprocessingml" not in content_types or b"macroEnabled" in content_types:
        raise invalid
    try:
        # Opened as every later export will open it: a file python-docx reads but the
        # dossier cannot be built with would otherwise break the exports.
        document.check_reference(data)
    except document.REFERENCE_ERRORS:
        raise invalid from None


def reference_path(ref: ReferenceDocument, upload_folder: str) -> Path:
    return Path(upload_folder) / REFERENCE_DIR / ref.stored_name


def store_reference(
    proposal: Proposal,
    *,
    filename: str,
    data: bytes,
    upload_folder: str,
    actor: User,
    quota: UploadQuota | None = None,
) -> tuple[ReferenceDocument, str | None]:
    """Check and store the writer's reference .docx; returns it and the replaced file's name."""
    check_docx(data)
    original = (filename or "reference.docx").replace("\\", "/").rsplit("/", 1)[-1][:255]
    if not original.lower().endswith(".docx"):
        raise ValidationFailed({"file": (N_("This is not a Word .docx file."), {})})
    ref = db.session.scalar(
        select(ReferenceDocument).where(ReferenceDocument.proposal_id == proposal.id)
    )
    check_instance_quota(len(data), quota or UploadQuota(), freeing=ref.size if ref else 0)
    stored = f"{secrets.token_hex(16)}.docx"
    write_upload(Path(upload_folder) / REFERENCE_DIR / stored, data)
    replaced = None
    if ref is None:
        ref = ReferenceDocument(proposal_id=proposal.id)
        db.session.add(ref)
    else:
        replaced = ref.stored_name
    ref.original_name = original
    ref.stored_name = stored
    ref.sha256 = hashlib.sha256(data).hexdigest()
    ref.size = len(data)
    ref.uploaded_at = dt.datetime.now(dt.UTC)
    ref.uploaded_by_id = actor.id
    db.session.flush()
    return ref, replaced


def remove_reference(proposal: Proposal, *, actor: User) -> str | None:
    ref = db.session.scalar(
        select(ReferenceDocument).where(ReferenceDocument.proposal_id == proposal.id)
    )
    if ref is None:
        return None
    name = ref.stored_name
    db.session.delete(ref)
    db.session.flush()
    return name


def reference_of(proposal: Proposal) -> ReferenceDocument | None:
    return db.session.scalar(
        select(ReferenceDocument).where(ReferenceDocument.proposal_id == proposal.id)
    )


# --------------------------------------------------------------------------- Word round trip

IMPORT_DIR = "dossier-imports"


def known_sections(proposal: Proposal) -> list[wordimport.KnownSection]:
    """The structure's sections with the headings a file may carry (both languages)."""
    return [
        wordimport.KnownSection(
            spec.code,
            spec.level,
            (spec.heading("en"), spec.heading("fr")),
            container=spec.drafting_key == "heading",
        )
        for spec in structure_for(proposal)
    ]


def _read_import(proposal: Proposal, data: bytes) -> wordimport.ImportedFile:
    try:
        return wordimport.read_docx(data, known_sections(proposal))
    except wordimport.NotADocx:
        raise ValidationFailed({"file": (N_("This is not a Word .docx file."), {})}) from None


def upload_word(
    proposal: Proposal,
    *,
    lang: str,
    filename: str,
    data: bytes,
    upload_folder: str,
    actor: User,
) -> WordImport:
    """Check a Word file, find the dossier's sections in it and keep it for review.

    Nothing is changed in the sections here: each one is saved only when the writer accepts
    it after seeing its diff.
    """
    if lang not in LANGS:
        raise ValidationFailed({"language": (N_("Choose a language from the list."), {})})
    original = (filename or "dossier.docx").replace("\\", "/").rsplit("/", 1)[-1][:255]
    if not original.lower().endswith(".docx"):
        raise ValidationFailed({"file": (N_("This is not a Word .docx file."), {})})
    check_docx(data)
    found = _read_import(proposal, data)
    if not found.sections:
        raise ValidationFailed(
            {
                "file": (
                    N_(
                        "No section of this proposal's dossier was found in the file: its "
                        "headings must be the section headings (for example "
                        "\u201c%(example)s\u201d)."
                    ),
                    {
                        "example": next(
                            (k.headings[0] for k in known_sections(proposal) if not k.container), ""
                        )
                    },
                )
            }
        )
    rows = ensure_sections(proposal, lang, structure_for(proposal), actor=actor)
    stored = f"{secrets.token_hex(16)}.docx"
    write_upload(Path(upload_folder) / IMPORT_DIR / stored, data)
    upload = WordImport(
        proposal_id=proposal.id,
        language=lang,
        original_name=original,
        stored_name=stored,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        base_versions={s.code: rows[s.code].version for s in found.sections if s.code in rows},
        status="pending",
        uploaded_by_id=actor.id,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def find_import(proposal: Proposal, import_id: int) -> WordImport:
    upload = db.session.get(WordImport, import_id)
    if upload is None or upload.proposal_id != proposal.id:
        raise NotFound(N_("No such Word import."))
    return upload


def imports_of(proposal: Proposal) -> list[WordImport]:
    return list(
        db.session.scalars(
            select(WordImport)
            .where(WordImport.proposal_id == proposal.id)
            .order_by(WordImport.uploaded_at.desc(), WordImport.id.desc())
            .limit(20)
        )
    )


@dataclass(frozen=True)
class ReviewItem:
    """One section found in the file, next to the proposal's current text.

    ``state``: ``changed``, ``unchanged``, ``stale`` (the section was saved after the
    upload: accepting it would overwrite someone's work unseen) or ``missing`` (the section
    is no longer in this proposal's structure)."""

    code: str
    heading: str
    section: Section | None
    imported: wordimport.ImportedSection
    markup: str
    lines: list[DiffLine]
    state: str
    rejected: frozenset[int]


def import_file(upload: WordImport, upload_folder: str) -> bytes:
    return (Path(upload_folder) / IMPORT_DIR / upload.stored_name).read_bytes()


def review_import(
    proposal: Proposal,
    upload: WordImport,
    *,
    data: bytes,
    rejected: dict[str, frozenset[int]] | None = None,
) -> tuple[list[ReviewItem], wordimport.ImportedFile]:
    """Each section of the file with its diff against the current text, tracked changes
    resolved as the writer decided (``rejected``: change numbers per section code)."""
    found = _read_import(proposal, data)
    rows = sections_of(proposal, upload.language)
    specs = {s.code: s for s in structure_for(proposal)}
    items = []
    for imported in found.sections:
        section = rows.get(imported.code)
        spec = specs.get(imported.code)
        refused = (rejected or {}).get(imported.code, frozenset())
        new = imported.markup(refused)
        current = markup.to_markup(markup.parse(section.body)) if section else ""
        if section is None or spec is None:
            state = "missing"
        elif section.version != upload.base_versions.get(imported.code):
            state = "stale"
        elif new == current:
            state = "unchanged"
        else:
            state = "changed"
        items.append(
            ReviewItem(
                code=imported.code,
                heading=spec.heading(upload.language) if spec else imported.heading,
                section=section,
                imported=imported,
                markup=new,
                lines=diff(current, new),
                state=state,
                rejected=refused,
            )
        )
    return items, found


def apply_import(
    proposal: Proposal,
    upload: WordImport,
    *,
    data: bytes,
    accepted: set[str],
    rejected: dict[str, frozenset[int]],
    expected_version: object,
    actor: User,
) -> list[SectionVersion]:
    """Save the accepted sections as new versions authored by the uploader.

    A section saved by someone after the upload is a conflict: nothing is saved, so the
    writer can upload again and see the diff against the new text.
    """
    try:
        if int(expected_version) != upload.version:  # type: ignore[arg-type]
            raise Conflict(N_("This import was reviewed by someone else meanwhile."))
    except (TypeError, ValueError):
        raise Conflict(N_("This import was reviewed by someone else meanwhile.")) from None
    if upload.status != "pending":
        raise Conflict(N_("This import was reviewed by someone else meanwhile."))
    items, _found = review_import(proposal, upload, data=data, rejected=rejected)
    author_id = upload.uploaded_by_id
    created = []
    for item in items:
        if item.code not in accepted or item.state == "unchanged":
            continue
        if item.state in ("stale", "missing") or item.section is None:
            raise Conflict(N_("This section changed since you opened it."))
        if len(item.markup) > MAX_BODY:
            raise ValidationFailed({"file": (N_("At most %(max)d characters."), {"max": MAX_BODY})})
        section = item.section
        audit(
            section,
            "body",
            section.body,
            item.markup,
            actor=actor,
            origin="import",
            file=upload.original_name,
            rejected_changes=sorted(item.rejected),
            changes=[
                {"number": c.number, "kind": c.kind, "author": c.author, "text": c.text}
                for c in item.imported.changes
            ],
            comments=[
                {"author": c.author, "text": c.text, "anchor": c.anchor}
                for c in item.imported.comments
            ],
        )
        section.body = item.markup
        section.edited_by_writer = item.markup != (section.generated_body or "")
        section.updated_by_id = author_id
        section.updated_at = dt.datetime.now(dt.UTC)
        version = SectionVersion(
            section=section,
            number=_next_number(section),
            body=section.body,
            status=section.status,
            origin="import",
            author_id=author_id,
        )
        db.session.add(version)
        created.append(version)
    upload.status = "applied"
    upload.reviewed_at = dt.datetime.now(dt.UTC)
    db.session.flush()
    return created


def discard_import(upload: WordImport, *, expected_version: object, actor: User) -> None:
    if str(upload.version) != str(expected_version) or upload.status != "pending":
        raise Conflict(N_("This import was reviewed by someone else meanwhile."))
    upload.status = "discarded"
    upload.reviewed_at = dt.datetime.now(dt.UTC)
    db.session.flush()

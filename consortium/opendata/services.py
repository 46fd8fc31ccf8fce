"""Open-data import, matching to the directory, the review queue and Europe-wide search.

``import_open_data`` runs in one transaction (the caller commits): it saves the file's
organisations, projects and participations (updating what an earlier file gave, so a newer file
never duplicates), re-matches the open-data organisations to the directory, then refreshes what
matched organisations get from open data: past projects and co-participation ties.
Decisions a person took in the review queue (confirmed, rejected) are never overridden.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, func, insert, or_, select, update

from consortium.errors import N_

from ..auth.models import User
from ..directory import services as directory_services
from ..directory.models import Organisation, PastProject, Tie
from ..directory.records import validate_record
from ..errors import DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..fit import scoring
from ..fit.services import build_context, topic_catalogue
from ..folding import words
from . import coparticipation, matching
from .models import OpenOrganisation, OpenParticipation, OpenProject
from .sources import Batch, Message, read_file

CANCELLED = N_("The import was cancelled; nothing was changed.")
NOTHING_TO_IMPORT = N_("Nothing was imported: %(reason)s")
NO_SUCH_ORGANISATION = N_("No such organisation in the open data.")
NOT_IN_REVIEW = N_("This match is no longer waiting for review.")
ALREADY_IN_DIRECTORY = N_("“%(name)s” is already in the directory.")

#: Stage -> (start, end) of the overall progress fraction.
STAGES = {
    "read": (0.0, 0.45),
    "save": (0.45, 0.8),
    "match": (0.8, 0.92),
    "directory": (0.92, 1.0),
}
#: A rematch has only the last two stages; they share its whole bar.
REMATCH_STAGES = {"match": (0.0, 0.5), "directory": (0.5, 1.0)}
SEARCH_TEXT_LIMIT = 8000
PAST_PROJECT_TYPES = {"coordinator": "coordinator"}
ACTIVITY_TYPES = {
    "HES": "research",
    "REC": "research",
    "PUB": "public_authority",
    "PRC": "sme",
    "OTH": "other",
}
CHUNK = 2000
#: Organisations matched between two progress reports (a block takes ~0.3 s on a quiet core).
MATCH_CHUNK = 500

ProgressCallback = Callable[[str, float], None]


class Cancelled(DomainError):
    """Raised by a progress callback when the user cancelled; the caller rolls back."""


@dataclass
class ImportSummary:
    layout: str = ""
    rows_read: int = 0
    organisations_new: int = 0
    organisations_updated: int = 0
    projects_new: int = 0
    projects_updated: int = 0
    participations_new: int = 0
    matched: int = 0
    to_review: int = 0
    past_projects_added: int = 0
    ties_created: int = 0
    ties_updated: int = 0
    warnings: list[Message] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        data = {k: v for k, v in vars(self).items() if k not in ("warnings", "errors")}
        data["warnings"] = [{"template": m.template, "params": m.params} for m in self.warnings]
        data["errors"] = [{"template": m.template, "params": m.params} for m in self.errors]
        return data


class _Stages:
    """Turns (stage, fraction within it) into the overall fraction for ``report``."""

    def __init__(
        self, report: ProgressCallback | None, table: dict[str, tuple[float, float]] = STAGES
    ) -> None:
        self.report = report
        self.table = table

    def __call__(self, stage: str, fraction: float) -> None:
        if self.report is not None:
            start, end = self.table[stage]
            self.report(stage, start + (end - start) * min(1.0, max(0.0, fraction)))


def _line_estimate(path: Path) -> int:
    """Rows in a CSV, roughly (objectives span lines, so this is an upper bound)."""
    with path.open("rb") as handle:
        return max(1, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")))


def import_open_data(
    path: Path,
    *,
    actor: User | None,
    progress: ProgressCallback | None = None,
    today: dt.date | None = None,
) -> ImportSummary:
    """Import one downloaded file (see the module docstring); the caller commits."""
    stages = _Stages(progress)
    estimate = _line_estimate(path)
    stages("read", 0.0)
    batch = read_file(path, progress=lambda rows: stages("read", rows / estimate))
    summary = ImportSummary(layout=batch.layout, rows_read=batch.rows_read)
    summary.warnings = list(batch.warnings)
    summary.errors = list(batch.errors)
    if batch.errors:
        return summary
    changed = _save(batch, summary, stages)
    del batch
    stages("match", 0.0)
    refresh_matches(summary, stages, only=changed)
    stages("directory", 0.0)
    refresh_directory(
        actor=actor, today=today, summary=summary, progress=lambda f: stages("directory", f)
    )
    stages("directory", 1.0)
    return summary


def rematch(
    *,
    actor: User | None,
    progress: ProgressCallback | None = None,
    today: dt.date | None = None,
) -> ImportSummary:
    """Match the open data already imported to the directory again (after organisations were
    added or corrected), then refresh past projects and ties; the caller commits."""
    stages = _Stages(progress, REMATCH_STAGES)
    summary = ImportSummary()
    stages("match", 0.0)
    refresh_matches(summary, stages)
    stages("directory", 0.0)
    refresh_directory(
        actor=actor, today=today, summary=summary, progress=lambda f: stages("directory", f)
    )
    stages("directory", 1.0)
    return summary


# --------------------------------------------------------------------------------- saving


def _chunks(rows: list[dict], size: int = CHUNK) -> Iterable[list[dict]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


_ORG_FIELDS = (
    "name",
    "pic",
    "registry_number",
    "short_name",
    "activity_type",
    "country",
    "city",
    "website",
)
_PROJECT_FIELDS = ("acronym", "title", "objective", "programme", "topic", "year")
#: Core inserts do not apply the models' Python defaults: these columns are NOT NULL.
_EMPTY = {"title": "", "objective": "", "programme": ""}


def _save(batch: Batch, summary: ImportSummary, stages: _Stages) -> set[int]:
    """Save the batch; returns the ids of the open-data organisations that are new or changed
    (the ones to match again).

    Of the stage: organisations 0-0.2, projects 0.2-0.4, participations 0.4-0.8, search 0.8-1.
    """
    org_ids, changed = _save_organisations(batch, summary, stages)
    project_ids = _save_projects(batch, summary, stages)
    touched = _save_participations(batch, summary, stages, project_ids, org_ids)
    touched.update(org_ids[key] for key in batch.organisations)
    if batch.layout in ("cordis_projects", "life_projects"):
        touched.update(
            _orgs_of_projects(
                [project_ids[k] for k in batch.projects],
                lambda f: stages("save", 0.5 + 0.3 * f),
            )
        )
    _refresh_search_text(touched, lambda f: stages("save", 0.8 + 0.2 * f))
    stages("save", 1.0)
    return changed


def _tick(stages: _Stages, start: float, end: float, done: int, total: int) -> None:
    stages("save", start + (end - start) * done / max(1, total))


def _merged(values: dict, old) -> dict:
    """A newer file's values, keeping the stored ones where the file leaves a field empty."""
    return {k: v if v not in (None, "") else getattr(old, k) for k, v in values.items()}


def _save_organisations(
    batch: Batch, summary: ImportSummary, stages: _Stages
) -> tuple[dict[str, int], set[int]]:
    """Insert new organisations, update changed ones: (key -> id, ids new or changed)."""
    if not batch.organisations:  # a project file has none: no need to read them all
        stages("save", 0.2)
        return {}, set()
    session = db.session
    now = dt.datetime.now(dt.UTC)
    existing = {
        row.key: row
        for row in session.execute(
            select(OpenOrganisation.id, OpenOrganisation.key, *_org_columns())
        )
    }
    stages("save", 0.05)
    new_orgs, changed_orgs = [], []
    for org in batch.organisations.values():
        values = {name: getattr(org, name) for name in _ORG_FIELDS}
        old = existing.get(org.key)
        if old is None:
            new_orgs.append(
                {
                    "key": org.key,
                    **values,
                    "search_text": "",
                    "project_count": 0,
                    "match_status": "none",
                    "updated_at": now,
                }
            )
            continue
        merged = _merged(values, old)
        if any(getattr(old, k) != v for k, v in merged.items()):
            changed_orgs.append({"id": old.id, **merged})
    total = len(new_orgs) + len(changed_orgs)
    for done, chunk in enumerate(_chunks(new_orgs)):
        session.execute(insert(OpenOrganisation.__table__), chunk)
        _tick(stages, 0.05, 0.2, done * CHUNK, total)
    for done, chunk in enumerate(_chunks(changed_orgs)):
        session.execute(update(OpenOrganisation), chunk)
        _tick(stages, 0.05, 0.2, len(new_orgs) + done * CHUNK, total)
    summary.organisations_new = len(new_orgs)
    summary.organisations_updated = len(changed_orgs)
    org_ids = dict(session.execute(select(OpenOrganisation.key, OpenOrganisation.id)).all())
    stages("save", 0.2)
    return org_ids, {org_ids[row["key"]] for row in new_orgs} | {row["id"] for row in changed_orgs}


def _save_projects(
    batch: Batch, summary: ImportSummary, stages: _Stages
) -> dict[tuple[str, str], int]:
    """Insert new projects, update changed ones: (source, reference) -> id of every project."""
    session = db.session
    old_projects = {
        (row.source, row.reference): row
        for row in session.execute(
            select(OpenProject.id, OpenProject.source, OpenProject.reference, *_project_columns())
        )
    }
    new_projects, changed_projects = [], []
    for key, project in batch.projects.items():
        values = {name: getattr(project, name) for name in _PROJECT_FIELDS}
        old = old_projects.get(key)
        if old is None:
            new_projects.append(
                {
                    "source": key[0],
                    "reference": key[1],
                    **{k: v or _EMPTY.get(k) for k, v in values.items()},
                }
            )
            continue
        merged = _merged(values, old)
        if any(getattr(old, k) != v for k, v in merged.items()):
            changed_projects.append({"id": old.id, **merged})
    total = len(new_projects) + len(changed_projects)
    for done, chunk in enumerate(_chunks(new_projects)):
        session.execute(insert(OpenProject.__table__), chunk)
        _tick(stages, 0.2, 0.4, done * CHUNK, total)
    for done, chunk in enumerate(_chunks(changed_projects)):
        session.execute(update(OpenProject), chunk)
        _tick(stages, 0.2, 0.4, len(new_projects) + done * CHUNK, total)
    summary.projects_new = len(new_projects)
    summary.projects_updated = len(changed_projects)
    stages("save", 0.4)
    return {
        (source, reference): pid
        for pid, source, reference in session.execute(
            select(OpenProject.id, OpenProject.source, OpenProject.reference)
        )
    }


def _save_participations(
    batch: Batch,
    summary: ImportSummary,
    stages: _Stages,
    project_ids: dict[tuple[str, str], int],
    org_ids: dict[str, int],
) -> set[int]:
    """Insert new participations, update changed roles: the organisations they touch."""
    session = db.session
    stages("save", 0.42)
    known = {
        (p, o): (pid, role)
        for pid, p, o, role in session.execute(
            select(
                OpenParticipation.id,
                OpenParticipation.project_id,
                OpenParticipation.open_organisation_id,
                OpenParticipation.role,
            )
        )
        if batch.participations
    }
    new_links, changed_links, seen = [], [], set()
    touched: set[int] = set()
    for row in batch.participations:
        key = (project_ids[row.project], org_ids[row.org_key])
        if key in seen:
            continue
        seen.add(key)
        touched.add(key[1])
        old = known.get(key)
        if old is None:
            new_links.append(
                {
                    "project_id": key[0],
                    "open_organisation_id": key[1],
                    "role": row.role,
                    "ec_contribution": row.ec_contribution,
                }
            )
        elif old[1] != row.role:
            changed_links.append({"id": old[0], "role": row.role})
    del known, seen
    stages("save", 0.5)
    for done, chunk in enumerate(_chunks(new_links)):
        session.execute(insert(OpenParticipation.__table__), chunk)
        _tick(stages, 0.5, 0.8, done * CHUNK, len(new_links) + len(changed_links))
    for chunk in _chunks(changed_links):
        session.execute(update(OpenParticipation), chunk)
    summary.participations_new = len(new_links)
    return touched


def _org_columns():
    return [getattr(OpenOrganisation, name) for name in _ORG_FIELDS]


def _project_columns():
    return [getattr(OpenProject, name) for name in _PROJECT_FIELDS]


def _orgs_of_projects(
    project_ids: list[int], progress: Callable[[float], None] = lambda _fraction: None
) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(project_ids), CHUNK):
        progress(start / len(project_ids))
        found.update(
            db.session.scalars(
                select(OpenParticipation.open_organisation_id).where(
                    OpenParticipation.project_id.in_(project_ids[start : start + CHUNK])
                )
            )
        )
    return found


def _refresh_search_text(org_ids: set[int], progress: Callable[[float], None]) -> None:
    """Folded words of the name, short name, city and projects (deduplicated, capped)."""
    if not org_ids:
        return
    project_words: dict[int, tuple[list[str], int | None]] = {}
    orgs_words: dict[int, dict[str, None]] = defaultdict(dict)
    counts: dict[int, int] = defaultdict(int)
    last: dict[int, int] = {}
    projects = db.session.scalar(select(func.count()).select_from(OpenProject)) or 1
    for position, (pid, acronym, title, topic, year) in enumerate(
        db.session.execute(
            select(
                OpenProject.id,
                OpenProject.acronym,
                OpenProject.title,
                OpenProject.topic,
                OpenProject.year,
            )
        )
    ):
        project_words[pid] = (words(f"{acronym or ''} {title or ''} {topic or ''}"), year)
        if position % 10_000 == 0:
            progress(0.2 * position / projects)
    progress(0.2)
    ids = sorted(org_ids)
    for start in range(0, len(ids), CHUNK):
        progress(0.2 + 0.8 * start / len(ids))
        part = ids[start : start + CHUNK]
        for org_id, project_id in db.session.execute(
            select(OpenParticipation.open_organisation_id, OpenParticipation.project_id).where(
                OpenParticipation.open_organisation_id.in_(part)
            )
        ):
            project_text, year = project_words[project_id]
            orgs_words[org_id].update(dict.fromkeys(project_text))
            counts[org_id] += 1
            if year is not None and year > last.get(org_id, 0):
                last[org_id] = year
        rows = []
        for org_id, name, short_name, city, country in db.session.execute(
            select(
                OpenOrganisation.id,
                OpenOrganisation.name,
                OpenOrganisation.short_name,
                OpenOrganisation.city,
                OpenOrganisation.country,
            ).where(OpenOrganisation.id.in_(part))
        ):
            head = " ".join(words(" ".join(filter(None, (name, short_name, city, country)))))
            text = f" {head} | {' '.join(orgs_words.get(org_id, {}))} "
            rows.append(
                {
                    "id": org_id,
                    "search_text": text[:SEARCH_TEXT_LIMIT],
                    "project_count": counts.get(org_id, 0),
                    "last_year": last.get(org_id),
                }
            )
        db.session.execute(update(OpenOrganisation), rows)
        orgs_words.clear()


# --------------------------------------------------------------------------------- matching


def _known() -> list[matching.Known]:
    return [
        matching.Known(id_, name, country or "", city, acronym, pic, registry)
        for id_, name, country, city, acronym, pic, registry in db.session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.country,
                Organisation.city,
                Organisation.acronym,
                Organisation.pic,
                Organisation.registry_number,
            )
        )
    ]


def refresh_matches(
    summary: ImportSummary | None = None,
    stages: _Stages | None = None,
    *,
    only: set[int] | None = None,
) -> None:
    """Re-decide the open-data organisations (``only`` these ids, else all) that no person
    has decided on. ``flask opendata rematch`` re-decides all after the directory changed."""
    query = select(
        OpenOrganisation.id,
        OpenOrganisation.key,
        OpenOrganisation.name,
        OpenOrganisation.country,
        OpenOrganisation.city,
        OpenOrganisation.short_name,
        OpenOrganisation.pic,
        OpenOrganisation.registry_number,
        OpenOrganisation.match_status,
        OpenOrganisation.organisation_id,
        OpenOrganisation.candidate_id,
        OpenOrganisation.match_score,
    ).where(OpenOrganisation.match_status.in_(("none", "auto", "review")))
    if stages is not None:
        stages("match", 0.01)
    rows = (
        [row for row in db.session.execute(query) if only is None or row.id in only]
        if only is None or only
        else []
    )
    matcher = matching.Matcher(_known()) if rows else None
    if stages is not None:
        stages("match", 0.02)
    changes = []
    for start in range(0, len(rows), MATCH_CHUNK):
        part = rows[start : start + MATCH_CHUNK]
        decisions = matcher.decide_many(  # type: ignore[union-attr]
            [
                matching.Candidate(
                    row.key,
                    row.name,
                    row.country,
                    row.city,
                    row.short_name,
                    row.pic,
                    row.registry_number,
                )
                for row in part
            ]
        )
        changes.extend(
            change
            for row, decision in zip(part, decisions, strict=True)
            if (change := _match_change(row, decision)) is not None
        )
        if stages is not None:
            stages("match", (start + len(part)) / len(rows))
    for chunk in _chunks(changes):
        db.session.execute(update(OpenOrganisation), chunk)
    if summary is not None:
        counts = dict(
            db.session.execute(
                select(OpenOrganisation.match_status, func.count()).group_by(
                    OpenOrganisation.match_status
                )
            ).all()
        )
        summary.matched = counts.get("auto", 0) + counts.get("confirmed", 0)
        summary.to_review = counts.get("review", 0)


def _match_change(row, decision: matching.Decision) -> dict | None:
    """The row's new match columns, or ``None`` when the decision changes nothing."""
    organisation_id = decision.organisation_id if decision.status == "auto" else None
    candidate_id = decision.organisation_id if decision.status == "review" else None
    if (
        decision.status == row.match_status
        and organisation_id == row.organisation_id
        and candidate_id == row.candidate_id
        and decision.score == row.match_score
    ):
        return None
    return {
        "id": row.id,
        "match_status": decision.status,
        "organisation_id": organisation_id,
        "candidate_id": candidate_id,
        "match_reason": decision.reason,
        "match_score": decision.score,
    }


# --------------------------------------------------------------------------------- directory


def _matched_participations(
    progress: Callable[[float], None], *, organisation_id: int | None = None
) -> list[tuple]:
    """Projects of the matched organisations, read a block of open-data ids at a time (with
    ``organisation_id``: only the projects that organisation took part in)."""
    matched = select(OpenOrganisation.id).where(
        OpenOrganisation.organisation_id.is_not(None),
        OpenOrganisation.match_status.in_(("auto", "confirmed")),
    )
    if organisation_id is not None:
        its_projects = (
            select(OpenParticipation.project_id)
            .join(OpenOrganisation, OpenOrganisation.id == OpenParticipation.open_organisation_id)
            .where(OpenOrganisation.organisation_id == organisation_id)
        )
        matched = matched.where(
            OpenOrganisation.id.in_(
                select(OpenParticipation.open_organisation_id).where(
                    OpenParticipation.project_id.in_(its_projects)
                )
            )
        )
    ids = sorted(db.session.scalars(matched))
    project_filter = None
    if organisation_id is not None:
        project_filter = set(
            db.session.scalars(
                select(OpenParticipation.project_id)
                .join(
                    OpenOrganisation,
                    OpenOrganisation.id == OpenParticipation.open_organisation_id,
                )
                .where(OpenOrganisation.organisation_id == organisation_id)
            )
        )
    rows: list[tuple] = []
    for start in range(0, len(ids), CHUNK):
        rows.extend(_participations_of(ids[start : start + CHUNK], project_filter))
        progress(min(1.0, (start + CHUNK) / len(ids)))
    return rows


def _participations_of(open_ids: list[int], project_ids: set[int] | None) -> list[tuple]:
    statement = (
        select(
            OpenOrganisation.organisation_id,
            OpenParticipation.role,
            OpenProject.source,
            OpenProject.reference,
            OpenProject.acronym,
            OpenProject.title,
            OpenProject.programme,
            OpenProject.year,
        )
        .join(OpenParticipation, OpenParticipation.open_organisation_id == OpenOrganisation.id)
        .join(OpenProject, OpenProject.id == OpenParticipation.project_id)
        .where(OpenOrganisation.id.in_(open_ids))
    )
    if project_ids is not None:
        statement = statement.where(OpenProject.id.in_(project_ids))
    return db.session.execute(statement).all()


def refresh_directory(
    *,
    actor: User | None,
    today: dt.date | None = None,
    summary: ImportSummary | None = None,
    progress: Callable[[float], None] | None = None,
    organisation_id: int | None = None,
) -> None:
    """Past projects and co-participation ties of matched organisations, from open data
    (only those of ``organisation_id`` after a decision in the review queue: one click must
    not redo the whole territory)."""
    report = progress or (lambda _fraction: None)
    current_year = (today or dt.datetime.now(dt.UTC).date()).year
    rows = _matched_participations(lambda f: report(0.2 * f), organisation_id=organisation_id)
    report(0.2)
    _fill_identifiers()
    report(0.3)
    own = rows if organisation_id is None else [r for r in rows if r[0] == organisation_id]
    added = _fill_past_projects(own, lambda f: report(0.3 + 0.3 * f))
    report(0.6)
    created, updated = _refresh_ties(
        rows,
        actor=actor,
        current_year=current_year,
        progress=lambda f: report(0.6 + 0.4 * f),
        organisation_id=organisation_id,
    )
    if summary is not None:
        summary.past_projects_added = added
        summary.ties_created = created
        summary.ties_updated = updated


def _fill_identifiers() -> None:
    """A matched organisation without a PIC or registry number gets the open data's."""
    taken = set(db.session.scalars(select(Organisation.pic).where(Organisation.pic.is_not(None))))
    for org, pic, registry in db.session.execute(
        select(Organisation, OpenOrganisation.pic, OpenOrganisation.registry_number)
        .join(OpenOrganisation, OpenOrganisation.organisation_id == Organisation.id)
        .where(
            OpenOrganisation.match_status.in_(("auto", "confirmed")),
            or_(Organisation.pic.is_(None), Organisation.registry_number.is_(None)),
        )
    ):
        if org.pic is None and pic and pic not in taken:
            org.pic = pic
            taken.add(pic)
        if org.registry_number is None and registry:
            org.registry_number = registry


def _fill_past_projects(rows: list[tuple], progress: Callable[[float], None]) -> int:
    by_org: dict[int, dict[str, tuple]] = defaultdict(dict)
    for org_id, role, source, reference, acronym, title, programme, year in rows:
        ref = reference[: coparticipation.REFERENCE_LENGTH]
        label = title or acronym or reference
        by_org[org_id][ref] = (programme or source.upper(), ref, label[:300], year, role)
    if not by_org:
        return 0
    existing: dict[int, dict[str, PastProject]] = defaultdict(dict)
    ids = sorted(by_org)
    for start in range(0, len(ids), CHUNK):
        for project in db.session.scalars(
            select(PastProject).where(PastProject.organisation_id.in_(ids[start : start + CHUNK]))
        ):
            existing[project.organisation_id][project.reference or ""] = project
        progress(0.5 * min(1.0, (start + CHUNK) / len(ids)))
    new = []
    for org_id, projects in by_org.items():
        for ref, (programme, reference, title, year, role) in projects.items():
            old = existing[org_id].get(ref)
            if old is None:
                new.append(
                    {
                        "organisation_id": org_id,
                        "programme": programme[:60],
                        "reference": reference,
                        "title": title,
                        "year": year,
                        "role": "coordinator" if role == "coordinator" else "partner",
                    }
                )
            else:
                if (not old.title or old.title == old.reference) and title:
                    old.title = title
                if old.year is None and year is not None:
                    old.year = year
    for done, chunk in enumerate(_chunks(new)):
        db.session.execute(insert(PastProject.__table__), chunk)
        progress(0.5 + 0.5 * min(1.0, (done + 1) * CHUNK / len(new)))
    return len(new)


def _refresh_ties(
    rows: list[tuple],
    *,
    actor: User | None,
    current_year: int,
    progress: Callable[[float], None] = lambda _fraction: None,
    organisation_id: int | None = None,
) -> tuple[int, int]:
    members: dict[str, set[int]] = defaultdict(set)
    years: dict[str, int | None] = {}
    for org_id, _role, source, reference, _acronym, _title, _programme, year in rows:
        label = coparticipation.evidence_label(source, reference)
        members[label].add(org_id)
        years[label] = year
    pairs = {
        (s.a, s.b): s
        for s in coparticipation.shared_projects(members, years, current_year=current_year)
    }
    stored = select(Tie).where(Tie.kind == "past_project")
    if organisation_id is not None:
        stored = stored.where(
            or_(Tie.organisation_a_id == organisation_id, Tie.organisation_b_id == organisation_id)
        )
        pairs = {key: shared for key, shared in pairs.items() if organisation_id in key}
    ties = {(t.organisation_a_id, t.organisation_b_id): t for t in db.session.scalars(stored)}
    created = updated = 0
    progress(0.3)
    keys = sorted(set(pairs) | set(ties))
    for position, key in enumerate(keys):
        if position % 500 == 0:
            db.session.flush()  # a block of changed ties at a time, between two reports
            progress(0.3 + 0.7 * position / len(keys))
        shared = pairs.get(key)
        tie = ties.get(key)
        references = shared.references if shared else ()
        weight = shared.weight if shared else 0.0
        if tie is None:
            db.session.add(
                Tie(
                    organisation_a_id=key[0],
                    organisation_b_id=key[1],
                    kind="past_project",
                    year=max((years[r] or 0 for r in references), default=0) or None,
                    evidence=list(references),
                    weight=coparticipation.tie_weight(references, weight),
                    created_by_id=actor.id if actor else None,
                )
            )
            created += 1
            continue
        if not tie.evidence and not shared:
            continue  # a declared tie open data knows nothing about
        evidence = coparticipation.rebuilt_evidence(tie.evidence or [], references)
        if not evidence:
            db.session.delete(tie)
            updated += 1
            continue
        new_weight = coparticipation.tie_weight(evidence, weight)
        if evidence != list(tie.evidence or []) or new_weight != tie.weight:
            tie.evidence = evidence
            tie.weight = new_weight
            updated += 1
    db.session.flush()
    return created, updated


# --------------------------------------------------------------------------------- review


def review_queue(page: int, per_page: int) -> tuple[list[OpenOrganisation], int]:
    query = select(OpenOrganisation).where(OpenOrganisation.match_status == "review")
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(
        db.session.scalars(
            query.order_by(OpenOrganisation.match_score.desc(), OpenOrganisation.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return items, total


def get_open_organisation(open_id: int) -> OpenOrganisation:
    org = db.session.get(OpenOrganisation, open_id)
    if org is None:
        raise NotFound(NO_SUCH_ORGANISATION)
    return org


def confirm_match(open_org: OpenOrganisation, *, actor: User | None) -> None:
    """The lead says the proposed directory organisation is this one."""
    if open_org.match_status != "review" or open_org.candidate_id is None:
        raise NotFound(NOT_IN_REVIEW)
    open_org.organisation_id = open_org.candidate_id
    open_org.match_status = "confirmed"
    db.session.flush()
    refresh_directory(actor=actor, organisation_id=open_org.organisation_id)


def reject_match(open_org: OpenOrganisation, *, actor: User | None) -> None:
    """The lead says they are different organisations; open data will not propose it again."""
    if open_org.match_status != "review":
        raise NotFound(NOT_IN_REVIEW)
    open_org.match_status = "rejected"
    open_org.organisation_id = None
    db.session.flush()


def projects_of(open_ids: Iterable[int], *, limit: int = 50) -> dict[int, list[tuple]]:
    """Latest projects of each open-data organisation: (project, role)."""
    ids = list(open_ids)
    found: dict[int, list[tuple]] = defaultdict(list)
    if not ids:
        return found
    rows = db.session.execute(
        select(OpenParticipation.open_organisation_id, OpenProject, OpenParticipation.role)
        .join(OpenProject, OpenProject.id == OpenParticipation.project_id)
        .where(OpenParticipation.open_organisation_id.in_(ids))
        .order_by(OpenProject.year.desc().nulls_last(), OpenProject.reference.desc())
    ).all()
    for org_id, project, role in rows:
        if len(found[org_id]) < limit:
            found[org_id].append((project, role))
    return found


def add_to_directory(open_org: OpenOrganisation, *, actor: User | None) -> Organisation:
    """Create the directory organisation from open data, matched and with its projects."""
    if open_org.organisation_id is not None and open_org.match_status in ("auto", "confirmed"):
        raise ValidationFailed({"organisation": (ALREADY_IN_DIRECTORY, {"name": open_org.name})})
    pic_taken = open_org.pic and db.session.scalar(
        select(Organisation.id).where(Organisation.pic == open_org.pic)
    )
    raw = {
        "name": open_org.name,
        "acronym": open_org.short_name or "",
        "type": ACTIVITY_TYPES.get(open_org.activity_type or "", "other"),
        "country": open_org.country,
        "city": open_org.city or "",
        "pic": "" if pic_taken else (open_org.pic or ""),
        "website": open_org.website or "",
    }
    record, errors = validate_record(raw)
    if record is None:  # a website the directory refuses must not block the addition
        raw["website"] = ""
        record, errors = validate_record(raw)
    if record is None:
        raise ValidationFailed({e.column: (e.template, dict(e.params)) for e in errors})
    org = directory_services.create_organisation(
        record, actor=actor, eu_experience=_experience(open_org.id)
    )
    org.registry_number = open_org.registry_number
    open_org.organisation_id = org.id
    open_org.candidate_id = None
    open_org.match_status = "confirmed"
    open_org.match_reason = "added"
    db.session.flush()
    refresh_directory(actor=actor, organisation_id=org.id)
    return org


def _experience(open_id: int) -> str:
    roles = set(
        db.session.scalars(
            select(OpenParticipation.role).where(OpenParticipation.open_organisation_id == open_id)
        )
    )
    if "coordinator" in roles:
        return "coordinator"
    return "participant" if roles else "none"


# --------------------------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    country: str = ""
    include_directory: bool = False


def search(query: SearchQuery, *, limit: int = 300) -> list[OpenOrganisation]:
    """Open-data organisations whose name, city or projects contain every word of the query.

    ``search_text`` is prebuilt at import (folded, deduplicated words), so this is one scan of
    a text column with ``LIKE`` per word, most projects first.
    """
    statement = select(OpenOrganisation)
    for word in words(query.text)[:8]:
        statement = statement.where(OpenOrganisation.search_text.like(f"% {word}%"))
    if query.country:
        statement = statement.where(OpenOrganisation.country == query.country.upper())
    if not query.include_directory:
        statement = statement.where(
            or_(
                OpenOrganisation.organisation_id.is_(None),
                OpenOrganisation.match_status.not_in(("auto", "confirmed")),
            )
        )
    statement = statement.order_by(
        OpenOrganisation.project_count.desc(), OpenOrganisation.id
    ).limit(limit)
    return list(db.session.scalars(statement))


def neighbours_in_europe(organisation_ids: Iterable[int], *, limit: int = 200) -> list[tuple]:
    """European co-participants of directory organisations: (member id, open org, projects)."""
    ids = list(organisation_ids)
    if not ids:
        return []
    mine = (
        select(OpenParticipation.project_id, OpenOrganisation.organisation_id.label("member"))
        .join(OpenOrganisation, OpenOrganisation.id == OpenParticipation.open_organisation_id)
        .where(
            OpenOrganisation.organisation_id.in_(ids),
            OpenOrganisation.match_status.in_(("auto", "confirmed")),
        )
        .subquery()
    )
    other = OpenParticipation
    rows = db.session.execute(
        select(mine.c.member, other.open_organisation_id, func.count())
        .join(other, and_(other.project_id == mine.c.project_id))
        .join(OpenOrganisation, OpenOrganisation.id == other.open_organisation_id)
        .where(
            or_(
                OpenOrganisation.organisation_id.is_(None),
                OpenOrganisation.organisation_id.not_in(ids),
            )
        )
        .group_by(mine.c.member, other.open_organisation_id)
        .order_by(func.count().desc(), other.open_organisation_id)
        .limit(limit)
    ).all()
    return [(member, open_id, count) for member, open_id, count in rows]


# --------------------------------------------------------------------------------- fit


@dataclass(frozen=True)
class RankedOrganisation:
    org: OpenOrganisation
    fit: object  # fit.scoring.FitScore


#: How many of the organisations a Europe-wide search finds are ranked (those with the most
#: projects first): scoring costs per organisation, and the page says so.
EUROPE_CANDIDATES = 300


def rank_for_proposal(proposal, query: SearchQuery, *, candidates: int = EUROPE_CANDIDATES) -> list:
    """Open-data organisations found by ``query``, ranked by their fit to ``proposal``.

    They are scored as the fit page scores the directory: the same topic, sub-topics,
    workshop needs and actions, consortium members and their ties, weights and call catalogue
    (``fit.services.build_context``), so what an organisation adds is weighed against the
    consortium as it stands. Their texts are read against each other (the candidates' own
    index, not the directory's: a search must not grow the directory's cache). The coupling
    with the fit area is this function and :func:`_open_profile`.
    """
    found = search(query, limit=candidates)
    projects = projects_of([org.id for org in found], limit=30)
    profiles = [_open_profile(org, projects.get(org.id, [])) for org in found]
    context = build_context(proposal, organisation_ids=())
    prepared = scoring.prepare(
        context.topic,
        context.consortium,
        context.neighbours,
        context.weights,
        catalogue=topic_catalogue(),
    )
    by_profile = {-org.id: org for org in found}
    return [RankedOrganisation(by_profile[fit.org_id], fit) for fit in prepared.rank(profiles)]


def _open_profile(org: OpenOrganisation, mine: list[tuple]) -> scoring.OrgProfile:
    """The fit profile of an open-data organisation: its projects' titles as its text and its
    projects as past projects. Its id is negative: it is scored beside the consortium's
    members and ties, which are keyed by directory ids it must never meet."""
    return scoring.OrgProfile(
        id=-org.id,
        name=org.name,
        org_type=ACTIVITY_TYPES.get(org.activity_type or "", "other"),
        country=org.country or None,
        pic=org.pic,
        text=" ".join(p.title for p, _role in mine),
        eu_experience="coordinator"
        if any(role == "coordinator" for _p, role in mine)
        else ("participant" if mine else "none"),
        past_projects=tuple(
            scoring.PastProject(
                p.programme or "",
                p.reference,
                p.title or "",
                p.year,
                "coordinator" if role == "coordinator" else "partner",
            )
            for p, role in mine
        ),
        acronym=org.short_name,
        city=org.city,
    )

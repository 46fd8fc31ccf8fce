"""Cooperation network of the territory and of one proposal, built from the database.

Evidence comes from five places, each loaded with one grouped query (no N+1):

- declared ties (``directory.Tie``: kind, year; the note is never read);
- shared past projects (the same ``PastProject.reference`` on two organisations);
- co-attendance at a workshop (``WorkshopAttendance``; year of the workshop);
- shared actions (an ``Action``'s lead organisation and its ``ActionParticipant`` rows);
- membership of the same proposal (``Participation`` not declined or withdrawn).

A proposal's view holds its members (participations shortlisted, invited, confirmed or to
reconfirm) and the organisations tied to them. The proposal's own membership, workshops and
actions are left out of its own view: the map shows the ties the partners bring, not the
consortium being built (which would tie every member to every other).

References of workshops, actions and proposals are opaque (``workshop-12``): titles and
acronyms of proposals a reader may not see never reach a page or an export. Budgets, contacts
and notes are never loaded.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
from flask import current_app, has_app_context
from sqlalchemy import and_, func, or_, select

from ..directory.models import Organisation, OrganisationTheme, PastProject, Tie
from ..extensions import db
from ..opendata.coparticipation import open_data_references
from ..proposals.models import Participation, Proposal
from ..workshops.models import Action, ActionParticipant, Workshop, WorkshopAttendance
from . import analysis as pure
from .analysis import Analysis, OrgNode, TieEvidence
from .figure import ROLE_WORDS
from .models import TerritoryAnalysis
from .timeline import Growth, Round, attended_rounds, growth

MEMBER_STATUSES = ("shortlisted", "invited", "confirmed", "to_reconfirm")
INACTIVE_STATUSES = ("declined", "withdrawn")
#: Organisations drawn at most on the browser map and the PNG.
MAP_LIMIT = 300
#: Pair expansion is skipped for a group (workshop, project...) larger than this: a plenary
#: of 400 organisations says little about cooperation and would add 80,000 edges.
MAX_GROUP = 150


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the graph to (None = everything)."""

    kinds: tuple[str, ...] | None = None
    year_from: int | None = None
    year_to: int | None = None
    org_types: tuple[str, ...] | None = None
    themes: tuple[str, ...] | None = None
    #: An organisation of the view: keep it and the organisations within two steps of it.
    ego: int | None = None

    @property
    def active(self) -> bool:
        return (
            any(
                v is not None
                for v in (self.kinds, self.year_from, self.year_to, self.org_types, self.themes)
            )
            or self.ego is not None
        )

    @property
    def map_default(self) -> bool:
        """What the map shows before the reader changes anything (see ``MAP_KINDS``)."""
        return self == Filters(kinds=pure.MAP_KINDS)


#: The map's default filters: declared and project ties only.
MAP_FILTERS = Filters(kinds=pure.MAP_KINDS)
#: Steps of the ego view.
EGO_RADIUS = 2


@dataclass
class NetworkView:
    """A graph ready for the page, the map, the figure and the exports."""

    graph: nx.Graph
    analysis: Analysis
    members: frozenset[int] = frozenset()
    attended: Mapping[int, int] = field(default_factory=dict)
    proposal: Proposal | None = None
    filters: Filters = field(default_factory=Filters)
    unfiltered_nodes: int = 0
    #: A proposal's view only: the organisations of the unfiltered view (members and their
    #: neighbours) and every piece of evidence touching them, for the bridging candidates.
    around: tuple[frozenset[int], list[TieEvidence]] | None = None
    #: A proposal's view only: its dated workshops, in order (for the time control).
    rounds: tuple[Round, ...] = ()

    @property
    def names(self) -> dict[int, str]:
        return {n: str(d.get("label") or n) for n, d in self.graph.nodes(data=True)}


# --------------------------------------------------------------------------- loading


def _label(name: str, acronym: str | None) -> str:
    return f"{name} ({acronym})" if acronym else name


def _year(value: Any) -> int | None:
    return value.year if value is not None else None


def _rows(statement: Any) -> Any:
    """Rows of a column query as plain tuples, through the session's own connection.

    Skips the ORM's per-row processing (which these column queries never need): half the
    time on the territory's 60,000 ties. Pending changes are flushed first, as
    ``session.execute`` would.
    """
    if db.session.autoflush:
        db.session.flush()
    return db.session.connection().execute(statement)


def _pairs(
    groups: Mapping[Any, Iterable[int]], source: str, years: Mapping[Any, int | None], ref: str
) -> Iterable[TieEvidence]:
    """Every pair inside each group, as evidence of ``source``."""
    for key in sorted(groups, key=str):
        orgs = sorted(set(groups[key]))
        if len(orgs) < 2 or len(orgs) > MAX_GROUP:
            continue
        for a, b in itertools.combinations(orgs, 2):
            yield TieEvidence(a, b, source, None, years.get(key), f"{ref}-{key}" if ref else key)


def load_nodes(org_ids: Collection[int] | None = None) -> list[OrgNode]:
    """Organisations (all, or ``org_ids``) with their themes: two queries."""
    query = select(
        Organisation.id,
        Organisation.name,
        Organisation.acronym,
        Organisation.org_type,
        Organisation.country,
    )
    theme_query = select(OrganisationTheme.organisation_id, OrganisationTheme.theme)
    if org_ids is not None:
        ids = sorted(org_ids)
        query = query.where(Organisation.id.in_(ids))
        theme_query = theme_query.where(OrganisationTheme.organisation_id.in_(ids))
    themes: dict[int, list[str]] = defaultdict(list)
    for org_id, theme in _rows(theme_query.order_by(OrganisationTheme.theme)):
        themes[org_id].append(theme)
    return [
        OrgNode(
            id=row.id,
            label=_label(row.name, row.acronym),
            org_type=row.org_type,
            country=row.country,
            themes=tuple(themes.get(row.id, ())),
        )
        for row in _rows(query.order_by(Organisation.id))
    ]


def load_evidence(
    org_ids: Collection[int] | None = None, *, exclude_proposal_id: int | None = None
) -> list[TieEvidence]:
    """Evidence touching ``org_ids`` (all evidence when None): one query per source.

    With ``org_ids``, groups (projects, workshops, actions, proposals) holding at least one of
    them are loaded whole, so the caller sees who else was there.
    """
    with pure.gc_paused():
        return _load_evidence(org_ids, exclude_proposal_id)


def _load_evidence(
    org_ids: Collection[int] | None, exclude_proposal_id: int | None
) -> list[TieEvidence]:
    return directory_evidence(org_ids) + activity_evidence(
        org_ids, exclude_proposal_id=exclude_proposal_id
    )


def directory_evidence(org_ids: Collection[int] | None = None) -> list[TieEvidence]:
    """The evidence the directory itself holds: declared ties and shared past projects (it
    changes with the directory's data version, :class:`~consortium.directory.models.
    DirectoryRevision`)."""
    ids = sorted(org_ids) if org_ids is not None else None
    evidence, counted = _declared_ties(ids)
    evidence.extend(
        pair for pair in _shared_projects(ids) if (pair.a, pair.b, pair.ref) not in counted
    )
    return evidence


def activity_evidence(
    org_ids: Collection[int] | None = None, *, exclude_proposal_id: int | None = None
) -> list[TieEvidence]:
    """The evidence the proposals' work holds: workshops attended, actions and proposals
    shared (``exclude_proposal_id``'s own left out)."""
    ids = sorted(org_ids) if org_ids is not None else None
    return [
        *_co_attendance(ids, exclude_proposal_id),
        *_shared_actions(ids, exclude_proposal_id),
        *_same_proposal(ids, exclude_proposal_id),
    ]


def _declared_ties(
    ids: list[int] | None,
) -> tuple[list[TieEvidence], set[tuple[int, int, str]]]:
    """Declared ties with their strength, and the shared projects those strengths count."""
    ties = select(
        Tie.organisation_a_id, Tie.organisation_b_id, Tie.kind, Tie.year, Tie.weight, Tie.evidence
    )
    if ids is not None:
        ties = ties.where(or_(Tie.organisation_a_id.in_(ids), Tie.organisation_b_id.in_(ids)))
    evidence: list[TieEvidence] = []
    counted: set[tuple[int, int, str]] = set()
    for a, b, kind, year, weight, items in db.session.execute(ties).tuples():
        evidence.append(TieEvidence(a, b, "declared", kind, year, None, float(weight or 1.0)))
        counted.update((a, b, ref) for ref in open_data_references(items or ()))
    return evidence, counted


def _shared_projects(ids: list[int] | None) -> Iterable[TieEvidence]:
    """Shared past projects: the same reference on two organisations."""
    projects = select(PastProject.reference, PastProject.organisation_id, PastProject.year).where(
        PastProject.reference.is_not(None), PastProject.reference != ""
    )
    if ids is not None:
        touched = (
            select(PastProject.reference)
            .where(PastProject.organisation_id.in_(ids))
            .scalar_subquery()
        )
        projects = projects.where(PastProject.reference.in_(touched))
    groups: dict[str, list[int]] = defaultdict(list)
    project_year: dict[str, int | None] = {}
    for reference, org_id, year in _rows(projects):
        key = reference.strip()
        groups[key].append(org_id)
        if year is not None:
            project_year[key] = max(project_year.get(key) or year, year)
    return _pairs(groups, "past_project", project_year, "")


def _co_attendance(ids: list[int] | None, exclude_proposal_id: int | None) -> Iterable[TieEvidence]:
    attendance = select(
        WorkshopAttendance.workshop_id, WorkshopAttendance.organisation_id, Workshop.held_on
    ).join(Workshop, Workshop.id == WorkshopAttendance.workshop_id)
    if exclude_proposal_id is not None:
        attendance = attendance.where(Workshop.proposal_id != exclude_proposal_id)
    if ids is not None:
        touched = (
            select(WorkshopAttendance.workshop_id)
            .where(WorkshopAttendance.organisation_id.in_(ids))
            .scalar_subquery()
        )
        attendance = attendance.where(WorkshopAttendance.workshop_id.in_(touched))
    groups: dict[int, list[int]] = defaultdict(list)
    workshop_year: dict[int, int | None] = {}
    for workshop_id, org_id, held_on in _rows(attendance):
        groups[workshop_id].append(org_id)
        workshop_year[workshop_id] = _year(held_on)
    return _pairs(groups, "workshop", workshop_year, "workshop")


def _shared_actions(
    ids: list[int] | None, exclude_proposal_id: int | None
) -> Iterable[TieEvidence]:
    """The lead and the participants of each action."""
    leads = select(Action.id, Action.lead_organisation_id, Action.created_at).where(
        Action.lead_organisation_id.is_not(None)
    )
    participants = select(ActionParticipant.action_id, ActionParticipant.organisation_id)
    if exclude_proposal_id is not None:
        leads = leads.where(Action.proposal_id != exclude_proposal_id)
        participants = participants.join(Action, Action.id == ActionParticipant.action_id).where(
            Action.proposal_id != exclude_proposal_id
        )
    if ids is not None:
        touched_actions = (
            select(Action.id)
            .outerjoin(ActionParticipant, ActionParticipant.action_id == Action.id)
            .where(
                or_(
                    Action.lead_organisation_id.in_(ids), ActionParticipant.organisation_id.in_(ids)
                )
            )
            .scalar_subquery()
        )
        leads = leads.where(Action.id.in_(touched_actions))
        participants = participants.where(ActionParticipant.action_id.in_(touched_actions))
    groups: dict[int, list[int]] = defaultdict(list)
    action_year: dict[int, int | None] = {}
    for action_id, org_id, created_at in _rows(leads):
        groups[action_id].append(org_id)
        action_year[action_id] = _year(created_at)
    for action_id, org_id in _rows(participants):
        groups[action_id].append(org_id)
    return _pairs(groups, "action", action_year, "action")


def _same_proposal(ids: list[int] | None, exclude_proposal_id: int | None) -> Iterable[TieEvidence]:
    """Active participations in the same proposal."""
    memberships = select(Participation.proposal_id, Participation.organisation_id).where(
        Participation.status.not_in(INACTIVE_STATUSES)
    )
    if exclude_proposal_id is not None:
        memberships = memberships.where(Participation.proposal_id != exclude_proposal_id)
    if ids is not None:
        touched = (
            select(Participation.proposal_id)
            .where(
                and_(
                    Participation.organisation_id.in_(ids),
                    Participation.status.not_in(INACTIVE_STATUSES),
                )
            )
            .scalar_subquery()
        )
        memberships = memberships.where(Participation.proposal_id.in_(touched))
    groups: dict[int, list[int]] = defaultdict(list)
    for proposal_id, org_id in _rows(memberships):
        groups[proposal_id].append(org_id)
    return _pairs(groups, "proposal", {}, "proposal")


def workshop_counts(org_ids: Collection[int] | None = None) -> dict[int, int]:
    """Workshops attended per organisation (one grouped query)."""
    query = select(WorkshopAttendance.organisation_id, db.func.count()).group_by(
        WorkshopAttendance.organisation_id
    )
    if org_ids is not None:
        query = query.where(WorkshopAttendance.organisation_id.in_(sorted(org_ids)))
    return {org: int(count) for org, count in _rows(query)}


def proposal_members(proposal: Proposal) -> dict[int, str]:
    """Member organisation id -> participation role."""
    rows = db.session.execute(
        select(Participation.organisation_id, Participation.role).where(
            Participation.proposal_id == proposal.id, Participation.status.in_(MEMBER_STATUSES)
        )
    )
    return {row[0]: row[1] for row in rows}


def memberships_by_org(proposal_ids: Collection[int]) -> dict[int, tuple[str, ...]]:
    """Acronyms of the (visible) proposals each organisation takes part in."""
    if not proposal_ids:
        return {}
    rows = db.session.execute(
        select(Participation.organisation_id, Proposal.acronym)
        .join(Proposal, Proposal.id == Participation.proposal_id)
        .where(
            Participation.proposal_id.in_(sorted(proposal_ids)),
            Participation.status.not_in(INACTIVE_STATUSES),
        )
        .order_by(Proposal.acronym)
    )
    out: dict[int, list[str]] = defaultdict(list)
    for org, acronym in rows:
        out[org].append(acronym)
    return {org: tuple(names) for org, names in out.items()}


# --------------------------------------------------------------------------- views


def _apply(graph: nx.Graph, filters: Filters) -> nx.Graph:
    if not filters.active:
        return graph
    graph = _filtered(graph, filters)
    if filters.ego is not None and filters.ego in graph:
        graph = nx.ego_graph(graph, filters.ego, radius=EGO_RADIUS)
    return graph


def _filtered(graph: nx.Graph, filters: Filters) -> nx.Graph:
    if filters == Filters(ego=filters.ego):
        return graph
    years = None
    if filters.year_from is not None or filters.year_to is not None:
        years = (filters.year_from, filters.year_to)
    return pure.filter_graph(
        graph,
        kinds=filters.kinds,
        years=years,
        org_types=filters.org_types,
        themes=filters.themes,
        keep_undated=True,
    )


def territory_graph() -> tuple[nx.Graph, dict[int, int]]:
    """Whole directory: every organisation and every piece of evidence."""
    graph = pure.build_graph(load_nodes(), load_evidence())
    return graph, workshop_counts()


def territory_view(filters: Filters | None = None, *, exact_limit: int = 2000) -> NetworkView:
    """The directory-wide graph, filtered and analysed.

    The filters apply to the loaded rows, so the graph is built once, already filtered (the
    same graph as ``filter_graph`` of the whole one; the map's default filters leave two
    kinds of tie out, and rebuilding 70,000 ties cost a second on a 10,000-organisation
    territory).
    """
    filters = filters or Filters()
    nodes = load_nodes()
    evidence = load_evidence()
    attended = workshop_counts()
    total = len(nodes)
    if filters.org_types is not None or filters.themes is not None:
        kept = pure.matching_organisations(nodes, filters.org_types, filters.themes)
        nodes = [n for n in nodes if n.id in kept]
    years = None
    if filters.year_from is not None or filters.year_to is not None:
        years = (filters.year_from, filters.year_to)
    if filters.kinds is not None or years is not None:
        keep = pure.evidence_filter(filters.kinds, years, keep_undated=True)
        evidence = [e for e in evidence if keep(e)]
    graph = pure.build_graph(nodes, evidence)
    if filters.ego is not None and filters.ego in graph:
        graph = nx.ego_graph(graph, filters.ego, radius=EGO_RADIUS)
    result = pure.analyse(graph, exact_limit=exact_limit)
    return NetworkView(graph, result, frozenset(), attended, None, filters, total)


def _proposal_parts(
    proposal: Proposal,
) -> tuple[nx.Graph, frozenset[int], dict[int, int], frozenset[int], list[TieEvidence]]:
    """The proposal's graph, members and workshop counts (see :func:`proposal_graph`), with
    the organisations of the view and every piece of evidence touching them."""
    roles = proposal_members(proposal)
    members = frozenset(roles)
    if not members:
        return pure.build_graph([], []), members, {}, members, []
    first = load_evidence(members, exclude_proposal_id=proposal.id)
    keep = set(members)
    for item in first:
        if item.a in members or item.b in members:
            keep.add(item.a)
            keep.add(item.b)
    others = keep - members
    second = load_evidence(others, exclude_proposal_id=proposal.id) if others else []
    around = [*first, *second]
    evidence = [e for e in around if e.a in keep and e.b in keep]
    nodes = [
        OrgNode(
            n.id,
            n.label,
            n.org_type,
            n.country,
            n.themes,
            role=roles.get(n.id),
            is_member=n.id in members,
        )
        for n in load_nodes(keep)
    ]
    graph = pure.build_graph(nodes, evidence)
    return (
        graph,
        frozenset(m for m in members if m in graph),
        workshop_counts(keep),
        frozenset(keep),
        around,
    )


def proposal_graph(proposal: Proposal) -> tuple[nx.Graph, frozenset[int], dict[int, int]]:
    """Members and their neighbours, with the evidence among them (no territory-wide load).

    Two passes: evidence touching the members gives the neighbours; evidence touching the
    neighbours, kept between organisations of the view, gives the ties among them.
    """
    graph, members, attended, _keep, _around = _proposal_parts(proposal)
    return graph, members, attended


def proposal_view(proposal: Proposal, filters: Filters | None = None) -> NetworkView:
    """One proposal's members and their neighbours, filtered and analysed."""
    filters = filters or Filters()
    graph, members, attended, keep, around = _proposal_parts(proposal)
    total = graph.number_of_nodes()
    graph = _apply(graph, filters)
    members = frozenset(m for m in members if m in graph)
    result = pure.analyse(graph, members)
    return NetworkView(
        graph,
        result,
        members,
        attended,
        proposal,
        filters,
        total,
        around=(keep, around),
        rounds=tuple(workshop_rounds(proposal)),
    )


def workshop_rounds(proposal: Proposal) -> list[Round]:
    """The proposal's dated workshops in date order, numbered 1, 2, 3..., with who attended:
    one query."""
    rows = db.session.execute(
        select(Workshop.id, Workshop.held_on, WorkshopAttendance.organisation_id)
        .outerjoin(WorkshopAttendance, WorkshopAttendance.workshop_id == Workshop.id)
        .where(Workshop.proposal_id == proposal.id, Workshop.held_on.is_not(None))
        .order_by(Workshop.held_on, Workshop.id)
    ).tuples()
    dates: dict[int, Any] = {}
    attendees: dict[int, set[int]] = defaultdict(set)
    for workshop_id, held_on, org_id in rows:
        dates.setdefault(workshop_id, held_on)
        if org_id is not None:
            attendees[workshop_id].add(org_id)
    return [
        Round(number, held_on, frozenset(attendees[workshop_id]))
        for number, (workshop_id, held_on) in enumerate(dates.items(), start=1)
    ]


def network_growth(view: NetworkView) -> Growth | None:
    """Before / after the proposal's workshops, on the view as filtered (None without a
    dated workshop or outside a proposal)."""
    return growth(view.graph, view.rounds) if view.rounds else None


# --------------------------------------------------------------------------- for people


@dataclass(frozen=True)
class Candidate:
    """A bridging candidate with its fit score when the fit area can give one."""

    org_id: int
    name: str
    suggestion: pure.Suggestion
    fit_score: float | None


#: Beyond this many organisations two steps from the members, the third load asks for the
#: whole territory's evidence instead of listing them (the same work, fewer query parameters).
NEAR_LIMIT = 5000


def bridge_adjacency(view: NetworkView) -> dict[int, set[int]]:
    """Who is tied to whom (filtered like the view) around a proposal: complete for every
    organisation within two steps of the members, which is all the bridging candidates (the
    members' neighbours) need.

    The view already holds the evidence touching the members and their neighbours, which
    names the organisations two steps away; one more load gives the evidence touching those.
    """
    keep, around = view.around or (frozenset(), [])
    second_ring = {x for e in around for x in (e.a, e.b)} - keep
    proposal_id = view.proposal.id if view.proposal is not None else None
    if len(second_ring) > NEAR_LIMIT:
        evidence = load_evidence(exclude_proposal_id=proposal_id)
    else:
        third = load_evidence(second_ring, exclude_proposal_id=proposal_id) if second_ring else []
        evidence = [*around, *third]
    filters = view.filters
    if filters.org_types is not None or filters.themes is not None:
        organisations = pure.matching_organisations(load_nodes(), filters.org_types, filters.themes)
    else:
        organisations = set(db.session.scalars(select(Organisation.id)))
    years = None
    if filters.year_from is not None or filters.year_to is not None:
        years = (filters.year_from, filters.year_to)
    return pure.adjacency(organisations, evidence, filters.kinds, years, keep_undated=True)


def bridging_candidates(
    view: NetworkView,
    limit: int = 10,
    fit_scores: Callable[[Proposal, Collection[int]], Mapping[int, float] | None] | None = None,
) -> tuple[list[Candidate], bool]:
    """Ranked bridging suggestions for a proposal, and whether fit scores are available.

    ``fit_scores(proposal, org_ids)`` gives the candidates' fit totals (the view passes the
    fit area's; the network area does not import it, so the two areas form no cycle).

    The candidates are the organisations already tied to a member (the view's non-members),
    ranked by the organisations they would newly bring within two steps of the consortium on
    the territory's graph (the proposal's own membership, workshops and actions left out),
    then by their brokerage in the view. One more evidence load around the view gives that
    exactly, without the whole territory.
    """
    if not view.members or view.proposal is None:
        return [], False
    adjacency = bridge_adjacency(view)
    candidates = sorted({n for m in view.members for n in adjacency.get(m, ())} - view.members)
    gains = pure.bridge_gains(adjacency, view.members, candidates)
    found = pure.rank_bridges(
        adjacency, view.members, gains, limit, tie_break=view.analysis.betweenness
    )
    ids = {s.org_id for s in found}
    scores = (fit_scores(view.proposal, ids) if ids else {}) if fit_scores is not None else None
    names = view.names
    return [
        Candidate(
            s.org_id,
            names.get(s.org_id, str(s.org_id)),
            s,
            scores.get(s.org_id) if scores else None,
        )
        for s in found
    ], scores is not None


def insights(view: NetworkView) -> list[pure.Insight]:
    return pure.insights(view.graph, view.analysis, view.members, view.names, view.attended)


def map_payload(view: NetworkView, limit: int = MAP_LIMIT, layout: str = "force") -> dict[str, Any]:
    from .exports import map_payload as build

    payload = build(
        view.graph,
        view.analysis,
        limit=limit,
        mode=layout,
        ego=_ego(view),
        rounds=attended_rounds(view.rounds),
    )
    payload["community_method"] = view.analysis.community_method
    payload["betweenness_samples"] = view.analysis.betweenness_samples
    return payload


class FigureFiles:
    """Renderings kept as files in the instance folder, so every worker process reuses a
    figure another one drew (a Word export draws the proposal's network each time).

    Best effort: a file that cannot be read or written is a cache miss, never an error.
    Files are written whole under a temporary name, then renamed; the oldest beyond
    ``keep`` are removed.
    """

    def __init__(self, folder: Path, keep: int = 200) -> None:
        self.folder = folder
        self.keep = keep

    def get(self, key: str) -> bytes | None:
        try:
            return (self.folder / f"{key}.png").read_bytes()
        except OSError:
            return None

    def put(self, key: str, png: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as f:
                f.write(png)
            os.replace(f.name, self.folder / f"{key}.png")
            files = sorted(self.folder.glob("*.png"), key=lambda p: p.stat().st_mtime)
            for old in files[: max(0, len(files) - self.keep)]:
                old.unlink(missing_ok=True)
        except OSError:
            pass


def figure_files() -> FigureFiles | None:
    """The instance folder's figure cache, when there is an application."""
    if not has_app_context():
        return None
    return FigureFiles(Path(current_app.instance_path) / "cache" / "figures")


def _ego(view: NetworkView) -> int | None:
    ego = view.filters.ego
    return ego if ego is not None and ego in view.graph else None


def figure_png(
    view: NetworkView,
    gettext=None,
    role_labels=None,
    title=None,
    community_label=None,
    *,
    layout: str = "force",
    fmt: str = "png",
) -> bytes:
    """PNG (or SVG, ``fmt="svg"``) of the map as laid out on the page; ``community_label``
    turns a community name (theme code) into words."""
    from dataclasses import replace

    from .figure import render_png

    analysis = view.analysis
    if community_label is not None:
        analysis = replace(
            analysis, community_names=tuple(community_label(n) for n in analysis.community_names)
        )

    colour_by = "role" if view.members else "community"
    return render_png(
        view.graph,
        analysis,
        colour_by=colour_by,
        gettext=gettext,
        role_labels=role_labels,
        title=title,
        limit=MAP_LIMIT,
        store=figure_files(),
        mode=layout,
        ego=_ego(view),
        fmt=fmt,
    )


def export(view: NetworkView, fmt: str, prefix: str = "network") -> tuple[bytes, str, str]:
    """(payload, mimetype, file extension) of ``fmt`` in gexf|graphml|json|csv."""
    from . import exports

    if fmt == "gexf":
        return exports.export_gexf(view.graph, view.analysis), "application/gexf+xml", "gexf"
    if fmt == "graphml":
        return (
            exports.export_graphml(view.graph, view.analysis),
            "application/graphml+xml",
            "graphml",
        )
    if fmt == "json":
        return exports.export_json(view.graph, view.analysis), "application/json", "json"
    if fmt == "csv":
        return exports.export_csv_zip(view.graph, view.analysis, prefix), "application/zip", "zip"
    raise ValueError(fmt)


EXPORT_FORMATS = ("gexf", "graphml", "json", "csv")


# --------------------------------------------------------------------------- other areas


def neighbours(proposal: Proposal) -> dict[int, frozenset[int]]:
    """Adjacency of the proposal's view: every member and every organisation tied to a
    member, mapped to the organisations of that view it is tied to (own membership of this
    proposal not counted). For the fit area's network component."""
    graph, _, _ = proposal_graph(proposal)
    return {node: frozenset(graph.adj[node]) for node in graph}


def member_brokers(view: NetworkView, limit: int = 3) -> list[int]:
    """Members who lie on shortest paths of the view, best first."""
    bc = view.analysis.betweenness
    ranked = sorted(
        (m for m in view.members if bc.get(m, 0.0) > 0), key=lambda m: (-bc.get(m, 0.0), m)
    )
    return ranked[:limit]


def dossier_network(proposal: Proposal):  # -> tuple[NetworkSummary | None, bytes | None]
    """Summary of the consortium's network and its PNG, for the Word dossier.

    ``(None, None)`` when the proposal has no member yet.
    """
    from ..dossier.drafting import NetworkSummary

    view = proposal_view(proposal)
    if not view.members:
        return None, None
    induced = view.graph.subgraph(view.members)
    names = view.names
    summary = NetworkSummary(
        density=round(view.analysis.member_density, 2),
        n_members=len(view.members),
        n_ties=induced.number_of_edges(),
        brokers=tuple(names[m] for m in member_brokers(view)),
        figure_available=True,
    )
    return summary, dossier_figure(view, proposal)


def dossier_figure(view: NetworkView, proposal: Proposal) -> bytes:
    """The map's default view (declared and project ties) as the Word figure, its words in
    the proposal's document language."""
    from flask_babel import force_locale
    from flask_babel import gettext as translate

    graph = _apply(view.graph, MAP_FILTERS)
    members = frozenset(m for m in view.members if m in graph)
    shown = NetworkView(
        graph,
        pure.analyse(graph, members),
        members,
        view.attended,
        proposal,
        MAP_FILTERS,
        view.unfiltered_nodes,
    )
    with force_locale("fr" if proposal.document_language == "fr" else "en"):
        return figure_png(
            shown,
            gettext=translate,
            role_labels={role: translate(word) for role, word in ROLE_WORDS.items()},
        )


def now_year() -> int:
    return datetime.now(UTC).year


# --------------------------------------------------------------------------------- territory runs

#: Where the whole-territory analysis is in its run, as fractions of the progress bar.
ANALYSIS_STAGES = {"queued": 0.0, "load": 0.0, "build": 0.4, "analyse": 0.5, "done": 1.0}


def organisation_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation)) or 0


def start_territory_analysis(*, actor: Any) -> TerritoryAnalysis:
    """A new run of the whole-territory analysis, or the one already waiting or running (two
    clicks never start two analyses of the same data)."""
    current = db.session.scalar(
        select(TerritoryAnalysis)
        .where(TerritoryAnalysis.status.in_(("queued", "running")))
        .order_by(TerritoryAnalysis.id.desc())
    )
    if current is not None:
        return current
    run = TerritoryAnalysis(created_by_id=actor.id if actor is not None else None)
    db.session.add(run)
    db.session.flush()
    return run


def territory_runs() -> tuple[TerritoryAnalysis | None, TerritoryAnalysis | None]:
    """(the last finished run, the run in progress), either ``None``."""
    done = db.session.scalar(
        select(TerritoryAnalysis)
        .where(TerritoryAnalysis.status == "done")
        .order_by(TerritoryAnalysis.id.desc())
    )
    running = db.session.scalar(
        select(TerritoryAnalysis)
        .where(TerritoryAnalysis.status.in_(("queued", "running")))
        .order_by(TerritoryAnalysis.id.desc())
    )
    return done, running


def analyse_territory(progress: Callable[[str, float], None]) -> dict[str, Any]:
    """The whole territory, loaded, built and analysed; its summary for the page.

    The ties are those the map shows by default (declared, past projects, shared actions:
    co-attendance and same proposal would tie every room together). ``progress(stage,
    fraction)`` hears each step (the fraction is of the whole run).
    """
    progress("load", 0.0)
    nodes = load_nodes()
    progress("load", 0.1)
    keep = pure.evidence_filter(pure.MAP_KINDS, None, keep_undated=True)
    evidence = [e for e in load_evidence() if keep(e)]
    progress("build", ANALYSIS_STAGES["build"])
    graph = pure.build_graph(nodes, evidence)
    del evidence
    start = ANALYSIS_STAGES["analyse"]
    progress("analyse", start)
    result = pure.analyse(graph, progress=lambda f: progress("analyse", start + (1 - start) * f))
    return pure.territory_summary(graph, result)

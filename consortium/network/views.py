"""Pages of the network area: the territory's and a proposal's cooperation map, its table
view, the JSON the browser map reads, the PNG figure and the exports.

Access: a proposal's network needs Capability.VIEW_NETWORK (lead, writer, viewer, admin;
partners 403, no role 404); so do its bridging suggestions, a route of their own because they
cost more than the rest of the map page, whose script fetches them once it has rendered.
The territory's needs directory access READ or EDIT (a lead, writer or viewer somewhere, or
an admin); partners-only users and users without a role 403.
No page or export of this area carries budgets, contacts or notes.
"""

from __future__ import annotations

import json
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.permissions import Capability, DirectoryAccess, directory_access
from ..errors import N_
from ..extensions import db
from ..fit import services as fit_services
from ..proposals.access import load_proposal
from ..proposals.models import Proposal, ProposalMember
from . import jobs, services
from .analysis import KIND_LABELS, KINDS
from .forms import LAYOUT_LABELS, ROLE_LABELS, TYPE_LABELS, FilterForm, theme_label
from .models import TerritoryAnalysis
from .timeline import steps as time_steps

bp = Blueprint("network", __name__)

NODE_SORTS = ("name", "type", "degree", "betweenness", "constraint", "effective_size", "community")
TABLE_LIMIT = 300
ANALYSIS_STAGE_LABELS = {
    "queued": N_("Waiting to start"),
    "load": N_("Reading organisations and ties"),
    "build": N_("Building the network"),
    "analyse": N_("Measuring the network"),
    "done": N_("Finished"),
    "failed": N_("Failed"),
}
RUN_STATUS_LABELS = {
    "queued": N_("Waiting"),
    "running": N_("Running"),
    "done": N_("Finished"),
    "failed": N_("Failed"),
}
EDGE_LIMIT = 500


def _territory_access() -> set[int] | None:
    """Proposal ids the user sees (None = all, for admins); 403 without directory READ/EDIT."""
    roles = db.session.execute(
        select(ProposalMember.role, ProposalMember.proposal_id).where(
            ProposalMember.user_id == current_user.id
        )
    ).all()
    access = directory_access([r for r, _p in roles], is_admin=current_user.is_admin)
    if access not in (DirectoryAccess.READ, DirectoryAccess.EDIT):
        abort(403)
    if current_user.is_admin:
        return None
    return {p for r, p in roles if r in ("lead", "writer", "viewer")}


def _filters() -> FilterForm:
    form = FilterForm(formdata=request.args)
    if request.args:
        form.validate()
    return form


def _view(proposal: Proposal | None, form: FilterForm) -> services.NetworkView:
    if proposal is None:
        return services.territory_view(form.filters())
    return services.proposal_view(proposal, form.filters())


def _community_name(view: services.NetworkView, cid: int | None) -> str:
    if cid is None:
        return ""
    return theme_label(view.analysis.community_names[cid])


def _map_labels() -> dict[str, str]:
    labels = {
        "degree": _("Ties"),
        "betweenness": _("Brokerage (betweenness)"),
        "community": _("Cluster"),
        "role": _("Role"),
        "type": _("Type"),
        "country": _("Country"),
        "themes": _("Themes"),
        "kinds": _("Kinds of tie"),
        "member": _("Consortium member"),
        "notMember": _("Not in the consortium"),
        "cutPoint": _("Single point of failure: removing it cuts the network"),
        "truncated": _(
            "Showing %(shown)d of %(total)d organisations (the best connected and all members)."
        ),
        "approximate": _("Brokerage is estimated from a sample on this large network."),
        "loading": _("Loading the map…"),
        "error": _("The map could not be loaded."),
        "notFound": _("No organisation matches."),
        "close": _("Close"),
        "otherClusters": _("Smaller clusters"),
        "ties": _("%(count)d ties"),
        "timeCaption": _("%(step)s: %(ties)d of %(total)d ties known."),
        "ego": _("Show its neighbourhood (two steps)"),
        "attendedRing": _("Amber ring: the organisations at this workshop."),
        "isolatedStrip": _("No tie in this view"),
        "legendSize": _("Size: brokerage (betweenness)"),
        "legendMember": _("Black outline: consortium member"),
        "legendSolid": _("Declared or project tie (width: strength)"),
        "legendWeak": _("Only workshop co-attendance or same proposal"),
        "legendBridge": _("Bridge: the only tie between two parts"),
    }
    for kind in KINDS:
        labels[f"kind.{kind}"] = _(KIND_LABELS[kind])
    for role, label in ROLE_LABELS.items():
        labels[f"role.{role}"] = str(label)
    for code, label in TYPE_LABELS.items():
        labels[f"type.{code}"] = str(label)
    return labels


def _node_rows(view: services.NetworkView, sort: str, descending: bool) -> list[dict]:
    a = view.analysis
    cut = set(a.articulation_points)
    rows = []
    for node, data in view.graph.nodes(data=True):
        cid = a.community_of.get(node)
        rows.append(
            {
                "id": node,
                "name": str(data.get("label") or node),
                "type": data.get("org_type"),
                "type_label": str(
                    TYPE_LABELS.get(data.get("org_type") or "", data.get("org_type") or "")
                ),
                "country": data.get("country") or "",
                "role": data.get("role"),
                "member": node in view.members,
                "degree": a.degree.get(node, 0),
                "betweenness": a.betweenness.get(node, 0.0),
                "constraint": a.constraint.get(node),
                "effective_size": a.effective_size.get(node),
                "community": cid,
                "community_name": _community_name(view, cid),
                "cut_point": node in cut,
            }
        )

    def key(row):
        value = row[sort] if sort != "name" else row["name"].casefold()
        if value is None:
            value = -1.0 if sort not in ("name", "type") else ""
        return (value, row["id"])

    rows.sort(key=key, reverse=descending)
    return rows


def _edge_rows(view: services.NetworkView, shown: set[int]) -> list[dict]:
    names = view.names
    rows = []
    for u, v in sorted((min(a, b), max(a, b)) for a, b in view.graph.edges()):
        if u not in shown or v not in shown:
            continue
        data = view.graph.edges[u, v]
        rows.append(
            {
                "a": names[u],
                "b": names[v],
                "kinds": [_(KIND_LABELS.get(k, k)) for k in data.get("kinds", ())],
                "count": data.get("count", 1),
                "weight": data.get("weight", 0.0),
                "first_year": data.get("first_year"),
                "last_year": data.get("last_year"),
            }
        )
        if len(rows) >= EDGE_LIMIT:
            break
    return rows


def _render(view: services.NetworkView, form: FilterForm, *, proposal=None, visible=None):
    a = view.analysis
    names = view.names
    sort = request.args.get("sort", "betweenness")
    if sort not in NODE_SORTS:
        sort = "betweenness"
    descending = (
        request.args.get("dir", "desc" if sort not in ("name", "type") else "asc") == "desc"
    )
    rows = _node_rows(view, sort, descending)
    table_rows = rows[:TABLE_LIMIT]
    shown = {r["id"] for r in table_rows}
    messages = _messages(view)
    memberships = _memberships(visible) if proposal is None else {}
    args = {k: v for k, v in request.args.items(multi=True) if k not in ("sort", "dir", "format")}
    query = request.query_string.decode("utf-8", "replace")
    ego = view.filters.ego if view.filters.ego in view.graph else None
    growth = services.network_growth(view)
    urls = _page_urls(proposal, args)
    page_endpoint, page_args = urls["page_endpoint"], urls["page_args"]
    return render_template(
        "network/map.html",
        view=view,
        a=a,
        names=names,
        form=form,
        proposal=proposal,
        rows=table_rows,
        total_rows=len(rows),
        edges=_edge_rows(view, shown),
        sort=sort,
        descending=descending,
        sorts=NODE_SORTS,
        messages=messages,
        bridges_url=urls["bridges_url"],
        communities=_communities(view),
        memberships=memberships,
        brokers=[(n, names[n]) for n in a.brokers[:5]],
        member_names=sorted(names[m] for m in view.members),
        isolated_members=[names[m] for m in a.isolated_members],
        cut_points=[names[n] for n in a.articulation_points[:20]],
        bridges=[(names[u], names[v]) for u, v in a.bridges[:20]],
        data_src=urls["data_src"] + (f"?{_strip_sort(query)}" if _strip_sort(query) else ""),
        labels_json=json.dumps(_map_labels(), ensure_ascii=False),
        png_url=urls["png_url"],
        svg_url=urls["svg_url"],
        export_urls=urls["export_urls"],
        layout=form.chosen_layout(),
        layout_labels=LAYOUT_LABELS,
        ego=ego,
        ego_name=names.get(ego) if ego is not None else None,
        ego_url=lambda node: url_for(
            page_endpoint,
            **page_args,
            **_multi({k: v for k, v in args.items() if k != "ego"}),
            ego=node,
        ),
        whole_url=url_for(
            page_endpoint, **page_args, **_multi({k: v for k, v in args.items() if k != "ego"})
        ),
        growth=growth,
        growth_brokers=[names[n] for n in growth.new_brokers[:5]] if growth else [],
        page_endpoint=page_endpoint,
        page_args=page_args,
        sort_url=lambda key, direction: (
            url_for(page_endpoint, **page_args, **_multi(args), sort=key, dir=direction)
            + "#net-table"
        ),
        isolated_names=[names[n] for n in a.isolated[:20]],
        role_labels=ROLE_LABELS,
        kind_labels={k: _(v) for k, v in KIND_LABELS.items()},
        map_limit=services.MAP_LIMIT,
        table_limit=TABLE_LIMIT,
        edge_limit=EDGE_LIMIT,
        **(_territory_run_context() if proposal is None else {}),
    )


def _territory_run_context() -> dict:
    last_run, running_run = services.territory_runs()
    return {
        "last_run": last_run,
        "running_run": running_run,
        "can_run_analysis": _can_run_analysis(),
        "analysis_stage_label": lambda stage: _(ANALYSIS_STAGE_LABELS.get(stage, stage)),
    }


def _bridges_page(proposal: Proposal, view: services.NetworkView, context: dict) -> str:
    """The suggestions as a page of their own, for readers without JavaScript."""
    args = {k: v for k, v in request.args.items(multi=True) if k != "fragment"}
    return render_template(
        "network/bridges.html",
        heading_level=1,
        view=view,
        map_url=url_for("network.proposal_map", proposal_id=proposal.id, **_multi(args))
        + "#net-suggestions",
        **context,
    )


def _memberships(visible: set[int] | None) -> dict[int, tuple[str, ...]]:
    """Which visible proposals each organisation of the territory takes part in."""
    proposals = (
        visible if visible is not None else [p for (p,) in db.session.execute(select(Proposal.id))]
    )
    return services.memberships_by_org(proposals)


def _messages(view: services.NetworkView) -> list[tuple[str, str]]:
    """The insights, translated; theme codes named in the reader's language."""
    return [
        (
            i.code,
            _(
                i.template,
                **{k: (theme_label(v) if k in ("a", "b") else v) for k, v in i.params.items()},
            ),
        )
        for i in services.insights(view)
    ]


def _communities(view: services.NetworkView) -> list[dict]:
    a, names = view.analysis, view.names
    return [
        {
            "id": i,
            "name": theme_label(a.community_names[i]),
            "size": len(c),
            "top": [names[n] for n in sorted(c, key=lambda n: (-a.degree.get(n, 0), n))[:3]],
        }
        for i, c in enumerate(a.communities)
        if len(c) > 1
    ]


def _page_urls(proposal: Proposal | None, args: dict) -> dict:
    """Where the page's map data, figures, exports and suggestions are, for its scope."""
    scope = {"proposal_id": proposal.id} if proposal is not None else {}
    return {
        "data_src": url_for("network.map_data", **scope),
        "png_url": url_for("network.figure_png", **scope, **_multi(args)),
        "svg_url": url_for("network.figure_svg", **scope, **_multi(args)),
        "export_urls": {
            f: url_for("network.export", **scope, format=f, **_multi(args))
            for f in services.EXPORT_FORMATS
        },
        "page_endpoint": "network.proposal_map" if proposal is not None else "network.territory",
        "page_args": scope,
        "bridges_url": url_for("network.proposal_bridges", **scope, **_multi(args))
        if proposal is not None
        else None,
    }


def _multi(args: dict) -> dict:
    out: dict[str, list[str]] = {}
    for key, value in request.args.items(multi=True):
        if key in args:
            out.setdefault(key, []).append(value)
    return out


def _strip_sort(query: str) -> str:
    parts = [p for p in query.split("&") if p and not re.match(r"^(sort|dir)=", p)]
    return "&".join(parts)


@bp.get("/proposals/<int:proposal_id>/network")
@login_required
def proposal_map(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_NETWORK)
    form = _filters()
    return _render(_view(proposal, form), form, proposal=proposal)


@bp.get("/proposals/<int:proposal_id>/network/bridges")
@login_required
def proposal_bridges(proposal_id: int):
    """The bridging suggestions of a proposal's network, with the map page's filters.

    The map page's script fetches them (header ``X-Requested-With: fetch`` or ``?fragment=1``)
    and gets the section alone; the page's link, without JavaScript, gets a full page.
    """
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_NETWORK)
    form = _filters()
    view = _view(proposal, form)
    candidates, fit_available = services.bridging_candidates(
        view, fit_scores=fit_services.fit_totals
    )
    context = {"proposal": proposal, "candidates": candidates, "fit_available": fit_available}
    if request.headers.get("X-Requested-With") == "fetch" or request.args.get("fragment") == "1":
        response = Response(render_template("network/_bridges.html", heading_level=2, **context))
    else:
        response = Response(_bridges_page(proposal, view, context))
    response.vary.add("X-Requested-With")
    return response


@bp.get("/network")
@login_required
def territory():
    visible = _territory_access()
    size = services.organisation_count()
    if size > current_app.config["NETWORK_PAGE_LIMIT"]:
        return render_template(
            "network/territory_large.html", size=size, **_territory_run_context()
        )
    form = _filters()
    return _render(_view(None, form), form, visible=visible)


def _can_run_analysis() -> bool:
    """Starting the whole-territory analysis costs the server minutes: directory editors."""
    roles = db.session.scalars(
        select(ProposalMember.role).where(ProposalMember.user_id == current_user.id)
    )
    return directory_access(list(roles), is_admin=current_user.is_admin) == DirectoryAccess.EDIT


@bp.post("/network/analysis")
@login_required
def start_territory_run():
    _territory_access()
    if not _can_run_analysis():
        abort(403)
    run = services.start_territory_analysis(actor=current_user)
    db.session.commit()
    if run.status == "queued":
        jobs.start(run.id)
    return redirect(url_for("network.territory") + "#net-territory-run")


@bp.get("/network/analysis/<int:run_id>/progress")
@login_required
def territory_run_progress(run_id: int):
    _territory_access()
    run = db.session.get(TerritoryAnalysis, run_id)
    if run is None:
        abort(404)
    return jsonify(
        {
            "status": run.status,
            "status_label": _(RUN_STATUS_LABELS.get(run.status, run.status)),
            "percent": round(100 * (1.0 if run.status == "done" else run.fraction), 1),
            "stage": run.stage,
            "stage_label": _(ANALYSIS_STAGE_LABELS.get(run.stage, run.stage)),
            "finished": run.finished,
        }
    )


def _scoped(proposal_id: int | None) -> Proposal | None:
    if proposal_id is None:
        _territory_access()
        return None
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_NETWORK)
    return proposal


@bp.get("/network.json", endpoint="map_data")
@bp.get("/proposals/<int:proposal_id>/network.json", endpoint="map_data")
@login_required
def map_data(proposal_id: int | None = None):
    proposal = _scoped(proposal_id)
    form = _filters()
    if request.args and form.errors:
        return jsonify({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}), 400
    view = _view(proposal, form)
    payload = services.map_payload(view, layout=form.chosen_layout())
    payload["scope"] = "proposal" if proposal else "territory"
    payload["timeline"] = _timeline(view)
    for community in payload["communities"]:
        community["name"] = theme_label(community["name"])
    for node in payload["nodes"]:
        node["themes"] = [theme_label(t) for t in node["themes"]]
    return jsonify(payload)


@bp.get("/network.png", endpoint="figure_png")
@bp.get("/proposals/<int:proposal_id>/network.png", endpoint="figure_png")
@login_required
def figure_png(proposal_id: int | None = None):
    return _figure(proposal_id, "png")


@bp.get("/network.svg", endpoint="figure_svg")
@bp.get("/proposals/<int:proposal_id>/network.svg", endpoint="figure_svg")
@login_required
def figure_svg(proposal_id: int | None = None):
    """The current view (filters, layout, ego) as SVG, to download (never shown inline)."""
    return _figure(proposal_id, "svg")


def _figure(proposal_id: int | None, fmt: str) -> Response:
    proposal = _scoped(proposal_id)
    form = _filters()
    view = _view(proposal, form)
    data = services.figure_png(
        view,
        gettext=_,
        role_labels={k: str(v) for k, v in ROLE_LABELS.items()},
        title=_("Cooperation network of %(name)s", name=proposal.acronym)
        if proposal
        else _("Cooperation network of the territory"),
        community_label=theme_label,
        layout=form.chosen_layout(),
        fmt=fmt,
    )
    name = f"{proposal.acronym}-network.{fmt}" if proposal else f"territory-network.{fmt}"
    disposition = "inline" if fmt == "png" else "attachment"
    return Response(
        data,
        mimetype="image/png" if fmt == "png" else "image/svg+xml",
        headers={"Content-Disposition": f'{disposition}; filename="{_safe(name)}"'},
    )


def _timeline(view: services.NetworkView) -> list[dict]:
    """Steps of the time control, with their words."""
    out = []
    for step in time_steps(view.graph, view.rounds):
        if step.round is not None:
            label = _(
                "Workshop %(n)d (%(date)s)", n=step.round, date=format_date(step.held_on, "medium")
            )
        elif step.until is None:
            label = _("All ties")
        else:
            label = str(step.until)
        out.append({"until": step.until, "round": step.round, "label": label})
    return out


@bp.get("/network/export", endpoint="export")
@bp.get("/proposals/<int:proposal_id>/network/export", endpoint="export")
@login_required
def export(proposal_id: int | None = None):
    proposal = _scoped(proposal_id)
    fmt = request.args.get("format", "")
    if fmt not in services.EXPORT_FORMATS:
        abort(400)
    view = _view(proposal, _filters())
    prefix = _safe(proposal.acronym if proposal else "territory") or "network"
    payload, mimetype, ext = services.export(view, fmt, prefix=f"{prefix}-network")
    return Response(
        payload,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{prefix}-network.{ext}"'},
    )


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")

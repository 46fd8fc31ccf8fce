"""Pages of the open-data area: imports and their progress, the review queue, open-data
organisations, and partners from all Europe for a proposal."""

from __future__ import annotations

import math
import secrets
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from ..auth.permissions import Capability
from ..directory import services as directory_services
from ..directory.models import Organisation
from ..errors import N_, DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..proposals.access import allowed, load_proposal
from ..proposals.models import Proposal
from . import jobs, services
from .forms import ActionForm, SearchForm, UploadForm
from .models import ImportJob, OpenOrganisation, OpenProject

bp = Blueprint("opendata", __name__, url_prefix="/opendata")

PER_PAGE = 25
STAGE_LABELS = {
    "queued": N_("Waiting to start"),
    "read": N_("Reading the file"),
    "save": N_("Saving organisations and projects"),
    "match": N_("Matching with the directory"),
    "directory": N_("Adding past projects and ties"),
    "done": N_("Finished"),
}
STATUS_LABELS = {
    "queued": N_("Waiting"),
    "running": N_("Running"),
    "done": N_("Done"),
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
}
REASON_LABELS = {
    "pic": N_("same PIC"),
    "registry": N_("same registry number"),
    "name": N_("similar name"),
    "partial_name": N_("name contains the other"),
    "acronym": N_("same acronym"),
    "added": N_("added from open data"),
}


def _translated(template: str, params: dict | None = None) -> str:
    return _(template, **(params or {}))


def _job_label(job: ImportJob) -> str:
    if job.kind == "rematch":
        return _("Matching again with the directory")
    return _("Import of %(name)s", name=job.filename)


@bp.app_context_processor
def _helpers():
    return {
        "opendata_stage": lambda code: _(STAGE_LABELS.get(code, code)),
        "opendata_job_label": _job_label,
        "opendata_status": lambda code: _(STATUS_LABELS.get(code, code)),
        "opendata_reason": lambda code: _(REASON_LABELS.get(code or "", code or "")),
        "opendata_message": lambda item: _translated(item["template"], item["params"]),
    }


def _editor() -> directory_services.Viewer:
    """Imports and the review queue change the directory: its editors only."""
    viewer = directory_services.viewer_for(current_user)
    if not viewer.edits_all:
        abort(403)
    return viewer


def _reader() -> directory_services.Viewer:
    viewer = directory_services.viewer_for(current_user)
    if not viewer.private:
        abort(403)
    return viewer


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _pages(total: int, page: int) -> dict[str, int | bool]:
    pages = max(1, math.ceil(total / PER_PAGE))
    return {
        "page": page,
        "pages": pages,
        "has_prev": page > 1,
        "has_next": page < pages,
        "prev_num": page - 1,
        "next_num": page + 1,
    }


# --------------------------------------------------------------------------------- imports


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    _editor()
    form = UploadForm()
    if request.method == "GET":
        return _index_page(form)
    if not form.validate_on_submit():
        abort(400)
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = [_("Choose a file to import.")]
        return _index_page(form, 400)
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "opendata"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(8)}-{secure_filename(upload.filename)[-80:] or 'file'}"
    upload.save(folder / name)
    job = jobs.create_job(upload.filename, f"opendata/{name}", actor=current_user)
    db.session.commit()
    jobs.start(job.id)
    return redirect(url_for("opendata.job", job_id=job.id))


@bp.post("/rematch")
@login_required
def rematch():
    """Match the imported open data to the directory again, as a background job."""
    _editor()
    if not ActionForm().validate_on_submit():
        abort(400)
    job = jobs.create_rematch_job(actor=current_user)
    db.session.commit()
    jobs.start(job.id)
    return redirect(url_for("opendata.job", job_id=job.id))


def _index_page(form: UploadForm, status: int = 200):
    recent = list(db.session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(20)))
    counts = {
        "organisations": db.session.scalar(select(func.count()).select_from(OpenOrganisation)),
        "projects": db.session.scalar(select(func.count()).select_from(OpenProject)),
        "review": db.session.scalar(
            select(func.count())
            .select_from(OpenOrganisation)
            .where(OpenOrganisation.match_status == "review")
        ),
        "matched": db.session.scalar(
            select(func.count())
            .select_from(OpenOrganisation)
            .where(OpenOrganisation.match_status.in_(("auto", "confirmed")))
        ),
    }
    proposals = list(db.session.scalars(select(Proposal).order_by(Proposal.id)))
    page = render_template(
        "opendata/index.html",
        form=form,
        action_form=ActionForm(),
        jobs=recent,
        counts=counts,
        proposals=proposals,
    )
    return page, status


def _job(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/jobs/<int:job_id>")
@login_required
def job(job_id: int):
    _editor()
    job = _job(job_id)
    progress = jobs.store().read(job.id)
    return render_template(
        "opendata/job.html", job=job, progress=progress, action_form=ActionForm()
    )


@bp.get("/jobs/<int:job_id>/progress")
@login_required
def job_progress(job_id: int):
    _editor()
    job = _job(job_id)
    progress = jobs.store().read(job.id)
    fraction = 1.0 if job.status == "done" else progress.fraction
    stage = job.status if job.status in ("queued", "done") else progress.stage
    return jsonify(
        {
            "status": job.status,
            "status_label": _(STATUS_LABELS.get(job.status, job.status)),
            "percent": round(100 * fraction, 1),
            "stage": stage,
            "stage_label": _(STAGE_LABELS.get(stage, stage)),
            "finished": job.status in ("done", "failed", "cancelled"),
        }
    )


@bp.post("/jobs/<int:job_id>/cancel")
@login_required
def cancel_job(job_id: int):
    _editor()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    job = _job(job_id)
    if job.status in ("queued", "running"):
        jobs.cancel(job)
        db.session.commit()
        flash(_("Cancelling the import: nothing it did is kept."), "success")
    return redirect(url_for("opendata.job", job_id=job.id))


# --------------------------------------------------------------------------------- review


@bp.get("/review")
@login_required
def review():
    _editor()
    page = _page()
    items, total = services.review_queue(page, PER_PAGE)
    projects = services.projects_of([item.id for item in items], limit=3)
    return render_template(
        "opendata/review.html",
        items=items,
        total=total,
        projects=projects,
        pager=_pages(total, page),
        action_form=ActionForm(),
    )


@bp.post("/review/<int:open_organisation_id>/confirm")
@login_required
def confirm(open_organisation_id: int):
    return _decide(open_organisation_id, "confirm")


@bp.post("/review/<int:open_organisation_id>/reject")
@login_required
def reject(open_organisation_id: int):
    return _decide(open_organisation_id, "reject")


def _decide(open_id: int, decision: str):
    _editor()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        open_org = services.get_open_organisation(open_id)
        if decision == "confirm":
            services.confirm_match(open_org, actor=current_user)
        else:
            services.reject_match(open_org, actor=current_user)
    except NotFound:
        db.session.rollback()
        abort(404)
    db.session.commit()
    flash(
        _("Confirmed: its projects are now in the directory.")
        if decision == "confirm"
        else _("Rejected: this organisation will not be proposed again."),
        "success",
    )
    return redirect(url_for("opendata.review", page=request.args.get("page", 1)))


# --------------------------------------------------------------------------------- organisations


@bp.get("/organisations/<int:open_organisation_id>")
@login_required
def organisation(open_organisation_id: int):
    open_id = open_organisation_id
    viewer = _reader()
    try:
        open_org = services.get_open_organisation(open_id)
    except NotFound:
        abort(404)
    page = _page()
    projects = services.projects_of([open_org.id], limit=100_000).get(open_org.id, [])
    total = len(projects)
    shown = projects[(page - 1) * PER_PAGE : page * PER_PAGE]
    matched = (
        open_org.organisation
        if open_org.match_status in ("auto", "confirmed") and open_org.organisation
        else None
    )
    return render_template(
        "opendata/organisation.html",
        org=open_org,
        matched=matched,
        projects=shown,
        total=total,
        pager=_pages(total, page),
        can_add=viewer.edits_all and matched is None,
        action_form=ActionForm(),
        next_url=_safe_next(),
    )


def _safe_next() -> str:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else ""


@bp.post("/organisations/<int:open_organisation_id>/add")
@login_required
def add(open_organisation_id: int):
    open_id = open_organisation_id
    _editor()
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        open_org = services.get_open_organisation(open_id)
        org = services.add_to_directory(open_org, actor=current_user)
    except NotFound:
        db.session.rollback()
        abort(404)
    except ValidationFailed as error:
        db.session.rollback()
        for template, params in error.errors.values():
            flash(_translated(template, params), "error")
        return redirect(url_for("opendata.organisation", open_organisation_id=open_id))
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("opendata.organisation", open_organisation_id=open_id))
    db.session.commit()
    flash(_("“%(name)s” is added to the directory with its projects.", name=org.name), "success")
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(url_for("directory.detail", org_id=org.id))


# --------------------------------------------------------------------------------- Europe


@bp.get("/proposals/<int:proposal_id>/partners")
@login_required
def partners(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_FIT)
    viewer = directory_services.viewer_for(current_user)
    form = SearchForm(request.args)
    searched = bool(form.validate() and (form.q.data or form.country.data))
    query = services.SearchQuery(text=form.q.data or "", country=(form.country.data or ""))
    ranked = services.rank_for_proposal(proposal, query) if searched else []
    page = _page()
    shown = ranked[(page - 1) * PER_PAGE : page * PER_PAGE]
    projects = services.projects_of([row.org.id for row in shown], limit=3)
    return render_template(
        "opendata/partners.html",
        proposal=proposal,
        form=form,
        rows=shown,
        total=len(ranked),
        searched=searched,
        projects=projects,
        pager=_pages(len(ranked), page),
        candidates=services.EUROPE_CANDIDATES,
        args={"q": form.q.data or "", "country": form.country.data or ""},
        can_add=viewer.edits_all,
        action_form=ActionForm(),
        member=member,
        allowed=allowed,
    )


@bp.get("/proposals/<int:proposal_id>/europe")
@login_required
def neighbours(proposal_id: int):
    """The proposal's members and their European co-participants, as a table."""
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_NETWORK)
    member_ids = [p.organisation_id for p in proposal.participations]
    rows = services.neighbours_in_europe(member_ids)
    open_orgs = {
        o.id: o
        for o in db.session.scalars(
            select(OpenOrganisation).where(OpenOrganisation.id.in_({r[1] for r in rows}))
        )
    }
    members = {
        o.id: o
        for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(member_ids)))
    }
    return render_template(
        "opendata/neighbours.html",
        proposal=proposal,
        rows=[(members[m], open_orgs[o], count) for m, o, count in rows if m in members],
        can_open=directory_services.viewer_for(current_user).private,
    )

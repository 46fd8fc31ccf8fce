"""Pages of the directory area: find, show, create, edit, delete, merge, ties, import, export."""

from __future__ import annotations

import hashlib
import secrets
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth.permissions import Capability, can
from ..characters import without_control_characters
from ..errors import ValidationFailed
from ..extensions import db
from ..folding import collation_key
from ..identifiers import parse_id
from ..proposals.models import PARTICIPATION_STATUSES, Proposal, ProposalMember
from ..web.errors import current_values, render_conflict
from ..web.forms import attach_errors
from ..web.transactions import commit_or_refuse, flash_refusal
from . import services
from .countries import resolve_country
from .forms import (
    COLUMN_FIELDS,
    EU_EXPERIENCE_LABELS,
    TIE_KIND_LABELS,
    ImportForm,
    MergeForm,
    OrganisationForm,
    TieForm,
    TieImportForm,
    country_label,
    language_label,
    theme_choices,
    theme_label,
    type_label,
)
from .models import ORG_TYPES, Organisation, OrganisationMerge, PastProject, Tie
from .records import OrganisationRecord, theme_codes, validate_record
from .spreadsheet import TIE_SCHEMA, export_csv, export_xlsx, parse_table

bp = Blueprint("directory", __name__, url_prefix="/directory")

IMPORT_SESSION_KEY = "directory_imports"
IMPORT_MAX_AGE = 24 * 3600


@bp.app_context_processor
def _helpers():
    return {
        "org_type_label": type_label,
        "theme_label": theme_label,
        "language_label": language_label,
        "country_label": country_label,
        "tie_kind_label": lambda k: TIE_KIND_LABELS.get(k, k),
        "eu_experience_label": lambda k: EU_EXPERIENCE_LABELS.get(k, k),
    }


@bp.before_request
def _allow_long_fields() -> None:
    """A 10 MB description must reach the validator (which explains the 20,000-character
    limit) instead of being cut off by the 500 kB per-field default."""
    if request.endpoint in ("directory.create", "directory.edit"):
        request.max_form_memory_size = current_app.config["MAX_CONTENT_LENGTH"]


def _viewer() -> services.Viewer:
    viewer = services.viewer_for(current_user)
    if viewer.access is services.DirectoryAccess.NONE:
        abort(403)
    return viewer


def _editor() -> services.Viewer:
    viewer = _viewer()
    if not viewer.edits_all:
        abort(403)
    return viewer


def _organisation(org_id: int, viewer: services.Viewer) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None or not viewer.sees(org):
        abort(404)
    return org


#: Ids in this directory's URLs and forms have at most nine digits.
_ID_DIGITS = 9


def _message(error) -> str:
    return _(error.template, **error.params)


# ---------------------------------------------------------------------------------------------
# Find


def _proposals_for_filter() -> list[Proposal]:
    if current_user.is_admin:
        return list(db.session.scalars(select(Proposal).order_by(Proposal.acronym)))
    rows = db.session.execute(
        select(Proposal, ProposalMember.role)
        .join(ProposalMember, ProposalMember.proposal_id == Proposal.id)
        .where(ProposalMember.user_id == current_user.id)
        .order_by(Proposal.acronym)
    ).all()
    return [p for p, role in rows if can(role, Capability.VIEW_WORKSHOPS)]


def _managed_proposals() -> list[Proposal]:
    """Proposals whose consortium this user builds: the targets of "Add to proposal…"."""
    if current_user.is_admin:
        return list(db.session.scalars(select(Proposal).order_by(Proposal.acronym)))
    rows = db.session.execute(
        select(Proposal, ProposalMember.role)
        .join(ProposalMember, ProposalMember.proposal_id == Proposal.id)
        .where(ProposalMember.user_id == current_user.id)
        .order_by(Proposal.acronym)
    ).all()
    return [p for p, role in rows if can(role, Capability.MANAGE_COMMITMENTS)]


def _filters(proposals: list[Proposal]) -> tuple[services.Filters, dict[str, str]]:
    """Filters from the query string; unknown values are ignored, never an error."""
    args = request.args

    def text(name: str, limit: int = 200) -> str:
        return without_control_characters(args.get(name, ""))[:limit].strip()

    filters = services.Filters(q=text("q"))
    if text("type") in ORG_TYPES:
        filters.org_type = text("type")
    country = text("country")
    if country:
        filters.country = resolve_country(country) or ""
    if text("theme") in theme_codes():
        filters.theme = text("theme")
    if text("pic") in ("missing", "present"):
        filters.pic = text("pic")
    if text("shared") in ("yes", "no"):
        filters.shared = text("shared")
    if text("sort") in services.SORTS:
        filters.sort = text("sort")
    proposal_text = text("proposal")
    if proposal_text:
        proposal_id = parse_id(proposal_text, max_digits=_ID_DIGITS)
        if proposal_id is None or proposal_id not in {p.id for p in proposals}:
            abort(404)
        filters.proposal_id = proposal_id
        status = text("status")
        if status in (*PARTICIPATION_STATUSES, "none"):
            filters.status = status
    current = {
        "q": filters.q,
        "type": filters.org_type,
        "country": filters.country,
        "theme": filters.theme,
        "pic": filters.pic,
        "shared": filters.shared,
        "sort": filters.sort if filters.sort != "name" else "",
        "proposal": str(filters.proposal_id or ""),
        "status": filters.status,
    }
    return filters, {k: v for k, v in current.items() if v}


def _page_number() -> int:
    number = parse_id(request.args.get("page", "1"), max_digits=_ID_DIGITS)
    return max(1, min(number, 1_000_000)) if number is not None else 1


@bp.get("")
@login_required
def index():
    viewer = _viewer()
    proposals = _proposals_for_filter()
    filters, current = _filters(proposals)
    query = services.search(filters, viewer).options(selectinload(Organisation.themes))
    page = db.paginate(
        query,
        page=_page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
        count=True,
    )
    statuses = (
        services.statuses_in(filters.proposal_id, [o.id for o in page.items])
        if filters.proposal_id
        else {}
    )
    return render_template(
        "directory/index.html",
        page=page,
        viewer=viewer,
        filters=filters,
        current=current,
        proposals=proposals,
        statuses=statuses,
        status_choices=PARTICIPATION_STATUSES,
        org_types=ORG_TYPES,
        target_proposals=_managed_proposals(),
        **_listing_labels(viewer, filters, page.items),
    )


def _listing_labels(viewer: services.Viewer, filters, organisations) -> dict:
    """Filter choices and labels, computed once per request rather than once per row (the
    locale look-up is costly)."""
    themes = theme_choices()
    countries = _countries(viewer, filters.country)
    return {
        "themes": themes,
        "countries": countries,
        "type_names": {code: type_label(code) for code in ORG_TYPES},
        "theme_names": dict(themes),
        "country_names": {
            **dict(countries),
            **{o.country: country_label(o.country) for o in organisations if o.country},
        },
    }


def _countries(viewer: services.Viewer, selected: str = "") -> list[tuple[str, str]]:
    """The countries of the organisations the viewer sees (and the one selected), by name in
    the reader's language: the filter no longer lists 250 countries."""
    codes = set(services.countries_in_directory(viewer))
    if selected:
        codes.add(selected)
    return sorted(
        ((c, country_label(c)) for c in codes), key=lambda pair: (collation_key(pair[1]), pair[0])
    )


@bp.get("/export")
@login_required
def export():
    viewer = _viewer()
    filters, _current = _filters(_proposals_for_filter())
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(404)
    include_contacts = viewer.private and request.args.get("contacts") == "1"
    records = services.export_records(services.search(filters, viewer), viewer)
    if fmt == "xlsx":
        data = export_xlsx(records, include_contacts=include_contacts)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = export_csv(records, include_contacts=include_contacts)
        mimetype = "text/csv; charset=utf-8"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="organisations.{fmt}"'},
    )


# ---------------------------------------------------------------------------------------------
# Show, create, edit, delete


@bp.get("/<int:org_id>")
@login_required
def detail(org_id: int):
    viewer = _viewer()
    org = _organisation(org_id, viewer)
    ties = [t for t in services.ties_of(org.id) if viewer.sees(_other_end(t, org.id))]
    tie_form = None
    if viewer.edits_all:
        tie_form = TieForm()
        tie_form.setup(_organisation_choices(exclude=org.id))
    merges = (
        db.session.scalars(
            select(OrganisationMerge)
            .where(OrganisationMerge.kept_id == org.id)
            .order_by(OrganisationMerge.at.desc())
        ).all()
        if viewer.sees_private_of(org)
        else []
    )
    projects_page = _past_projects_page(org)
    return render_template(
        "directory/detail.html",
        org=org,
        viewer=viewer,
        projects_page=projects_page,
        ties=ties,
        tie_form=tie_form,
        merges=merges,
        proposals=viewer.visible_proposals(org),
        target_proposals=_managed_proposals(),
    )


PAST_PROJECTS_PER_PAGE = 25


def _past_projects_page(org: Organisation) -> SimpleNamespace:
    """One page of the past projects (research organisations have thousands)."""
    total = db.session.scalar(
        select(func.count()).select_from(PastProject).where(PastProject.organisation_id == org.id)
    )
    pages = max(1, -(-total // PAST_PROJECTS_PER_PAGE))
    try:
        page = min(max(1, int(request.args.get("projects", 1))), pages)
    except ValueError:
        page = 1
    items = db.session.scalars(
        select(PastProject)
        .where(PastProject.organisation_id == org.id)
        .order_by(PastProject.year.desc(), PastProject.id)
        .limit(PAST_PROJECTS_PER_PAGE)
        .offset((page - 1) * PAST_PROJECTS_PER_PAGE)
    ).all()
    return SimpleNamespace(
        items=items,
        total=total,
        page=page,
        pages=pages,
        has_prev=page > 1,
        has_next=page < pages,
        prev_num=page - 1,
        next_num=page + 1,
    )


def _other_end(tie: Tie, org_id: int) -> Organisation:
    return tie.organisation_b if tie.organisation_a_id == org_id else tie.organisation_a


def _organisation_choices(exclude: int | None = None) -> list[tuple[int, str]]:
    query = select(Organisation.id, Organisation.name, Organisation.city).order_by(
        Organisation.name, Organisation.id
    )
    return [
        (i, f"{n} ({c})" if c else n) for i, n, c in db.session.execute(query).all() if i != exclude
    ]


def _validated(form: OrganisationForm):
    """The form's record, or None with errors attached to the fields."""
    record, errors = validate_record(form.raw())
    if record is not None:
        errors = services.db_limit_errors(record)
    for error in errors:
        field = getattr(form, COLUMN_FIELDS.get(error.column, error.column), None)
        message = _(error.template, **dict(error.params))
        if field is not None:
            field.errors = [*field.errors, message]
        else:  # pragma: no cover - every column has a field
            flash(message, "error")
    return None if errors else record


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    viewer = _editor()
    form = OrganisationForm()
    form.setup()
    if request.method == "GET":
        form.country.data = "FR"
        form.eu_experience.data = "none"
    duplicates = []
    record = _validated(form) if form.validate_on_submit() else None
    if record is not None:
        merge_into = _merge_target()
        if form.create_anyway.data != "1" and merge_into is None:
            duplicates = services.possible_duplicates(record)
        if not duplicates:
            with commit_or_refuse(_refusal(form)) as outcome:
                org = _create_and_merge(viewer, form, record, merge_into)
            if outcome.saved:
                flash(_("The organisation is saved."), "success")
                return redirect(url_for("directory.detail", org_id=org.id))
    return render_template(
        "directory/form.html", form=form, org=None, duplicates=duplicates, lead_fields=True
    )


def _merge_target() -> int | None:
    """The existing organisation the lead chose to merge the new entry into, if any."""
    return parse_id(request.form.get("merge_into", ""), max_digits=_ID_DIGITS)


def _refusal(form: OrganisationForm):
    """Field errors on the form, any other refusal as a message."""

    def refuse(error: Exception) -> None:
        if isinstance(error, ValidationFailed):
            attach_errors(form, error)
        else:
            flash(_message(error), "error")

    return refuse


def _create_and_merge(viewer, form: OrganisationForm, record, merge_into: int | None):
    org = services.create_organisation(
        record,
        actor=current_user,
        notes=form.notes.data or "",
        shared_with_partners=bool(form.shared_with_partners.data),
        eu_experience=form.eu_experience.data,
    )
    if merge_into is None:
        return org
    keep = db.session.get(Organisation, merge_into)
    if keep is None:
        abort(404)
    if not viewer.restructures(keep):
        abort(403)
    services.merge_organisations(keep, org, actor=current_user)
    return keep


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    viewer = _viewer()
    org = _organisation(org_id, viewer)
    if not viewer.edits(org):
        abort(403)
    form = OrganisationForm()
    form.setup()
    if request.method == "GET":
        form.fill(org, services.org_to_record(org))
    if form.validate_on_submit():
        if str(org.version) != (form.version.data or ""):
            return render_conflict(form, current_values(org))
        record = _validated(form)
        if record is not None:
            with commit_or_refuse(_refusal(form), refusals=(ValidationFailed,)) as outcome:
                _update(org, form, record, lead_fields=viewer.edits_all)
            if outcome.saved:
                flash(_("The organisation is saved."), "success")
                return redirect(url_for("directory.detail", org_id=org.id))
    return render_template(
        "directory/form.html", form=form, org=org, duplicates=[], lead_fields=viewer.edits_all
    )


def _update(org: Organisation, form: OrganisationForm, record, *, lead_fields: bool) -> None:
    """Save the form; sharing and private notes only when the editor may set them."""
    services.update_organisation(
        org,
        record,
        actor=current_user,
        notes=(form.notes.data or "") if lead_fields else None,
        shared_with_partners=bool(form.shared_with_partners.data) if lead_fields else None,
        eu_experience=form.eu_experience.data,
    )


@bp.post("/<int:org_id>/delete")
@login_required
def delete(org_id: int):
    viewer = _editor()
    org = _organisation(org_id, viewer)
    if not viewer.restructures(org):
        abort(403)
    name = org.name
    with commit_or_refuse(flash_refusal(_message)) as outcome:
        services.delete_organisation(org, actor=current_user)
    if not outcome.saved:
        return redirect(url_for("directory.detail", org_id=org_id))
    flash(_("“%(name)s” is deleted.", name=name), "success")
    return redirect(url_for("directory.index"))


def _merge_form(keep: Organisation) -> MergeForm:
    """The merge form, its choices the other organisations, preselected from ``?other=``."""
    form = MergeForm()
    form.other.choices = [("", "—")] + [
        (str(i), n) for i, n in _organisation_choices(exclude=keep.id)
    ]
    asked = parse_id(request.args.get("other"), max_digits=_ID_DIGITS)
    if request.method == "GET" and asked is not None:
        form.other.data = request.args["other"]
    return form


@bp.route("/<int:org_id>/merge", methods=["GET", "POST"])
@login_required
def merge(org_id: int):
    viewer = _editor()
    keep = _organisation(org_id, viewer)
    if not viewer.restructures(keep):
        abort(403)
    form = _merge_form(keep)
    other = None
    other_id = parse_id(form.other.data, max_digits=_ID_DIGITS)
    if other_id is not None:
        other = db.session.get(Organisation, other_id)
        if other is not None and not viewer.restructures(other):
            abort(403)  # merging deletes it: the same right as deleting it
    if form.validate_on_submit():
        if other is None:
            form.other.errors = [_("Choose an organisation from the directory.")]
        elif request.form.get("confirm") == "1":
            other_name = other.name
            with commit_or_refuse(flash_refusal(_message)) as outcome:
                services.merge_organisations(keep, other, actor=current_user)
            if outcome.saved:
                flash(
                    _("“%(other)s” is merged into “%(name)s”.", other=other_name, name=keep.name),
                    "success",
                )
                return redirect(url_for("directory.detail", org_id=keep.id))
    return render_template("directory/merge.html", org=keep, other=other, form=form)


# ---------------------------------------------------------------------------------------------
# Ties


@bp.post("/<int:org_id>/ties")
@login_required
def add_tie(org_id: int):
    viewer = _editor()
    org = _organisation(org_id, viewer)
    form = TieForm()
    form.setup(_organisation_choices(exclude=None))
    if form.validate_on_submit():
        other_id = parse_id(form.other.data, max_digits=_ID_DIGITS)
        other = db.session.get(Organisation, other_id) if other_id is not None else None
        try:
            services.add_tie(
                org,
                other,
                form.kind.data,
                year=form.year.data,
                note=form.note.data or "",
                actor=current_user,
            )
        except ValidationFailed as error:
            db.session.rollback()
            for _field, (template, params) in error.errors.items():
                flash(_(template, **params), "error")
        else:
            db.session.commit()
            flash(_("The tie is saved."), "success")
    else:
        for field in form:
            for message in field.errors:
                flash(_("%(label)s: %(value)s", label=field.label.text, value=message), "error")
    return redirect(url_for("directory.detail", org_id=org.id) + "#ties")


@bp.post("/<int:org_id>/ties/<int:tie_id>/delete")
@login_required
def delete_tie(org_id: int, tie_id: int):
    viewer = _editor()
    org = _organisation(org_id, viewer)
    tie = db.session.get(Tie, tie_id)
    if tie is None or org.id not in (tie.organisation_a_id, tie.organisation_b_id):
        abort(404)
    services.delete_tie(tie, actor=current_user)
    db.session.commit()
    flash(_("The tie is deleted."), "success")
    return redirect(url_for("directory.detail", org_id=org.id) + "#ties")


# ---------------------------------------------------------------------------------------------
# Import


def _imports_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _store_upload(data: bytes, filename: str) -> str:
    folder = _imports_folder()
    now = time.time()
    for old in folder.iterdir():
        try:
            if now - old.stat().st_mtime > IMPORT_MAX_AGE:
                old.unlink()
        except OSError:  # pragma: no cover - another worker removed it
            pass
    token = secrets.token_urlsafe(24)
    (folder / token).write_bytes(data)
    stored = dict(session.get(IMPORT_SESSION_KEY, {}))
    stored[token] = {"sha256": hashlib.sha256(data).hexdigest(), "name": filename[:200]}
    session[IMPORT_SESSION_KEY] = dict(list(stored.items())[-5:])
    return token


def _load_upload(token: str) -> tuple[bytes, str] | None:
    entry = session.get(IMPORT_SESSION_KEY, {}).get(token)
    if entry is None or not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = _imports_folder() / token
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return data, entry["name"]


def _forget_upload(token: str) -> None:
    stored = dict(session.get(IMPORT_SESSION_KEY, {}))
    stored.pop(token, None)
    session[IMPORT_SESSION_KEY] = stored
    (_imports_folder() / token).unlink(missing_ok=True)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_organisations():
    _editor()
    form = ImportForm()
    report, token, filename = None, "", ""
    if request.method == "POST" and form.validate_on_submit():
        token = request.form.get("token", "")
        loaded = _uploaded(form, token)
        if not isinstance(loaded, tuple):
            return loaded
        data, filename = loaded
        report = services.check_organisations(parse_table(filename, data))
        if request.form.get("confirm") == "1" and token:
            done = _import_checked(report, form, token)
            if done is not None:
                return done
        elif not token:
            token = _store_upload(data, filename)
    return render_template(
        "directory/import.html", form=form, report=report, token=token, filename=filename
    )


def _uploaded(form: ImportForm, token: str):
    """(data, filename) of the file being imported: the stored upload a confirmation names,
    else the new file; a response when there is none."""
    if token:
        loaded = _load_upload(token)
        if loaded is None:
            flash(_("The uploaded file has expired; upload it again."), "error")
            return redirect(url_for("directory.import_organisations"))
        return loaded
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.file.errors = [_("Choose a file to import.")]
        return render_template("directory/import.html", form=form, report=None)
    return upload.read(), upload.filename


def _import_checked(report, form: ImportForm, token: str):
    """Import the confirmed file: a redirect to the directory, or ``None`` with a message."""
    result = services.import_organisations(
        report, actor=current_user, valid_only=form.mode.data == "valid", dry_run=False
    )
    if result.committed:
        db.session.commit()
        _forget_upload(token)
        flash(_("%(count)s organisations imported.", count=len(result.created)), "success")
        return redirect(url_for("directory.index", sort="-updated"))
    db.session.rollback()
    flash(_("Nothing was imported: correct the errors or import the valid rows only."), "error")
    return None


@bp.get("/import/template.<fmt>")
@login_required
def import_template(fmt: str):
    """A file to fill in: the import's columns and one example row."""
    _editor()
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows = [IMPORT_EXAMPLE]
    if fmt == "xlsx":
        data = export_xlsx(rows, include_contacts=False)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = export_csv(rows, include_contacts=False)
        mimetype = "text/csv; charset=utf-8"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="organisations-template.{fmt}"'},
    )


#: The example row of the import template (a fictitious organisation, to be replaced).
IMPORT_EXAMPLE = OrganisationRecord(
    name="Association Exemple",
    country="FR",
    acronym="AEX",
    org_type="ngo",
    region="Provence-Alpes-Côte d'Azur",
    city="Marseille",
    website="https://example.org",
    email="contact@example.org",
    description="Reuse of construction materials",
    keywords=("reuse", "construction"),
    staff=12,
    annual_budget_eur=Decimal("400000"),
    languages=("fr", "en"),
)


@bp.route("/ties/import", methods=["GET", "POST"])
@login_required
def import_ties():
    _editor()
    form = TieImportForm()
    report, result = None, None
    if request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = [_("Choose a file to import.")]
        else:
            report, result = _import_tie_file(upload)
    return render_template(
        "directory/ties_import.html",
        form=form,
        report=report,
        created=result.created if result is not None and result.committed else None,
        strengthened=result.strengthened if result is not None and result.committed else 0,
        dry_run=request.form.get("dry_run") == "1",
        valid_only=request.form.get("valid_only") == "1",
    )


def _import_tie_file(upload):
    """Check the uploaded tie file and import it as the form asks: (report, result)."""
    report = services.check_ties(parse_table(upload.filename, upload.read(), schema=TIE_SCHEMA))
    result = services.import_ties(
        report,
        actor=current_user,
        dry_run=request.form.get("dry_run") == "1",
        valid_only=request.form.get("valid_only") == "1",
    )
    if result.committed:
        db.session.commit()
    else:
        db.session.rollback()
    return report, result

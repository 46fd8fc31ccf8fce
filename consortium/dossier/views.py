"""Pages of the dossier area: sections, editing with history, Word exports, the Part B
structure (admins)."""

from __future__ import annotations

import threading
from functools import partial
from io import BytesIO
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.routing import BuildError

from ..auth.guards import admin_required
from ..auth.permissions import Capability
from ..commitments.services import UploadQuota
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..identifiers import parse_id
from ..proposals.access import allowed, load_proposal
from ..proposals.models import Proposal
from ..web.errors import render_conflict
from ..web.forms import attach_errors
from ..web.locale import reader_language
from ..web.transactions import commit_or_refuse
from ..workshops.models import Output, Workshop
from . import markup, services, structure
from .drafting import Source
from .forms import (
    STATUS_CHOICES,
    ImportReviewForm,
    ReferenceForm,
    SectionForm,
    TemplateForm,
    VersionForm,
    WordImportForm,
)
from .models import Section, SectionTemplate

bp = Blueprint("dossier", __name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# At most two Word exports at once per process (reliability.md: costly functionality).
_EXPORTS = threading.BoundedSemaphore(2)


def _lang_arg() -> str | None:
    lang = request.args.get("lang")
    if lang is not None and lang not in services.LANGS:
        abort(404)
    return lang


def _section_of(proposal: Proposal, section_id: int) -> Section:
    try:
        return services.find_section(proposal, section_id)
    except NotFound:
        abort(404)


def _spec_of(proposal: Proposal, section: Section) -> structure.SectionSpec:
    specs = services.structure_for(proposal)
    spec = next((s for s in specs if s.code == section.code), None)
    if spec is None:
        abort(404)
    return spec


def _availability(gathered: services.Gathered) -> list[tuple[str, bool]]:
    data = gathered.data
    return [
        (_("Workshops and their outputs"), bool(data.workshops)),
        (_("Work packages"), bool(data.actions)),
        (_("Partner commitments and budget"), data.budget is not None),
        (_("Network analysis"), data.network is not None),
        (_("Complementarity (partner fit)"), data.fit is not None),
    ]


@bp.get("/proposals/<int:proposal_id>/dossier")
@login_required
def index(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_SECTIONS)
    lang = services.language_of(proposal, _lang_arg())
    specs = services.structure_for(proposal)
    gathered = services.gather(proposal)
    rows = services.ensure_sections(proposal, lang, specs, gathered, actor=current_user)
    db.session.commit()
    items = [
        {
            "spec": spec,
            "section": rows.get(spec.code),
            "length": services.length_of(rows[spec.code].body if spec.code in rows else "", spec),
        }
        for spec in specs
    ]
    pages = services.page_estimate([r.body for r in rows.values()])
    budget_pages = round(sum(s.budget_chars for s in specs) / specs[0].chars_per_page, 1)
    return render_template(
        "dossier/index.html",
        proposal=proposal,
        lang=lang,
        items=items,
        pages=pages,
        budget_pages=budget_pages,
        availability=_availability(gathered),
        note=structure.structure_note(lang, services.family_of(proposal)),
        may_edit=allowed(member, Capability.EDIT_SECTIONS),
        may_export=allowed(member, Capability.EXPORT_DOSSIER),
        statuses=dict(STATUS_CHOICES),
    )


# --------------------------------------------------------------------------- sources


def _url(endpoint: str, **values) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _source_link(
    source: Source, proposal: Proposal, output_workshops: dict[str, int]
) -> str | None:
    pid = proposal.id
    if not source.id.isdigit() and source.kind not in ("topic", "figure"):
        return None
    if source.kind == "workshop":
        return _url("workshops.detail", proposal_id=pid, workshop_id=int(source.id))
    if source.kind == "output" and source.id in output_workshops:
        url = _url("workshops.detail", proposal_id=pid, workshop_id=output_workshops[source.id])
        return f"{url}#output-{source.id}" if url else None
    if source.kind == "action":
        url = _url("workshops.actions", proposal_id=pid)
        return f"{url}#action-{source.id}" if url else None
    if source.kind == "organisation":
        for values in ({"organisation_id": int(source.id)}, {"org_id": int(source.id)}):
            url = _url("directory.detail", **values)
            if url:
                return url
        return None
    if source.kind == "figure":
        return _url("network.proposal_map", proposal_id=pid)
    if source.kind == "topic":
        return _url("calls.detail", identifier=source.id)
    return None


def _output_workshops(proposal: Proposal) -> dict[str, int]:
    return {
        str(output_id): workshop_id
        for output_id, workshop_id in db.session.execute(
            select(Output.id, Output.workshop_id)
            .join(Workshop, Workshop.id == Output.workshop_id)
            .where(Workshop.proposal_id == proposal.id)
        )
    }


def _blocks_with_sources(proposal: Proposal, section: Section) -> list[dict]:
    blocks = markup.parse(section.body)
    sources = services.sources_of(section)
    where = _output_workshops(proposal) if sources else {}
    kinds = {
        "output": _("Output"),
        "organisation": _("Organisation"),
        "workshop": _("Workshop"),
        "action": _("Work package"),
        "figure": _("Figure"),
        "topic": _("Call topic"),
    }
    out = []
    for index, block in enumerate(blocks):
        found = sources[index] if index < len(sources) else ()
        out.append(
            {
                # to_html escapes every text and emits only its own tags.
                "html": Markup(markup.to_html((block,), heading_tag="h3")),  # nosec B704
                "sources": [
                    {
                        "kind": kinds.get(s.kind, s.kind),
                        "label": s.label,
                        "url": _source_link(s, proposal, where),
                    }
                    for s in found
                ],
            }
        )
    return out


# --------------------------------------------------------------------------- one section


def _render_section(proposal, member, section, spec, form, status=200):
    return (
        render_template(
            "dossier/section.html",
            proposal=proposal,
            section=section,
            spec=spec,
            form=form,
            blocks=_blocks_with_sources(proposal, section),
            length=services.length_of(section.body, spec),
            may_edit=allowed(member, Capability.EDIT_SECTIONS),
            may_export=allowed(member, Capability.EXPORT_DOSSIER),
            version_form=VersionForm(formdata=None, version=section.version),
            statuses=dict(STATUS_CHOICES),
            versions_count=services.versions_count(section),
        ),
        status,
    )


@bp.route("/proposals/<int:proposal_id>/dossier/sections/<int:section_id>", methods=["GET", "POST"])
@login_required
def section(proposal_id: int, section_id: int):
    capability = Capability.EDIT_SECTIONS if request.method == "POST" else Capability.VIEW_SECTIONS
    proposal, member = load_proposal(proposal_id, capability)
    section = _section_of(proposal, section_id)
    spec = _spec_of(proposal, section)
    form = SectionForm(obj=section if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = section.version
    if form.validate_on_submit():
        response = _save_section(proposal, section, form)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return _render_section(proposal, member, section, spec, form, status)


@bp.post("/proposals/<int:proposal_id>/dossier/sections/<int:section_id>/regenerate")
@login_required
def regenerate(proposal_id: int, section_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_SECTIONS)
    section = _section_of(proposal, section_id)
    spec = _spec_of(proposal, section)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    confirmed = form.confirm.data == "yes"
    if str(section.version) != (form.version.data or ""):
        return render_conflict()
    draft = services.draft_for(section, proposal)
    if section.edited_by_writer and not confirmed:  # show what would be lost first
        form = VersionForm(formdata=None, version=section.version, confirm="yes")
        lines = services.diff(section.body, draft.markup)
        page = {"proposal": proposal, "section": section, "spec": spec}
        return render_template("dossier/regenerate.html", lines=lines, form=form, **page)
    try:
        saved = services.regenerate(
            section,
            draft,
            expected_version=form.version.data,
            confirmed=confirmed,
            actor=current_user,
        )
    except Conflict:
        return render_conflict()
    db.session.commit()
    _flash_regenerated(saved)
    return redirect(url_for("dossier.section", proposal_id=proposal.id, section_id=section.id))


def _template_values(form: TemplateForm) -> dict:
    return {
        "title_en": form.title_en.data,
        "title_fr": form.title_fr.data,
        "guidance_en": form.guidance_en.data or "",
        "guidance_fr": form.guidance_fr.data or "",
        "max_chars": form.max_chars.data,
    }


def _flash_regenerated(saved) -> None:
    if saved is None:
        flash(_("The draft is already up to date with the data."), "info")
    else:
        flash(
            _("A new draft was generated from the data (version %(number)d).", number=saved.number),
            "success",
        )


def _save_section(proposal: Proposal, section: Section, form: SectionForm):
    """Save the edited text: the section page again, the 409 page when someone else saved
    first, or ``None`` with the errors on the form."""
    try:
        with commit_or_refuse(partial(attach_errors, form), refusals=(ValidationFailed,)) as done:
            saved = services.save_section(
                section,
                body=form.body.data or "",
                status=form.status.data,
                expected_version=form.version.data,
                actor=current_user,
            )
    except Conflict:
        db.session.rollback()
        return render_conflict(form, {"body": section.body, "status": section.status})
    if not done.saved:
        return None
    if saved is None:
        flash(_("Nothing changed."), "info")
    else:
        flash(_("Saved as version %(number)d.", number=saved.number), "success")
    return redirect(url_for("dossier.section", proposal_id=proposal.id, section_id=section.id))


def _compared_versions(versions: list) -> tuple[int, int]:
    """(a, b): the versions the query string compares, by default the two newest; 404 for
    one the section does not have."""
    numbers = [v.number for v in versions]
    newest = numbers[0] if numbers else None
    try:
        new = int(request.args.get("b", newest or 0))
        old = int(request.args.get("a", numbers[1] if len(numbers) > 1 else (newest or 0)))
    except ValueError:
        abort(404)
    if versions and (old not in numbers or new not in numbers):
        abort(404)
    return old, new


@bp.get("/proposals/<int:proposal_id>/dossier/sections/<int:section_id>/history")
@login_required
def history(proposal_id: int, section_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_SECTIONS)
    section = _section_of(proposal, section_id)
    spec = _spec_of(proposal, section)
    versions = list(section.versions)
    old, new = _compared_versions(versions)
    by_number = {v.number: v for v in versions}
    lines = services.diff(by_number[old].body, by_number[new].body) if versions else []
    return render_template(
        "dossier/history.html",
        proposal=proposal,
        section=section,
        spec=spec,
        versions=versions,
        old=old,
        new=new,
        lines=lines,
        may_edit=allowed(member, Capability.EDIT_SECTIONS),
        version_form=VersionForm(formdata=None, version=section.version),
        statuses=dict(STATUS_CHOICES),
        origins={
            "edit": _("edit"),
            "generated": _("generated"),
            "restore": _("restore"),
            "import": _("Word import"),
        },
    )


@bp.post(
    "/proposals/<int:proposal_id>/dossier/sections/<int:section_id>/versions/<int:number>/restore"
)
@login_required
def restore(proposal_id: int, section_id: int, number: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_SECTIONS)
    section = _section_of(proposal, section_id)
    try:
        version = services.find_version(section, number)
    except NotFound:
        abort(404)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        restored = services.restore(
            section, version, expected_version=form.version.data, actor=current_user
        )
    except Conflict:
        return render_conflict()
    db.session.commit()
    flash(
        _("Version %(old)d restored as version %(new)d.", old=number, new=restored.number),
        "success",
    )
    return redirect(url_for("dossier.section", proposal_id=proposal.id, section_id=section.id))


# --------------------------------------------------------------------------- exports


@bp.get("/proposals/<int:proposal_id>/dossier/export")
@login_required
def export_page(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.EXPORT_DOSSIER)
    lang = services.language_of(proposal, _lang_arg())
    specs = services.structure_for(proposal)
    rows = services.sections_of(proposal, lang)
    return render_template(
        "dossier/export.html",
        proposal=proposal,
        lang=lang,
        sections=[(spec, rows.get(spec.code)) for spec in specs if spec.drafting_key != "heading"],
        reference=services.reference_of(proposal),
        reference_form=ReferenceForm(formdata=None),
        may_edit=allowed(member, Capability.EDIT_SECTIONS),
        has_partners=bool(services.consortium_participations(proposal)),
    )


def _send(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype=DOCX, as_attachment=True, download_name=filename)


def _export(build):  # type: ignore[no-untyped-def]
    if not _EXPORTS.acquire(timeout=20):
        abort(503)
    try:
        return build()
    finally:
        _EXPORTS.release()


@bp.get("/proposals/<int:proposal_id>/dossier/export.docx")
@login_required
def export(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EXPORT_DOSSIER)
    lang = services.language_of(proposal, _lang_arg())
    what = request.args.get("what", "dossier")
    folder = current_app.config["UPLOAD_FOLDER"]
    sources = request.args.get("sources", "1") == "1"
    if what == "dossier":
        data = _export(
            lambda: services.export_dossier(
                proposal, lang, upload_folder=folder, include_sources=sources
            )
        )
        name = services.export_filename(proposal, "part-b", lang)
    elif what == "partners":
        data = _export(lambda: services.export_partner_table(proposal, lang, upload_folder=folder))
        name = services.export_filename(proposal, "partners", lang)
    elif what == "letters":
        try:
            data = _export(lambda: services.export_letters(proposal, lang))
        except NotFound:
            flash(_("No partner in the consortium yet: there is no letter to export."), "error")
            return redirect(url_for("dossier.export_page", proposal_id=proposal.id, lang=lang))
        name = services.export_filename(proposal, "letters", lang)
    else:
        abort(404)
    return _send(data, name)


@bp.get("/proposals/<int:proposal_id>/dossier/sections/<int:section_id>/export.docx")
@login_required
def export_section(proposal_id: int, section_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EXPORT_DOSSIER)
    section = _section_of(proposal, section_id)
    folder = current_app.config["UPLOAD_FOLDER"]
    sources = request.args.get("sources", "1") == "1"
    try:
        data = _export(
            lambda: services.export_section(
                proposal,
                section.code,
                section.language,
                upload_folder=folder,
                include_sources=sources,
            )
        )
    except NotFound:
        abort(404)
    return _send(
        data, services.export_filename(proposal, f"section-{section.code}", section.language)
    )


def _store_reference(proposal, form, folder: str) -> bool:
    """Store the uploaded reference document in one transaction (the replaced file removed
    once committed); False with the form's errors set when refused."""
    upload = form.file.data
    try:
        data = upload.stream.read(services.MAX_REFERENCE_BYTES + 1)
        ref, replaced = services.store_reference(
            proposal,
            filename=upload.filename or "",
            data=data,
            upload_folder=folder,
            actor=current_user,
            quota=UploadQuota.from_config(current_app.config),
        )
    except ValidationFailed as error:
        db.session.rollback()
        attach_errors(form, error)
        return False
    db.session.commit()
    if replaced:
        (Path(folder) / services.REFERENCE_DIR / replaced).unlink(missing_ok=True)
    flash(
        _(
            "The reference document %(name)s will give its styles to the exports.",
            name=ref.original_name,
        ),
        "success",
    )
    return True


def _export_page_refused(proposal, form):
    """The export page again (400) with the refused reference form."""
    specs = services.structure_for(proposal)
    lang = services.language_of(proposal)
    rows = services.sections_of(proposal, lang)
    page = render_template(
        "dossier/export.html",
        proposal=proposal,
        lang=lang,
        sections=[(s, rows.get(s.code)) for s in specs if s.drafting_key != "heading"],
        reference=services.reference_of(proposal),
        reference_form=form,
        may_edit=True,
        has_partners=bool(services.consortium_participations(proposal)),
    )
    return page, 400


@bp.post("/proposals/<int:proposal_id>/dossier/reference")
@login_required
def reference(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_SECTIONS)
    form = ReferenceForm()
    folder = current_app.config["UPLOAD_FOLDER"]
    if form.validate_on_submit() and _store_reference(proposal, form, folder):
        return redirect(url_for("dossier.export_page", proposal_id=proposal.id))
    return _export_page_refused(proposal, form)


@bp.post("/proposals/<int:proposal_id>/dossier/reference/delete")
@login_required
def reference_delete(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_SECTIONS)
    if not VersionForm().validate_on_submit():
        abort(400)
    name = services.remove_reference(proposal, actor=current_user)
    db.session.commit()
    if name:
        folder = current_app.config["UPLOAD_FOLDER"]
        (Path(folder) / services.REFERENCE_DIR / name).unlink(missing_ok=True)
        flash(_("The reference document is removed; exports use the default styles."), "success")
    return redirect(url_for("dossier.export_page", proposal_id=proposal.id))


# --------------------------------------------------------------------------- Word import


def _render_import_page(proposal: Proposal, form: WordImportForm, status: int = 200):
    return (
        render_template(
            "dossier/import.html",
            proposal=proposal,
            form=form,
            imports=services.imports_of(proposal),
        ),
        status,
    )


@bp.route("/proposals/<int:proposal_id>/dossier/import", methods=["GET", "POST"])
@login_required
def word_import(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_SECTIONS)
    form = WordImportForm()
    if request.method == "GET":
        form.language.data = services.language_of(proposal, _lang_arg())
        return _render_import_page(proposal, form)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            with upload.stream:  # a large upload is a spooled temporary file
                data = upload.stream.read(services.MAX_REFERENCE_BYTES + 1)
            record = services.upload_word(
                proposal,
                lang=form.language.data,
                filename=upload.filename or "",
                data=data,
                upload_folder=current_app.config["UPLOAD_FOLDER"],
                actor=current_user,
            )
        except ValidationFailed as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            return redirect(
                url_for("dossier.import_review", proposal_id=proposal.id, import_id=record.id)
            )
    return _render_import_page(proposal, form, 400)


def _choices(items_codes: list[str]) -> tuple[set[str], dict[str, frozenset[int]]]:
    """Accepted sections and rejected tracked changes, as posted by the review form."""
    accepted = {code for code in items_codes if request.form.get(f"section-{code}") == "accept"}
    rejected: dict[str, frozenset[int]] = {}
    prefix = "change-"
    for key, value in request.form.items():
        if not key.startswith(prefix) or value != "reject":
            continue
        code, _sep, number = key[len(prefix) :].rpartition("-")
        position = parse_id(number)
        if code in items_codes and position is not None:
            rejected[code] = rejected.get(code, frozenset()) | {position}
    return accepted, rejected


def _decisions_changed(accepted: set[str], rejected: dict[str, frozenset[int]]) -> bool:
    """Whether an accepted section's tracked-change decisions differ from those its shown
    diff was computed with (each section posts them back as ``shown-<code>``)."""
    for code in accepted:
        shown = request.form.get(f"shown-{code}", "")
        numbers = frozenset(int(n) for n in shown.split(",") if n.isascii() and n.isdigit())
        if numbers != rejected.get(code, frozenset()):
            return True
    return False


def _imported(proposal, import_id: int):
    """The import record and its stored file, or 404."""
    try:
        record = services.find_import(proposal, import_id)
        return record, services.import_file(record, current_app.config["UPLOAD_FOLDER"])
    except (NotFound, FileNotFoundError):
        abort(404)


def _discard_import(proposal, record, form):
    try:
        services.discard_import(record, expected_version=form.version.data, actor=current_user)
    except Conflict:
        return render_conflict()
    db.session.commit()
    flash(_("The Word import was discarded; no section was changed."), "info")
    return redirect(url_for("dossier.word_import", proposal_id=proposal.id))


def _apply_import(proposal, record, form, data: bytes, accepted, rejected):
    """Save the accepted sections in one transaction; a response when done (saved or a
    conflict), None with the refusal flashed."""
    try:
        saved = services.apply_import(
            proposal,
            record,
            data=data,
            accepted=accepted,
            rejected=rejected,
            expected_version=form.version.data,
            actor=current_user,
        )
    except Conflict:
        return render_conflict()
    except ValidationFailed as error:
        db.session.rollback()
        for template, params in error.errors.values():
            flash(_(template, **params), "error")
        return None
    db.session.commit()
    flash(
        ngettext(
            "%(num)d section saved as a new version.",
            "%(num)d sections saved as new versions.",
            len(saved),
        ),
        "success",
    )
    return redirect(url_for("dossier.index", proposal_id=proposal.id, lang=record.language))


def _review_action(proposal, record, form, data: bytes, accepted, rejected):
    """Act on the posted review: discard, apply, or (None) show the preview again."""
    action = request.form.get("action", "preview")
    if action == "discard":
        return _discard_import(proposal, record, form)
    if action != "apply":
        return None
    if _decisions_changed(accepted, rejected):
        flash(
            _(
                "Your decisions on tracked changes changed the text: check the diff below, "
                "then save again."
            ),
            "warning",
        )
        return None
    return _apply_import(proposal, record, form, data, accepted, rejected)


@bp.route("/proposals/<int:proposal_id>/dossier/imports/<int:import_id>", methods=["GET", "POST"])
@login_required
def import_review(proposal_id: int, import_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.EDIT_SECTIONS)
    record, data = _imported(proposal, import_id)
    form = ImportReviewForm()
    accepted: set[str] = set()
    rejected: dict[str, frozenset[int]] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        accepted, rejected = _choices([s.code for s in services.known_sections(proposal)])
        done = _review_action(proposal, record, form, data, accepted, rejected)
        if done is not None:
            return done
    items, found = services.review_import(proposal, record, data=data, rejected=rejected)
    form.version.data = record.version
    return render_template(
        "dossier/import_review.html",
        proposal=proposal,
        record=record,
        items=items,
        found=found,
        accepted=accepted,
        form=form,
    )


# --------------------------------------------------------------------------- structure (admin)


@bp.get("/admin/dossier/structure")
@admin_required
def structure_index():
    families = {}
    for family in structure.families():
        families[family] = services.ensure_templates(family)
    db.session.commit()
    return render_template(
        "dossier/structure.html",
        families=families,
        note=structure.structure_note(reader_language()),
    )


@bp.route("/admin/dossier/structure/<int:template_id>", methods=["GET", "POST"])
@admin_required
def edit_template(template_id: int):
    template = db.session.get(SectionTemplate, template_id)
    if template is None:
        abort(404)
    form = TemplateForm(obj=template if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = template.version
    if form.validate_on_submit():
        values = _template_values(form)
        try:
            with commit_or_refuse(
                partial(attach_errors, form), refusals=(ValidationFailed,)
            ) as done:
                services.update_template(
                    template, values=values, expected_version=form.version.data, actor=current_user
                )
        except Conflict:
            return render_conflict()
        if done.saved:
            flash(
                _(
                    "Section %(code)s of %(family)s saved.",
                    code=template.code,
                    family=template.family,
                ),
                "success",
            )
            return redirect(url_for("dossier.structure_index"))
    status = 400 if request.method == "POST" else 200
    return render_template("dossier/template_form.html", template=template, form=form), status

"""JSON API under /api/v1: per-user bearer tokens, scoped exactly like the pages."""

from __future__ import annotations

import io
from decimal import Decimal

from flask import Blueprint, current_app, g, jsonify, request, send_file
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from ..auth.permissions import (
    Capability,
    DirectoryAccess,
    can,
    sees_participation,
    sees_proposal,
)
from ..characters import has_control_characters, without_control_characters
from ..directory.models import Organisation
from ..directory.records import validate_record
from ..directory.services import Filters, Viewer, add_tie, viewer_for
from ..directory.services import create_organisation as create
from ..directory.services import search as directory_search
from ..dossier.services import export_dossier, export_filename
from ..errors import ValidationFailed
from ..extensions import csrf, db
from ..fit.services import proposal_checks, rank_proposal
from ..proposals.models import Participation, Proposal, ProposalMember
from ..web.errors import discard_session
from ..workshops.models import Output, Workshop
from ..workshops.services import OutputData, add_outputs
from .auth import ApiError, token_required
from .openapi import openapi_document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify(
        {
            "error": {
                "code": error.status,
                "message": error.message,
                **({"details": error.details} if error.details else {}),
            }
        }
    ), error.status


@bp.get("/health")
def health():
    """For the reverse proxy: answers 200 when the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        discard_session()
        return jsonify({"status": "unavailable", "database": "down"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def _page() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 50))
    except ValueError:
        raise ApiError(400, "page and per_page must be whole numbers.") from None
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        raise ApiError(
            400, f"page must be between 1 and {MAX_PAGE} and per_page between 1 and {MAX_PER_PAGE}."
        )
    return page, per_page


def _paginated(query, serialise, prepare=None) -> dict:
    page, per_page = _page()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    if prepare is not None:
        prepare(rows)
    return {
        "items": [serialise(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": total,
    }


def _role(proposal_id: int) -> str | None:
    return db.session.scalar(
        select(ProposalMember.role).where(
            ProposalMember.proposal_id == proposal_id, ProposalMember.user_id == g.api_user.id
        )
    )


def _proposal(
    proposal_id: int, capability: Capability = Capability.VIEW
) -> tuple[Proposal, str | None]:
    proposal = db.session.get(Proposal, proposal_id)
    role = _role(proposal_id) if proposal else None
    if proposal is None or not sees_proposal(role, is_admin=g.api_user.is_admin):
        raise ApiError(404, "No such proposal.")
    if not can(role, capability, is_admin=g.api_user.is_admin):
        raise ApiError(403, "Your role on this proposal does not allow this.")
    return proposal, role


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def proposal_json(proposal: Proposal) -> dict:
    topic = proposal.topic
    return {
        "id": proposal.id,
        "acronym": proposal.acronym,
        "title": proposal.title,
        "topic": {
            "identifier": topic.identifier,
            "title": topic.title,
            "deadline": topic.deadline.isoformat() if topic.deadline else None,
            "funding_rate": _money(topic.funding_rate),
        },
        "territory": proposal.territory,
        "summary": proposal.summary,
        "working_language": proposal.working_language,
        "document_language": proposal.document_language,
        "subtopics": list(proposal.subtopics),
        "duration_months": proposal.duration_months,
    }


@bp.get("/proposals")
@token_required
def proposals():
    query = select(Proposal).order_by(Proposal.acronym)
    if not g.api_user.is_admin:
        query = query.join(ProposalMember, ProposalMember.proposal_id == Proposal.id).where(
            ProposalMember.user_id == g.api_user.id
        )
    return jsonify(_paginated(query, proposal_json))


@bp.get("/proposals/<int:proposal_id>")
@token_required
def proposal(proposal_id: int):
    found, role = _proposal(proposal_id)
    members = [
        {"organisation": p.organisation.name, "role": p.role}
        for p in found.participations
        if sees_participation(role, p.status, is_admin=g.api_user.is_admin)
    ]
    return jsonify({**proposal_json(found), "my_role": role, "members": members})


def _directory_viewer() -> Viewer:
    """The pages' rules (directory/services.Viewer): who sees which organisation, and whose
    private fields."""
    viewer = viewer_for(g.api_user)
    if viewer.access is DirectoryAccess.NONE:
        raise ApiError(403, "You have no access to the directory.")
    return viewer


def organisation_json(org: Organisation, *, private: bool) -> dict:
    data = {
        "id": org.id,
        "name": org.name,
        "acronym": org.acronym,
        "type": org.org_type,
        "country": org.country,
        "city": org.city,
        "region": org.region,
        "pic": org.pic,
        "registry_number": org.registry_number,
        "website": org.website,
        "description": org.description,
        "themes": org.theme_codes,
        "keywords": list(org.keywords or []),
        "natural_person": org.natural_person,
    }
    if private:
        data.update(
            {
                "email": org.email,
                "staff": org.staff,
                "annual_budget_eur": _money(org.annual_budget_eur),
                "eu_experience": org.eu_experience,
                "notes": org.notes,
                "contacts": [
                    {"name": c.name, "function": c.function, "email": c.email, "phone": c.phone}
                    for c in org.contacts
                ],
                "past_projects": [
                    {
                        "programme": p.programme,
                        "reference": p.reference,
                        "title": p.title,
                        "year": p.year,
                        "role": p.role,
                    }
                    for p in org.past_projects
                ],
            }
        )
    return data


@bp.get("/organisations")
@token_required
def organisations():
    viewer = _directory_viewer()
    # the directory's own search and order (every word, accents and case folded, names in
    # alphabetical order); a query parameter may carry anything, and PostgreSQL refuses NUL:
    # control characters are dropped first
    words = without_control_characters(request.args.get("q", ""))[:100]
    query = directory_search(Filters(q=words), viewer)

    def serialise(org: Organisation) -> dict:
        return organisation_json(org, private=viewer.sees_private_of(org))

    return jsonify(
        _paginated(
            query, serialise, prepare=lambda rows: viewer.know_holdings([o.id for o in rows])
        )
    )


@bp.get("/organisations/<int:organisation_id>")
@token_required
def organisation(organisation_id: int):
    viewer = _directory_viewer()
    org = db.session.get(Organisation, organisation_id)
    if org is None or not viewer.sees(org):
        raise ApiError(404, "No such organisation.")
    return jsonify(organisation_json(org, private=viewer.sees_private_of(org)))


@bp.get("/proposals/<int:proposal_id>/outputs")
@token_required
def outputs(proposal_id: int):
    found, _role_name = _proposal(proposal_id, Capability.VIEW_WORKSHOPS)
    query = (
        select(Output)
        .join(Workshop)
        .where(Workshop.proposal_id == found.id)
        .order_by(Workshop.held_on, Workshop.id, Output.position, Output.id)
    )
    return jsonify(_paginated(query, output_json))


def output_json(o: Output) -> dict:
    return {
        "id": o.id,
        "workshop": {"id": o.workshop.id, "title": o.workshop.title, "step": o.workshop.step},
        "kind": o.kind,
        "subkind": o.subkind,
        "text": o.text,
        "tags": list(o.tags or []),
        "priority": o.priority,
        "votes": o.votes,
        "organisations": [
            {"id": link.organisation_id, "relation": link.relation} for link in o.organisations
        ],
    }


def participation_json(p: Participation) -> dict:
    return {
        "organisation": {"id": p.organisation_id, "name": p.organisation.name},
        "role": p.role,
        "status": p.status,
        "costs": {
            "personnel": _money(p.cost_personnel),
            "subcontracting": _money(p.cost_subcontracting),
            "travel": _money(p.cost_travel),
            "equipment": _money(p.cost_equipment),
            "other_goods": _money(p.cost_other_goods),
            "other": _money(p.cost_other),
        },
        "eu_requested": _money(p.eu_requested),
        "own_cofinancing": _money(p.own_cofinancing),
        "other_funding": _money(p.other_funding),
        "person_months": {str(e.action_id): f"{e.person_months:.2f}" for e in p.efforts},
        "confirmed_at": p.confirmed_at.isoformat() if p.confirmed_at else None,
    }


@bp.get("/proposals/<int:proposal_id>/commitments")
@token_required
def commitments(proposal_id: int):
    """Leads, writers and viewers see every participation; a partner only its own."""
    found, role = _proposal(proposal_id)
    query = (
        select(Participation)
        .where(Participation.proposal_id == found.id)
        .order_by(Participation.id)
    )
    if not can(role, Capability.VIEW_BUDGETS, is_admin=g.api_user.is_admin):
        own = db.session.scalar(
            select(ProposalMember.organisation_id).where(
                ProposalMember.proposal_id == found.id, ProposalMember.user_id == g.api_user.id
            )
        )
        query = query.where(Participation.organisation_id == (own or 0))
    return jsonify(_paginated(query, participation_json))


MAX_ID = 2**31 - 1


def _is_id(value, *, lowest: int = 1) -> bool:
    """A whole number that fits the databases' integer columns."""
    return isinstance(value, int) and not isinstance(value, bool) and lowest <= value <= MAX_ID


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object with Content-Type: application/json.")
    refused = sorted(str(key) for key, value in body.items() if _has_forbidden_text(value))
    if refused:  # the forms' rule, at the same edge: nothing is stored
        from flask_babel import gettext

        message = gettext("Remove the control characters from this text.")
        raise ApiError(422, "Some fields are invalid.", {"fields": dict.fromkeys(refused, message)})
    return body


def _has_forbidden_text(value) -> bool:
    if isinstance(value, str):
        return has_control_characters(value)
    if isinstance(value, list):
        return any(_has_forbidden_text(item) for item in value)
    if isinstance(value, dict):
        return any(_has_forbidden_text(k) or _has_forbidden_text(v) for k, v in value.items())
    return False


def _validation_error(error) -> ApiError:
    from flask_babel import gettext

    details = {
        name: gettext(template, **params) if params else gettext(template)
        for name, (template, params) in error.errors.items()
    }
    return ApiError(422, "Some fields are invalid.", {"fields": details})


@bp.get("/proposals/<int:proposal_id>/fit")
@token_required
def fit_ranking(proposal_id: int):
    """Every organisation's fit for the proposal, best first, with its components."""

    found, _role_name = _proposal(proposal_id, Capability.VIEW_FIT)
    page, per_page = _page()
    ranking = rank_proposal(
        found,
        actor=g.api_user,
        eligible_only=request.args.get("eligible_only") == "1",
        not_in_consortium=request.args.get("not_in_consortium") == "1",
    )
    items = [score.as_dict() for _org, score in ranking]
    start = (page - 1) * per_page
    return jsonify(
        {
            "items": items[start : start + per_page],
            "page": page,
            "per_page": per_page,
            "total": len(items),
        }
    )


@bp.get("/proposals/<int:proposal_id>/checks")
@token_required
def fit_checks(proposal_id: int):

    found, _role_name = _proposal(proposal_id, Capability.VIEW_FIT)
    return jsonify({"items": [check.as_dict() for check in proposal_checks(found)]})


@bp.get("/proposals/<int:proposal_id>/dossier.docx")
@token_required
def dossier_download(proposal_id: int):

    found, _role_name = _proposal(proposal_id, Capability.EXPORT_DOSSIER)
    lang = request.args.get("lang", found.document_language)
    if lang not in ("en", "fr"):
        raise ApiError(400, "lang must be en or fr.")
    data = export_dossier(found, lang, upload_folder=current_app.config["UPLOAD_FOLDER"])
    db.session.commit()  # sections drafted on first export are kept
    return send_file(
        io.BytesIO(data),
        as_attachment=True,
        download_name=export_filename(found, "dossier", lang),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@bp.post("/organisations")
@token_required
def create_organisation():
    """Add an organisation to the directory (leads and administrators)."""
    if not viewer_for(g.api_user).edits_all:
        raise ApiError(403, "Only leads and administrators add organisations.")
    body = _json_body()
    record, errors = validate_record(
        {key: value for key, value in body.items() if isinstance(key, str)}
    )
    if record is None:
        raise ApiError(
            422, "Some fields are invalid.", {"fields": {e.column: e.message for e in errors}}
        )
    try:
        org = create(record, actor=g.api_user)
    except ValidationFailed as error:
        db.session.rollback()
        raise _validation_error(error) from None
    db.session.commit()
    return jsonify(organisation_json(org, private=True)), 201


@bp.post("/ties")
@token_required
def create_tie():
    """Declare a cooperation tie between two organisations (leads and administrators)."""
    if not viewer_for(g.api_user).edits_all:
        raise ApiError(403, "Only leads and administrators declare ties.")
    body = _json_body()
    ids, year, note = _tie_fields(body)
    first = db.session.get(Organisation, ids[0])
    if first is None:
        raise ApiError(422, "organisation_a does not exist.")
    try:
        tie = add_tie(
            first,
            db.session.get(Organisation, ids[1]),
            body["kind"],
            year=year,
            note=note[:2000],
            actor=g.api_user,
        )
    except ValidationFailed as error:
        db.session.rollback()
        raise _validation_error(error) from None
    db.session.commit()
    fields = ("id", "organisation_a_id", "organisation_b_id", "kind", "year", "note")
    return jsonify({name.removesuffix("_id"): getattr(tie, name) for name in fields}), 201


def _tie_fields(body: dict) -> tuple[tuple[int, int], int | None, str]:
    """The two organisation ids, the year and the note of a tie request, checked."""
    ids = body.get("organisation_a"), body.get("organisation_b")
    if not all(_is_id(i) for i in ids):
        raise ApiError(422, "organisation_a and organisation_b must be organisation ids.")
    year = body.get("year")
    if year is not None and not (_is_id(year) and year <= 9999):
        raise ApiError(422, "year must be a whole number or null.")
    note = body.get("note", "")
    if not isinstance(note, str) or not isinstance(body.get("kind"), str):
        raise ApiError(422, "kind and note must be text.")
    return ids, year, note


@bp.post("/proposals/<int:proposal_id>/outputs")
@token_required
def create_output(proposal_id: int):
    """Record one workshop output (leads and administrators)."""
    found, _role_name = _proposal(proposal_id, Capability.EDIT_WORKSHOPS)
    body = _json_body()
    workshop = (
        db.session.get(Workshop, body.get("workshop_id"))
        if _is_id(body.get("workshop_id"))
        else None
    )
    if workshop is None or workshop.proposal_id != found.id:
        raise ApiError(422, "workshop_id must be a workshop of this proposal.")
    data = _output_data(body)
    try:
        (output,) = add_outputs(workshop, [(0, data)], actor=g.api_user)
    except ValidationFailed as error:
        db.session.rollback()
        raise _validation_error(error) from None
    db.session.commit()
    return jsonify({"id": output.id, "kind": output.kind, "text": output.text}), 201


def _output_data(body: dict) -> OutputData:
    """A workshop output from the request, its field types checked."""
    text_fields = ("kind", "text", "subkind", "raised", "carries", "tags")
    if any(
        key in body and body[key] is not None and not isinstance(body[key], str)
        for key in text_fields
    ):
        raise ApiError(422, "kind, text, subkind, raised, carries and tags must be text.")
    numbers = ("priority", "votes")
    if any(
        key in body and body[key] is not None and not _is_id(body[key], lowest=-MAX_ID)
        for key in numbers
    ):
        raise ApiError(422, "priority and votes must be whole numbers.")
    return OutputData(
        kind=body.get("kind") or "",
        text=body.get("text") or "",
        subkind=body.get("subkind"),
        raised=body.get("raised") or "",
        carries=body.get("carries") or "",
        tags=body.get("tags") or "",
        priority=body.get("priority"),
        votes=body.get("votes"),
    )

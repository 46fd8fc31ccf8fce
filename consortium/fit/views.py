"""Pages of the fit area: ranking, detail, comparison, what-if and consortium checks."""

from __future__ import annotations

import math
from types import SimpleNamespace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..auth.permissions import Capability
from ..commitments.services import shortlist as shortlist_organisation
from ..directory.models import ORG_TYPES
from ..errors import Conflict, DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..findings import Severity, summary
from ..formatting import format_money, format_number, format_percent
from ..proposals.access import allowed, load_proposal
from ..web.errors import render_conflict
from ..web.locale import reader_language
from . import services
from .forms import ResetWeightsForm, ShortlistForm, WeightsForm
from .scoring import COMPONENT_LABELS, Component, Euros, Terms, formula, shared_ranks

bp = Blueprint("fit", __name__)

ORG_TYPE_LABELS = {
    "public_authority": "public authority",
    "research": "research organisation",
    "ngo": "NGO",
    "sme": "SME",
    "large_company": "large company",
    "social_economy": "social economy",
    "international": "international organisation",
    "other": "other",
}
_TRANSLATED_PARAMS = ("type", "role")
#: Query arguments of the ranking that a shortlist button keeps (filters and page).
RANKING_ARGS = ("type", "country", "eligible", "outside", "page")


def translate(template: str, params=None) -> str:
    """Translate a pure module's ``N_`` template with its params (concept names, amounts and
    numbers in the reader's language)."""
    params = dict(params or {})
    language = reader_language()
    for key, value in params.items():
        if isinstance(value, Terms):
            params[key] = value.in_language(language)
        elif isinstance(value, Euros):
            params[key] = format_money(value.amount, language)
        elif isinstance(value, int) and not isinstance(value, bool):  # staff, counts
            params[key] = format_number(value, language)
    for key in _TRANSLATED_PARAMS:
        if isinstance(params.get(key), str):
            params[key] = _(params[key])
    if not params:
        return _(template)
    return _(template, **params)


@bp.app_template_filter("fit_reason")
def _fit_reason(reason) -> str:
    return translate(reason.template, reason.params)


@bp.app_context_processor
def _labels():
    return {
        "fit_component_label": lambda c: _(COMPONENT_LABELS[Component(c)]),
        "fit_components": list(Component),
        "fit_type_label": lambda t: _(ORG_TYPE_LABELS.get(t, t)),
    }


def _formula_text(weights) -> str:
    f = formula(weights)
    language = reader_language()
    terms = " + ".join(
        f"{format_percent(percent / 100, language)} × {_(COMPONENT_LABELS[c]).lower()}"
        for c, percent in f.terms
        if percent > 0
    )
    return _(f.template, terms=terms)


def _filters() -> services.Filters:
    org_type = request.args.get("type", "")
    country = (request.args.get("country", "") or "").strip().upper()
    return services.Filters(
        org_type=org_type if org_type in ORG_TYPES else "",
        country=country if len(country) == 2 and country.isalpha() and country.isascii() else "",
        eligible_only=request.args.get("eligible") == "1",
        not_in_consortium=request.args.get("outside") == "1",
        newcomers_only=request.args.get("new") == "1",
    )


def _page(total: int) -> SimpleNamespace:
    pages = max(1, math.ceil(total / services.PAGE_SIZE))
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        number = 1
    number = min(max(1, number), pages)
    return SimpleNamespace(
        page=number,
        pages=pages,
        has_prev=number > 1,
        has_next=number < pages,
        prev_num=number - 1,
        next_num=number + 1,
        start=(number - 1) * services.PAGE_SIZE,
    )


def _weights_forms(proposal, weights, form=None):
    if form is None:
        form = WeightsForm(formdata=None, data={**{k: round(v) for k, v in weights.items()}})
        form.version.data = proposal.version
    reset = ResetWeightsForm(formdata=None)
    reset.version.data = proposal.version
    return form, reset


def _render_ranking(proposal, member, weights_form=None, status=200):
    ctx = services.build_context(proposal)
    filters = _filters()
    ranking = ctx.ranking()
    rows = services.filter_ranking(ctx, ranking, filters)
    positions = shared_ranks(ranking)
    page = _page(len(rows))
    checks = services.run_checks(ctx)
    may_weights = allowed(member, Capability.EDIT_PROPOSAL)
    form, reset = _weights_forms(proposal, ctx.weights, weights_form)
    args = {
        k: v
        for k, v in {
            "type": filters.org_type,
            "country": filters.country,
            "eligible": "1" if filters.eligible_only else "",
            "outside": "1" if filters.not_in_consortium else "",
            "new": "1" if filters.newcomers_only else "",
        }.items()
        if v
    }
    return (
        render_template(
            "fit/ranking.html",
            proposal=proposal,
            rows=rows[page.start : page.start + services.PAGE_SIZE],
            total=len(rows),
            positions=positions,
            page=page,
            args=args,
            filters=filters,
            org_types=ORG_TYPES,
            members=ctx.member_ids,
            formula_text=_formula_text(ctx.weights),
            custom_weights=bool(proposal.fit_weights),
            checks=checks,
            check_counts=summary(checks),
            may_weights=may_weights,
            may_shortlist=allowed(member, Capability.MANAGE_COMMITMENTS),
            weights_form=form,
            reset_form=reset,
            shortlist_form=ShortlistForm(formdata=None),
            ranking_args={
                k: v
                for k, v in {**args, "page": page.page}.items()
                if k in RANKING_ARGS and v and v != 1
            },
        ),
        status,
    )


@bp.get("/proposals/<int:proposal_id>/fit")
@login_required
def ranking(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_FIT)
    return _render_ranking(proposal, member)


@bp.post("/proposals/<int:proposal_id>/fit/weights")
@login_required
def weights(proposal_id: int):
    proposal, member = load_proposal(proposal_id, Capability.EDIT_PROPOSAL)
    reset = "reset" in request.form
    form = ResetWeightsForm() if reset else WeightsForm()
    if not form.validate_on_submit():
        if reset:
            abort(400)
        return _render_ranking(proposal, member, weights_form=form, status=400)
    try:
        version = int(form.version.data)
    except (TypeError, ValueError):
        version = None
    try:
        services.update_weights(
            proposal, None if reset else form.weights(), actor=None, version=version
        )
    except Conflict:
        return render_conflict()
    except ValidationFailed as error:
        template, params = error.errors["weights"]
        form.relevance.errors = [*form.relevance.errors, translate(template, params)]
        db.session.rollback()
        return _render_ranking(proposal, member, weights_form=form, status=400)
    db.session.commit()
    flash(
        _("The weights are reset to the defaults.") if reset else _("The weights are saved."),
        "success",
    )
    return redirect(url_for("fit.ranking", proposal_id=proposal.id, _anchor="weights"))


@bp.post("/proposals/<int:proposal_id>/fit/shortlist/<int:organisation_id>")
@login_required
def shortlist(proposal_id: int, organisation_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.MANAGE_COMMITMENTS)
    form = ShortlistForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        participation = shortlist_organisation(proposal, organisation_id, actor=None)
    except NotFound:
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(translate(error.template, error.params), "error")
    else:
        name = participation.organisation.name
        db.session.commit()
        flash(_("%(name)s is shortlisted.", name=name), "success")
    # back to the same page of the ranking, at the organisation's row (issue #14, point 8)
    kept = {key: request.args[key] for key in RANKING_ARGS if request.args.get(key)}
    return redirect(
        url_for("fit.ranking", proposal_id=proposal.id, _anchor=f"org-{organisation_id}", **kept)
    )


def _fit_of(ctx, organisation_id: int):
    if organisation_id not in ctx.profiles:
        abort(404)
    return ctx.prepared.score(ctx.profiles[organisation_id])


@bp.get("/proposals/<int:proposal_id>/fit/organisations/<int:organisation_id>")
@login_required
def detail(proposal_id: int, organisation_id: int):
    proposal, member = load_proposal(proposal_id, Capability.VIEW_FIT)
    ctx = services.build_context(proposal)
    fit = _fit_of(ctx, organisation_id)
    ranking = ctx.ranking()
    position = shared_ranks(ranking)[organisation_id]
    return render_template(
        "fit/detail.html",
        proposal=proposal,
        org=ctx.organisations[organisation_id],
        fit=fit,
        position=position,
        count=len(ranking),
        in_consortium=organisation_id in ctx.participations,
        formula_text=_formula_text(ctx.weights),
        may_shortlist=allowed(member, Capability.MANAGE_COMMITMENTS),
        shortlist_form=ShortlistForm(formdata=None),
    )


def _org_ids() -> list[int]:
    ids = []
    for raw in request.args.getlist("org"):
        try:
            value = int(raw)
        except ValueError:
            continue
        if value not in ids and 0 < value < 2**31:
            ids.append(value)
    return ids


@bp.get("/proposals/<int:proposal_id>/fit/compare")
@login_required
def compare(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_FIT)
    ids = _org_ids()
    if not 2 <= len(ids) <= 3:
        flash(_("Choose two or three organisations to compare."), "error")
        return redirect(url_for("fit.ranking", proposal_id=proposal.id))
    ctx = services.build_context(proposal)
    fits = [_fit_of(ctx, oid) for oid in ids]
    return render_template(
        "fit/compare.html",
        proposal=proposal,
        columns=[(ctx.organisations[f.org_id], f) for f in fits],
        members=ctx.member_ids,
    )


@bp.get("/proposals/<int:proposal_id>/fit/what-if")
@login_required
def what_if(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_FIT)
    ctx = services.build_context(proposal)
    ids = _org_ids()
    result = None
    if ids:
        if ids[0] not in ctx.profiles:
            abort(404)
        result = services.what_if(ctx, ids[0])
    ranking = ctx.ranking()
    th = ctx.prepared.thesaurus
    names = {oid: o.name for oid, o in ctx.organisations.items()}
    return render_template(
        "fit/what_if.html",
        proposal=proposal,
        result=result,
        choices=[(f.org_id, names[f.org_id], f.org_id in ctx.participations) for f in ranking],
        names=names,
        concept_label=lambda cid: th.concepts[cid].label if cid in th.concepts else cid,
        selected=ids[0] if ids else None,
        severity=Severity,
    )


@bp.get("/proposals/<int:proposal_id>/fit/checks")
@login_required
def checks(proposal_id: int):
    proposal, _member = load_proposal(proposal_id, Capability.VIEW_FIT)
    ctx = services.build_context(proposal)
    found = services.run_checks(ctx)
    return render_template(
        "fit/checks.html",
        proposal=proposal,
        checks=found,
        check_counts=summary(found),
        names={oid: o.name for oid, o in ctx.organisations.items()},
    )


@bp.get("/fit/how-it-works")
@login_required
def how_it_works():
    """The user page "How the fit score works" (French and English through gettext)."""
    return render_template("fit/how.html")

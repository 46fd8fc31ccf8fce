"""The call catalogue: browse topics; administrators import records and correct rules."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.guards import admin_required
from ..errors import ValidationFailed
from ..extensions import db
from ..web.errors import current_values, render_conflict
from ..web.forms import attach_errors
from ..web.transactions import commit_or_refuse
from . import services
from .catalogue import CatalogueError, parse_catalogue, topic_paragraphs
from .forms import CatalogueImportForm, TopicRulesForm
from .models import Call, Topic

bp = Blueprint("calls", __name__, url_prefix="/calls")
HUNDRED = Decimal("100")
bp.add_app_template_filter(topic_paragraphs, "topic_paragraphs")


@bp.get("/")
@login_required
def index():
    calls = db.session.scalars(
        select(Call).options(selectinload(Call.topics)).order_by(Call.identifier)
    ).all()
    return render_template(
        "calls/index.html",
        calls=calls,
        import_form=CatalogueImportForm(),
        today=datetime.now(UTC).date(),
    )


@bp.get("/<identifier>")
@login_required
def detail(identifier: str):
    topic = db.first_or_404(select(Topic).where(Topic.identifier == identifier))
    return render_template("calls/detail.html", topic=topic, today=datetime.now(UTC).date())


@bp.route("/<identifier>/rules", methods=["GET", "POST"])
@admin_required
def edit_rules(identifier: str):
    topic = db.first_or_404(select(Topic).where(Topic.identifier == identifier))
    form = TopicRulesForm()
    if request.method == "GET":
        _fill_rules_form(form, topic)
    elif form.validate_on_submit():
        if str(topic.version) != form.version.data:
            return render_conflict(form, current_values(topic))
        refuse = partial(attach_errors, form)
        with commit_or_refuse(refuse, refusals=(ValidationFailed,)) as outcome:
            _save_rules(topic, form)
        if outcome.saved:
            flash(_("The topic's rules are saved."), "success")
            return redirect(url_for("calls.detail", identifier=topic.identifier))
    return render_template("calls/edit_rules.html", topic=topic, form=form)


def _fill_rules_form(form: TopicRulesForm, topic: Topic) -> None:
    """The stored rules, rates shown as percentages."""
    form.version.data = topic.version
    form.funding_rate.data = (
        topic.funding_rate * HUNDRED if topic.funding_rate is not None else None
    )
    form.indirect_rate.data = (
        topic.indirect_rate * HUNDRED if topic.indirect_rate is not None else None
    )
    form.min_beneficiaries.data = topic.min_beneficiaries
    form.min_countries.data = topic.min_countries
    form.max_subtopics.data = topic.max_subtopics
    form.subtopics.data = "\n".join(topic.subtopics)
    for entry, criterion in zip(form.criteria.entries, topic.criteria, strict=False):
        entry.form.code.data = criterion.code
        entry.form.name.data = criterion.name
        entry.form.max_points.data = criterion.max_points
        entry.form.threshold.data = criterion.threshold


def _save_rules(topic: Topic, form: TopicRulesForm) -> None:
    criteria = [
        {
            "code": e.form.code.data,
            "name": e.form.name.data,
            "max_points": e.form.max_points.data,
            "threshold": e.form.threshold.data,
        }
        for e in form.criteria.entries
        if e.form.code.data and e.form.name.data
    ]
    services.update_topic_rules(
        topic,
        actor=current_user,
        funding_rate=_rate(form.funding_rate.data),
        indirect_rate=_rate(form.indirect_rate.data),
        min_beneficiaries=form.min_beneficiaries.data,
        min_countries=form.min_countries.data,
        max_subtopics=form.max_subtopics.data,
        subtopics=[
            line.strip() for line in (form.subtopics.data or "").splitlines() if line.strip()
        ],
        criteria=criteria,
    )


def _rate(percent: Decimal | None) -> Decimal | None:
    return None if percent is None else (percent / HUNDRED).quantize(Decimal("0.0001"))


@bp.post("/import")
@admin_required
def import_catalogue():
    form = CatalogueImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a JSON file of topic records."), "error")
        return redirect(url_for("calls.index"))
    try:
        records = parse_catalogue(form.file.data.read())
    except CatalogueError as error:
        flash(_("The file was not imported: %(error)s", error=str(error)), "error")
        return redirect(url_for("calls.index"))
    summary = services.import_topics(records)
    db.session.commit()
    flash(
        _(
            "Catalogue imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
        ),
        "success",
    )
    return redirect(url_for("calls.index"))

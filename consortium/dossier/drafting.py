"""First drafts of the Part B sections, generated from the proposal's data.

Why: writers should start from what the workshops and partners actually produced, not from a
blank page, and every drafted statement must say where it came from. Each section is drafted as
markup (see :mod:`consortium.dossier.markup`) so the writer can edit it, with a parallel tuple of
sources per markup block. Pure: plain frozen dataclasses in, a :class:`Draft` out; texts live in
:data:`TEXTS` per document language, because a dossier's language is chosen independently of the
interface language.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from consortium.dossier.markup import escape, parse
from consortium.dossier.structure import SectionSpec, load_structure
from consortium.errors import N_
from consortium.formatting import (
    country_name,
    format_date,
    format_money,
    format_number,
    format_percent,
)
from consortium.translation import Translator, organisation_phrase, sentence_start
from consortium.workshops.capture import KIND_LABELS, STEP_LABELS

Lang = Literal["en", "fr"]
SourceKind = Literal["output", "organisation", "workshop", "action", "figure", "topic"]
WorkshopStep = Literal["vision", "actions_needs", "dossier_framework", "other"]
OutputKind = Literal[
    "vision", "objective", "action", "need", "resource", "risk", "cooperation_rule", "quote"
]

COST_CATEGORIES: tuple[str, ...] = ("a", "b", "c1", "c2", "c3", "d", "e")
MAX_SUBTOPICS = 2
_ZERO = Decimal("0")
_CENT = Decimal("0.01")


# --------------------------------------------------------------------------- input data


@dataclass(frozen=True)
class Organisation:
    """An organisation of the directory, as the dossier needs it."""

    id: str
    name: str
    acronym: str = ""
    org_type: str = ""
    country: str = ""
    city: str = ""
    description: str = ""
    pic: str = ""
    themes: tuple[str, ...] = ()
    past_projects: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``"Name (ACR)"`` or the name alone."""
        return (
            f"{self.name} ({self.acronym})"
            if self.acronym and self.acronym != self.name
            else self.name
        )


@dataclass(frozen=True)
class Member:
    """An organisation's participation: role and (once committed) budget and person-months."""

    org_id: str
    role: str = "beneficiary"
    budget_total: Decimal | None = None
    eu_contribution: Decimal | None = None
    person_months: Decimal | None = None


@dataclass(frozen=True)
class Workshop:
    """A workshop of the three-step sequence (or any other meeting)."""

    id: str
    step: WorkshopStep
    title: str
    date: dt.date | None = None
    place: str = ""
    n_organisations: int = 0
    n_people: int = 0
    organisation_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Output:
    """One typed workshop output; ``priority``: higher comes first."""

    id: str
    workshop_id: str | None
    kind: OutputKind
    text: str
    organisation_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    priority: int = 0


@dataclass(frozen=True)
class Action:
    """An action that became a work package."""

    id: str
    code: str
    title: str
    objective: str = ""
    lead_id: str | None = None
    participant_ids: tuple[str, ...] = ()
    start_month: int | None = None
    end_month: int | None = None
    deliverables: tuple[str, ...] = ()
    source_output_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class BudgetRow:
    """One partner's budget by LIFE cost category (A, B, C1, C2, C3, D, E), in euros."""

    org_id: str
    name: str
    a: Decimal = _ZERO
    b: Decimal = _ZERO
    c1: Decimal = _ZERO
    c2: Decimal = _ZERO
    c3: Decimal = _ZERO
    d: Decimal = _ZERO
    e: Decimal = _ZERO
    eu_contribution: Decimal | None = None

    def amount(self, category: str) -> Decimal:
        """Amount of one category (``"a"`` … ``"e"``)."""
        return Decimal(getattr(self, category))

    @property
    def total(self) -> Decimal:
        """Exact sum of the categories."""
        return sum((self.amount(c) for c in COST_CATEGORIES), _ZERO)


@dataclass(frozen=True)
class BudgetSummary:
    """Per-partner budget rows, the topic's maximum funding rate and the EU contribution asked."""

    rows: tuple[BudgetRow, ...]
    funding_rate: Decimal = Decimal("0.60")
    eu_contribution: Decimal | None = None

    def category_total(self, category: str) -> Decimal:
        """Exact column total."""
        return sum((row.amount(category) for row in self.rows), _ZERO)

    @property
    def total(self) -> Decimal:
        """Exact grand total (sum of every row's total)."""
        return sum((row.total for row in self.rows), _ZERO)

    @property
    def requested(self) -> Decimal:
        """EU contribution requested: given, else the rows' own, else total x rate (to the cent)."""
        if self.eu_contribution is not None:
            return Decimal(self.eu_contribution)
        if self.rows and all(row.eu_contribution is not None for row in self.rows):
            return sum((Decimal(row.eu_contribution or 0) for row in self.rows), _ZERO)
        return (self.total * Decimal(self.funding_rate)).quantize(_CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class NetworkSummary:
    """What the network analysis says about the consortium."""

    density: float
    n_members: int
    n_ties: int
    brokers: tuple[str, ...] = ()
    figure_available: bool = False


@dataclass(frozen=True)
class FitStatement:
    """One complementarity statement of the fit analysis: an English message template marked
    with ``N_`` and its parameters, translated in the document's language when drafted."""

    message: str
    organisation_ids: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()

    def text(self, tr: Translator) -> str:
        """The statement in ``tr``'s language; ``name``, the organisation the sentence opens
        with, gets its article where the language needs one ("La Ville de Marseille …")."""
        params = dict(self.params)
        if f"concepts_{tr.lang}" in params:
            params["concepts"] = params[f"concepts_{tr.lang}"]
        if "name" in params:
            params["name"] = sentence_start(organisation_phrase(params["name"], tr.lang))
        return tr.translate(self.message, params)


@dataclass(frozen=True)
class FitSummary:
    """Complementarity statements of the fit analysis."""

    statements: tuple[FitStatement, ...] = ()


@dataclass(frozen=True)
class ProposalData:
    """The proposal itself; ``subtopics``: at most two are assessed by evaluators."""

    acronym: str
    title: str
    topic_id: str
    topic_title: str
    sub_programme: str = ""
    subtopics: tuple[str, ...] = ()
    territory: str = ""
    summary: str = ""
    coordinator_name: str = ""
    language: Lang = "en"
    duration_months: int | None = None


@dataclass(frozen=True)
class DossierData:
    """Everything the drafts are made from; ``None`` means "not yet available"."""

    proposal: ProposalData
    organisations: tuple[Organisation, ...] = ()
    members: tuple[Member, ...] = ()
    workshops: tuple[Workshop, ...] = ()
    outputs: tuple[Output, ...] = ()
    actions: tuple[Action, ...] = ()
    budget: BudgetSummary | None = None
    network: NetworkSummary | None = None
    fit: FitSummary | None = None


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class Source:
    """Where a drafted paragraph came from."""

    kind: SourceKind
    id: str
    label: str


@dataclass(frozen=True)
class DraftParagraph:
    """One markup block (paragraph, list, table or sub-heading) and its sources."""

    markup: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Draft:
    """A section's first draft: markup blocks with a parallel tuple of sources."""

    code: str
    key: str
    lang: Lang
    paragraphs: tuple[DraftParagraph, ...] = field(default_factory=tuple)

    @property
    def markup(self) -> str:
        """The editable text: the blocks separated by blank lines."""
        return "\n\n".join(p.markup for p in self.paragraphs)

    @property
    def sources(self) -> tuple[tuple[Source, ...], ...]:
        """Sources of each block, in the order of :func:`markup.parse` of :attr:`markup`."""
        return tuple(p.sources for p in self.paragraphs)

    @property
    def blocks(self) -> tuple:
        """Parsed blocks of the markup."""
        return parse(self.markup)


# --------------------------------------------------------------------------- labels

# Codes of the data, with the words a document uses for them (translated by the Translator);
# workshop steps and output kinds are named as the workshops area names them.
ROLE_LABELS = {
    "coordinator": N_("coordinator"),
    "beneficiary": N_("beneficiary"),
    "affiliated_entity": N_("affiliated entity"),
    "associated_partner": N_("associated partner"),
    "third_party": N_("third party"),
    "subcontractor": N_("subcontractor"),
}
TYPE_LABELS = {
    "public_body": N_("public body"),
    "local_authority": N_("local authority"),
    "ngo": N_("NGO"),
    "association": N_("association"),
    "sme": N_("SME"),
    "company": N_("company"),
    "large_company": N_("large company"),
    "research": N_("research organisation"),
    "university": N_("university"),
    "other": N_("other type of organisation"),
    "public_authority": N_("public authority"),
    "social_economy": N_("social economy enterprise"),
    "international": N_("international organisation"),
}
CATEGORY_LABELS = {
    "a": N_("A. Personnel costs"),
    "b": N_("B. Subcontracting costs"),
    "c1": N_("C.1 Travel and subsistence"),
    "c2": N_("C.2 Equipment"),
    "c3": N_("C.3 Other goods, works and services"),
    "d": N_("D. Other cost categories"),
    "e": N_("E. Indirect costs"),
}


def label(tr: Translator, labels: dict[str, str], code: str) -> str:
    """The document's word for a code of the data; an unknown code is shown as given."""
    return tr.gettext(labels[code]) if code in labels else code.replace("_", " ")


def join_names(names: Iterable[str], tr: Translator) -> str:
    """``A, B and C`` / ``A, B et C``."""
    items = [n for n in names if n]
    if len(items) <= 1:
        return "".join(items)
    return tr.gettext("%(first)s and %(last)s", first=", ".join(items[:-1]), last=items[-1])


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- context


class _Context:
    """Indexes over the data shared by the section drafters."""

    def __init__(self, data: DossierData, tr: Translator) -> None:
        self.data = data
        self.tr = tr
        self.lang = tr.lang
        self._ = tr.gettext
        self.ngettext = tr.ngettext
        self.p = data.proposal
        self.orgs = {o.id: o for o in data.organisations}
        self.workshops = {w.id: w for w in data.workshops}
        self.outputs = {o.id: o for o in data.outputs}

    # counted nouns -------------------------------------------------------
    def organisations(self, n: int) -> str:
        return self.ngettext("%(num)s organisation", "%(num)s organisations", n)

    def participants(self, n: int) -> str:
        return self.ngettext("%(num)s participant", "%(num)s participants", n)

    def workshops_count(self, n: int) -> str:
        return self.ngettext("%(num)s workshop", "%(num)s workshops", n)

    def months(self, n: int) -> str:
        return self.ngettext("%(num)s month", "%(num)s months", n)

    # sources -------------------------------------------------------------
    def topic_source(self) -> Source:
        return Source("topic", self.p.topic_id, f"{self.p.topic_id} – {self.p.topic_title}")

    def org_source(self, org_id: str) -> Source:
        org = self.orgs.get(org_id)
        return Source("organisation", org_id, org.label if org else org_id)

    def workshop_source(self, ws: Workshop) -> Source:
        when = format_date(ws.date, self.lang)
        return Source("workshop", ws.id, f"{ws.title} ({when})" if when else ws.title)

    def output_sources(self, output: Output) -> list[Source]:
        found = [
            Source(
                "output",
                output.id,
                self.tr.gettext(
                    "%(label)s: %(value)s",
                    label=label(self.tr, KIND_LABELS, output.kind),
                    value=_short(output.text),
                ),
            )
        ]
        ws = self.workshops.get(output.workshop_id or "")
        if ws is not None:
            found.append(self.workshop_source(ws))
        found.extend(self.org_source(org_id) for org_id in output.organisation_ids)
        return found

    def figure_source(self) -> Source:
        return Source("figure", "network", self._("Network figure"))

    # data ----------------------------------------------------------------
    def name(self, org_id: str | None) -> str:
        if not org_id:
            return ""
        org = self.orgs.get(org_id)
        return org.label if org else org_id

    def short_name(self, org_id: str) -> str:
        org = self.orgs.get(org_id)
        return (org.acronym or org.name) if org else org_id

    def outputs_of(self, *kinds: str) -> list[Output]:
        chosen = [o for o in self.data.outputs if o.kind in kinds and o.text.strip()]
        return sorted(chosen, key=lambda o: -o.priority)

    def workshops_sorted(self) -> list[Workshop]:
        return sorted(self.data.workshops, key=lambda w: (w.date is None, w.date or dt.date.min))

    def territory(self) -> str:
        return self.p.territory or self._("the territory")

    def coordinator(self) -> str:
        if self.p.coordinator_name:
            return self.p.coordinator_name
        for member in self.data.members:
            if member.role == "coordinator":
                return self.name(member.org_id)
        return self._("to be defined")

    def coordinator_as(self, preposition: str) -> str:
        """The coordinator where a sentence puts it (French adds the article: "par la Ville")."""
        return organisation_phrase(self.coordinator(), self.lang, preposition)

    def coordinator_sources(self) -> list[Source]:
        return [self.org_source(m.org_id) for m in self.data.members if m.role == "coordinator"]

    def duration(self) -> int | None:
        if self.p.duration_months:
            return self.p.duration_months
        ends = [a.end_month for a in self.data.actions if a.end_month]
        return max(ends) if ends else None


def _dedupe(sources: Iterable[Source]) -> tuple[Source, ...]:
    seen: set[tuple[str, str]] = set()
    kept: list[Source] = []
    for source in sources:
        key = (source.kind, source.id)
        if key not in seen:
            seen.add(key)
            kept.append(source)
    return tuple(kept)


def _para(markup: str, sources: Iterable[Source] = ()) -> DraftParagraph:
    return DraftParagraph(markup, _dedupe(sources))


def _output_list(ctx: _Context, outputs: list[Output], numbered: bool = False) -> DraftParagraph:
    lines = [
        f"{i}. {escape(o.text)}" if numbered else f"- {escape(o.text)}"
        for i, o in enumerate(outputs, 1)
    ]
    return _para("\n".join(lines), (s for o in outputs for s in ctx.output_sources(o)))


def _network_paragraph(ctx: _Context, consortium: bool = False) -> DraftParagraph:
    net = ctx.data.network
    if net is None:
        return _para(ctx._("Network analysis: not yet available."))
    brokers = ""
    if net.brokers:
        brokers = ctx.ngettext(
            "; %(names)s acts as a bridge between groups",
            "; %(names)s act as bridges between groups",
            len(net.brokers),
            names=join_names((escape(b) for b in net.brokers), ctx.tr),
        )
    values = {
        "members": ctx.ngettext("%(num)s member", "%(num)s members", net.n_members),
        "ties": ctx.ngettext("%(num)s tie", "%(num)s ties", net.n_ties),
        "density": format_number(net.density, ctx.lang, 2),
        "brokers": brokers,
        "figure": ctx._(" (see the network figure)") if net.figure_available else "",
    }
    if consortium:
        text = ctx._(
            "The partners already cooperate: their network counts %(members)s and %(ties)s "
            "(density %(density)s)%(brokers)s%(figure)s.",
            **values,
        )
    else:
        text = ctx._(
            "These exchanges built lasting working relationships: the cooperation network of "
            "the consortium counts %(members)s and %(ties)s (density %(density)s)%(brokers)s"
            "%(figure)s.",
            **values,
        )
    return _para(text, [ctx.figure_source()])


# --------------------------------------------------------------------------- sections


def _summary(ctx: _Context) -> list[DraftParagraph]:
    p = ctx.p
    if p.summary.strip():
        return [_para(escape(p.summary), [ctx.topic_source()])]
    topic = f"{escape(p.topic_id)} – {escape(p.topic_title)}"
    terr = ctx._(" in %(territory)s", territory=escape(p.territory)) if p.territory else ""
    n_partners = len(ctx.data.members) or len(ctx.data.organisations)
    out = [
        _para(
            ctx.ngettext(
                "**%(acronym)s** (%(title)s) responds to the LIFE topic %(topic)s. Coordinated "
                "by %(coordinator)s, it brings together %(num)s partner%(territory_part)s.",
                "**%(acronym)s** (%(title)s) responds to the LIFE topic %(topic)s. Coordinated "
                "by %(coordinator)s, it brings together %(num)s partners%(territory_part)s.",
                n_partners,
                acronym=escape(p.acronym),
                title=escape(p.title),
                topic=topic,
                coordinator=escape(ctx.coordinator_as("par")),
                territory_part=terr,
            ),
            [ctx.topic_source(), *ctx.coordinator_sources()],
        )
    ]
    if ctx.data.workshops:
        n_orgs = len({o for w in ctx.data.workshops for o in w.organisation_ids}) or max(
            w.n_organisations for w in ctx.data.workshops
        )
        out.append(
            _para(
                ctx._(
                    "The proposal was co-designed in %(workshops)s with %(organisations)s and "
                    "%(participants)s: a shared vision for 2030, then the concrete actions and "
                    "needs, then the consortium and its cooperation framework.",
                    workshops=ctx.workshops_count(len(ctx.data.workshops)),
                    organisations=ctx.organisations(n_orgs),
                    participants=ctx.participants(sum(w.n_people for w in ctx.data.workshops)),
                ),
                [ctx.workshop_source(w) for w in ctx.workshops_sorted()],
            )
        )
    if ctx.data.actions:
        months = ctx.duration()
        packages = ctx.ngettext(
            "%(num)s work package", "%(num)s work packages", len(ctx.data.actions)
        )
        text = (
            ctx._(
                "The work plan comprises %(packages)s over %(months)s.",
                packages=packages,
                months=ctx.months(months),
            )
            if months
            else ctx._("The work plan comprises %(packages)s.", packages=packages)
        )
        out.append(
            _para(
                text,
                [Source("action", a.id, f"{a.code} {a.title}") for a in ctx.data.actions],
            )
        )
    visions = ctx.outputs_of("vision")
    if visions:
        out.append(
            _para(
                ctx._("Its ambition for 2030: “%(text)s”", text=escape(visions[0].text)),
                ctx.output_sources(visions[0]),
            )
        )
    return out


def _subtopic_paragraphs(ctx: _Context) -> list[DraftParagraph]:
    """The chosen sub-topics (at most two assessed; the others named as left out)."""
    subtopics = [s for s in ctx.p.subtopics if s.strip()]
    if not subtopics:
        return [_para(ctx._("Sub-topics: not yet chosen (at most two may be selected)."))]
    out = [
        _para(
            ctx.ngettext(
                "It targets the following sub-topic of the call, on which its relevance "
                "should be assessed:",
                "It targets the following sub-topics of the call, on which its relevance "
                "should be assessed:",
                min(len(subtopics), MAX_SUBTOPICS),
            ),
            [ctx.topic_source()],
        ),
        _para("\n".join(f"- {escape(s)}" for s in subtopics[:MAX_SUBTOPICS]), [ctx.topic_source()]),
    ]
    if len(subtopics) > MAX_SUBTOPICS:
        dropped = join_names((escape(s) for s in subtopics[MAX_SUBTOPICS:]), ctx.tr)
        out.append(
            _para(
                ctx._(
                    "Only two sub-topics are assessed by the evaluators; the following were "
                    "left out of this draft: %(dropped)s.",
                    dropped=dropped,
                ),
                [ctx.topic_source()],
            )
        )
    return out


def _territory_paragraph(ctx: _Context) -> list[DraftParagraph]:
    """Where the project happens and since when its actors work together (workshops)."""
    p = ctx.p
    if not p.territory:
        return []
    workshops = ctx.workshops_sorted()
    if not workshops:
        return [
            _para(
                ctx._("The project is implemented in %(territory)s.", territory=escape(p.territory))
            )
        ]
    first = workshops[0].date
    since = ctx._(" since %(date)s", date=format_date(first, ctx.lang)) if first else ""
    return [
        _para(
            ctx._(
                "The project is implemented in %(territory)s, where local actors have "
                "worked on these issues together in %(workshops)s%(since)s.",
                territory=escape(p.territory),
                workshops=ctx.workshops_count(len(workshops)),
                since=since,
            ),
            [ctx.workshop_source(w) for w in workshops],
        )
    ]


def _compliance(ctx: _Context) -> list[DraftParagraph]:
    p = ctx.p
    sub = (
        ctx._(", under the sub-programme %(sub)s", sub=escape(p.sub_programme))
        if p.sub_programme
        else ""
    )
    topic = f"{escape(p.topic_id)} – {escape(p.topic_title)}"
    out = [
        _para(
            ctx._(
                "The project addresses the LIFE call topic **%(topic)s**%(sub_part)s.",
                topic=topic,
                sub_part=sub,
            ),
            [ctx.topic_source()],
        ),
        *_subtopic_paragraphs(ctx),
        *_territory_paragraph(ctx),
    ]
    objectives = ctx.outputs_of("objective")[:5]
    if objectives:
        out.append(
            _para(
                ctx._(
                    "Its main specific objectives (section 1.3) contribute directly to the "
                    "objectives of the topic:"
                )
            )
        )
        out.append(_output_list(ctx, objectives))
    else:
        out.append(
            _para(
                ctx._(
                    "Specific objectives: not yet available (to be drawn from the vision and "
                    "actions workshops)."
                )
            )
        )
    return out


def _when_where(ctx: _Context, ws: Workshop) -> tuple[str, str]:
    when = ctx._(" held on %(date)s", date=format_date(ws.date, ctx.lang)) if ws.date else ""
    where = ctx._(" in %(place)s", place=escape(ws.place)) if ws.place else ""
    return when, where


def _vision(ctx: _Context) -> list[DraftParagraph]:
    out: list[DraftParagraph] = []
    vision_ws = [w for w in ctx.workshops_sorted() if w.step == "vision"]
    for ws in vision_ws:
        when, where = _when_where(ctx, ws)
        out.append(
            _para(
                ctx._(
                    "The partners built a shared vision of %(territory)s in 2030 during the "
                    "workshop “%(title)s”%(when)s%(where)s, with %(organisations)s and "
                    "%(participants)s.",
                    territory=escape(ctx.territory()),
                    title=escape(ws.title),
                    when=when,
                    where=where,
                    organisations=ctx.organisations(ws.n_organisations),
                    participants=ctx.participants(ws.n_people),
                ),
                [ctx.workshop_source(ws)],
            )
        )
    if not vision_ws:
        out.append(_para(ctx._("Vision workshop: not yet available.")))
    visions = ctx.outputs_of("vision")
    if visions:
        out.append(_para(ctx._("In 2030, according to the partners:")))
        out.append(_output_list(ctx, visions))
    else:
        out.append(
            _para(
                ctx._(
                    "Vision statements: not yet available (record the outputs of the vision 2030 "
                    "workshop)."
                )
            )
        )
    for quote in ctx.outputs_of("quote"):
        who = join_names((escape(ctx.short_name(o)) for o in quote.organisation_ids), ctx.tr)
        text = (
            ctx._("“%(text)s” — %(who)s", text=escape(quote.text), who=who)
            if who
            else ctx._("“%(text)s”", text=escape(quote.text))
        )
        out.append(
            _para(
                "*" + text + "*",
                ctx.output_sources(quote),
            )
        )
    return out


def _needs_objectives(ctx: _Context) -> list[DraftParagraph]:
    out: list[DraftParagraph] = []
    needs = ctx.outputs_of("need")
    if needs:
        out += [
            _para(ctx._("The workshops identified the following needs on the territory:")),
            _output_list(ctx, needs),
        ]
    else:
        out.append(_para(ctx._("Needs analysis: not yet available.")))
    objectives = ctx.outputs_of("objective")
    if objectives:
        out += [
            _para(ctx._("To answer them, the project sets the following specific objectives:")),
            _output_list(ctx, objectives, numbered=True),
        ]
    else:
        out.append(_para(ctx._("Specific objectives: not yet available.")))
    return out


def _action_facts(ctx: _Context, action: Action) -> str:
    """One work package's objective, lead, participants, timing and deliverables."""
    parts: list[str] = []
    if action.objective.strip():
        objective = escape(action.objective).rstrip(".")
        parts.append(ctx._("**Objective:** %(text)s", text=objective) + ".")
    parts.append(
        ctx._(
            "**Lead:** %(lead)s.", lead=escape(ctx.name(action.lead_id)) or ctx._("to be defined")
        )
    )
    if action.participant_ids:
        names = join_names((escape(ctx.short_name(o)) for o in action.participant_ids), ctx.tr)
        parts.append(ctx._("**Participants:** %(names)s.", names=names))
    if action.start_month and action.end_month:
        parts.append(
            ctx._(
                "**Timing:** months %(start)s–%(end)s.",
                start=action.start_month,
                end=action.end_month,
            )
        )
    if action.deliverables:
        items = ctx._("; ").join(escape(d).rstrip(".") for d in action.deliverables)
        parts.append(ctx._("**Deliverables:** %(items)s.", items=items))
    return " ".join(parts)


def _action_paragraphs(ctx: _Context, action: Action) -> list[DraftParagraph]:
    """A work package's heading, facts and the workshop outputs it builds on."""
    action_source = Source("action", action.id, f"{action.code} {action.title}")
    title = ctx._("%(code)s – %(title)s", code=escape(action.code), title=escape(action.title))
    org_ids = [i for i in (action.lead_id, *action.participant_ids) if i]
    out = [
        _para("### " + title, [action_source]),
        _para(_action_facts(ctx, action), [action_source, *(ctx.org_source(o) for o in org_ids)]),
    ]
    origins = [ctx.outputs[i] for i in action.source_output_ids if i in ctx.outputs]
    if origins:
        quoted = ctx._("; ").join(
            ctx._("“%(text)s”", text=escape(_short(o.text, 120))) for o in origins[:3]
        )
        out.append(
            _para(
                ctx.ngettext(
                    "It builds on %(num)s workshop output: %(items)s.",
                    "It builds on %(num)s workshop outputs, including: %(items)s.",
                    len(origins),
                    items=quoted,
                ),
                (s for o in origins for s in ctx.output_sources(o)),
            )
        )
    return out


def _work_packages(ctx: _Context) -> list[DraftParagraph]:
    actions = ctx.data.actions
    if not actions:
        return [
            _para(
                ctx._(
                    "Work packages: not yet available (actions are defined in the actions and "
                    "needs workshop)."
                )
            )
        ]
    months = ctx.duration()
    out = [
        _para(
            ctx._(
                "The work plan comprises %(packages)s%(months_part)s. Each one stems from the "
                "actions defined by the partners in the workshops; the table below summarises "
                "leads, participants, timing and deliverables.",
                packages=ctx.ngettext(
                    "%(num)s work package", "%(num)s work packages", len(actions)
                ),
                months_part=ctx._(" over %(months)s", months=ctx.months(months)) if months else "",
            ),
            [Source("action", a.id, f"{a.code} {a.title}") for a in actions],
        )
    ]
    for action in actions:
        out += _action_paragraphs(ctx, action)
    return out


def _workshop_record(ctx: _Context, workshops: list[Workshop]) -> list[DraftParagraph]:
    """The numbered list of workshops and how many organisations and outputs they gathered."""
    per_ws = Counter(o.workshop_id for o in ctx.data.outputs)
    lines = []
    for index, ws in enumerate(workshops, 1):
        when = f", {format_date(ws.date, ctx.lang)}" if ws.date else ""
        where = f", {escape(ws.place)}" if ws.place else ""
        lines.append(
            f"{index}. "
            + ctx._(
                "**%(title)s** (%(step)s)%(when)s%(where)s: %(organisations)s, "
                "%(participants)s, %(outputs)s.",
                title=escape(ws.title),
                step=label(ctx.tr, STEP_LABELS, ws.step),
                when=when,
                where=where,
                organisations=ctx.organisations(ws.n_organisations),
                participants=ctx.participants(ws.n_people),
                outputs=ctx.ngettext(
                    "%(num)s output recorded", "%(num)s outputs recorded", per_ws.get(ws.id, 0)
                ),
            )
        )
    record = [_para("\n".join(lines), [ctx.workshop_source(w) for w in workshops])]
    attendees = {o for w in workshops for o in w.organisation_ids}
    record.append(
        _para(
            ctx._(
                "In total, %(organisations)s took part in at least one workshop and "
                "%(outputs)s; each output is traceable to its workshop and to the organisations "
                "that raised it.",
                organisations=ctx.ngettext(
                    "%(num)s organisation",
                    "%(num)s organisations",
                    len(attendees) or max(w.n_organisations for w in workshops),
                ),
                outputs=ctx.ngettext(
                    "%(num)s output was recorded",
                    "%(num)s outputs were recorded",
                    len(ctx.data.outputs),
                ),
            ),
            [ctx.workshop_source(w) for w in workshops],
        )
    )
    return record


def _stakeholders(ctx: _Context) -> list[DraftParagraph]:
    workshops = ctx.workshops_sorted()
    if not workshops:
        return [_para(ctx._("Workshops: not yet available.")), _network_paragraph(ctx)]
    out = [
        _para(
            ctx._(
                "The proposal results from a co-design process with the actors of %(territory)s, "
                "in three steps: a shared vision for 2030, then the concrete actions and needs, "
                "then the assembly of the dossier and the cooperation framework.",
                territory=escape(ctx.territory()),
            ),
            [ctx.workshop_source(w) for w in workshops],
        )
    ]
    steps = [w for w in workshops if w.step != "other"]
    if len(steps) >= 2 and steps[-1].n_organisations < steps[0].n_organisations:
        out.append(
            _para(
                ctx._(
                    "The workshops were first broad (%(first)s organisations), then narrowed to "
                    "the future partners (%(last)s organisations).",
                    first=steps[0].n_organisations,
                    last=steps[-1].n_organisations,
                ),
                [ctx.workshop_source(steps[0]), ctx.workshop_source(steps[-1])],
            )
        )
    out += _workshop_record(ctx, workshops)
    out.append(_network_paragraph(ctx))
    out.append(
        _para(
            ctx._(
                "During the project, the same actors remain involved through the work packages "
                "they lead or take part in, and through an annual open meeting of the wider "
                "network (to be confirmed by the partners)."
            )
        )
    )
    return out


def _member_line(ctx: _Context, member: Member) -> str:
    """One partner: name, role, type, city, description and previous projects."""
    org = ctx.orgs.get(member.org_id)
    typ = f", {escape(label(ctx.tr, TYPE_LABELS, org.org_type))}" if org and org.org_type else ""
    city = f", {escape(org.city)}" if org and org.city else ""
    desc = f" {escape(org.description).rstrip('.')}." if org and org.description.strip() else ""
    past = (
        ctx._(
            " Previous projects: %(items)s.",
            items=ctx._("; ").join(escape(x) for x in org.past_projects),
        )
        if org and org.past_projects
        else ""
    )
    return "- " + ctx._(
        "**%(label)s** — %(role)s%(type)s%(city)s.%(description)s%(past)s",
        label=escape(ctx.name(member.org_id)),
        role=escape(label(ctx.tr, ROLE_LABELS, member.role)),
        type=typ,
        city=city,
        description=desc,
        past=past,
    )


def _members_paragraphs(ctx: _Context) -> list[DraftParagraph]:
    """Who the consortium gathers (types, countries, coordinator), then one line a partner."""
    members = ctx.data.members
    if not members:
        return [_para(ctx._("Partner commitments: not yet available."))]
    orgs = [ctx.orgs.get(m.org_id) for m in members]
    types = Counter(label(ctx.tr, TYPE_LABELS, o.org_type) for o in orgs if o and o.org_type)
    type_text = ", ".join(
        ctx._("%(type)s: %(count)s", type=escape(name), count=count)
        for name, count in types.most_common()
    )
    countries = sorted({o.country for o in orgs if o and o.country})
    from_countries = (
        ctx._(
            " from %(countries)s",
            countries=join_names((escape(country_name(c, ctx.lang)) for c in countries), ctx.tr),
        )
        if countries
        else ""
    )
    sources = [ctx.org_source(m.org_id) for m in members]
    summary = ctx._(
        "The consortium gathers %(organisations)s (%(types)s)%(countries)s. It is "
        "coordinated by %(coordinator)s.",
        organisations=ctx.organisations(len(members)),
        types=type_text or "—",
        countries=from_countries,
        coordinator=escape(ctx.coordinator_as("par")),
    )
    lines = "\n".join(_member_line(ctx, member) for member in members)
    return [_para(summary, sources), _para(lines, sources)]


def _consortium(ctx: _Context) -> list[DraftParagraph]:
    members = ctx.data.members
    out = _members_paragraphs(ctx)
    fit = ctx.data.fit
    if fit is None or not fit.statements:
        out.append(_para(ctx._("Complementarity analysis: not yet available.")))
    else:
        out.append(_para(ctx._("The partners complement each other:")))
        out.append(
            _para(
                "\n".join(f"- {escape(s.text(ctx.tr))}" for s in fit.statements),
                [ctx.org_source(o) for s in fit.statements for o in s.organisation_ids],
            )
        )
    out.append(_network_paragraph(ctx, consortium=True))
    if members:
        out.append(
            _para(
                ctx._("The table below lists the partners with their country, type, role and PIC."),
                [ctx.org_source(m.org_id) for m in members],
            )
        )
    return out


def _management(ctx: _Context) -> list[DraftParagraph]:
    out = [
        _para(
            ctx._(
                "%(coordinator)s coordinates the project and is the single point of contact with "
                "the granting authority (CINEA); it chairs the steering committee and "
                "consolidates reporting.",
                coordinator=escape(sentence_start(ctx.coordinator_as(""))),
            ),
            ctx.coordinator_sources(),
        )
    ]
    rules = ctx.outputs_of("cooperation_rule")
    if rules:
        framework = [w for w in ctx.workshops_sorted() if w.step == "dossier_framework"]
        during = (
            ctx._(" during the workshop “%(title)s”", title=escape(framework[0].title))
            if framework
            else ""
        )
        out.append(
            _para(
                ctx._(
                    "The partners agreed the following cooperation rules%(during)s:", during=during
                ),
                [ctx.workshop_source(w) for w in framework],
            )
        )
        out.append(_output_list(ctx, rules))
    else:
        out.append(
            _para(
                ctx._(
                    "Cooperation rules: not yet available (to be agreed in the workshop on the "
                    "dossier and the cooperation framework)."
                )
            )
        )
    out.append(
        _para(
            ctx._(
                "Proposed governance (to be confirmed by the partners): a steering committee with "
                "one representative per beneficiary meets at least twice a year and takes "
                "decisions by consensus or, failing that, by a two-thirds majority; each work "
                "package lead reports progress every quarter to the coordinator."
            )
        )
    )
    return out


def _budget(ctx: _Context) -> list[DraftParagraph]:
    budget = ctx.data.budget
    if budget is None or not budget.rows:
        return [
            _para(
                ctx._(
                    "Budget: not yet available (the partners have not yet confirmed their budgets)."
                )
            )
        ]
    total = budget.total
    requested = budget.requested
    share = format_percent(requested / total, ctx.lang) if total else "—"
    row_sources = [ctx.org_source(r.org_id) for r in budget.rows]
    out = [
        _para(
            ctx._(
                "The total estimated eligible costs amount to %(total)s, for a requested EU "
                "contribution of %(eu)s (%(share)s of the eligible costs; maximum funding rate of "
                "the topic: %(rate)s).",
                total=format_money(total, ctx.lang),
                eu=format_money(requested, ctx.lang),
                share=share,
                rate=format_percent(budget.funding_rate, ctx.lang),
            ),
            row_sources,
        )
    ]
    lines = []
    for cat in COST_CATEGORIES:
        amount = budget.category_total(cat)
        if amount:
            pct = format_percent(amount / total, ctx.lang) if total else "—"
            lines.append(
                ctx._(
                    "- %(category)s: %(amount)s (%(share)s)",
                    category=label(ctx.tr, CATEGORY_LABELS, cat),
                    amount=format_money(amount, ctx.lang),
                    share=pct,
                )
            )
    if lines:
        out += [_para(ctx._("Breakdown by cost category:")), _para("\n".join(lines), row_sources)]
    top = sorted(budget.rows, key=lambda r: -r.total)[:3]
    top_text = join_names(
        (
            f"{escape(r.name)} ({format_percent(r.total / total, ctx.lang) if total else '—'})"
            for r in top
        ),
        ctx.tr,
    )
    out.append(
        _para(
            ctx.ngettext(
                "The budget is held by %(num)s partner, %(top)s. The table below details the "
                "budget by partner and cost category.",
                "The budget is shared among %(num)s partners; the largest shares are held by "
                "%(top)s. The table below details the budget by partner and cost category.",
                len(budget.rows),
                top=top_text,
            ),
            [ctx.org_source(r.org_id) for r in top],
        )
    )
    pms = [m.person_months for m in ctx.data.members if m.person_months is not None]
    if pms:
        out.append(
            _para(
                ctx._(
                    "The partners commit %(pm)s person-months in total.",
                    pm=format_number(
                        sum(pms, _ZERO), ctx.lang, 1 if any(Decimal(p) % 1 for p in pms) else 0
                    ),
                ),
                [ctx.org_source(m.org_id) for m in ctx.data.members if m.person_months is not None],
            )
        )
    return out


def _risks(ctx: _Context) -> list[DraftParagraph]:
    risks = ctx.outputs_of("risk")
    if not risks:
        return [_para(ctx._("Risk analysis: not yet available."))]
    rows = [ctx._("| Risk | Raised by | Mitigation |"), "|---|---|---|"]
    for risk in risks:
        who = join_names((escape(ctx.short_name(o)) for o in risk.organisation_ids), ctx.tr) or "—"
        mitigation = ctx._("*to be completed*")
        rows.append(f"| {escape(risk.text)} | {who} | {mitigation} |")
    return [
        _para(
            ctx._(
                "The partners identified the following risks during the workshops; the "
                "likelihood, impact and mitigation of each are to be completed."
            ),
            [s for r in risks for s in ctx.output_sources(r)],
        ),
        _para("\n".join(rows), [s for r in risks for s in ctx.output_sources(r)]),
    ]


def _impact(ctx: _Context) -> list[DraftParagraph]:
    out: list[DraftParagraph] = []
    visions = ctx.outputs_of("vision")
    if visions:
        out.append(
            _para(
                ctx._(
                    "The project is a step towards the vision shared by the partners for 2030: "
                    "“%(text)s”",
                    text=escape(visions[0].text),
                ),
                ctx.output_sources(visions[0]),
            )
        )
    objectives = ctx.outputs_of("objective")
    if objectives:
        out += [
            _para(
                ctx._(
                    "Expected results, derived from the specific objectives (to be quantified "
                    "with baselines and LIFE indicators at the end of the project and five years "
                    "after):"
                )
            ),
            _output_list(ctx, objectives),
        ]
    else:
        out.append(_para(ctx._("Expected results: not yet available.")))
    net = ctx.data.network
    if net is None:
        out.append(_para(ctx._("Network analysis: not yet available.")))
    else:
        out.append(
            _para(
                ctx._(
                    "Beyond its direct results, the project strengthens the cooperation network "
                    "of %(territory)s (%(ties)s among %(members)s), a lasting asset for the "
                    "territory's next projects.",
                    territory=escape(ctx.territory()),
                    ties=ctx.ngettext("%(num)s tie", "%(num)s ties", net.n_ties),
                    members=ctx.ngettext("%(num)s member", "%(num)s members", net.n_members),
                ),
                [ctx.figure_source()],
            )
        )
    return out


def _sustainability(ctx: _Context) -> list[DraftParagraph]:
    resources = ctx.outputs_of("resource")
    out: list[DraftParagraph] = []
    if resources:
        out += [
            _para(
                ctx._(
                    "The partners offered the following resources, which remain available after "
                    "the project:"
                )
            ),
            _output_list(ctx, resources),
        ]
    else:
        out.append(_para(ctx._("Resources for continuation: not yet available.")))
    out.append(
        _para(
            ctx._(
                "The co-design method — three workshops (vision for 2030, actions and needs, "
                "dossier and cooperation framework) — can be replicated by other territories; its "
                "materials and results will be published openly."
            ),
            [ctx.workshop_source(w) for w in ctx.workshops_sorted()],
        )
    )
    return out


_DRAFTERS: dict[str, Callable[[_Context], list[DraftParagraph]]] = {
    "heading": lambda ctx: [],
    "free": lambda ctx: [_para(ctx._("To be written."))],
    "summary": _summary,
    "compliance": _compliance,
    "vision": _vision,
    "needs_objectives": _needs_objectives,
    "work_packages": _work_packages,
    "stakeholders": _stakeholders,
    "consortium": _consortium,
    "management": _management,
    "budget": _budget,
    "risks": _risks,
    "impact": _impact,
    "sustainability": _sustainability,
}


def draft_key(key: str, data: DossierData, tr: Translator, code: str = "") -> Draft:
    """Draft for a drafting key (see ``structure.DRAFTING_KEYS``); unknown keys draft nothing.

    ``tr`` is the document's language, which is not necessarily the interface's.
    """
    ctx = _Context(data, tr)
    paragraphs = _DRAFTERS.get(key, _DRAFTERS["heading"])(ctx)
    return Draft(code=code, key=key, lang=tr.lang, paragraphs=tuple(paragraphs))


def draft_section(
    code: str, data: DossierData, tr: Translator, structure: tuple[SectionSpec, ...] | None = None
) -> Draft:
    """First draft of the section ``code`` of ``structure`` (default: the SAP structure)."""
    specs = structure if structure is not None else load_structure("SAP")
    for spec in specs:
        if spec.code == code:
            return draft_key(spec.drafting_key, data, tr, code)
    raise ValueError(f"unknown section code {code!r}")


def draft_all(
    data: DossierData, tr: Translator, structure: tuple[SectionSpec, ...] | None = None
) -> dict[str, Draft]:
    """Drafts of every section of ``structure``, by code, in document order."""
    specs = structure if structure is not None else load_structure("SAP")
    return {spec.code: draft_key(spec.drafting_key, data, tr, spec.code) for spec in specs}

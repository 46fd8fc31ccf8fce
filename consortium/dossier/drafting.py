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
    """One complementarity statement from the fit analysis, with the organisations it concerns."""

    text: str
    organisation_ids: tuple[str, ...] = ()


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


# --------------------------------------------------------------------------- texts

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "not_available": "not yet available",
        "list_sep": "; ",
        "colon": ": ",
        "network_cons": (
            "The partners already cooperate: their network counts {n_members} members and {n_ties} "
            "ties (density {density}){brokers}{figure}."
        ),
        "and": "and",
        "months": "months",
        "summary_intro": (
            "**{acronym}** ({title}) responds to the LIFE topic {topic}. Coordinated by "
            "{coordinator}, it brings together {n_partners} partners{territory_part}."
        ),
        "territory_part": " in {territory}",
        "summary_workshops": (
            "The proposal was co-designed in {n} workshops with {n_orgs} organisations and "
            "{n_people} participants: a shared vision for 2030, then the concrete actions and "
            "needs, then the consortium and its cooperation framework."
        ),
        "summary_plan": "The work plan comprises {n} work packages over {months} months.",
        "summary_plan_nomonths": "The work plan comprises {n} work packages.",
        "summary_vision": "Its ambition for 2030: “{text}”",
        "compliance_topic": "The project addresses the LIFE call topic **{topic}**{sub_part}.",
        "sub_programme_part": ", under the sub-programme {sub}",
        "compliance_subtopics": (
            "It targets the following sub-topic(s) of the call, on which its relevance should be "
            "assessed:"
        ),
        "compliance_too_many": (
            "Only two sub-topics are assessed by the evaluators; the following were left out of "
            "this draft: {dropped}."
        ),
        "compliance_no_subtopics": "Sub-topics: not yet chosen (at most two may be selected).",
        "compliance_territory": (
            "The project is implemented in {territory}, where local actors have worked on these "
            "issues together in {n} workshops{since}."
        ),
        "compliance_territory_nows": "The project is implemented in {territory}.",
        "since": " since {date}",
        "compliance_objectives": (
            "Its main specific objectives (section 1.3) contribute directly to the objectives of "
            "the topic:"
        ),
        "compliance_no_objectives": (
            "Specific objectives: not yet available (to be drawn from the vision and actions "
            "workshops)."
        ),
        "vision_workshop": (
            "The partners built a shared vision of {territory} in 2030 during the workshop "
            "“{title}”{when}{where}, with {n_orgs} organisations and {n_people} participants."
        ),
        "the_territory": "the territory",
        "on_date": " held on {date}",
        "in_place": " in {place}",
        "vision_no_workshop": "Vision workshop: not yet available.",
        "vision_list": "In 2030, according to the partners:",
        "vision_none": (
            "Vision statements: not yet available (record the outputs of the vision 2030 workshop)."
        ),
        "quote": "“{text}” — {who}",
        "quote_anon": "“{text}”",
        "needs_intro": "The workshops identified the following needs on the territory:",
        "needs_none": "Needs analysis: not yet available.",
        "objectives_intro": "To answer them, the project sets the following specific objectives:",
        "objectives_none": "Specific objectives: not yet available.",
        "wp_intro": (
            "The work plan comprises {n} work packages{months_part}. Each one stems from the "
            "actions defined by the partners in the workshops; the table below summarises leads, "
            "participants, timing and deliverables."
        ),
        "months_part": " over {months} months",
        "wp_none": (
            "Work packages: not yet available (actions are defined in the actions and needs "
            "workshop)."
        ),
        "wp_heading": "{code} – {title}",
        "wp_objective": "**Objective:** {text}",
        "wp_lead": "**Lead:** {lead}.",
        "wp_participants": "**Participants:** {names}.",
        "wp_timing": "**Timing:** months {start}–{end}.",
        "wp_deliverables": "**Deliverables:** {items}.",
        "wp_origin": "It builds on {n} workshop output(s), including: {items}.",
        "to_be_defined": "to be defined",
        "stake_intro": (
            "The proposal results from a co-design process with the actors of {territory}, in "
            "three steps: a shared vision for 2030, then the concrete actions and needs, then the "
            "assembly of the dossier and the cooperation framework."
        ),
        "stake_narrowed": (
            "The workshops were first broad ({first} organisations), then narrowed to the future "
            "partners ({last} organisations)."
        ),
        "stake_item": (
            "**{title}** ({step}){when}{where}: {n_orgs} organisations, {n_people} participants, "
            "{n_outputs} outputs recorded."
        ),
        "stake_total": (
            "In total, {n_orgs} organisations took part in at least one workshop and {n_outputs} "
            "outputs were recorded; each of them is traceable to its workshop and to the "
            "organisations that raised it."
        ),
        "stake_none": "Workshops: not yet available.",
        "stake_during": (
            "During the project, the same actors remain involved through the work packages they "
            "lead or take part in, and through an annual open meeting of the wider network (to be "
            "confirmed by the partners)."
        ),
        "network": (
            "These exchanges built lasting working relationships: the cooperation network of the "
            "consortium counts {n_members} members and {n_ties} ties (density "
            "{density}){brokers}{figure}."
        ),
        "brokers_part": "; {names} act as bridges between groups",
        "figure_part": " (see the network figure)",
        "network_none": "Network analysis: not yet available.",
        "cons_intro": (
            "The consortium gathers {n} organisations ({types}){countries}. It is coordinated by "
            "{coordinator}."
        ),
        "countries_part": " from {countries}",
        "cons_none": "Partner commitments: not yet available.",
        "cons_member": "**{label}** — {role}{type}{city}.{description}{past}",
        "cons_past": " Previous projects: {items}.",
        "fit_intro": "The partners complement each other:",
        "fit_none": "Complementarity analysis: not yet available.",
        "cons_table": "The table below lists the partners with their country, type, role and PIC.",
        "mgmt_coord": (
            "{coordinator} coordinates the project and is the single point of contact with the "
            "granting authority (CINEA); it chairs the steering committee and consolidates "
            "reporting."
        ),
        "mgmt_rules": "The partners agreed the following cooperation rules{during}:",
        "during_ws": " during the workshop “{title}”",
        "mgmt_rules_none": (
            "Cooperation rules: not yet available (to be agreed in the workshop on the dossier "
            "and the cooperation framework)."
        ),
        "mgmt_bodies": (
            "Proposed governance (to be confirmed by the partners): a steering committee with one "
            "representative per beneficiary meets at least twice a year and takes decisions by "
            "consensus or, failing that, by a two-thirds majority; each work package lead reports "
            "progress every quarter to the coordinator."
        ),
        "budget_none": (
            "Budget: not yet available (the partners have not yet confirmed their budgets)."
        ),
        "budget_total": (
            "The total estimated eligible costs amount to {total}, for a requested EU "
            "contribution of {eu} ({share} of the eligible costs; maximum funding rate of the "
            "topic: {rate})."
        ),
        "budget_categories": "Breakdown by cost category:",
        "budget_partners": (
            "The budget is shared among {n} partners; the largest shares are held by {top}. The "
            "table below details the budget by partner and cost category."
        ),
        "budget_pm": "The partners commit {pm} person-months in total.",
        "risks_intro": (
            "The partners identified the following risks during the workshops; the likelihood, "
            "impact and mitigation of each are to be completed."
        ),
        "risks_header": "| Risk | Raised by | Mitigation |",
        "to_complete": "*to be completed*",
        "risks_none": "Risk analysis: not yet available.",
        "impact_vision": (
            "The project is a step towards the vision shared by the partners for 2030: “{text}”"
        ),
        "impact_objectives": (
            "Expected results, derived from the specific objectives (to be quantified with "
            "baselines and LIFE indicators at the end of the project and five years after):"
        ),
        "impact_none": "Expected results: not yet available.",
        "impact_network": (
            "Beyond its direct results, the project strengthens the cooperation network of "
            "{territory} ({n_ties} ties among {n_members} members), a lasting asset for the "
            "territory's next projects."
        ),
        "sust_resources": (
            "The partners offered the following resources, which remain available after the "
            "project:"
        ),
        "sust_none": "Resources for continuation: not yet available.",
        "sust_replication": (
            "The co-design method — three workshops (vision for 2030, actions and needs, dossier "
            "and cooperation framework) — can be replicated by other territories; its materials "
            "and results will be published openly."
        ),
        "free": "To be written.",
        "cat_a": "A. Personnel costs",
        "cat_b": "B. Subcontracting costs",
        "cat_c1": "C.1 Travel and subsistence",
        "cat_c2": "C.2 Equipment",
        "cat_c3": "C.3 Other goods, works and services",
        "cat_d": "D. Other cost categories",
        "cat_e": "E. Indirect costs",
        "step_vision": "vision 2030",
        "step_actions_needs": "actions and needs",
        "step_dossier_framework": "dossier and cooperation framework",
        "step_other": "other meeting",
        "role_coordinator": "coordinator",
        "role_beneficiary": "beneficiary",
        "role_affiliated_entity": "affiliated entity",
        "role_associated_partner": "associated partner",
        "role_third_party": "third party",
        "role_subcontractor": "subcontractor",
        "type_public_body": "public body",
        "type_local_authority": "local authority",
        "type_ngo": "NGO",
        "type_association": "association",
        "type_sme": "SME",
        "type_company": "company",
        "type_large_company": "large company",
        "type_research": "research organisation",
        "type_university": "university",
        "type_other": "other",
        "type_public_authority": "public authority",
        "type_social_economy": "social economy enterprise",
        "type_international": "international organisation",
        "kind_vision": "Vision",
        "kind_objective": "Objective",
        "kind_action": "Action",
        "kind_need": "Need",
        "kind_resource": "Resource",
        "kind_risk": "Risk",
        "kind_cooperation_rule": "Cooperation rule",
        "kind_quote": "Quote",
        "figure_label": "Network figure",
    },
    "fr": {
        "not_available": "pas encore disponible",
        "list_sep": " ; ",
        "colon": " : ",
        "network_cons": (
            "Les partenaires coopèrent déjà : leur réseau compte {n_members} membres et {n_ties} "
            "liens (densité {density}){brokers}{figure}."
        ),
        "and": "et",
        "months": "mois",
        "summary_intro": (
            "**{acronym}** ({title}) répond au sujet LIFE {topic}. Coordonné par {coordinator}, "
            "il réunit {n_partners} partenaires{territory_part}."
        ),
        "territory_part": " à {territory}",
        "summary_workshops": (
            "La proposition a été co-construite au cours de {n} ateliers avec {n_orgs} "
            "organisations et {n_people} participants : une vision partagée pour 2030, puis les "
            "actions concrètes et les besoins, enfin le consortium et son cadre de coopération."
        ),
        "summary_plan": "Le plan de travail comprend {n} lots de travail sur {months} mois.",
        "summary_plan_nomonths": "Le plan de travail comprend {n} lots de travail.",
        "summary_vision": "Son ambition pour 2030 : « {text} »",
        "compliance_topic": "Le projet répond au sujet de l'appel LIFE **{topic}**{sub_part}.",
        "sub_programme_part": ", dans le sous-programme {sub}",
        "compliance_subtopics": (
            "Il vise le ou les sous-thèmes suivants de l'appel, sur lesquels sa pertinence doit "
            "être évaluée :"
        ),
        "compliance_too_many": (
            "Les évaluateurs n'examinent que deux sous-thèmes ; les suivants ont été écartés de "
            "ce projet de texte : {dropped}."
        ),
        "compliance_no_subtopics": (
            "Sous-thèmes : pas encore choisis (deux au plus peuvent être retenus)."
        ),
        "compliance_territory": (
            "Le projet est mis en œuvre à {territory}, où les acteurs locaux ont travaillé "
            "ensemble sur ces enjeux au cours de {n} ateliers{since}."
        ),
        "compliance_territory_nows": "Le projet est mis en œuvre à {territory}.",
        "since": " depuis le {date}",
        "compliance_objectives": (
            "Ses principaux objectifs spécifiques (section 1.3) contribuent directement aux "
            "objectifs du sujet :"
        ),
        "compliance_no_objectives": (
            "Objectifs spécifiques : pas encore disponibles (à tirer des ateliers vision et "
            "actions)."
        ),
        "vision_workshop": (
            "Les partenaires ont construit une vision partagée de {territory} en 2030 lors de "
            "l'atelier « {title} »{when}{where}, avec {n_orgs} organisations et {n_people} "
            "participants."
        ),
        "the_territory": "leur territoire",
        "on_date": " tenu le {date}",
        "in_place": " à {place}",
        "vision_no_workshop": "Atelier vision : pas encore disponible.",
        "vision_list": "En 2030, selon les partenaires :",
        "vision_none": (
            "Éléments de vision : pas encore disponibles (saisir les productions de l'atelier "
            "vision 2030)."
        ),
        "quote": "« {text} » — {who}",
        "quote_anon": "« {text} »",
        "needs_intro": "Les ateliers ont identifié les besoins suivants sur le territoire :",
        "needs_none": "Analyse des besoins : pas encore disponible.",
        "objectives_intro": (
            "Pour y répondre, le projet se fixe les objectifs spécifiques suivants :"
        ),
        "objectives_none": "Objectifs spécifiques : pas encore disponibles.",
        "wp_intro": (
            "Le plan de travail comprend {n} lots de travail{months_part}. Chacun découle des "
            "actions définies par les partenaires en atelier ; le tableau ci-dessous en résume "
            "les responsables, participants, calendrier et livrables."
        ),
        "months_part": " sur {months} mois",
        "wp_none": (
            "Lots de travail : pas encore disponibles (les actions sont définies lors de "
            "l'atelier actions et besoins)."
        ),
        "wp_heading": "{code} – {title}",
        "wp_objective": "**Objectif :** {text}",
        "wp_lead": "**Responsable :** {lead}.",
        "wp_participants": "**Participants :** {names}.",
        "wp_timing": "**Calendrier :** mois {start} à {end}.",
        "wp_deliverables": "**Livrables :** {items}.",
        "wp_origin": "Il s'appuie sur {n} production(s) d'atelier, dont : {items}.",
        "to_be_defined": "à définir",
        "stake_intro": (
            "La proposition est issue d'une démarche de co-construction avec les acteurs de "
            "{territory}, en trois temps : une vision partagée pour 2030, puis les actions "
            "concrètes et les besoins, enfin la constitution du dossier et le cadre de "
            "coopération."
        ),
        "stake_narrowed": (
            "Les ateliers ont d'abord été larges ({first} organisations), puis resserrés autour "
            "des futurs partenaires ({last} organisations)."
        ),
        "stake_item": (
            "**{title}** ({step}){when}{where} : {n_orgs} organisations, {n_people} participants, "
            "{n_outputs} productions enregistrées."
        ),
        "stake_total": (
            "Au total, {n_orgs} organisations ont participé à au moins un atelier et {n_outputs} "
            "productions ont été enregistrées ; chacune est rattachée à son atelier et aux "
            "organisations qui l'ont portée."
        ),
        "stake_none": "Ateliers : pas encore disponibles.",
        "stake_during": (
            "Pendant le projet, les mêmes acteurs restent impliqués à travers les lots de travail "
            "qu'ils pilotent ou auxquels ils participent, et par une rencontre annuelle ouverte "
            "au réseau élargi (à confirmer par les partenaires)."
        ),
        "network": (
            "Ces échanges ont créé des liens de travail durables : le réseau de coopération du "
            "consortium compte {n_members} membres et {n_ties} liens (densité "
            "{density}){brokers}{figure}."
        ),
        "brokers_part": " ; {names} font le lien entre les groupes",
        "figure_part": " (voir la figure du réseau)",
        "network_none": "Analyse du réseau : pas encore disponible.",
        "cons_intro": (
            "Le consortium réunit {n} organisations ({types}){countries}. Il est coordonné par "
            "{coordinator}."
        ),
        "countries_part": " de {countries}",
        "cons_none": "Engagements des partenaires : pas encore disponibles.",
        "cons_member": "**{label}** — {role}{type}{city}.{description}{past}",
        "cons_past": " Projets antérieurs : {items}.",
        "fit_intro": "Les partenaires se complètent :",
        "fit_none": "Analyse de complémentarité : pas encore disponible.",
        "cons_table": (
            "Le tableau ci-dessous présente les partenaires avec leur pays, leur type, leur rôle "
            "et leur PIC."
        ),
        "mgmt_coord": (
            "{coordinator} coordonne le projet et est l'interlocuteur unique de l'autorité qui "
            "accorde la subvention (CINEA) ; il préside le comité de pilotage et consolide les "
            "rapports."
        ),
        "mgmt_rules": "Les partenaires ont adopté les règles de coopération suivantes{during} :",
        "during_ws": " lors de l'atelier « {title} »",
        "mgmt_rules_none": (
            "Règles de coopération : pas encore disponibles (à convenir lors de l'atelier sur le "
            "dossier et le cadre de coopération)."
        ),
        "mgmt_bodies": (
            "Gouvernance proposée (à confirmer par les partenaires) : un comité de pilotage "
            "réunissant un représentant par bénéficiaire se réunit au moins deux fois par an et "
            "décide par consensus ou, à défaut, à la majorité des deux tiers ; chaque responsable "
            "de lot rend compte de l'avancement au coordinateur chaque trimestre."
        ),
        "budget_none": (
            "Budget : pas encore disponible (les partenaires n'ont pas encore confirmé leur "
            "budget)."
        ),
        "budget_total": (
            "Les coûts éligibles estimés s'élèvent à {total}, pour une contribution de l'UE "
            "demandée de {eu} ({share} des coûts éligibles ; taux de financement maximal du sujet "
            ": {rate})."
        ),
        "budget_categories": "Répartition par catégorie de coûts :",
        "budget_partners": (
            "Le budget est réparti entre {n} partenaires ; les parts les plus importantes sont "
            "celles de {top}. Le tableau ci-dessous détaille le budget par partenaire et par "
            "catégorie de coûts."
        ),
        "budget_pm": "Les partenaires engagent {pm} personnes-mois au total.",
        "risks_intro": (
            "Les partenaires ont identifié les risques suivants en atelier ; la probabilité, "
            "l'impact et les mesures d'atténuation de chacun restent à compléter."
        ),
        "risks_header": "| Risque | Soulevé par | Atténuation |",
        "to_complete": "*à compléter*",
        "risks_none": "Analyse des risques : pas encore disponible.",
        "impact_vision": (
            "Le projet est une étape vers la vision partagée par les partenaires pour 2030 : « "
            "{text} »"
        ),
        "impact_objectives": (
            "Résultats attendus, issus des objectifs spécifiques (à chiffrer avec situations de "
            "référence et indicateurs LIFE à la fin du projet et cinq ans après) :"
        ),
        "impact_none": "Résultats attendus : pas encore disponibles.",
        "impact_network": (
            "Au-delà de ses résultats directs, le projet renforce le réseau de coopération de "
            "{territory} ({n_ties} liens entre {n_members} membres), un acquis durable pour les "
            "prochains projets du territoire."
        ),
        "sust_resources": (
            "Les partenaires ont proposé les ressources suivantes, qui restent disponibles après "
            "le projet :"
        ),
        "sust_none": "Ressources pour la suite : pas encore disponibles.",
        "sust_replication": (
            "La méthode de co-construction — trois ateliers (vision 2030, actions et besoins, "
            "dossier et cadre de coopération) — est reproductible par d'autres territoires ; ses "
            "supports et ses résultats seront publiés librement."
        ),
        "free": "À rédiger.",
        "cat_a": "A. Frais de personnel",
        "cat_b": "B. Sous-traitance",
        "cat_c1": "C.1 Déplacements et séjours",
        "cat_c2": "C.2 Équipements",
        "cat_c3": "C.3 Autres biens, travaux et services",
        "cat_d": "D. Autres catégories de coûts",
        "cat_e": "E. Coûts indirects",
        "step_vision": "vision 2030",
        "step_actions_needs": "actions et besoins",
        "step_dossier_framework": "dossier et cadre de coopération",
        "step_other": "autre réunion",
        "role_coordinator": "coordinateur",
        "role_beneficiary": "bénéficiaire",
        "role_affiliated_entity": "entité affiliée",
        "role_associated_partner": "partenaire associé",
        "role_third_party": "tiers",
        "role_subcontractor": "sous-traitant",
        "type_public_body": "organisme public",
        "type_local_authority": "collectivité territoriale",
        "type_ngo": "ONG",
        "type_association": "association",
        "type_sme": "PME",
        "type_company": "entreprise",
        "type_large_company": "grande entreprise",
        "type_research": "organisme de recherche",
        "type_university": "université",
        "type_other": "autre",
        "type_public_authority": "autorité publique",
        "type_social_economy": "entreprise de l'économie sociale et solidaire",
        "type_international": "organisation internationale",
        "kind_vision": "Vision",
        "kind_objective": "Objectif",
        "kind_action": "Action",
        "kind_need": "Besoin",
        "kind_resource": "Ressource",
        "kind_risk": "Risque",
        "kind_cooperation_rule": "Règle de coopération",
        "kind_quote": "Citation",
        "figure_label": "Figure du réseau",
    },
}

_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}


def _lang(lang: str) -> Lang:
    return "fr" if lang == "fr" else "en"


def t(lang: str, key: str, **values: object) -> str:
    """A text of :data:`TEXTS` in the document language, formatted."""
    text = TEXTS[_lang(lang)][key]
    return text.format(**values) if values else text


def label(lang: str, prefix: str, key: str) -> str:
    """Label of a role/type/step/kind/category key; unknown keys are shown as given."""
    return TEXTS[_lang(lang)].get(f"{prefix}_{key}", key.replace("_", " "))


# --------------------------------------------------------------------------- formatting


def format_date(value: dt.date | None, lang: str) -> str:
    """``12 March 2024`` / ``12 mars 2024`` (``1er`` in French), without the OS locale."""
    if value is None:
        return ""
    day = "1er" if _lang(lang) == "fr" and value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[_lang(lang)][value.month - 1]} {value.year}"


def format_number(value: Decimal | int | float, lang: str, decimals: int = 0) -> str:
    """``1,234.50`` in English, ``1 234,50`` in French (no-break space), half-up rounding."""
    quant = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    number = Decimal(str(value)).quantize(quant, ROUND_HALF_UP)
    text = f"{number:,.{decimals}f}"
    if _lang(lang) == "fr":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_money(value: Decimal, lang: str, decimals: int = 0) -> str:
    """``€1,234`` / ``1 234 €``."""
    number = format_number(value, lang, decimals)
    return f"{number}\u00a0€" if _lang(lang) == "fr" else f"€{number}"


def format_percent(value: Decimal | float, lang: str) -> str:
    """A rate (0.6) as ``60%`` / ``60 %``, one decimal only when needed."""
    pct = (Decimal(str(value)) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    text = format_number(pct, lang, 0 if pct == pct.to_integral_value() else 1)
    return f"{text}\u00a0%" if _lang(lang) == "fr" else f"{text}%"


def join_names(names: Iterable[str], lang: str) -> str:
    """``A, B and C`` / ``A, B et C``."""
    items = [n for n in names if n]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t(lang, 'and')} {items[-1]}"


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- context


class _Context:
    """Indexes over the data shared by the section drafters."""

    def __init__(self, data: DossierData, lang: Lang) -> None:
        self.data = data
        self.lang = lang
        self.p = data.proposal
        self.orgs = {o.id: o for o in data.organisations}
        self.workshops = {w.id: w for w in data.workshops}
        self.outputs = {o.id: o for o in data.outputs}

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
                f"{label(self.lang, 'kind', output.kind)}: {_short(output.text)}",
            )
        ]
        ws = self.workshops.get(output.workshop_id or "")
        if ws is not None:
            found.append(self.workshop_source(ws))
        found.extend(self.org_source(org_id) for org_id in output.organisation_ids)
        return found

    def figure_source(self) -> Source:
        return Source("figure", "network", t(self.lang, "figure_label"))

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
        return self.p.territory or t(self.lang, "the_territory")

    def coordinator(self) -> str:
        if self.p.coordinator_name:
            return self.p.coordinator_name
        for member in self.data.members:
            if member.role == "coordinator":
                return self.name(member.org_id)
        return t(self.lang, "to_be_defined")

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


def _network_paragraph(ctx: _Context, key: str = "network") -> DraftParagraph:
    net = ctx.data.network
    if net is None:
        return _para(t(ctx.lang, "network_none"))
    brokers = ""
    if net.brokers:
        brokers = t(
            ctx.lang, "brokers_part", names=join_names((escape(b) for b in net.brokers), ctx.lang)
        )
    text = t(
        ctx.lang,
        key,
        n_members=net.n_members,
        n_ties=net.n_ties,
        density=format_number(net.density, ctx.lang, 2),
        brokers=brokers,
        figure=t(ctx.lang, "figure_part") if net.figure_available else "",
    )
    return _para(text, [ctx.figure_source()])


# --------------------------------------------------------------------------- sections


def _summary(ctx: _Context) -> list[DraftParagraph]:
    lang, p = ctx.lang, ctx.p
    if p.summary.strip():
        return [_para(escape(p.summary), [ctx.topic_source()])]
    topic = f"{escape(p.topic_id)} – {escape(p.topic_title)}"
    terr = t(lang, "territory_part", territory=escape(p.territory)) if p.territory else ""
    n_partners = len(ctx.data.members) or len(ctx.data.organisations)
    out = [
        _para(
            t(
                lang,
                "summary_intro",
                acronym=escape(p.acronym),
                title=escape(p.title),
                topic=topic,
                coordinator=escape(ctx.coordinator()),
                n_partners=n_partners,
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
                t(
                    lang,
                    "summary_workshops",
                    n=len(ctx.data.workshops),
                    n_orgs=n_orgs,
                    n_people=sum(w.n_people for w in ctx.data.workshops),
                ),
                [ctx.workshop_source(w) for w in ctx.workshops_sorted()],
            )
        )
    if ctx.data.actions:
        months = ctx.duration()
        key = "summary_plan" if months else "summary_plan_nomonths"
        out.append(
            _para(
                t(lang, key, n=len(ctx.data.actions), months=months),
                [Source("action", a.id, f"{a.code} {a.title}") for a in ctx.data.actions],
            )
        )
    visions = ctx.outputs_of("vision")
    if visions:
        out.append(
            _para(
                t(lang, "summary_vision", text=escape(visions[0].text)),
                ctx.output_sources(visions[0]),
            )
        )
    return out


def _compliance(ctx: _Context) -> list[DraftParagraph]:
    lang, p = ctx.lang, ctx.p
    sub = t(lang, "sub_programme_part", sub=escape(p.sub_programme)) if p.sub_programme else ""
    topic = f"{escape(p.topic_id)} – {escape(p.topic_title)}"
    out = [_para(t(lang, "compliance_topic", topic=topic, sub_part=sub), [ctx.topic_source()])]
    subtopics = [s for s in p.subtopics if s.strip()]
    if subtopics:
        out.append(_para(t(lang, "compliance_subtopics"), [ctx.topic_source()]))
        out.append(
            _para(
                "\n".join(f"- {escape(s)}" for s in subtopics[:MAX_SUBTOPICS]), [ctx.topic_source()]
            )
        )
        if len(subtopics) > MAX_SUBTOPICS:
            dropped = join_names((escape(s) for s in subtopics[MAX_SUBTOPICS:]), lang)
            out.append(_para(t(lang, "compliance_too_many", dropped=dropped), [ctx.topic_source()]))
    else:
        out.append(_para(t(lang, "compliance_no_subtopics")))
    if p.territory:
        workshops = ctx.workshops_sorted()
        if workshops:
            first = workshops[0].date
            since = t(lang, "since", date=format_date(first, lang)) if first else ""
            out.append(
                _para(
                    t(
                        lang,
                        "compliance_territory",
                        territory=escape(p.territory),
                        n=len(workshops),
                        since=since,
                    ),
                    [ctx.workshop_source(w) for w in workshops],
                )
            )
        else:
            out.append(_para(t(lang, "compliance_territory_nows", territory=escape(p.territory))))
    objectives = ctx.outputs_of("objective")[:5]
    if objectives:
        out.append(_para(t(lang, "compliance_objectives")))
        out.append(_output_list(ctx, objectives))
    else:
        out.append(_para(t(lang, "compliance_no_objectives")))
    return out


def _when_where(ctx: _Context, ws: Workshop) -> tuple[str, str]:
    when = t(ctx.lang, "on_date", date=format_date(ws.date, ctx.lang)) if ws.date else ""
    where = t(ctx.lang, "in_place", place=escape(ws.place)) if ws.place else ""
    return when, where


def _vision(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    out: list[DraftParagraph] = []
    vision_ws = [w for w in ctx.workshops_sorted() if w.step == "vision"]
    for ws in vision_ws:
        when, where = _when_where(ctx, ws)
        out.append(
            _para(
                t(
                    lang,
                    "vision_workshop",
                    territory=escape(ctx.territory()),
                    title=escape(ws.title),
                    when=when,
                    where=where,
                    n_orgs=ws.n_organisations,
                    n_people=ws.n_people,
                ),
                [ctx.workshop_source(ws)],
            )
        )
    if not vision_ws:
        out.append(_para(t(lang, "vision_no_workshop")))
    visions = ctx.outputs_of("vision")
    if visions:
        out.append(_para(t(lang, "vision_list")))
        out.append(_output_list(ctx, visions))
    else:
        out.append(_para(t(lang, "vision_none")))
    for quote in ctx.outputs_of("quote"):
        who = join_names((escape(ctx.short_name(o)) for o in quote.organisation_ids), lang)
        key = "quote" if who else "quote_anon"
        out.append(
            _para(
                "*" + t(lang, key, text=escape(quote.text), who=who) + "*",
                ctx.output_sources(quote),
            )
        )
    return out


def _needs_objectives(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    out: list[DraftParagraph] = []
    needs = ctx.outputs_of("need")
    if needs:
        out += [_para(t(lang, "needs_intro")), _output_list(ctx, needs)]
    else:
        out.append(_para(t(lang, "needs_none")))
    objectives = ctx.outputs_of("objective")
    if objectives:
        out += [_para(t(lang, "objectives_intro")), _output_list(ctx, objectives, numbered=True)]
    else:
        out.append(_para(t(lang, "objectives_none")))
    return out


def _work_packages(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    actions = ctx.data.actions
    if not actions:
        return [_para(t(lang, "wp_none"))]
    months = ctx.duration()
    out = [
        _para(
            t(
                lang,
                "wp_intro",
                n=len(actions),
                months_part=t(lang, "months_part", months=months) if months else "",
            ),
            [Source("action", a.id, f"{a.code} {a.title}") for a in actions],
        )
    ]
    for action in actions:
        action_source = Source("action", action.id, f"{action.code} {action.title}")
        out.append(
            _para(
                "### "
                + t(lang, "wp_heading", code=escape(action.code), title=escape(action.title)),
                [action_source],
            )
        )
        parts: list[str] = []
        if action.objective.strip():
            objective = escape(action.objective).rstrip(".")
            parts.append(t(lang, "wp_objective", text=objective) + ".")
        parts.append(
            t(lang, "wp_lead", lead=escape(ctx.name(action.lead_id)) or t(lang, "to_be_defined"))
        )
        if action.participant_ids:
            parts.append(
                t(
                    lang,
                    "wp_participants",
                    names=join_names(
                        (escape(ctx.short_name(o)) for o in action.participant_ids), lang
                    ),
                )
            )
        if action.start_month and action.end_month:
            parts.append(t(lang, "wp_timing", start=action.start_month, end=action.end_month))
        if action.deliverables:
            parts.append(
                t(
                    lang,
                    "wp_deliverables",
                    items=t(lang, "list_sep").join(
                        escape(d).rstrip(".") for d in action.deliverables
                    ),
                )
            )
        org_ids = [i for i in (action.lead_id, *action.participant_ids) if i]
        out.append(_para(" ".join(parts), [action_source, *(ctx.org_source(o) for o in org_ids)]))
        origins = [ctx.outputs[i] for i in action.source_output_ids if i in ctx.outputs]
        if origins:
            quoted = t(lang, "list_sep").join(
                f"“{escape(_short(o.text, 120))}”"
                if lang == "en"
                else f"« {escape(_short(o.text, 120))} »"
                for o in origins[:3]
            )
            out.append(
                _para(
                    t(lang, "wp_origin", n=len(origins), items=quoted),
                    (s for o in origins for s in ctx.output_sources(o)),
                )
            )
    return out


def _stakeholders(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    workshops = ctx.workshops_sorted()
    if not workshops:
        return [_para(t(lang, "stake_none")), _network_paragraph(ctx)]
    out = [
        _para(
            t(lang, "stake_intro", territory=escape(ctx.territory())),
            [ctx.workshop_source(w) for w in workshops],
        )
    ]
    steps = [w for w in workshops if w.step != "other"]
    if len(steps) >= 2 and steps[-1].n_organisations < steps[0].n_organisations:
        out.append(
            _para(
                t(
                    lang,
                    "stake_narrowed",
                    first=steps[0].n_organisations,
                    last=steps[-1].n_organisations,
                ),
                [ctx.workshop_source(steps[0]), ctx.workshop_source(steps[-1])],
            )
        )
    per_ws = Counter(o.workshop_id for o in ctx.data.outputs)
    lines = []
    for index, ws in enumerate(workshops, 1):
        when = f", {format_date(ws.date, lang)}" if ws.date else ""
        where = f", {escape(ws.place)}" if ws.place else ""
        lines.append(
            f"{index}. "
            + t(
                lang,
                "stake_item",
                title=escape(ws.title),
                step=label(lang, "step", ws.step),
                when=when,
                where=where,
                n_orgs=ws.n_organisations,
                n_people=ws.n_people,
                n_outputs=per_ws.get(ws.id, 0),
            )
        )
    out.append(_para("\n".join(lines), [ctx.workshop_source(w) for w in workshops]))
    attendees = {o for w in workshops for o in w.organisation_ids}
    out.append(
        _para(
            t(
                lang,
                "stake_total",
                n_orgs=len(attendees) or max(w.n_organisations for w in workshops),
                n_outputs=len(ctx.data.outputs),
            ),
            [ctx.workshop_source(w) for w in workshops],
        )
    )
    out.append(_network_paragraph(ctx))
    out.append(_para(t(lang, "stake_during")))
    return out


def _consortium(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    members = ctx.data.members
    out: list[DraftParagraph] = []
    if not members:
        out.append(_para(t(lang, "cons_none")))
    else:
        orgs = [ctx.orgs.get(m.org_id) for m in members]
        types = Counter(label(lang, "type", o.org_type) for o in orgs if o and o.org_type)
        type_text = ", ".join(
            f"{escape(name)}{t(lang, 'colon')}{count}" for name, count in types.most_common()
        )
        countries = sorted({o.country for o in orgs if o and o.country})
        out.append(
            _para(
                t(
                    lang,
                    "cons_intro",
                    n=len(members),
                    types=type_text or "—",
                    countries=t(
                        lang,
                        "countries_part",
                        countries=join_names((escape(c) for c in countries), lang),
                    )
                    if countries
                    else "",
                    coordinator=escape(ctx.coordinator()),
                ),
                [ctx.org_source(m.org_id) for m in members],
            )
        )
        lines = []
        for member in members:
            org = ctx.orgs.get(member.org_id)
            typ = f", {escape(label(lang, 'type', org.org_type))}" if org and org.org_type else ""
            city = f", {escape(org.city)}" if org and org.city else ""
            desc = (
                f" {escape(org.description).rstrip('.')}."
                if org and org.description.strip()
                else ""
            )
            past = (
                t(
                    lang,
                    "cons_past",
                    items=t(lang, "list_sep").join(escape(x) for x in org.past_projects),
                )
                if org and org.past_projects
                else ""
            )
            lines.append(
                "- "
                + t(
                    lang,
                    "cons_member",
                    label=escape(ctx.name(member.org_id)),
                    role=escape(label(lang, "role", member.role)),
                    type=typ,
                    city=city,
                    description=desc,
                    past=past,
                )
            )
        out.append(_para("\n".join(lines), [ctx.org_source(m.org_id) for m in members]))
    fit = ctx.data.fit
    if fit is None or not fit.statements:
        out.append(_para(t(lang, "fit_none")))
    else:
        out.append(_para(t(lang, "fit_intro")))
        out.append(
            _para(
                "\n".join(f"- {escape(s.text)}" for s in fit.statements),
                [ctx.org_source(o) for s in fit.statements for o in s.organisation_ids],
            )
        )
    out.append(_network_paragraph(ctx, "network_cons"))
    if members:
        out.append(_para(t(lang, "cons_table"), [ctx.org_source(m.org_id) for m in members]))
    return out


def _management(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    out = [
        _para(
            t(lang, "mgmt_coord", coordinator=escape(ctx.coordinator())), ctx.coordinator_sources()
        )
    ]
    rules = ctx.outputs_of("cooperation_rule")
    if rules:
        framework = [w for w in ctx.workshops_sorted() if w.step == "dossier_framework"]
        during = t(lang, "during_ws", title=escape(framework[0].title)) if framework else ""
        out.append(
            _para(t(lang, "mgmt_rules", during=during), [ctx.workshop_source(w) for w in framework])
        )
        out.append(_output_list(ctx, rules))
    else:
        out.append(_para(t(lang, "mgmt_rules_none")))
    out.append(_para(t(lang, "mgmt_bodies")))
    return out


def _budget(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    budget = ctx.data.budget
    if budget is None or not budget.rows:
        return [_para(t(lang, "budget_none"))]
    total = budget.total
    requested = budget.requested
    share = format_percent(requested / total, lang) if total else "—"
    row_sources = [ctx.org_source(r.org_id) for r in budget.rows]
    out = [
        _para(
            t(
                lang,
                "budget_total",
                total=format_money(total, lang),
                eu=format_money(requested, lang),
                share=share,
                rate=format_percent(budget.funding_rate, lang),
            ),
            row_sources,
        )
    ]
    lines = []
    for cat in COST_CATEGORIES:
        amount = budget.category_total(cat)
        if amount:
            pct = format_percent(amount / total, lang) if total else "—"
            lines.append(
                f"- {label(lang, 'cat', cat)}{t(lang, 'colon')}{format_money(amount, lang)} ({pct})"
            )
    if lines:
        out += [_para(t(lang, "budget_categories")), _para("\n".join(lines), row_sources)]
    top = sorted(budget.rows, key=lambda r: -r.total)[:3]
    top_text = join_names(
        (
            f"{escape(r.name)} ({format_percent(r.total / total, lang) if total else '—'})"
            for r in top
        ),
        lang,
    )
    out.append(
        _para(
            t(lang, "budget_partners", n=len(budget.rows), top=top_text),
            [ctx.org_source(r.org_id) for r in top],
        )
    )
    pms = [m.person_months for m in ctx.data.members if m.person_months is not None]
    if pms:
        out.append(
            _para(
                t(
                    lang,
                    "budget_pm",
                    pm=format_number(
                        sum(pms, _ZERO), lang, 1 if any(Decimal(p) % 1 for p in pms) else 0
                    ),
                ),
                [ctx.org_source(m.org_id) for m in ctx.data.members if m.person_months is not None],
            )
        )
    return out


def _risks(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    risks = ctx.outputs_of("risk")
    if not risks:
        return [_para(t(lang, "risks_none"))]
    rows = [t(lang, "risks_header"), "|---|---|---|"]
    for risk in risks:
        who = join_names((escape(ctx.short_name(o)) for o in risk.organisation_ids), lang) or "—"
        rows.append(f"| {escape(risk.text)} | {who} | {t(lang, 'to_complete')} |")
    return [
        _para(t(lang, "risks_intro"), [s for r in risks for s in ctx.output_sources(r)]),
        _para("\n".join(rows), [s for r in risks for s in ctx.output_sources(r)]),
    ]


def _impact(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    out: list[DraftParagraph] = []
    visions = ctx.outputs_of("vision")
    if visions:
        out.append(
            _para(
                t(lang, "impact_vision", text=escape(visions[0].text)),
                ctx.output_sources(visions[0]),
            )
        )
    objectives = ctx.outputs_of("objective")
    if objectives:
        out += [_para(t(lang, "impact_objectives")), _output_list(ctx, objectives)]
    else:
        out.append(_para(t(lang, "impact_none")))
    net = ctx.data.network
    if net is None:
        out.append(_para(t(lang, "network_none")))
    else:
        out.append(
            _para(
                t(
                    lang,
                    "impact_network",
                    territory=escape(ctx.territory()),
                    n_ties=net.n_ties,
                    n_members=net.n_members,
                ),
                [ctx.figure_source()],
            )
        )
    return out


def _sustainability(ctx: _Context) -> list[DraftParagraph]:
    lang = ctx.lang
    resources = ctx.outputs_of("resource")
    out: list[DraftParagraph] = []
    if resources:
        out += [_para(t(lang, "sust_resources")), _output_list(ctx, resources)]
    else:
        out.append(_para(t(lang, "sust_none")))
    out.append(
        _para(t(lang, "sust_replication"), [ctx.workshop_source(w) for w in ctx.workshops_sorted()])
    )
    return out


_DRAFTERS: dict[str, Callable[[_Context], list[DraftParagraph]]] = {
    "heading": lambda ctx: [],
    "free": lambda ctx: [_para(t(ctx.lang, "free"))],
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


def draft_key(key: str, data: DossierData, lang: str, code: str = "") -> Draft:
    """Draft for a drafting key (see ``structure.DRAFTING_KEYS``); unknown keys draft nothing."""
    ctx = _Context(data, _lang(lang))
    paragraphs = _DRAFTERS.get(key, _DRAFTERS["heading"])(ctx)
    return Draft(code=code, key=key, lang=_lang(lang), paragraphs=tuple(paragraphs))


def draft_section(
    code: str, data: DossierData, lang: str, structure: tuple[SectionSpec, ...] | None = None
) -> Draft:
    """First draft of the section ``code`` of ``structure`` (default: the SAP structure)."""
    specs = structure if structure is not None else load_structure("SAP")
    for spec in specs:
        if spec.code == code:
            return draft_key(spec.drafting_key, data, lang, code)
    raise ValueError(f"unknown section code {code!r}")


def draft_all(
    data: DossierData, lang: str, structure: tuple[SectionSpec, ...] | None = None
) -> dict[str, Draft]:
    """Drafts of every section of ``structure``, by code, in document order."""
    specs = structure if structure is not None else load_structure("SAP")
    return {spec.code: draft_key(spec.drafting_key, data, lang, spec.code) for spec in specs}

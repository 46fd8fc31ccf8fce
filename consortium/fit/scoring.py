"""Explainable partner fit of organisations for one LIFE proposal.

Pure module (no Flask, no database): the caller turns records into the frozen profiles below,
builds a :class:`FitIndex` of the directory once per data version, calls :func:`prepare` once per
proposal and ranks any number of organisations.

**The formula.** Every organisation gets seven components, each a fraction ``f`` in [0, 1]
shown as 0-100, and a **total** = 100 × (w_elig f_elig + w_rel f_rel + f_rel × Σ_other w × f)
(weights normalised to sum to 1, default per LIFE action type, relevance first as in the LIFE
award criteria), rounded half-up to one decimal: capacity, experience and the other supporting
components count in proportion to relevance, so size does not lift an unrelated organisation.
Nothing is capped into ties: relevance and experience are continuous.

* **relevance** — Okapi BM25 (k1 = 1.2, b = 1: full length normalisation) of the
  organisation's document against the query. The document is everything known about it: name,
  description, keywords, and its past projects' titles and summaries. Its terms are Snowball
  stems in its own language plus the ids of the thesaurus concepts it names (GEMET + domain
  terms, see :mod:`.thesaurus`), so a French description meets an English topic through shared
  concepts. The query is the topic text and
  chosen sub-topics, plus the proposal's actions and workshop needs; each query term weighs
  (1 + ln count) × its specificity among the call catalogue's topics (see
  :class:`TopicCatalogue`: ln((N + 1) / (df + 0.5)) / ln(2 (N + 1)), so "energy", in every
  topic, counts less than "district heating"); a concept narrower than a topic concept joins
  the query at half weight (its children at a quarter). BM25 divides term frequency by the
  document's length against the average, so a long text or a huge project list does not win
  by volume. With ``s`` the BM25
  score and ``c`` the mean score of the directory's matching documents for this query,
  ``f = s / (s + c)``: continuous, 0.5 for a typical match.
* **experience** — "has done this kind of work": each past project ``p`` gets
  ``v_p = kind_p × r_p / (r_p + c_p)`` with ``r_p`` the BM25 score of its own title and summary
  against the query (``c_p`` the mean over matching projects) and ``kind_p`` 1 for a LIFE
  project of the topic's sub-programme (or of one its reference does not tell, see
  :data:`LIFE_STRANDS`), 0.85 for a LIFE project of another sub-programme, 0.7 for another
  programme, × 1.15 as coordinator (at most 1). Sorted from best,
  ``f = Σ_i v_(i) / 2^(i+1)``: each further project counts half the previous one, so the number
  of projects is not a score. No project: 0, and the reasons say "new to EU projects".
* **eligibility** (also a gate): 1 eligible, 0.5 country unknown, 0.2 non-associated third
  country (associated partner only), 0 natural person; minus 0.2 without a valid 9-digit PIC.
* **capacity**: staff ×1 (tiers), annual budget ×2 (yearly expected EU share / budget, or
  budget size), EU-grant experience ×1 (none 0, participant 0.6, coordinator 1).
* **complementarity**: the reference concepts (needs', else topic's) that no other member's
  own text names and this organisation's own text names ×3 (3 such concepts fill it; left
  out while the consortium has no other member), new organisation type ×1, needed new
  country ×1 (when the topic asks for several countries).
* **network**: ties to current members ×2 (3 ties fill it), organisations it reaches that no
  member reaches ×1 (3 fill it); the ties are the cooperation network's (passed in).
* **engagement**: workshops attended / held ×2, outputs contributed ×1 (3 fill it).

**Order**: eligible first, then total, then relevance, then organisation id (never the name);
equal totals are shown as equal ranks by the pages.

Usage::

    index = FitIndex(profiles)                                     # once per data version
    prepared = prepare(topic, consortium, neighbours, weights, index=index)
    ranking = prepared.rank(profiles)                              # list[FitScore], sorted

Reasons and errors carry English templates marked with ``N_`` plus params; the caller
translates them in the reader's language (``gettext(reason.template) % params``, concept names
through :class:`Terms`).
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache, cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np

from consortium.errors import N_
from consortium.fit.thesaurus import DATA_DIR, TextAnalysis, Thesaurus, default_thesaurus
from consortium.folding import fold

THEMES_PATH = Path(__file__).resolve().parent.parent / "directory" / "data" / "themes.json"
ELIGIBLE_COUNTRIES_PATH = DATA_DIR / "eligible_countries.json"
DEFAULT_WEIGHTS_PATH = DATA_DIR / "default_weights.json"

#: Project length assumed when the caller does not give one (LIFE projects last 3-5 years).
DEFAULT_DURATION_MONTHS = 36
#: A beneficiary carrying more than this share of its annual budget per year is a risk.
MAX_YEARLY_SHARE_OF_BUDGET = 0.5
#: BM25 parameters. k1 the usual value (term frequency saturates); b = 1 normalises length
#: fully rather than the usual 0.75: an organisation's document is the concatenation of its
#: past projects, so its length says how many projects it had, not that it covers this topic
#: (on the real-data benchmark: same AUC, top-20 overlap between topics 10.2 -> 8.5).
BM25_K1 = 1.2
BM25_B = 1.0
#: Weight of a past project by programme, and the coordinator's factor: a LIFE project of the
#: topic's sub-programme counts most, one of another sub-programme a little less.
LIFE_PROJECT = 1.0
OTHER_SUB_PROGRAMME = 0.85
OTHER_PROJECT = 0.7
COORDINATOR_FACTOR = 1.15
#: The 2021-2027 sub-programmes of a LIFE project, by the type code of its reference
#: ("LIFE18 CCA/FR/001150", "LIFE21-CCM-LV-LIFE-PeatCarbon-101074396"). Codes of earlier
#: periods map onto today's four; integrated and information projects of the former
#: environment sub-programme covered nature as well. Other codes (third countries, operating
#: grants, technical assistance) say nothing.
LIFE_STRANDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "NAT": frozenset({"NAT"}),
        "BIO": frozenset({"NAT"}),
        "ENV": frozenset({"ENV"}),
        "GIE": frozenset({"ENV"}),
        "IPE": frozenset({"ENV", "NAT"}),
        "INF": frozenset({"ENV", "NAT"}),
        "CCA": frozenset({"CLIMA"}),
        "CCM": frozenset({"CLIMA"}),
        "GIC": frozenset({"CLIMA"}),
        "IPC": frozenset({"CLIMA"}),
        "CET": frozenset({"CET"}),
    }
)
_LIFE_REFERENCE = re.compile(r"LIFE\s*\d{2}[\s-]+([A-Z]{2,5})\b")
#: Query weight of concepts one and two levels narrower than a topic concept.
NARROWER_DISCOUNT = (1.0, 0.5, 0.25)
_MAX_LISTED = 6
_CONCEPT_PREFIX = "#"  # concept terms in the index; stems never start with it


class Component(StrEnum):
    """The seven parts of a fit score, in display order."""

    ELIGIBILITY = "eligibility"
    RELEVANCE = "relevance"
    CAPACITY = "capacity"
    EXPERIENCE = "experience"
    COMPLEMENTARITY = "complementarity"
    NETWORK = "network"
    ENGAGEMENT = "engagement"


COMPONENT_LABELS: Mapping[Component, str] = MappingProxyType(
    {
        Component.ELIGIBILITY: N_("Eligibility"),
        Component.RELEVANCE: N_("Thematic relevance"),
        Component.CAPACITY: N_("Capacity"),
        Component.EXPERIENCE: N_("Experience"),
        Component.COMPLEMENTARITY: N_("Complementarity"),
        Component.NETWORK: N_("Network position"),
        Component.ENGAGEMENT: N_("Workshop engagement"),
    }
)


class Polarity(StrEnum):
    """Whether a reason raises the score, lowers it, needs attention or is a plain fact."""

    PLUS = "+"
    MINUS = "-"
    WARNING = "!"
    NOTE = "·"


@dataclass(frozen=True, slots=True)
class Terms:
    """Concept names, or words as written, in English and French; rendered in the reader's
    language."""

    en: str
    fr: str

    def in_language(self, language: str | None) -> str:
        """The French names for a French reader, else the English ones."""
        return self.fr if (language or "").startswith("fr") else self.en

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True, slots=True)
class Euros:
    """An amount in euros; the caller formats it for the reader (``"400 000 €"`` in French),
    the English text shows ``"€400,000"``."""

    amount: float

    def __str__(self) -> str:
        return f"€{self.amount:,.0f}"


@dataclass(frozen=True, slots=True)
class Reason:
    """A human-readable explanation: English template plus its parameters."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    polarity: Polarity = Polarity.PLUS

    def text(self, language: str = "en") -> str:
        """The English template filled in (concept names in ``language``)."""
        if not self.params:
            return self.template
        return self.template % {
            k: v.in_language(language) if isinstance(v, Terms) else v
            for k, v in self.params.items()
        }

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "template": self.template,
            "params": {k: str(v) for k, v in self.params.items()},
            "polarity": str(self.polarity),
            "text": self.text(),
        }


def _reason(polarity: Polarity, template: str, **params: object) -> Reason:
    return _shared_reason(polarity, template, tuple(params.items()))


@lru_cache(maxsize=65_536)
def _shared_reason(
    polarity: Polarity, template: str, params: tuple[tuple[str, object], ...]
) -> Reason:
    """One object per distinct reason: a ranking repeats few of them ("no known tie", "type
    already in the consortium"…) across thousands of organisations, and every object it keeps
    is one more for the garbage collector to walk (reasons are immutable, so sharing is safe)."""
    return Reason(template, dict(params), polarity)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class PastProject:
    """A past LIFE or other EU project of an organisation."""

    programme: str
    reference: str = ""
    title: str = ""
    year: int | None = None
    role: str = "partner"  # coordinator | partner | ...
    summary: str = ""
    #: A LIFE project (by programme or by a ``LIFE…`` reference); derived.
    is_life: bool = field(init=False, compare=False, repr=False)
    #: Derived from ``role``.
    is_coordinator: bool = field(init=False, compare=False, repr=False)
    #: What the index reads about the project: its title and summary; derived.
    document: str = field(init=False, compare=False, repr=False)
    #: The LIFE sub-programmes its reference names (empty when it names none); derived.
    sub_programmes: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # derived once, at construction: every component reads them for every organisation
        programme = fold(self.programme)
        is_life = (
            "life" in programme.split()
            or programme.startswith("life")
            or fold(self.reference).startswith("life")
        )
        object.__setattr__(self, "is_life", is_life)
        object.__setattr__(self, "is_coordinator", fold(self.role).strip() == "coordinator")
        object.__setattr__(self, "document", f"{self.title}\n{self.summary}")
        sub_programmes = life_sub_programmes(self.reference) if is_life else frozenset()
        object.__setattr__(self, "sub_programmes", sub_programmes)

    @property
    def label(self) -> str:
        """``"LIFE20 CCA/FR/001 (2021)"``: reference, else title, else programme; year."""
        shown = self.reference.strip() or self.title.strip() or self.programme.strip()
        return f"{shown} ({self.year})" if self.year else shown


def life_sub_programmes(reference: str) -> frozenset[str]:
    """The 2021-2027 sub-programmes a LIFE reference's type code belongs to (empty if none)."""
    found = _LIFE_REFERENCE.match(reference.strip().upper())
    return LIFE_STRANDS.get(found.group(1), frozenset()) if found else frozenset()


def _programme_label(project: PastProject) -> str:
    """``"LIFE NAT"``, ``"LIFE ENV/NAT"``, ``"LIFE"``, else the programme as recorded."""
    if not project.is_life:
        return project.programme.strip() or "EU"
    named = "/".join(sorted(project.sub_programmes))
    return f"LIFE {named}" if named else "LIFE"


@dataclass(frozen=True, slots=True)
class OrgProfile:
    """What the scorer needs to know about one organisation; also the row the fit pages show
    (``acronym`` and ``city`` are for display only)."""

    id: int
    name: str
    # public_authority | research | ngo | sme | large_company | social_economy
    # | international | other
    org_type: str = "other"
    country: str | None = None
    natural_person: bool = False
    pic: str | None = None
    themes: frozenset[str] = frozenset()
    text: str = ""  # name, description, keywords: any language
    staff: int | None = None
    annual_budget_eur: float | None = None
    eu_experience: str = "none"  # none | participant | coordinator
    past_projects: tuple[PastProject, ...] = ()
    workshops_attended: int = 0
    outputs_contributed: int = 0
    acronym: str | None = None
    city: str | None = None

    @property
    def display_name(self) -> str:
        """``"Name (ACRONYM)"``, or the name alone."""
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def short_name(self) -> str:
        """The acronym, else the name."""
        return self.acronym or self.name

    @property
    def document_key(self) -> tuple[object, ...]:
        """What the index depends on: a profile with another key is read afresh."""
        return (self.text, self.themes, self.past_projects)


@dataclass(frozen=True)
class TopicProfile:
    """The LIFE topic of the proposal (rules are call data, passed in)."""

    topic_id: str
    action_type: str = "SAP"
    sub_programme: str = ""
    text: str = ""
    subtopics: tuple[str, ...] = ()
    min_beneficiaries: int | None = None
    min_countries: int | None = None
    funding_rate: float | None = None


@dataclass(frozen=True)
class ConsortiumProfile:
    """The proposal's current consortium and the needs captured in its workshops."""

    members: tuple[OrgProfile, ...] = ()
    needs_text: tuple[str, ...] = ()  # texts of the proposal's actions and needs
    expected_share_eur: float | None = None  # expected EU share of one partner, whole project
    duration_months: int | None = None  # None: DEFAULT_DURATION_MONTHS
    workshops_held: int = 3

    @property
    def member_ids(self) -> frozenset[int]:
        """Ids of the members."""
        return frozenset(m.id for m in self.members)


# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class ComponentScore:
    """One component: score 0-100 (int, for display), exact fraction, normalised weight,
    reasons."""

    component: Component
    score: int
    weight: float
    reasons: tuple[Reason, ...]
    fraction: float = 0.0


def _component(
    component: Component, fraction: float, weight: float, reasons: Iterable[Reason]
) -> ComponentScore:
    fraction = min(1.0, max(0.0, fraction))
    return ComponentScore(
        component, int(round_half_up(100 * fraction)), weight, tuple(reasons), fraction
    )


class EligibilityStatus(StrEnum):
    """Outcome of the eligibility gate."""

    ELIGIBLE = "eligible"
    ASSOCIATED_PARTNER_ONLY = "associated_partner_only"
    UNKNOWN_COUNTRY = "unknown_country"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True, slots=True)
class FitScore:
    """The explained fit of one organisation."""

    org_id: int
    name: str
    total: float
    eligible: bool
    status: EligibilityStatus
    flags: tuple[Reason, ...]
    components: tuple[ComponentScore, ...]

    def component(self, component: Component | str) -> ComponentScore:
        """The score of one component."""
        for item in self.components:
            if item.component == component:
                return item
        raise KeyError(component)

    @property
    def relevance(self) -> float:
        """The exact relevance fraction (the first tie-breaker)."""
        return self.component(Component.RELEVANCE).fraction

    @property
    def sort_key(self) -> tuple[bool, float, float, int]:
        """Eligible first, then higher total, then higher relevance, then id."""
        return (not self.eligible, -self.total, -self.relevance, self.org_id)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the API and the CLI."""
        return {
            "org_id": self.org_id,
            "name": self.name,
            "total": self.total,
            "eligible": self.eligible,
            "status": str(self.status),
            "flags": [r.as_dict() for r in self.flags],
            "components": [
                {
                    "component": str(c.component),
                    "score": c.score,
                    "weight": c.weight,
                    "reasons": [r.as_dict() for r in c.reasons],
                }
                for c in self.components
            ],
        }


def shared_ranks(ranking: Sequence[FitScore]) -> dict[int, int]:
    """Rank of each organisation, equal totals sharing the rank (1, 2, 2, 4…)."""
    ranks: dict[int, int] = {}
    previous: tuple[bool, float] | None = None
    rank = 0
    for position, fit in enumerate(ranking, start=1):
        key = (fit.eligible, fit.total)
        if key != previous:
            rank, previous = position, key
        ranks[fit.org_id] = rank
    return ranks


# --------------------------------------------------------------------------- rounding


def round_half_up(value: float, digits: int = 0) -> float:
    """Round halves away from zero (2.5 -> 3), unlike ``round`` (banker's rounding).

    Scores are ratios of small integers, so a tolerance of 1e-7 absorbs float noise such as
    ``0.1 * 625 = 62.49999999999999`` without ever moving a genuine non-half value.
    """
    scale = 10**digits
    rounded = math.floor(abs(value) * scale + 0.5 + 1e-7) / scale
    return math.copysign(rounded, value) if rounded else 0.0


def _mean(parts: Iterable[tuple[float, float]]) -> float:
    """Weighted mean of ``(weight, fraction)`` parts, fractions clipped to [0, 1]."""
    total_w = acc = 0.0
    for weight, fraction in parts:
        total_w += weight
        acc += weight * min(1.0, max(0.0, fraction))
    return acc / total_w if total_w > 0 else 0.0


# --------------------------------------------------------------------------- countries


@dataclass(frozen=True)
class CountryList:
    """The maintained list of countries eligible for LIFE (see ``eligible_countries.json``)."""

    as_of: str
    check_call_document: bool
    sources: tuple[str, ...]
    member_states: frozenset[str]
    outermost_regions: Mapping[str, str]
    octs: Mapping[str, str]
    associated: Mapping[str, str]  # code -> status (confirmed | partly_confirmed)
    aliases: Mapping[str, str]
    names: Mapping[str, str]

    def normalise(self, code: str | None) -> str | None:
        """Upper-case ISO alpha-2 code with EU aliases resolved (``EL`` -> ``GR``)."""
        if not code or not code.strip():
            return None
        upper = code.strip().upper()
        return self.aliases.get(upper, upper)

    def category(self, code: str | None) -> str | None:
        """member_state | outermost_region | oct | associated | third_country (None if unknown)."""
        norm = self.normalise(code)
        if norm is None:
            return None
        if norm in self.member_states:
            return "member_state"
        if norm in self.outermost_regions:
            return "outermost_region"
        if norm in self.octs:
            return "oct"
        if norm in self.associated:
            return "associated"
        return "third_country"

    def is_eligible(self, code: str | None) -> bool:
        """Whether entities established in ``code`` may be beneficiaries."""
        return self.category(code) not in (None, "third_country")


def load_eligible_countries(path: Path | str | None = None) -> CountryList:
    """Read the country list; the default file is read once and cached."""
    if path is None:
        return _default_countries()
    with open(path, encoding="utf-8") as fh:
        return _countries_from_json(json.load(fh))


def _countries_from_json(data: Mapping[str, object]) -> CountryList:
    names: dict[str, str] = {}

    def entries(key: str) -> list[Mapping[str, str]]:
        raw = data.get(key, [])
        assert isinstance(raw, list)
        for item in raw:
            names[item["code"]] = item["name"]
        return raw

    members = frozenset(e["code"] for e in entries("member_states"))
    outermost = {e["code"]: e["member_state"] for e in entries("outermost_regions")}
    octs = {e["code"]: e["linked_to"] for e in entries("octs")}
    associated = {e["code"]: e.get("status", "confirmed") for e in entries("associated_countries")}
    entries("negotiating")
    aliases = data.get("aliases", {})
    sources = data.get("sources", [])
    assert isinstance(aliases, dict) and isinstance(sources, list)
    return CountryList(
        as_of=str(data.get("as_of", "")),
        check_call_document=bool(data.get("check_call_document", True)),
        sources=tuple(sources),
        member_states=members,
        outermost_regions=MappingProxyType(outermost),
        octs=MappingProxyType(octs),
        associated=MappingProxyType(associated),
        aliases=MappingProxyType(dict(aliases)),
        names=MappingProxyType(names),
    )


@cache
def _default_countries() -> CountryList:
    with open(ELIGIBLE_COUNTRIES_PATH, encoding="utf-8") as fh:
        return _countries_from_json(json.load(fh))


# --------------------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class Eligibility:
    """Result of the eligibility gate for one organisation."""

    status: EligibilityStatus
    category: str | None
    score: int
    reasons: tuple[Reason, ...]

    @property
    def eligible(self) -> bool:
        """True only when the organisation may be a beneficiary."""
        return self.status is EligibilityStatus.ELIGIBLE

    @cached_property
    def flags(self) -> tuple[Reason, ...]:
        """The reasons that need attention."""
        return tuple(r for r in self.reasons if r.polarity is Polarity.WARNING)


_CATEGORY_TEMPLATES = {
    "member_state": N_("Established in an EU member state (%(country)s)"),
    "outermost_region": N_("Established in an outermost region of the EU (%(country)s)"),
    "oct": N_(
        "Established in an overseas country or territory linked to a member state (%(country)s)"
    ),
    "associated": N_("Established in a country associated to LIFE (%(country)s)"),
}


def pic_problem(pic: str | None) -> Reason | None:
    """A warning when the PIC is missing or is not 9 digits, else None."""
    if not pic or not pic.strip():
        return _reason(
            Polarity.WARNING,
            N_("PIC missing: every beneficiary needs a 9-digit PIC before submission"),
        )
    if not (len(pic.strip()) == 9 and pic.strip().isdecimal()):
        return _reason(Polarity.WARNING, N_("PIC %(pic)s is not a 9-digit number"), pic=pic.strip())
    return None


def assess_eligibility(org: OrgProfile, countries: CountryList | None = None) -> Eligibility:
    """Apply the LIFE eligibility rules (Regulation 2021/783 Art. 9) to one organisation."""
    countries = countries or load_eligible_countries()
    reasons: list[Reason] = []
    code = countries.normalise(org.country)
    category = countries.category(code)
    if org.natural_person:
        status, base = EligibilityStatus.NOT_ELIGIBLE, 0
        reasons.append(_reason(Polarity.WARNING, N_("Natural persons cannot take part in LIFE")))
    elif org.org_type == "international":
        status, base = EligibilityStatus.ELIGIBLE, 100
        category = "international"
        reasons.append(
            _reason(Polarity.PLUS, N_("International organisation: eligible whatever its seat"))
        )
    elif category is None:
        status, base = EligibilityStatus.UNKNOWN_COUNTRY, 50
        reasons.append(
            _reason(Polarity.WARNING, N_("Country not recorded: eligibility cannot be checked"))
        )
    elif category == "third_country":
        status, base = EligibilityStatus.ASSOCIATED_PARTNER_ONLY, 20
        reasons.append(
            _reason(
                Polarity.WARNING,
                N_(
                    "Established in %(country)s, a country not associated to LIFE: "
                    "only as associated partner, at its own cost"
                ),
                country=code,
            )
        )
    else:
        status, base = EligibilityStatus.ELIGIBLE, 100
        reasons.append(_reason(Polarity.PLUS, _CATEGORY_TEMPLATES[category], country=code))
        if category == "associated" and countries.associated.get(code or "") != "confirmed":
            reasons.append(
                _reason(
                    Polarity.WARNING,
                    N_(
                        "Association of %(country)s to LIFE is only partly confirmed "
                        "(list as of %(as_of)s): check the call document"
                    ),
                    country=code,
                    as_of=countries.as_of,
                )
            )
    problem = pic_problem(org.pic)
    if problem is not None:
        base = max(0, base - 20)
        reasons.append(problem)
    return Eligibility(status, category, base, tuple(reasons))


# --------------------------------------------------------------------------- weights
# --------------------------------------------------------------------------- weights


class WeightsError(ValueError):
    """Invalid weights; carries a translatable template and its params."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


@cache
def _weights_doc() -> Mapping[str, object]:
    with open(DEFAULT_WEIGHTS_PATH, encoding="utf-8") as fh:
        return MappingProxyType(json.load(fh))


def _action_key(action_type: str | None, doc: Mapping[str, object]) -> str:
    table = doc["action_types"]
    aliases = doc.get("aliases", {})
    assert isinstance(table, dict) and isinstance(aliases, dict)
    key = (action_type or "").strip().upper()
    if key in table:
        return key
    if key in aliases:
        return str(aliases[key])
    # longest alias / type that prefixes the given text (e.g. "TA-PP-NAT-SNAP" -> TA)
    for candidate in sorted([*aliases, *table], key=len, reverse=True):
        if key.startswith(candidate + "-") or key.startswith(candidate + " "):
            return str(aliases.get(candidate, candidate))
    return str(doc.get("default", "SAP"))


def default_weights(action_type: str | None) -> dict[str, float]:
    """Default relative weights for a LIFE action type (unknown types get the SAP defaults)."""
    doc = _weights_doc()
    table = doc["action_types"]
    assert isinstance(table, dict)
    row = table[_action_key(action_type, doc)]
    return {c.value: float(row.get(c.value, 0)) for c in Component}


def validate_weights(weights: Mapping[str, float]) -> dict[Component, float]:
    """Check and normalise weights so they sum to 1; missing components weigh 0.

    Raises :class:`WeightsError` for unknown names, negative or non-numeric values, or all zeros.
    """
    raw: dict[Component, float] = dict.fromkeys(Component, 0.0)
    for name, value in weights.items():
        try:
            component = Component(str(name).strip().lower())
        except ValueError:
            raise WeightsError(
                N_("Unknown component in weights: %(name)s"), name=str(name)
            ) from None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise WeightsError(
                N_("The weight of %(component)s must be a number"), component=component.value
            )
        if value < 0 or value == float("inf"):
            raise WeightsError(
                N_("The weight of %(component)s must be zero or more"), component=component.value
            )
        raw[component] = float(value)
    total = sum(raw.values())
    if total <= 0:
        raise WeightsError(N_("At least one weight must be above zero"))
    return {c: w / total for c, w in raw.items()}


@dataclass(frozen=True)
class Formula:
    """How the total is computed, for display next to the scores."""

    terms: tuple[tuple[Component, float], ...]  # (component, percent with 1 decimal)
    template: str = N_(
        "Total = weighted sum of the component scores (each 0-100), every one but eligibility "
        "and relevance multiplied by relevance / 100: %(terms)s"
    )

    def terms_text(self) -> str:
        """``"10% eligibility + 30% relevance + ..."`` (zero weights left out)."""
        parts = []
        for component, percent in self.terms:
            if percent > 0:
                shown = f"{percent:g}"
                parts.append(f"{shown}% × {component.value}")
        return " + ".join(parts)

    def text(self) -> str:
        """English rendering."""
        return self.template % {"terms": self.terms_text()}


def formula(weights: Mapping[str, float]) -> Formula:
    """The displayed formula for the given (validated) weights."""
    normalised = validate_weights(weights)
    return Formula(tuple((c, round_half_up(normalised[c] * 100, 1)) for c in Component))


def formula_text(weights: Mapping[str, float]) -> str:
    """The English formula, e.g. ``Total = weighted sum ...: 10% × eligibility + ...``."""
    return formula(weights).text()


# --------------------------------------------------------------------------- scoring


#: Past-project roles the pages translate; any other role is shown as it was written.
PROJECT_ROLE_LABELS: Mapping[str, str] = MappingProxyType(
    {"coordinator": N_("coordinator"), "partner": N_("partner")}
)
_ORG_TYPE_LABELS = {
    "public_authority": N_("public authority"),
    "research": N_("research organisation"),
    "ngo": N_("NGO"),
    "sme": N_("SME"),
    "large_company": N_("large company"),
    "social_economy": N_("social economy"),
    "international": N_("international organisation"),
    "other": N_("other"),
}
_EU_LEVELS = {"participant": 1, "coordinator": 2}


def _tier(value: float, tiers: tuple[tuple[float, float], ...]) -> float:
    """The fraction of the first ``(threshold, fraction)`` tier that ``value`` reaches."""
    for threshold, fraction in tiers:
        if value >= threshold:
            return fraction
    return 0.0


def _terms(analysis: TextAnalysis) -> Counter[str]:
    """Index terms of one analysed text: its stems and its concepts (prefixed)."""
    terms = Counter(analysis.words)
    for cid, count in analysis.concepts.items():
        terms[_CONCEPT_PREFIX + cid] = count
    return terms


@dataclass(frozen=True)
class SparseRows:
    """A sparse matrix in compressed rows (CSR): row ``r``'s entries are
    ``indices[indptr[r]:indptr[r + 1]]`` (columns) and the same slice of ``data``."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def entry_rows(self) -> np.ndarray:
        """The row of each stored entry."""
        return np.repeat(np.arange(self.n_rows), np.diff(self.indptr))

    def times(self, vector: np.ndarray) -> np.ndarray:
        """Each entry times the vector's value for its column (the row-wise products)."""
        return self.data * vector[self.indices]

    def dot(self, vector: np.ndarray) -> np.ndarray:
        """Matrix-vector product: one sum per row."""
        return np.bincount(self.entry_rows(), weights=self.times(vector), minlength=self.n_rows)


def _bm25_rows(
    documents: Iterable[Counter[str]], vocabulary: dict[str, int]
) -> tuple[SparseRows, np.ndarray, float]:
    """BM25 term weights of ``documents`` (rows) over ``vocabulary`` (grown as needed), the
    inverse document frequencies and the average length: a query's scores are then one sparse
    product. The documents are read one at a time into typed arrays (8 bytes an entry), so a
    directory of 50,000 organisations is never held as Python objects all at once."""
    cols, counts, indptr, lengths = array("q"), array("q"), array("q", [0]), array("d")
    for terms in documents:
        cols.extend(vocabulary.setdefault(term, len(vocabulary)) for term in terms)
        counts.extend(terms.values())
        indptr.append(len(cols))
        lengths.append(sum(terms.values()))
    indices = np.array(cols, dtype=np.int64)
    tf = np.array(counts, dtype=np.float64)
    rows = SparseRows(np.array(indptr, dtype=np.int64), indices, tf)
    length = np.array(lengths, dtype=np.float64)
    df = np.bincount(indices, minlength=len(vocabulary)).astype(np.float64)
    idf = np.log(1.0 + (max(1, rows.n_rows) - df + 0.5) / (df + 0.5))
    average = float(length.mean()) if rows.n_rows and length.mean() > 0 else 1.0
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * length / average)
    data = tf * (BM25_K1 + 1.0) / (tf + norm[rows.entry_rows()]) * idf[indices]
    return SparseRows(rows.indptr, indices, data), idf, average


def _bm25_fresh(
    terms: Counter[str],
    query: Mapping[str, float],
    statistics: tuple[Mapping[str, int], np.ndarray, int, float],
) -> dict[str, float]:
    """Query term -> contribution for one document read after the index was built, with the
    index's statistics (a term the directory never used gets the largest idf)."""
    vocabulary, idf, n_docs, average = statistics
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * sum(terms.values()) / average)
    unseen = math.log(1.0 + (n_docs + 0.5) / 0.5)
    out = {}
    for term, count in terms.items():
        weight = query.get(term)
        if weight:
            col = vocabulary.get(term)
            term_idf = idf[col] if col is not None else unseen
            out[term] = count * (BM25_K1 + 1.0) / (count + norm) * term_idf * weight
    return out


class FitIndex:
    """The directory's documents as BM25-weighted sparse term matrices, built once per data
    version: one row per organisation (everything known about it) and one per distinct past
    project (its title and summary)."""

    def __init__(
        self,
        orgs: Iterable[OrgProfile],
        thesaurus: Thesaurus | None = None,
        *,
        previous: FitIndex | None = None,
    ) -> None:
        self.thesaurus = thesaurus or default_thesaurus()
        # texts analysed by the previous version of the index are not analysed again: after
        # an edit only the changed organisation's texts are read
        self._previous = (
            previous.analyses
            if previous is not None and previous.thesaurus is self.thesaurus
            else {}
        )
        self.analyses: dict[str, TextAnalysis] = {}
        profiles = list(orgs)
        self.keys = {o.id: o.document_key for o in profiles}
        self.org_row = {o.id: row for row, o in enumerate(profiles)}
        self.own_concepts: dict[int, Mapping[str, str]] = {}
        self.project_row: dict[str, int] = {}  # distinct project text -> its row
        self.vocabulary: dict[str, int] = {}
        self.orgs, self.idf, self.average_length = _bm25_rows(
            (self._document(org) for org in profiles), self.vocabulary
        )
        # read while the organisations' rows were built; their terms are all in the
        # organisations' documents: same columns
        self.projects, self.project_idf, self.average_project_length = _bm25_rows(
            (self._analyse(text) for text in self.project_row), self.vocabulary
        )
        self.terms = list(self.vocabulary)
        self._previous = {}

    def _document(self, org: OrgProfile) -> Counter[str]:
        """Everything known about the organisation, as index terms; notes its own concepts
        and its projects' texts on the way."""
        self.own_concepts[org.id] = self._own_analysis(org).found
        terms = self.org_terms(org)
        for project in org.past_projects:
            text = project.document
            self.project_row.setdefault(text, len(self.project_row))
            terms.update(self._analyse(text))
        return terms

    def _analysis(self, text: str) -> TextAnalysis:
        analysis = self.analyses.get(text) or self._previous.get(text)
        if analysis is None:
            analysis = self.thesaurus.analyse(text)
        self.analyses[text] = analysis
        return analysis

    def _analyse(self, text: str) -> Counter[str]:
        return _terms(self._analysis(text))

    def org_terms(self, org: OrgProfile) -> Counter[str]:
        """Index terms of the organisation's own text and declared themes (projects apart)."""
        terms = _terms(self._own_analysis(org))
        labels = _theme_labels()
        for theme in sorted(org.themes):
            terms.update(self._analyse(" ".join(labels.get(theme, (theme,)))))
        return terms

    def _own_analysis(self, org: OrgProfile) -> TextAnalysis:
        return self._analysis(org.text)

    def concepts_of(self, org: OrgProfile) -> Mapping[str, str]:
        """The concepts the organisation's own text names (concept id -> term found; its
        declared themes and past projects apart), as indexed, or read afresh when it changed
        since the build."""
        if self.row_of(org) is not None:
            return self.own_concepts[org.id]
        return self._own_analysis(org).found

    def query(self, weights: Mapping[str, float]) -> np.ndarray:
        """A dense query vector over the vocabulary (terms the directory lacks left out)."""
        vector = np.zeros(len(self.vocabulary))
        for term, weight in weights.items():
            col = self.vocabulary.get(term)
            if col is not None:
                vector[col] += weight
        return vector

    def row_of(self, org: OrgProfile) -> int | None:
        """The organisation's row, unless it was added or edited since the build."""
        row = self.org_row.get(org.id)
        return row if row is not None and self.keys[org.id] == org.document_key else None

    def fresh_org(self, org: OrgProfile, query: Mapping[str, float]) -> dict[str, float]:
        """Query term -> contribution for an organisation read afresh (added or edited since
        the build), with the directory's statistics."""
        terms = self.org_terms(org)
        for project in org.past_projects:
            terms.update(self._analyse(project.document))
        statistics = (self.vocabulary, self.idf, self.orgs.n_rows, self.average_length)
        return _bm25_fresh(terms, query, statistics)

    def fresh_project(self, project: PastProject, query: Mapping[str, float]) -> float:
        """BM25 score of a past project read afresh."""
        terms = self._analyse(project.document)
        statistics = (
            self.vocabulary,
            self.project_idf,
            self.projects.n_rows,
            self.average_project_length,
        )
        return sum(_bm25_fresh(terms, query, statistics).values())


class TopicCatalogue:
    """Document frequencies of the terms of a call catalogue's topic texts, built once per
    catalogue version: a query term every topic uses ("energy", "stakeholders") says little
    about who fits this one."""

    def __init__(self, texts: Iterable[str], thesaurus: Thesaurus | None = None) -> None:
        thesaurus = thesaurus or default_thesaurus()
        self.frequencies: Counter[str] = Counter()
        self.size = 0
        for text in texts:
            self.size += 1
            self.frequencies.update(set(_terms(thesaurus.analyse(text))))

    def specificity(self, term: str) -> float:
        """ln((N + 1) / (df + 0.5)) / ln(2 (N + 1)): 1 for a term no topic uses, about 0.2
        for a term every topic uses; 1 for every term of an empty catalogue."""
        if not self.size:
            return 1.0
        top = math.log(2 * (self.size + 1))
        return math.log((self.size + 1) / (self.frequencies[term] + 0.5)) / top


@cache
def _theme_labels() -> Mapping[str, tuple[str, ...]]:
    """Theme code -> its English and French labels (read-only reference data)."""
    with open(THEMES_PATH, encoding="utf-8") as fh:
        data = json.load(fh)
    return MappingProxyType(
        {t["code"]: tuple(t[k] for k in ("en", "fr") if t.get(k)) for t in data["themes"]}
    )


@dataclass(frozen=True, slots=True)
class MatchedTerm:
    """A query term an organisation's document holds: a concept (named for the topic, for the
    needs, or both) or a plain word (as the topic and needs write it)."""

    concept: str | None = None
    for_topic: bool = False
    for_needs: bool = False
    word: Terms = Terms("", "")


class Prepared:
    """Topic, consortium and query computed once per proposal; scores any organisation."""

    def __init__(
        self,
        topic: TopicProfile,
        consortium: ConsortiumProfile,
        neighbours: Mapping[int, Iterable[int]],
        weights: Mapping[str, float] | None = None,
        *,
        index: FitIndex | None = None,
        countries: CountryList | None = None,
        catalogue: TopicCatalogue | None = None,
    ) -> None:
        self.topic = topic
        self.sub_programme = topic.sub_programme.strip().upper()
        self.consortium = consortium
        self.index = index
        self.thesaurus = index.thesaurus if index is not None else default_thesaurus()
        self.countries = countries or load_eligible_countries()
        self.weights = validate_weights(
            weights if weights is not None else default_weights(topic.action_type)
        )
        th = self.thesaurus
        self.topic_analysis = th.analyse("\n".join([topic.text, *topic.subtopics]))
        # each need on its own: workshops write some in French and some in English, and
        # each is stemmed in its own language
        self.need_analyses = tuple(th.analyse(text) for text in consortium.needs_text)
        self.topic_concepts = frozenset(self.topic_analysis.concepts)
        self.need_concepts = frozenset(c for a in self.need_analyses for c in a.concepts)
        self.reference_concepts = self.need_concepts or self.topic_concepts
        # concept -> level below the query's concepts (0 named, 1 narrower, 2 narrower still)
        self.concept_levels = th.with_narrower(
            self.topic_concepts | self.need_concepts, depth=len(NARROWER_DISCOUNT) - 1
        )
        self.catalogue = catalogue
        self.query_weights = self._query_weights()
        self.query_words = self._query_words()
        # members
        self.neighbours = {k: frozenset(v) for k, v in neighbours.items()}
        self.members = {m.id: m for m in consortium.members}
        self.member_ids = frozenset(self.members)
        self._member_concepts: dict[int, frozenset[str]] | None = None
        self._reach: tuple[frozenset[int], dict[int, set[int]]] | None = None
        self._components: dict[tuple[object, ...], ComponentScore] = {}
        self._terms: dict[tuple[str, ...], Terms] = {}  # concept ids -> their names
        self._relevance_reasons: dict[tuple[object, ...], tuple[Reason, ...]] = {}
        self._parts: dict[tuple[object, ...], tuple[float, Reason]] = {}
        self.duration_years = (consortium.duration_months or DEFAULT_DURATION_MONTHS) / 12
        self._eligibility: dict[tuple[object, ...], Eligibility] = {}
        self._scales: tuple[float, float] | None = None
        self._open_gaps: frozenset[str] | None = None

    def _query_weights(self) -> dict[str, float]:
        """Query term -> weight: (1 + ln count) x specificity for the words and concepts named
        by the topic or the needs; narrower concepts at a discount."""
        needs: Counter[str] = Counter()
        for analysis in self.need_analyses:
            needs.update(_terms(analysis))
        query: dict[str, float] = {}
        for counts in (_terms(self.topic_analysis), needs):
            for term, count in counts.items():
                query[term] = query.get(term, 0.0) + 1.0 + math.log(count)
        for cid, level in self.concept_levels.items():
            if level:
                query.setdefault(_CONCEPT_PREFIX + cid, NARROWER_DISCOUNT[level])
        if self.catalogue is None:
            return query
        specificity = self.catalogue.specificity
        return {term: weight * specificity(term) for term, weight in query.items()}

    def _query_words(self) -> dict[str, Terms]:
        """Query stem -> the word the reasons show for it: as the topic or the needs write it
        ("déconstruction", never a stem or another organisation's spelling of it), the text in
        the reader's language first, the topic before the needs."""
        texts = ("\n".join([self.topic.text, *self.topic.subtopics]), *self.consortium.needs_text)
        by_stem: dict[str, dict[str, str]] = {}
        for text in texts:
            language, written = self.thesaurus.written_words(text)
            for stem, word in written.items():
                by_stem.setdefault(stem, {}).setdefault(language, word)
        words: dict[str, Terms] = {}
        for stem, written in by_stem.items():
            either = next(iter(written.values()))
            words[stem] = Terms(written.get("en", either), written.get("fr", either))
        return words

    # ------------------------------------------------------------------ index and scales

    def _ensure_index(self, orgs: Iterable[OrgProfile]) -> FitIndex:
        if self.index is None:
            known = {o.id: o for o in (*self.consortium.members, *orgs)}
            self.index = FitIndex(known.values(), self.thesaurus)
        return self.index

    @property
    def member_concepts(self) -> dict[int, frozenset[str]]:
        """Concepts each member's own text names."""
        if self._member_concepts is None:
            index = self._ensure_index(())
            self._member_concepts = {
                m.id: frozenset(index.concepts_of(m)) for m in self.consortium.members
            }
        return self._member_concepts

    def scales(self) -> tuple[float, float]:
        """``(c, c_p)``: mean BM25 score of the matching organisations and projects (the
        score at which relevance, and a project's relevance, is one half)."""
        if self._scales is None:
            index = self._ensure_index(())
            self.vector = index.query(self.query_weights)
            # every organisation's contribution per term, in one vectorised product
            contributions = index.orgs.times(self.vector)
            entry_rows = index.orgs.entry_rows()
            self.org_scores = np.bincount(
                entry_rows, weights=contributions, minlength=index.orgs.n_rows
            )
            # the terms each organisation matches, largest contribution first, sorted for all
            # of them at once (the reasons list them in that order)
            matched = contributions > 0
            rows = entry_rows[matched]
            order = np.lexsort((-contributions[matched], rows))
            self._matched_columns = index.orgs.indices[matched][order].tolist()
            self._column_roles = {
                column: self._role(index.terms[column])
                for column in np.flatnonzero(self.vector).tolist()
            }
            self._matched_starts = np.concatenate(
                ([0], np.cumsum(np.bincount(rows, minlength=index.orgs.n_rows)))
            ).tolist()
            self.project_scores = index.projects.dot(self.vector)
            self._scales = (
                _positive_mean(self.org_scores),
                _positive_mean(self.project_scores),
            )
        return self._scales

    # ------------------------------------------------------------------ components

    def _matched(self, org: OrgProfile) -> tuple[tuple[object, ...], float]:
        """The query terms the organisation's document holds, largest contribution first (as
        index columns, or as terms for a profile read afresh), and its BM25 score."""
        self.scales()
        index = self.index
        assert index is not None
        row = index.row_of(org)
        if row is not None:
            start, end = self._matched_starts[row], self._matched_starts[row + 1]
            return tuple(self._matched_columns[start:end]), float(self.org_scores[row])
        found = index.fresh_org(org, self.query_weights)
        ordered = sorted(found, key=lambda term: -found[term])  # stable: ties keep text order
        return tuple(ordered), sum(found.values())

    def _role(self, term: str) -> MatchedTerm:
        """What a matched query term stands for in the reasons."""
        if term.startswith(_CONCEPT_PREFIX):
            cid = term[len(_CONCEPT_PREFIX) :]
            return MatchedTerm(
                concept=cid,
                for_topic=cid not in self.need_concepts or cid in self.topic_concepts,
                for_needs=cid in self.need_concepts,
            )
        return MatchedTerm(word=self.query_words[term])  # every word of the query has one

    def relevance(self, org: OrgProfile) -> ComponentScore:
        """BM25 of everything known about the organisation against the topic and needs."""
        scale, _ = self.scales()
        matched, score = self._matched(org)
        fraction = score / (score + scale) if score > 0 else 0.0
        blank = not org.text.strip() and not org.past_projects
        key = (matched, blank)
        reasons = self._relevance_reasons.get(key)
        if reasons is None:  # organisations matching the same terms share their reasons
            roles = self._column_roles
            terms = [roles[t] if isinstance(t, int) else self._role(t) for t in matched]
            reasons = self._relevance_reasons[key] = self._matched_reasons(terms, blank)
        return _component(Component.RELEVANCE, fraction, self.weights[Component.RELEVANCE], reasons)

    def _matched_reasons(self, matched: list[MatchedTerm], blank: bool) -> tuple[Reason, ...]:
        topic_ids: list[str] = []
        need_ids: list[str] = []
        words: list[Terms] = []
        for term in matched:
            if term.concept is None:
                words.append(term.word)
                continue
            if term.for_needs:
                need_ids.append(term.concept)
            if term.for_topic:
                topic_ids.append(term.concept)
        reasons: list[Reason] = []
        if topic_ids:
            reasons.append(
                _reason(
                    Polarity.PLUS,
                    N_("Matches the topic on: %(terms)s"),
                    terms=self._names(topic_ids[:_MAX_LISTED]),
                )
            )
        elif self.topic_concepts:
            reasons.append(_reason(Polarity.MINUS, N_("No match with the topic's key concepts")))
        if need_ids:
            reasons.append(
                _reason(
                    Polarity.PLUS,
                    N_("Matches this proposal's actions and needs on: %(terms)s"),
                    terms=self._names(need_ids[:_MAX_LISTED]),
                )
            )
        elif self.need_concepts:
            reasons.append(
                _reason(Polarity.MINUS, N_("No match with this proposal's actions and needs"))
            )
        if words:
            reasons.append(
                _reason(
                    Polarity.PLUS,
                    N_("Words shared with the topic and needs (%(count)s): %(words)s"),
                    count=len(words),
                    words=Terms(
                        ", ".join(w.en for w in words[:_MAX_LISTED]),
                        ", ".join(w.fr for w in words[:_MAX_LISTED]),
                    ),
                )
            )
        if blank:
            reasons.append(
                _reason(
                    Polarity.WARNING,
                    N_("No description, keywords or past project recorded: nothing to match"),
                )
            )
        return tuple(reasons)

    def _names(self, concept_ids: Sequence[str]) -> Terms:
        key = tuple(concept_ids)
        names = self._terms.get(key)
        if names is None:
            th = self.thesaurus
            names = self._terms[key] = Terms(
                th.describe(key, language="en"), th.describe(key, language="fr")
            )
        return names

    def experience(self, org: OrgProfile) -> ComponentScore:
        """Past projects weighted by their relevance to this query, each next one counting
        half the previous one."""
        weight = self.weights[Component.EXPERIENCE]
        if not org.past_projects:
            return self._shared(("experience", ()), self._newcomer_experience, org)
        _, scale = self.scales()
        index = self.index
        assert index is not None
        valued = []
        for project in org.past_projects:
            row = index.project_row.get(project.document)
            if row is not None:
                score = float(self.project_scores[row])
            else:
                score = index.fresh_project(project, self.query_weights)
            relevance = score / (score + scale) if score > 0 else 0.0
            valued.append((self._project_kind(project) * relevance, relevance, project))
        valued.sort(key=lambda item: (-item[0], -(item[2].year or 0), item[2].label))
        fraction = sum(value / 2 ** (i + 1) for i, (value, _, _) in enumerate(valued))
        listed = valued[:3]
        reasons = [self._project_reason(project, relevance) for _, relevance, project in listed]
        if any(self._other_sub_programme(project) for _, _, project in listed):
            reasons.append(
                _reason(
                    Polarity.NOTE,
                    N_(
                        "A LIFE project of another sub-programme than this topic's "
                        "(%(sub_programme)s) counts a little less"
                    ),
                    sub_programme=self.sub_programme,
                )
            )
        if len(valued) > 3:
            reasons.append(
                _reason(
                    Polarity.NOTE,
                    N_("Other past projects, each counting half the one before: %(count)s"),
                    count=len(valued) - 3,
                )
            )
        return _component(Component.EXPERIENCE, fraction, weight, reasons)

    def _project_kind(self, project: PastProject) -> float:
        """How much a project of this kind counts when fully relevant."""
        if not project.is_life:
            kind = OTHER_PROJECT
        elif self._other_sub_programme(project):
            kind = OTHER_SUB_PROGRAMME
        else:  # the topic's sub-programme, or one the reference does not tell
            kind = LIFE_PROJECT
        return min(1.0, kind * COORDINATOR_FACTOR) if project.is_coordinator else kind

    def _other_sub_programme(self, project: PastProject) -> bool:
        """A LIFE project known to belong to another sub-programme than the topic's."""
        mine = project.sub_programmes
        return bool(self.sub_programme and mine and self.sub_programme not in mine)

    def _newcomer_experience(self, _org: OrgProfile) -> ComponentScore:
        return _component(
            Component.EXPERIENCE,
            0.0,
            self.weights[Component.EXPERIENCE],
            [_reason(Polarity.NOTE, N_("New to EU projects: no past project recorded"))],
        )

    def _project_reason(self, project: PastProject, relevance: float) -> Reason:
        params = {
            "programme": _programme_label(project),
            "project": project.label,
            "role": PROJECT_ROLE_LABELS.get(project.role.strip().casefold(), project.role),
            "percent": int(round_half_up(100 * relevance)),
        }
        if relevance >= 0.5:
            return _reason(
                Polarity.PLUS,
                N_(
                    "%(programme)s project %(project)s as %(role)s: close to this topic "
                    "(relevance %(percent)s/100)"
                ),
                **params,
            )
        # a project that counts little still adds a little: a note, not a point in favour
        return _reason(
            Polarity.MINUS if relevance < 0.2 else Polarity.NOTE,
            N_(
                "%(programme)s project %(project)s as %(role)s: counts little, far from this "
                "topic (relevance %(percent)s/100)"
            ),
            **params,
        )

    def eligibility(self, org: OrgProfile) -> Eligibility:
        """The eligibility gate (shared by organisations with the same country and PIC problem)."""
        problem = pic_problem(org.pic)  # a valid PIC says nothing: shared by all of them
        key = (
            org.natural_person,
            org.org_type == "international",
            org.country,
            problem.text() if problem is not None else None,
        )
        found = self._eligibility.get(key)
        if found is None:
            found = self._eligibility[key] = assess_eligibility(org, self.countries)
        return found

    def capacity(self, org: OrgProfile) -> ComponentScore:
        """Staff, annual budget against the expected share, EU-grant experience."""
        level = _EU_LEVELS.get(fold(org.eu_experience), 0)
        if org.past_projects:
            level = max(level, 2 if any(p.is_coordinator for p in org.past_projects) else 1)
        staff_fraction, staff_reason = self._part(("staff", org.staff), self._staff_part)
        budget_fraction, budget_reason = self._part(
            ("budget", org.annual_budget_eur), self._budget_part
        )
        level_reason = (
            _reason(Polarity.MINUS, N_("No experience of EU grants")),
            _reason(Polarity.PLUS, N_("Has taken part in EU grants")),
            _reason(Polarity.PLUS, N_("Has coordinated EU grants")),
        )[level]
        fraction = _mean([(1, staff_fraction), (2, budget_fraction), (1, (0.0, 0.6, 1.0)[level])])
        return _component(
            Component.CAPACITY,
            fraction,
            self.weights[Component.CAPACITY],
            (staff_reason, budget_reason, level_reason),
        )

    def _part(
        self, key: tuple[str, object], compute: Callable[[object], tuple[float, Reason]]
    ) -> tuple[float, Reason]:
        """One part of a component that depends on one field (shared by its value)."""
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = compute(key[1])
        return found

    def _staff_part(self, staff: int | None) -> tuple[float, Reason]:
        if staff is None:
            return 0.0, _reason(Polarity.MINUS, N_("Staff not recorded"))
        fraction = _tier(staff, ((50, 1.0), (10, 0.75), (3, 0.5), (1, 0.25)))
        polarity = Polarity.PLUS if fraction >= 0.5 else Polarity.MINUS
        return fraction, _reason(polarity, N_("Staff: %(staff)s"), staff=staff)

    def _budget_part(self, budget: float | None) -> tuple[float, Reason]:
        share = self.consortium.expected_share_eur
        if budget is None or budget <= 0:
            return 0.0, _reason(Polarity.MINUS, N_("Annual budget not recorded"))
        if share:
            ratio = share / self.duration_years / budget
            percent = int(round_half_up(min(ratio, 1e6) * 100))  # tiny budgets: no overflow
            if ratio <= 0.10:
                fraction = 1.0
            elif ratio <= 0.25:
                fraction = 0.75
            elif ratio <= MAX_YEARLY_SHARE_OF_BUDGET:
                fraction = 0.5
            else:
                fraction = 0.0
            return fraction, _reason(
                Polarity.PLUS if fraction >= 0.75 else Polarity.MINUS,
                N_("The expected share would be %(percent)s%% of its annual budget per year"),
                percent=percent,
            )
        fraction = _tier(budget, ((1_000_000, 1.0), (200_000, 0.75), (50_000, 0.5), (0, 0.25)))
        return fraction, _reason(
            Polarity.PLUS if fraction >= 0.5 else Polarity.MINUS,
            N_("Annual budget of %(budget)s"),
            budget=Euros(budget),
        )

    def _others(self, org: OrgProfile) -> list[OrgProfile]:
        return [m for m in self.consortium.members if m.id != org.id]

    def _gaps(self, org: OrgProfile) -> frozenset[str]:
        """Reference concepts that no member other than ``org`` names (computed once for all
        the organisations outside the consortium)."""
        if org.id in self.members:
            return self.reference_concepts - self.coverage(without=org.id)
        if self._open_gaps is None:
            self._open_gaps = self.reference_concepts - self.coverage()
        return self._open_gaps

    def complementarity(self, org: OrgProfile) -> ComponentScore:
        """What the organisation adds that the rest of the consortium lacks."""
        others = self._others(org)
        parts: list[tuple[float, float]] = []
        reasons: list[Reason] = []
        if self.reference_concepts and others:
            gaps = self._gaps(org)
            found = self._ensure_index((org,)).concepts_of(org)
            adds = [c for c in found if c in gaps]
            parts.append((3, len(adds) / min(3, len(gaps)) if gaps else 0.0))
            if adds:
                reasons.append(
                    _reason(
                        Polarity.PLUS,
                        N_("Brings what the consortium lacks: %(terms)s"),
                        terms=self._names(adds[:_MAX_LISTED]),
                    )
                )
            elif gaps:
                missing = sorted(gaps, key=lambda c: self.thesaurus.concepts[c].label)
                reasons.append(
                    _reason(
                        Polarity.MINUS,
                        N_("Brings none of what the consortium lacks (%(missing)s)"),
                        missing=self._names(missing[:_MAX_LISTED]),
                    )
                )
            else:
                reasons.append(
                    _reason(
                        Polarity.MINUS, N_("The members already cover all the needs identified")
                    )
                )
        type_label = _ORG_TYPE_LABELS.get(org.org_type, org.org_type)
        if all(m.org_type != org.org_type for m in others):
            parts.append((1, 1.0))
            reasons.append(
                _reason(
                    Polarity.PLUS,
                    N_("Adds an organisation type the consortium lacks: %(type)s"),
                    type=type_label,
                )
            )
        else:
            parts.append((1, 0.0))
            reasons.append(
                _reason(
                    Polarity.MINUS,
                    N_("Its type (%(type)s) is already in the consortium"),
                    type=type_label,
                )
            )
        needed = self.topic.min_countries or 0
        if needed > 1:
            parts.append((1, self._country_part(org, others, needed, reasons)))
        return _component(
            Component.COMPLEMENTARITY,
            _mean(parts),
            self.weights[Component.COMPLEMENTARITY],
            reasons,
        )

    def _country_part(
        self, org: OrgProfile, others: list[OrgProfile], needed: int, reasons: list[Reason]
    ) -> float:
        normalise = self.countries.normalise
        countries = {c for c in (normalise(m.country) for m in others) if c}
        code = normalise(org.country)
        have = len(countries)
        if code and code not in countries and have < needed:
            reasons.append(
                _reason(
                    Polarity.PLUS,
                    N_(
                        "Adds a country (%(country)s): the topic requires %(required)s, "
                        "the consortium has %(count)s"
                    ),
                    country=code,
                    required=needed,
                    count=have,
                )
            )
            return 1.0
        if have >= needed:
            reasons.append(
                _reason(
                    Polarity.MINUS,
                    N_("The consortium already has the %(required)s countries the topic requires"),
                    required=needed,
                )
            )
        else:
            reasons.append(
                _reason(
                    Polarity.MINUS,
                    N_(
                        "Adds no new country (the topic requires %(required)s, "
                        "the consortium has %(count)s)"
                    ),
                    required=needed,
                    count=have,
                )
            )
        return 0.0

    def _member_reach(self) -> tuple[frozenset[int], dict[int, set[int]]]:
        """Organisations the members reach (members included), and who lists whom."""
        if self._reach is None:
            reached = set(self.member_ids)
            listed_by: dict[int, set[int]] = {}
            for member in self.member_ids:
                for other in self.neighbours.get(member, frozenset()):
                    reached.add(other)
                    listed_by.setdefault(other, set()).add(member)
            self._reach = (frozenset(reached), listed_by)
        return self._reach

    def network(self, org: OrgProfile) -> ComponentScore:
        """Ties to current members (trust) and organisations it reaches that they do not."""
        own = self.neighbours.get(org.id, frozenset()) - {org.id}
        if org.id in self.members:
            others = self.member_ids - {org.id}
            ties = {m for m in others if m in own or org.id in self.neighbours.get(m, ())}
            reached = set(others)
            for member in others:
                reached |= self.neighbours.get(member, frozenset())
        else:
            others = self.member_ids
            reached, listed_by = self._member_reach()
            ties = (own & others) | listed_by.get(org.id, set())
        bridges = len(own - reached - {org.id})
        ties = frozenset(ties)
        return self._shared(
            ("network", len(others), ties, bridges, bool(own)),
            self._network_component,
            len(others),
            ties,
            bridges,
            bool(own),
        )

    def _network_component(
        self, others: int, ties: frozenset[int], bridges: int, has_ties: bool
    ) -> ComponentScore:
        """The network component of an organisation tied to ``ties`` among ``others`` members
        and reaching ``bridges`` organisations no member reaches."""
        parts: list[tuple[float, float]] = []
        reasons: list[Reason] = []
        if others:
            parts.append((2, len(ties) / min(3, others)))
            if ties:
                names = sorted((self.members[m].name for m in ties), key=fold)
                reasons.append(
                    _reason(
                        Polarity.PLUS,
                        N_("Already works with members of the consortium: %(names)s (%(count)s)"),
                        count=len(ties),
                        names=", ".join(names[:_MAX_LISTED]),
                    )
                )
            else:
                reasons.append(_reason(Polarity.MINUS, N_("No known tie with current members")))
        parts.append((1, bridges / 3))
        if bridges:
            reasons.append(
                _reason(
                    Polarity.PLUS,
                    N_("Organisations it reaches that no member reaches yet: %(count)s"),
                    count=bridges,
                )
            )
        elif not has_ties:
            reasons.append(_reason(Polarity.MINUS, N_("No known cooperation ties")))
        return _component(Component.NETWORK, _mean(parts), self.weights[Component.NETWORK], reasons)

    def engagement(self, org: OrgProfile) -> ComponentScore:
        """Workshop attendance and outputs contributed."""
        held = self.consortium.workshops_held
        attended = max(0, org.workshops_attended)
        outputs = max(0, org.outputs_contributed)
        parts: list[tuple[float, float]] = []
        reasons: list[Reason] = []
        if held > 0:
            parts.append((2, attended / held))
            if attended:
                reasons.append(
                    _reason(
                        Polarity.PLUS,
                        N_("Attended %(attended)s of %(held)s workshops"),
                        attended=attended,
                        held=held,
                    )
                )
            else:
                reasons.append(_reason(Polarity.MINUS, N_("Attended no workshop yet")))
        parts.append((1, outputs / 3))
        if outputs:
            reasons.append(
                _reason(Polarity.PLUS, N_("Workshop outputs contributed: %(count)s"), count=outputs)
            )
        else:
            reasons.append(_reason(Polarity.MINUS, N_("No workshop output contributed yet")))
        return _component(
            Component.ENGAGEMENT, _mean(parts), self.weights[Component.ENGAGEMENT], reasons
        )

    # ------------------------------------------------------------------ totals

    def _shared(
        self,
        key: tuple[object, ...],
        compute: Callable[..., ComponentScore],
        *arguments: object,
    ) -> ComponentScore:
        """A component that depends only on ``key``: ``compute(*arguments)`` once per prepared
        ranking, shared by every organisation with the same key (components are immutable)."""
        found = self._components.get(key)
        if found is None:
            found = self._components[key] = compute(*arguments)
        return found

    def _eligibility_component(self, org: OrgProfile) -> ComponentScore:
        elig = self.eligibility(org)
        return _component(
            Component.ELIGIBILITY,
            elig.score / 100,
            self.weights[Component.ELIGIBILITY],
            elig.reasons,
        )

    def score(self, org: OrgProfile) -> FitScore:
        """The full explained score of one organisation."""
        index = self._ensure_index((org,))
        elig = self.eligibility(org)
        coordinated = any(p.is_coordinator for p in org.past_projects)
        capacity_key = (
            "capacity",
            org.staff,
            org.annual_budget_eur,
            org.eu_experience,
            bool(org.past_projects),
            coordinated,
        )
        if org.id in self.members:
            complementarity = self.complementarity(org)
        else:  # the same gaps for every non-member: what it adds is all that differs
            gaps = self._gaps(org)
            adds = tuple(c for c in index.concepts_of(org) if c in gaps)
            complementarity = self._shared(
                ("complementarity", adds, org.org_type, org.country), self.complementarity, org
            )
        components = (
            self._shared(("eligibility", id(elig)), self._eligibility_component, org),
            self.relevance(org),
            self._shared(capacity_key, self.capacity, org),
            self.experience(org),
            complementarity,
            self.network(org),
            self._shared(
                ("engagement", org.workshops_attended, org.outputs_contributed),
                self.engagement,
                org,
            ),
        )
        total = round_half_up(100 * gated_total(components), 1)
        return FitScore(
            org.id, org.name, min(total, 100.0), elig.eligible, elig.status, elig.flags, components
        )

    def rank(self, orgs: Iterable[OrgProfile]) -> list[FitScore]:
        """Scores sorted: eligible first, then total, then relevance, then id."""
        profiles = list(orgs)
        self._ensure_index(profiles)
        return sorted((self.score(o) for o in profiles), key=lambda fit: fit.sort_key)

    def coverage(self, extra: Iterable[str] = (), without: int | None = None) -> frozenset[str]:
        """Reference concepts (needs, else topic) covered by the members, +extra, -one member."""
        covered: set[str] = set(extra)
        for mid, concepts in self.member_concepts.items():
            if mid != without:
                covered |= concepts
        return frozenset(covered & self.reference_concepts)


#: The components that count in full; every other one counts in proportion to relevance.
CORE_COMPONENTS = frozenset({Component.ELIGIBILITY, Component.RELEVANCE})


def gated_total(components: Iterable[ComponentScore]) -> float:
    """Σ weight × fraction, the supporting components (capacity, experience, ...) multiplied by
    the relevance fraction: a large, experienced organisation unrelated to the topic does not
    climb above relevant ones on its size (fit_quality.py: top-20 overlap 8.4 -> 7.9)."""
    parts = tuple(components)
    relevance = next(c.fraction for c in parts if c.component is Component.RELEVANCE)
    total = 0.0
    for c in parts:
        total += c.weight * c.fraction * (1.0 if c.component in CORE_COMPONENTS else relevance)
    return total


def _positive_mean(scores: np.ndarray) -> float:
    positive = scores[scores > 0]
    return float(positive.mean()) if positive.size else 1.0


def prepare(
    topic: TopicProfile,
    consortium: ConsortiumProfile,
    neighbours: Mapping[int, Iterable[int]] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    index: FitIndex | None = None,
    countries: CountryList | None = None,
    catalogue: TopicCatalogue | None = None,
) -> Prepared:
    """Precompute topic, query and consortium data once; weights default to the action
    type's. Without ``index``, one is built from the organisations first scored; without
    ``catalogue``, every query term counts fully (see :class:`TopicCatalogue`)."""
    return Prepared(
        topic,
        consortium,
        neighbours or {},
        weights,
        index=index,
        countries=countries,
        catalogue=catalogue,
    )


def score(
    org: OrgProfile,
    topic: TopicProfile,
    consortium: ConsortiumProfile,
    neighbours: Mapping[int, Iterable[int]] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    index: FitIndex | None = None,
) -> FitScore:
    """Score one organisation (prefer :func:`prepare` when scoring many)."""
    return prepare(topic, consortium, neighbours, weights, index=index).score(org)


def rank(
    orgs: Iterable[OrgProfile],
    topic: TopicProfile,
    consortium: ConsortiumProfile,
    neighbours: Mapping[int, Iterable[int]] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    index: FitIndex | None = None,
) -> list[FitScore]:
    """Score and sort organisations: eligible first, total, relevance, then id."""
    return prepare(topic, consortium, neighbours, weights, index=index).rank(orgs)


# --------------------------------------------------------------------------- what-if


@dataclass(frozen=True)
class ScoreChange:
    """How one organisation's total moves in the what-if consortium."""

    org_id: int
    before: float
    after: float

    @property
    def delta(self) -> float:
        """after - before, 1 decimal."""
        return round_half_up(self.after - self.before, 1)


@dataclass(frozen=True)
class WhatIf:
    """Effect of adding (or removing) one organisation to (from) the consortium."""

    org_id: int
    added: bool
    covered_before: frozenset[str]
    covered_after: frozenset[str]
    countries_before: int
    countries_after: int
    changes: tuple[ScoreChange, ...]

    @property
    def newly_covered(self) -> tuple[str, ...]:
        """Concept ids covered only after the change (sorted)."""
        return tuple(sorted(self.covered_after - self.covered_before))

    @property
    def lost(self) -> tuple[str, ...]:
        """Concept ids no longer covered after the change (sorted)."""
        return tuple(sorted(self.covered_before - self.covered_after))


def _country_count(prepared: Prepared) -> int:
    normalise = prepared.countries.normalise
    return len({c for c in (normalise(m.country) for m in prepared.consortium.members) if c})


def what_if(
    orgs: Sequence[OrgProfile],
    topic: TopicProfile,
    consortium: ConsortiumProfile,
    candidate: OrgProfile,
    neighbours: Mapping[int, Iterable[int]] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    remove: bool = False,
    index: FitIndex | None = None,
    catalogue: TopicCatalogue | None = None,
) -> WhatIf:
    """Recompute coverage and the others' scores with ``candidate`` added (or removed)."""
    if index is None:
        index = FitIndex({o.id: o for o in (*orgs, *consortium.members, candidate)}.values())
    before = prepare(topic, consortium, neighbours, weights, index=index, catalogue=catalogue)
    if remove:
        members = tuple(m for m in consortium.members if m.id != candidate.id)
    else:
        members = (*(m for m in consortium.members if m.id != candidate.id), candidate)
    after = prepare(
        topic,
        replace(consortium, members=members),
        neighbours,
        weights,
        index=index,
        countries=before.countries,
        catalogue=catalogue,
    )
    changes = []
    for org in orgs:
        if org.id == candidate.id:
            continue
        old, new = before.score(org).total, after.score(org).total
        if old != new:
            changes.append(ScoreChange(org.id, old, new))
    changes.sort(key=lambda c: (-abs(c.after - c.before), c.org_id))
    return WhatIf(
        org_id=candidate.id,
        added=not remove,
        covered_before=before.coverage(),
        covered_after=after.coverage(),
        countries_before=_country_count(before),
        countries_after=_country_count(after),
        changes=tuple(changes),
    )

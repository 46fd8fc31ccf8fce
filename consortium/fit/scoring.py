"""Explainable partner-fit score of organisations for one LIFE proposal.

Pure module (no Flask, no database): the caller turns records into the frozen profiles below,
calls :func:`prepare` once per proposal and scores or ranks any number of organisations.

Every organisation gets seven components, each an **int from 0 to 100**, and a **total** that is
the weighted mean of the components rounded half-up to **one decimal**. Each component is made of
parts ``f`` in [0, 1] with fixed internal weights; a part whose reference data is missing is left
out of the mean (a proposal without captured needs is not penalised on needs):

* eligibility (also a gate): 100 eligible, 50 country unknown, 20 non-associated third country
  (associated partner only, at own cost), 0 natural person; minus 20 when the PIC is missing or
  not 9 digits. Ranking sorts by ``(not eligible, -total, folded name, id)``, so an ineligible
  organisation never ranks above an eligible one, whatever the weights.
* relevance: topic concepts x4 (topic text + chosen sub-topics; a concept narrower than a
  topic concept in the thesaurus, e.g. reuse for circular economy, counts), needs concepts x3
  (texts of the proposal's actions and needs), shared themes x2 (declared theme codes plus
  themes of the matched concepts), shared content words x1. Concepts come from the bilingual
  thesaurus, so a French description matches an English topic. Concept parts saturate at 3
  matched concepts (generic concepts count half), themes at 2, words at 8. Every part only
  grows when a term or theme is added to an organisation (word *containment*, not cosine, for
  that reason).
* capacity: staff x1 (tiers), annual budget x2 (yearly expected EU share / budget, or budget
  size when no share is given), EU-grant experience x1.
* experience: per past project 25 (LIFE) or 15 (other), +15 when its title matches the topic or
  needs, +10 as coordinator; capped at 100.
* complementarity: missing concepts brought x3, new organisation type x1, needed new country x1
  (only when the topic asks for several countries).
* network: ties to current members x2 (saturating at 3), bridges to organisations no member
  reaches x1 (saturating at 3).
* engagement: workshops attended / held x2, outputs contributed x1 (saturating at 3).

Usage::

    prepared = prepare(topic, consortium, neighbours, weights)   # once per page
    ranking = prepared.rank(organisations)                       # list[FitScore]
    formula(weights).text()                                      # shown next to the scores

Reasons and errors carry English templates marked with ``N_`` plus params; translate with
``gettext(reason.template) % reason.params``.
"""

from __future__ import annotations

import gc
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import FrozenInstanceError, dataclass, fields
from enum import StrEnum
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from consortium.fit.thesaurus import (
    DATA_DIR,
    Thesaurus,
    fast_fold,
    load_thesaurus,
    tokens,
)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; the web layer translates it."""
    return message


THEMES_PATH = Path(__file__).resolve().parent.parent / "directory" / "data" / "themes.json"
ELIGIBLE_COUNTRIES_PATH = DATA_DIR / "eligible_countries.json"
DEFAULT_WEIGHTS_PATH = DATA_DIR / "default_weights.json"

#: Project length assumed when the caller does not give one (LIFE projects last 3-5 years).
DEFAULT_DURATION_MONTHS = 36
#: A beneficiary carrying more than this share of its annual budget per year is a risk.
MAX_YEARLY_SHARE_OF_BUDGET = 0.5
_PIC = re.compile(r"^\d{9}$")


def _is_pic(text: str) -> bool:
    """``_PIC.match(text)`` for a stripped text (``\\d`` is a Unicode decimal digit, as
    ``str.isdecimal`` tests; a stripped text has no trailing newline for ``$`` to allow)."""
    return len(text) == 9 and text.isdecimal()


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
    """Whether a reason raises the score, lowers it, or needs attention."""

    PLUS = "+"
    MINUS = "-"
    WARNING = "!"


_new = object.__new__
_set = object.__setattr__


class Reason:
    """A human-readable explanation: English template plus its parameters.

    Immutable. ``params`` is a read-only mapping (a fresh ``MappingProxyType`` view on each
    access); the reason keeps a plain dict of string and number values, which the garbage
    collector does not track: a ranking builds thousands of reasons and used to pay for a
    proxy object per reason.
    """

    __slots__ = ("_params", "polarity", "template")

    template: str
    polarity: Polarity

    def __init__(
        self,
        template: str,
        params: Mapping[str, object] | None = None,
        polarity: Polarity = Polarity.PLUS,
    ) -> None:
        _set(self, "template", template)
        _set(self, "_params", dict(params) if params else {})
        _set(self, "polarity", polarity)

    @property
    def params(self) -> Mapping[str, object]:
        """The template's parameters (read-only)."""
        return MappingProxyType(self._params)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.template, self._params, self.polarity) == (
            other.template,  # type: ignore[attr-defined]
            other._params,  # type: ignore[attr-defined]
            other.polarity,  # type: ignore[attr-defined]
        )

    __hash__ = None  # type: ignore[assignment]  # like the former dataclass (dict params)

    def __repr__(self) -> str:
        return (
            f"Reason(template={self.template!r}, params={self._params!r}, "
            f"polarity={self.polarity!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (Reason, (self.template, self._params, self.polarity))

    def text(self) -> str:
        """The English rendering (the web layer uses ``gettext(template) % params``)."""
        params = self._params
        return self.template % params if params else self.template

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (``params`` copied into a plain dict)."""
        return {
            "template": self.template,
            "params": dict(self._params),
            "polarity": str(self.polarity),
            "text": self.text(),
        }


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk step that creates no cycles.

    Loading and scoring thousands of organisations allocates hundreds of thousands of small
    objects; with the collector running, each batch of allocations triggers collections that
    walk every live object of the process (tens of milliseconds each), although none of these
    objects is ever part of a reference cycle (reference counting frees them). Nested pauses
    are fine: only the outermost one re-enables the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _reason(polarity: Polarity, template: str, **params: object) -> Reason:
    # Same as Reason(template, params, polarity) without the __init__ call and the copy of
    # ``params`` (the keyword arguments' own dict): tens of thousands per ranking.
    reason = _new(Reason)
    _set(reason, "template", template)
    _set(reason, "_params", params)
    _set(reason, "polarity", polarity)
    return reason


_shared: dict[tuple[object, ...], Reason] = {}


def _shared_reason(polarity: Polarity, template: str, **params: object) -> Reason:
    """Like ``_reason`` for reasons that repeat across organisations (few distinct params).

    Reasons are immutable, so one instance can serve every organisation it applies to.
    """
    key = (template, polarity, *params.values())
    reason = _shared.get(key)
    if reason is None:
        reason = _reason(polarity, template, **params)
        if len(_shared) < 20_000:
            _shared[key] = reason
    return reason


# --------------------------------------------------------------------------- inputs


class PastProject(NamedTuple):
    """A past LIFE or other EU project of an organisation.

    A named tuple: the scorer reads the fields by position, so a plain
    ``(programme, reference, title, year, role)`` tuple (what the services' query gives, when
    no value is missing) stands for the same project without building another object.
    """

    programme: str
    reference: str = ""
    title: str = ""
    year: int | None = None
    role: str = "partner"  # coordinator | partner | ...


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
    text: str = ""  # description + keywords, any language
    staff: int | None = None
    annual_budget_eur: float | None = None
    eu_experience: str = "none"  # none | participant | coordinator
    # PastProject tuples (or plain tuples of the same five fields)
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


_ORG_FIELDS = tuple(f.name for f in fields(OrgProfile))
_PROJECT_FIELDS = PastProject._fields


def make_org_profile(*values: object) -> OrgProfile:
    """``OrgProfile(*values)`` with every field given in order, without the frozen-dataclass
    ``__init__`` cost (the services build one per organisation of the directory)."""
    if len(values) != len(_ORG_FIELDS):
        raise TypeError(f"make_org_profile takes {len(_ORG_FIELDS)} values, not {len(values)}")
    return build_org_profile(*values)


# the slots' setters, one by one (unrolled: half the cost of a loop over ``_ORG_SETTERS``)
_set_id = OrgProfile.__dict__["id"].__set__
_set_name = OrgProfile.__dict__["name"].__set__
_set_org_type = OrgProfile.__dict__["org_type"].__set__
_set_country = OrgProfile.__dict__["country"].__set__
_set_natural_person = OrgProfile.__dict__["natural_person"].__set__
_set_pic = OrgProfile.__dict__["pic"].__set__
_set_themes = OrgProfile.__dict__["themes"].__set__
_set_text = OrgProfile.__dict__["text"].__set__
_set_staff = OrgProfile.__dict__["staff"].__set__
_set_annual_budget_eur = OrgProfile.__dict__["annual_budget_eur"].__set__
_set_eu_experience = OrgProfile.__dict__["eu_experience"].__set__
_set_past_projects = OrgProfile.__dict__["past_projects"].__set__
_set_workshops_attended = OrgProfile.__dict__["workshops_attended"].__set__
_set_outputs_contributed = OrgProfile.__dict__["outputs_contributed"].__set__
_set_acronym = OrgProfile.__dict__["acronym"].__set__
_set_city = OrgProfile.__dict__["city"].__set__


def build_org_profile(
    id: int,
    name: str,
    org_type: str,
    country: str | None,
    natural_person: bool,
    pic: str | None,
    themes: frozenset[str],
    text: str,
    staff: int | None,
    annual_budget_eur: float | None,
    eu_experience: str,
    past_projects: tuple[PastProject, ...],
    workshops_attended: int,
    outputs_contributed: int,
    acronym: str | None,
    city: str | None,
) -> OrgProfile:
    """:func:`make_org_profile` with the 16 fields as positional arguments (the services'
    loop over the directory)."""
    profile = _new(OrgProfile)
    _set_id(profile, id)
    _set_name(profile, name)
    _set_org_type(profile, org_type)
    _set_country(profile, country)
    _set_natural_person(profile, natural_person)
    _set_pic(profile, pic)
    _set_themes(profile, themes)
    _set_text(profile, text)
    _set_staff(profile, staff)
    _set_annual_budget_eur(profile, annual_budget_eur)
    _set_eu_experience(profile, eu_experience)
    _set_past_projects(profile, past_projects)
    _set_workshops_attended(profile, workshops_attended)
    _set_outputs_contributed(profile, outputs_contributed)
    _set_acronym(profile, acronym)
    _set_city(profile, city)
    return profile


if build_org_profile.__code__.co_varnames[: len(_ORG_FIELDS)] != _ORG_FIELDS:
    raise AssertionError("build_org_profile must take OrgProfile's fields in order")


def make_past_project(*values: object) -> PastProject:
    """``PastProject(*values)`` with every field given in order."""
    if len(values) != len(_PROJECT_FIELDS):
        raise TypeError(f"make_past_project takes {len(_PROJECT_FIELDS)} values")
    return PastProject(*values)


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


class ComponentScore(NamedTuple):
    """One component: score 0-100 (int), normalised weight (sums to 1) and reasons.

    An immutable named tuple (a ranking builds about two per organisation, and a tuple is
    built in one step where a frozen dataclass sets its fields one by one).
    """

    component: Component
    score: int
    weight: float
    reasons: tuple[Reason, ...]


class EligibilityStatus(StrEnum):
    """Outcome of the eligibility gate."""

    ELIGIBLE = "eligible"
    ASSOCIATED_PARTNER_ONLY = "associated_partner_only"
    UNKNOWN_COUNTRY = "unknown_country"
    NOT_ELIGIBLE = "not_eligible"


class FitScore(NamedTuple):
    """The explained fit of one organisation (an immutable named tuple, see ComponentScore)."""

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

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the API."""
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

    @property
    def sort_key(self) -> tuple[bool, float, str, int]:
        """Eligible first, then higher total, then name, then id."""
        return (not self.eligible, -self.total, fast_fold(self.name), self.org_id)


_first = itemgetter(0)
_NONE: frozenset[int] = frozenset()
_floor = math.floor


def _sort_key(fit: FitScore) -> tuple[bool, float, str, int]:
    # FitScore.sort_key without the property call
    return (not fit.eligible, -fit.total, fast_fold(fit.name), fit.org_id)


_tuple_new = tuple.__new__


def _component_score(
    component: Component, score: int, weight: float, reasons: tuple[Reason, ...]
) -> ComponentScore:
    # ComponentScore(...) without the generated __new__'s argument handling
    return _tuple_new(ComponentScore, (component, score, weight, reasons))


# --------------------------------------------------------------------------- rounding


def round_half_up(value: float, digits: int = 0) -> float:
    """Round halves away from zero (2.5 -> 3), unlike ``round`` (banker's rounding).

    Scores are ratios of small integers, so a tolerance of 1e-7 absorbs float noise such as
    ``0.1 * 625 = 62.49999999999999`` without ever moving a genuine non-half value.
    """
    scale = 10**digits
    rounded = math.floor(abs(value) * scale + 0.5 + 1e-7) / scale
    return math.copysign(rounded, value) if rounded else 0.0


def _mean_score(parts: Iterable[tuple[float, float]]) -> int:
    """Weighted mean of ``(weight, fraction)`` parts as an int 0-100 (0 when no part)."""
    total_w = 0.0
    acc = 0.0
    for weight, fraction in parts:
        total_w += weight
        acc += weight * (1.0 if fraction > 1 else 0.0 if fraction < 0 else fraction)
    if total_w <= 0:
        return 0
    return int(100.0 * acc / total_w + 0.5 + 1e-7)  # non-negative: half up, see round_half_up


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


@lru_cache(maxsize=1)
def _default_countries() -> CountryList:
    with open(ELIGIBLE_COUNTRIES_PATH, encoding="utf-8") as fh:
        return _countries_from_json(json.load(fh))


@lru_cache(maxsize=1)
def _theme_labels() -> Mapping[str, str]:
    try:
        with open(THEMES_PATH, encoding="utf-8") as fh:
            data = json.load(fh)
        return MappingProxyType({t["code"]: t["en"] for t in data.get("themes", [])})
    except (OSError, ValueError, KeyError):
        return MappingProxyType({})


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

    @property
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
        return _shared_reason(
            Polarity.WARNING,
            N_("PIC missing: every beneficiary needs a 9-digit PIC before submission"),
        )
    if not _PIC.match(pic.strip()):
        return _shared_reason(
            Polarity.WARNING, N_("PIC %(pic)s is not a 9-digit number"), pic=pic.strip()
        )
    return None


def assess_eligibility(org: OrgProfile, countries: CountryList | None = None) -> Eligibility:
    """Apply the LIFE eligibility rules (Regulation 2021/783 Art. 9) to one organisation."""
    countries = countries or load_eligible_countries()
    reasons: list[Reason] = []
    code = countries.normalise(org.country)
    category = countries.category(code)
    if org.natural_person:
        status, base = EligibilityStatus.NOT_ELIGIBLE, 0
        reasons.append(
            _shared_reason(Polarity.WARNING, N_("Natural persons cannot take part in LIFE"))
        )
    elif org.org_type == "international":
        status, base = EligibilityStatus.ELIGIBLE, 100
        category = "international"
        reasons.append(
            _shared_reason(
                Polarity.PLUS, N_("International organisation: eligible whatever its seat")
            )
        )
    elif category is None:
        status, base = EligibilityStatus.UNKNOWN_COUNTRY, 50
        reasons.append(
            _shared_reason(
                Polarity.WARNING, N_("Country not recorded: eligibility cannot be checked")
            )
        )
    elif category == "third_country":
        status, base = EligibilityStatus.ASSOCIATED_PARTNER_ONLY, 20
        reasons.append(
            _shared_reason(
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
        reasons.append(_shared_reason(Polarity.PLUS, _CATEGORY_TEMPLATES[category], country=code))
        if category == "associated" and countries.associated.get(code or "") != "confirmed":
            reasons.append(
                _shared_reason(
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


class WeightsError(ValueError):
    """Invalid weights; carries a translatable template and its params."""

    def __init__(self, template: str, **params: object) -> None:
        super().__init__(template % params if params else template)
        self.template = template
        self.params = params


@lru_cache(maxsize=1)
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
    template: str = N_("Total = weighted mean of the component scores (each 0-100): %(terms)s")

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
    """The English formula, e.g. ``Total = weighted mean ...: 10% × eligibility + ...``."""
    return formula(weights).text()


# --------------------------------------------------------------------------- scoring


_SATURATE_CONCEPTS = 3
_SATURATE_THEMES = 2
_SATURATE_WORDS = 8
_MAX_LISTED = 6
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


def _tier(value: float, tiers: tuple[tuple[float, float], ...]) -> float:
    """The fraction of the first ``(threshold, fraction)`` tier that ``value`` reaches."""
    for threshold, fraction in tiers:
        if value >= threshold:
            return fraction
    return 0.0


# Past projects are read by position (programme, reference, title, year, role): a plain tuple
# of the five fields stands for a PastProject (see there).


def _is_life(project: PastProject) -> bool:
    folded = fast_fold(project[0])
    return (
        "life" in folded.split()
        or folded.startswith("life")
        or (fast_fold(project[1]).startswith("life"))
    )


def _project_label(project: PastProject) -> str:
    ref = project[1].strip() or project[2].strip() or project[0].strip()
    year = project[3]
    return f"{ref} ({year})" if year else ref


def _eu_level(org: OrgProfile) -> int:
    """0 none, 1 participant, 2 coordinator, from the declared level and past projects."""
    declared = _EU_LEVELS.get(fast_fold(org.eu_experience), 0)
    derived = 0
    for project in org.past_projects:
        role = project[4]
        if role == "coordinator" or fast_fold(role) == "coordinator":
            return 2
        derived = 1
    return max(declared, derived)


_EU_LEVELS = {"participant": 1, "coordinator": 2}
_PROJECT = N_("%(programme)s project %(project)s as %(role)s")
_RELEVANT_PROJECT = N_(
    "%(programme)s project %(project)s as %(role)s, relevant to this topic (%(terms)s)"
)
_UNSEEN = object()


class Prepared:
    """Topic and consortium data computed once per ranking; scores any organisation."""

    def __init__(
        self,
        topic: TopicProfile,
        consortium: ConsortiumProfile,
        neighbours: Mapping[int, Iterable[int]],
        weights: Mapping[str, float] | None = None,
        *,
        thesaurus: Thesaurus | None = None,
        countries: CountryList | None = None,
    ) -> None:
        self.topic = topic
        self.consortium = consortium
        self.thesaurus = thesaurus or load_thesaurus()
        self.countries = countries or load_eligible_countries()
        self.weights = validate_weights(
            weights if weights is not None else default_weights(topic.action_type)
        )
        self._w = {c.value: w for c, w in self.weights.items()}  # str keys hash faster
        th = self.thesaurus
        topic_text = "\n".join([topic.text, *topic.subtopics])
        self.topic_concepts = th.concept_ids(topic_text)
        # an organisation naming a narrower concept (reuse) matches a broader one of the
        # topic (circular economy)
        self.topic_matching = th.with_narrower(self.topic_concepts)
        self.need_concepts = th.concept_ids("\n".join(consortium.needs_text))
        self.reference_concepts = self.need_concepts or self.topic_concepts
        self.relevant_concepts = self.topic_matching | self.need_concepts
        self.topic_themes = th.themes_of(self.relevant_concepts)
        self.topic_tokens = tokens(topic_text + "\n" + "\n".join(consortium.needs_text))
        self._topic_weight = self._weight(self.topic_concepts)
        self._need_weight = self._weight(self.need_concepts)
        # the weights at which the concept parts of relevance saturate
        self._topic_saturation = min(_SATURATE_CONCEPTS, self._topic_weight)
        self._need_saturation = min(_SATURATE_CONCEPTS, self._need_weight)
        # members
        self.neighbours = neighbours
        self.member_ids = consortium.member_ids
        self.members = {m.id: m for m in consortium.members}
        self.member_concepts = {m.id: th.concept_ids(m.text) for m in consortium.members}
        self.concept_cover: Counter[str] = Counter()
        self.type_count: Counter[str] = Counter()
        self.country_count: Counter[str] = Counter()
        self.reach_count: Counter[int] = Counter()
        self.member_nb: dict[int, frozenset[int]] = {}
        self.pointed_by: dict[int, set[int]] = {}  # org id -> members listing it as neighbour
        for m in consortium.members:
            self.concept_cover.update(self.member_concepts[m.id])
            self.type_count[m.org_type] += 1
            code = self.countries.normalise(m.country)
            if code:
                self.country_count[code] += 1
            nb = frozenset(neighbours.get(m.id, ()))
            self.member_nb[m.id] = nb
            self.reach_count.update(nb)
            for other in nb:
                self.pointed_by.setdefault(other, set()).add(m.id)
        self.reached = frozenset(self.reach_count) | self.member_ids
        self.duration_years = (consortium.duration_months or DEFAULT_DURATION_MONTHS) / 12
        # Caches filled while scoring. Components that depend on a few fields only are
        # immutable and shared by every organisation with the same values of those fields.
        # past project -> (sort key, points, reason)
        self._projects: dict[PastProject, tuple[tuple[int, int, str], int, Reason]] = {}
        self._titles: dict[str, str | None] = {}  # project title -> relevant terms (or None)
        self._programmes: dict[str, tuple[bool, str]] = {}  # -> (LIFE?, programme shown)
        self._coordinator_roles: dict[str, bool] = {}
        self._declared_levels: dict[str, int] = {}  # eu_experience -> level
        self._eligibility: dict[
            tuple[object, ...], tuple[Eligibility, ComponentScore, tuple[Reason, ...]]
        ] = {}
        self._capacity: dict[tuple[object, ...], ComponentScore] = {}
        self._staff_parts: dict[tuple[object, type], tuple[float, Reason]] = {}
        self._budget_parts: dict[float | None, tuple[float, Reason]] = {}
        self._engagement: dict[tuple[int, int], ComponentScore] = {}
        self._complementarity: dict[tuple[object, ...], ComponentScore] = {}
        self._network: dict[tuple[object, ...], ComponentScore] = {}
        # relevance components and reasons, shared by the organisations with the same terms,
        # themes or words
        self._relevance: dict[tuple[object, ...], ComponentScore] = {}
        self._topic_reasons: dict[str, Reason] = {}
        self._need_reasons: dict[str, Reason] = {}
        self._theme_reasons: dict[int, Reason] = {}  # by bits of _theme_bits
        self._word_reasons: dict[tuple[str, ...], Reason] = {}
        self._no_topic_match = _shared_reason(
            Polarity.MINUS, N_("No match with the topic's key concepts")
        )
        self._no_need_match = _shared_reason(
            Polarity.MINUS, N_("No match with this proposal's actions and needs")
        )
        self._theme_saturation = min(_SATURATE_THEMES, len(self.topic_themes))
        # a set of the topic's themes as an int: one bit per theme, in sorted order
        self._theme_bits = {t: 1 << i for i, t in enumerate(sorted(self.topic_themes))}
        self._org_theme_bits: dict[frozenset[str], int] = {}  # declared themes -> bits
        # concept id -> (topic concept?, needs concept?, weight, bits of its themes shared
        # with the topic, term found -> text shown), for the concepts that count in relevance:
        # one pass over an organisation's concepts
        self._relevance_info: dict[str, tuple[bool, bool, float, int, dict[str, str]]] = {}
        for cid, concept in th.concepts.items():
            in_topic = cid in self.topic_matching
            in_needs = cid in self.need_concepts
            themes = self._theme_mask(concept.themes)
            if in_topic or in_needs or themes:
                self._relevance_info[cid] = (in_topic, in_needs, concept.weight, themes, {})
        # what the members other than a non-member organisation cover (see ``_others_cover``)
        self._covered = set(self.concept_cover)
        self._gaps = self.reference_concepts - self._covered
        self._no_experience = _component_score(
            Component.EXPERIENCE,
            0,
            self._w["experience"],
            (_shared_reason(Polarity.MINUS, N_("No past LIFE or EU project recorded")),),
        )

    def _theme_mask(self, themes: Iterable[str]) -> int:
        """The bits of the topic's themes among ``themes``."""
        bits = self._theme_bits
        mask = 0
        for theme in themes:
            mask |= bits.get(theme, 0)
        return mask

    def _weight(self, concept_ids: Iterable[str]) -> float:
        concepts = self.thesaurus.concepts
        return sum(concepts[c].weight for c in concept_ids)

    # ------------------------------------------------------------------ components

    def relevance(
        self, org: OrgProfile, matches: Mapping[str, str], forms: Mapping[str, str]
    ) -> ComponentScore:
        """Match with the topic and with the proposal's own actions and needs."""
        # the terms shown for the concepts hit, as ``Thesaurus.describe(matches, hit)`` gives
        topic_terms: list[str] = []
        need_terms: list[str] = []
        topic_weight = need_weight = 0.0
        # the topic's themes as bits (see ``_theme_bits``): declared ones | the concepts' ones
        themes = self._org_theme_bits.get(org.themes)
        if themes is None:
            themes = self._org_theme_bits[org.themes] = self._theme_mask(org.themes)
        info_of = self._relevance_info
        for cid, term in matches.items():  # in order of appearance in the text
            info = info_of.get(cid)
            if info is not None:
                in_topic, in_needs, weight, concept_themes, shown_of = info
                if in_topic or in_needs:
                    shown = shown_of.get(term)
                    if shown is None:
                        shown = shown_of[term] = self.thesaurus.describe({cid: term}, (cid,))
                    if in_topic:
                        topic_terms.append(shown)
                        topic_weight += weight
                    if in_needs:
                        need_terms.append(shown)
                        need_weight += weight
                themes |= concept_themes
        # the weighted mean of ``_mean_score``, part by part in the same order (same floats)
        total_w = acc = 0.0
        topic_text = need_text = None
        words: tuple[str, ...] = ()
        if self.topic_concepts:
            fraction = topic_weight / self._topic_saturation
            total_w += 4
            acc += 4 * (1.0 if fraction > 1 else fraction)
            if topic_terms:
                topic_text = ", ".join(topic_terms)
        if self.need_concepts:
            fraction = need_weight / self._need_saturation
            total_w += 3
            acc += 3 * (1.0 if fraction > 1 else fraction)
            if need_terms:
                need_text = ", ".join(need_terms)
        if self.topic_themes:
            # (declared themes | themes of the matched concepts) & the topic's themes
            fraction = themes.bit_count() / self._theme_saturation
            total_w += 2
            acc += 2 * (1.0 if fraction > 1 else fraction)
        if self.topic_tokens:
            # the words of the organisation whose stems the topic and needs have
            stems = self.topic_tokens.intersection(forms)
            fraction = len(stems) / _SATURATE_WORDS
            total_w += 1
            acc += 1.0 if fraction > 1 else fraction
            if stems:
                words = tuple(sorted([forms[stem] for stem in stems]))
        score = int(100.0 * acc / total_w + 0.5 + 1e-7) if total_w > 0 else 0
        # organisations with the same terms, themes and words share one component
        key = (score, topic_text, need_text, themes, words)
        cached = self._relevance.get(key)
        if cached is None:
            cached = self._relevance[key] = _tuple_new(
                ComponentScore,
                (
                    Component.RELEVANCE,
                    score,
                    self._w["relevance"],
                    self._relevance_reasons(topic_text, need_text, themes, words),
                ),
            )
        return cached

    def _relevance_reasons(
        self, topic_text: str | None, need_text: str | None, themes: int, words: tuple[str, ...]
    ) -> tuple[Reason, ...]:
        reasons: list[Reason] = []
        if self.topic_concepts:
            if topic_text is not None:
                reason = self._topic_reasons.get(topic_text)
                if reason is None:
                    reason = self._topic_reasons[topic_text] = _reason(
                        Polarity.PLUS, N_("Matches the topic on: %(terms)s"), terms=topic_text
                    )
                reasons.append(reason)
            else:
                reasons.append(self._no_topic_match)
        if self.need_concepts:
            if need_text is not None:
                reason = self._need_reasons.get(need_text)
                if reason is None:
                    reason = self._need_reasons[need_text] = _reason(
                        Polarity.PLUS,
                        N_("Matches this proposal's actions and needs on: %(terms)s"),
                        terms=need_text,
                    )
                reasons.append(reason)
            else:
                reasons.append(self._no_need_match)
        if self.topic_themes and themes:
            reason = self._theme_reasons.get(themes)
            if reason is None:
                labels = _theme_labels()
                reason = self._theme_reasons[themes] = _reason(
                    Polarity.PLUS,
                    N_("Shares themes with the topic: %(themes)s"),
                    themes=", ".join(
                        labels.get(t, t) for t, bit in self._theme_bits.items() if themes & bit
                    ),
                )
            reasons.append(reason)
        if self.topic_tokens and words:
            reason = self._word_reasons.get(words)
            if reason is None:
                reason = self._word_reasons[words] = _reason(
                    Polarity.PLUS,
                    N_("Words shared with the topic and needs (%(count)s): %(words)s"),
                    count=len(words),
                    words=", ".join(words[:_MAX_LISTED]),
                )
            reasons.append(reason)
        return tuple(reasons)

    def capacity(self, org: OrgProfile) -> ComponentScore:
        """Staff, annual budget against the expected share, EU-grant experience."""
        # _eu_level(org), with the folding of the declared level and of roles cached
        declared = org.eu_experience
        level = self._declared_levels.get(declared)
        if level is None:
            level = self._declared_levels[declared] = _EU_LEVELS.get(fast_fold(declared), 0)
        past = org.past_projects
        if past and level < 2:
            roles = self._coordinator_roles
            for project in past:
                role = project[4]
                coordinator = roles.get(role)
                if coordinator is None:
                    coordinator = roles[role] = (
                        role == "coordinator" or fast_fold(role) == "coordinator"
                    )
                if coordinator:
                    level = 2
                    break
            else:
                level = 1  # took part (the declared level is 0 or 1 here)
        staff, budget = org.staff, org.annual_budget_eur
        key = (staff, type(staff), budget, level)
        cached = self._capacity.get(key)
        if cached is None:
            cached = self._capacity[key] = self._capacity_of(staff, budget, level)
        return cached

    def _capacity_of(self, staff: int | None, budget: float | None, level: int) -> ComponentScore:
        # each part depends on one field: cached per value (the combinations are many more)
        staff_key = (staff, type(staff))
        staff_part = self._staff_parts.get(staff_key)
        if staff_part is None:
            staff_part = self._staff_parts[staff_key] = self._staff_part(staff)
        budget_part = self._budget_parts.get(budget)
        if budget_part is None:
            budget_part = self._budget_parts[budget] = self._budget_part(budget)
        f_staff, staff_reason = staff_part
        f_budget, budget_reason = budget_part
        f_eu = (0.0, 0.6, 1.0)[level]
        level_reason = (
            _shared_reason(Polarity.MINUS, N_("No experience of EU grants")),
            _shared_reason(Polarity.PLUS, N_("Has taken part in EU grants")),
            _shared_reason(Polarity.PLUS, N_("Has coordinated EU grants")),
        )[level]
        score = _mean_score([(1, f_staff), (2, f_budget), (1, f_eu)])
        return _component_score(
            Component.CAPACITY,
            score,
            self._w["capacity"],
            (staff_reason, budget_reason, level_reason),
        )

    def _staff_part(self, staff: int | None) -> tuple[float, Reason]:
        if staff is None:
            return 0.0, _shared_reason(Polarity.MINUS, N_("Staff not recorded"))
        f_staff = _tier(staff, ((50, 1.0), (10, 0.75), (3, 0.5), (1, 0.25)))
        return f_staff, _shared_reason(
            Polarity.PLUS if f_staff >= 0.5 else Polarity.MINUS,
            N_("Staff: %(staff)s"),
            staff=staff,
        )

    def _budget_part(self, budget: float | None) -> tuple[float, Reason]:
        share = self.consortium.expected_share_eur
        if budget is None or budget <= 0:
            return 0.0, _shared_reason(Polarity.MINUS, N_("Annual budget not recorded"))
        if share:
            ratio = share / self.duration_years / budget
            percent = int(round_half_up(min(ratio, 1e6) * 100))  # tiny budgets: no overflow
            if ratio <= 0.10:
                f_budget = 1.0
            elif ratio <= 0.25:
                f_budget = 0.75
            elif ratio <= MAX_YEARLY_SHARE_OF_BUDGET:
                f_budget = 0.5
            else:
                f_budget = 0.0
            return f_budget, _shared_reason(
                Polarity.PLUS if f_budget >= 0.75 else Polarity.MINUS,
                N_("The expected share would be %(percent)s%% of its annual budget per year"),
                percent=percent,
            )
        f_budget = _tier(budget, ((1_000_000, 1.0), (200_000, 0.75), (50_000, 0.5), (0, 0.25)))
        return f_budget, _shared_reason(
            Polarity.PLUS if f_budget >= 0.5 else Polarity.MINUS,
            N_("Annual budget of %(budget)s EUR"),
            budget=f"{budget:,.0f}",
        )

    def _past_project(self, project: PastProject) -> tuple[tuple[int, int, str], int, Reason]:
        """(sort key, points, reason) of one past project; the key sorts by points, year, label."""
        programme, reference, title, year, role = project
        # _is_life(project), with the programme's part cached (a few distinct programmes)
        kind = self._programmes.get(programme)
        if kind is None:
            folded = fast_fold(programme)
            kind = self._programmes[programme] = (
                "life" in folded.split() or folded.startswith("life"),
                programme.strip() or "EU",
            )
        life, shown = kind
        if life:
            shown = "LIFE"
        elif fast_fold(reference).startswith("life"):
            life, shown = True, "LIFE"
        terms = self._titles.get(title, _UNSEEN)
        if terms is _UNSEEN:
            th = self.thesaurus
            title_matches = th.analysis(title)[0]
            hit = [c for c in title_matches if c in self.relevant_concepts]
            terms = self._titles[title] = th.describe(title_matches, hit) if hit else None
        coordinator = self._coordinator_roles.get(role)
        if coordinator is None:
            coordinator = self._coordinator_roles[role] = (
                role == "coordinator" or fast_fold(role) == "coordinator"
            )
        points = (
            (25 if life else 15) + (15 if terms is not None else 0) + (10 if coordinator else 0)
        )
        # _project_label(project)
        label = reference.strip() or title.strip() or programme.strip()
        if year:
            label = f"{label} ({year})"
        # _reason(Polarity.PLUS, template, [terms=terms,] programme=..., project=..., role=...)
        reason = _new(Reason)
        if terms is not None:
            _set(reason, "template", _RELEVANT_PROJECT)
            _set(
                reason,
                "_params",
                {"terms": terms, "programme": shown, "project": label, "role": role},
            )
        else:
            _set(reason, "template", _PROJECT)
            _set(reason, "_params", {"programme": shown, "project": label, "role": role})
        _set(reason, "polarity", Polarity.PLUS)
        return ((-points, -(year or 0), label), points, reason)

    def _cache_project(self, project: PastProject) -> tuple[tuple[int, int, str], int, Reason]:
        scored = self._projects[project] = self._past_project(project)
        return scored

    def _scored_projects(
        self, past: tuple[PastProject, ...]
    ) -> list[tuple[tuple[int, int, str], int, Reason]]:
        """(sort key, points, reason) of each past project, each project scored once."""
        cache = self._projects
        get = cache.get
        scored = []
        for project in past:
            found = get(project)
            if found is None:
                found = cache[project] = self._past_project(project)
            scored.append(found)
        return scored

    def experience(self, org: OrgProfile) -> ComponentScore:
        """Past LIFE/EU projects, more for relevant ones and as coordinator."""
        past = org.past_projects
        if not past:
            return self._no_experience
        if len(past) == 1:
            project = past[0]
            # partners of one past project share it: score it once
            cached = self._projects.get(project)
            if cached is None:
                cached = self._projects[project] = self._past_project(project)
            points = cached[1]
            # _component_score(Component.EXPERIENCE, min(100, points), weight, (reason,))
            return _tuple_new(
                ComponentScore,
                (
                    Component.EXPERIENCE,
                    points if points < 100 else 100,
                    self._w["experience"],
                    (cached[2],),
                ),
            )
        scored = self._scored_projects(past)
        scored.sort(key=_first)
        listed = [s[2] for s in scored[:5]]
        if len(scored) > 5:
            listed.append(
                _reason(
                    Polarity.PLUS,
                    N_("Other past projects not listed: %(count)s"),
                    count=len(scored) - 5,
                )
            )
        score = min(100, sum([s[1] for s in scored]))
        return _component_score(Component.EXPERIENCE, score, self._w["experience"], tuple(listed))

    def _others_cover(self, org: OrgProfile) -> tuple[set[str], Counter[str], Counter[str]]:
        """Concepts, types and countries of the members other than ``org``."""
        cover = self.concept_cover
        types = self.type_count
        countries = self.country_count
        if org.id in self.members:
            member = self.members[org.id]
            cover = cover - Counter(self.member_concepts[org.id])
            types = types - Counter([member.org_type])
            code = self.countries.normalise(member.country)
            countries = countries - Counter([code] if code else [])
        return set(cover), types, countries

    def complementarity(self, org: OrgProfile, matches: Mapping[str, str]) -> ComponentScore:
        """What the organisation adds that the rest of the consortium lacks."""
        if org.id in self.members:
            covered, types, countries = self._others_cover(org)
            return self._complementarity_of(org, matches, covered, types, countries)
        # a non-member is compared with every member: the result depends only on the gaps it
        # fills (with the terms found), its type and its country
        gaps = self._gaps
        key = (
            tuple([(c, matches[c]) for c in matches if c in gaps])
            if gaps and not gaps.isdisjoint(matches)
            else (),
            org.org_type,
            org.country,
        )
        cached = self._complementarity.get(key)
        if cached is None:
            cached = self._complementarity[key] = self._complementarity_of(
                org, matches, self._covered, self.type_count, self.country_count
            )
        return cached

    def _complementarity_of(
        self,
        org: OrgProfile,
        matches: Mapping[str, str],
        covered: set[str],
        types: Counter[str],
        countries: Counter[str],
    ) -> ComponentScore:
        th = self.thesaurus
        parts: list[tuple[float, float]] = []
        reasons: list[Reason] = []
        ref = self.reference_concepts
        if ref:
            gaps = ref - covered
            adds = [c for c in matches if c in gaps]
            f_gap = len(adds) / min(_SATURATE_CONCEPTS, len(gaps)) if gaps else 0.0
            parts.append((3, f_gap))
            if adds:
                reasons.append(
                    _reason(
                        Polarity.PLUS,
                        N_("Brings what the consortium lacks: %(terms)s"),
                        terms=th.describe(matches, adds),
                    )
                )
            elif gaps:
                missing = sorted(gaps, key=lambda c: th.concepts[c].label)[:_MAX_LISTED]
                reasons.append(
                    _reason(
                        Polarity.MINUS,
                        N_("Brings none of what the consortium lacks (%(missing)s)"),
                        missing=", ".join(th.concepts[c].label for c in missing),
                    )
                )
            else:
                reasons.append(
                    _reason(
                        Polarity.MINUS, N_("The members already cover all the needs identified")
                    )
                )
        type_label = _ORG_TYPE_LABELS.get(org.org_type, org.org_type)
        if types[org.org_type] == 0:
            parts.append((1, 1.0))
            reasons.append(
                _shared_reason(
                    Polarity.PLUS,
                    N_("Adds an organisation type the consortium lacks: %(type)s"),
                    type=type_label,
                )
            )
        else:
            parts.append((1, 0.0))
            reasons.append(
                _shared_reason(
                    Polarity.MINUS,
                    N_("Its type (%(type)s) is already in the consortium"),
                    type=type_label,
                )
            )
        needed = self.topic.min_countries or 0
        if needed > 1:
            code = self.countries.normalise(org.country)
            have = len(+countries)
            adds_country = bool(code) and countries[code or ""] == 0 and have < needed
            parts.append((1, 1.0 if adds_country else 0.0))
            if adds_country:
                reasons.append(
                    _shared_reason(
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
            elif have >= needed:
                reasons.append(
                    _shared_reason(
                        Polarity.MINUS,
                        N_(
                            "The consortium already has the %(required)s countries "
                            "the topic requires"
                        ),
                        required=needed,
                    )
                )
            else:
                reasons.append(
                    _shared_reason(
                        Polarity.MINUS,
                        N_(
                            "Adds no new country (the topic requires %(required)s, "
                            "the consortium has %(count)s)"
                        ),
                        required=needed,
                        count=have,
                    )
                )
        score = _mean_score(parts)
        return _component_score(
            Component.COMPLEMENTARITY,
            score,
            self._w["complementarity"],
            tuple(reasons),
        )

    def network(self, org: OrgProfile) -> ComponentScore:
        """Ties to current members (trust) and bridges to organisations they do not reach."""
        oid = org.id
        if oid in self.members:
            return self._member_network(org)
        # a non-member: its ties are the members among its neighbours or listing it, its
        # bridges the neighbours no member reaches; the result depends on those alone
        own = self.neighbours.get(oid, _NONE)
        if own.__class__ is not set and own.__class__ is not frozenset:
            own = frozenset(own)
        pointed = self.pointed_by.get(oid)
        if pointed is None and self.reached.isdisjoint(own):
            # the common case: no member among its neighbours (members are reached) nor
            # listing it, and every neighbour but itself a bridge; the same key as below
            n_bridges = len(own) - (oid in own)
            key = (_NONE, n_bridges, n_bridges > 0)
            cached = self._network.get(key)
            if cached is None:
                cached = self._network[key] = self._network_of(
                    self.member_ids, _NONE, n_bridges, n_bridges > 0
                )
            return cached
        member_ids = self.member_ids
        if pointed or not member_ids.isdisjoint(own):
            ties = frozenset(member_ids.intersection(own))
            if pointed:
                ties = ties | pointed
        else:
            ties = _NONE
        bridges = own - self.reached
        n_bridges = len(bridges) - (oid in bridges)
        has_own = len(own) > 1 or (len(own) == 1 and oid not in own)  # own and own != {oid}
        key = (ties, n_bridges, has_own)
        cached = self._network.get(key)
        if cached is None:
            cached = self._network[key] = self._network_of(member_ids, ties, n_bridges, has_own)
        return cached

    def _member_network(self, org: OrgProfile) -> ComponentScore:
        others = self.member_ids - {org.id}
        own = frozenset(self.neighbours.get(org.id, ())) - {org.id}
        ties = (own & others) | (self.pointed_by.get(org.id, set()) - {org.id})
        counts = self.reach_count - Counter(self.member_nb[org.id])
        reached = set(+counts) | others
        bridges = own - reached - {org.id}
        return self._network_of(others, ties, len(bridges), bool(own))

    def _network_of(
        self, others: Iterable[int], ties: Iterable[int], n_bridges: int, has_own: bool
    ) -> ComponentScore:
        parts: list[tuple[float, float]] = []
        reasons: list[Reason] = []
        if others:
            n_others = len(others)  # type: ignore[arg-type]
            n_ties = len(ties)  # type: ignore[arg-type]
            parts.append((2, n_ties / min(_SATURATE_CONCEPTS, n_others)))
            if ties:
                names = sorted((self.members[m].name for m in ties), key=fast_fold)
                reasons.append(
                    _reason(
                        Polarity.PLUS,
                        N_("Already works with members of the consortium: %(names)s (%(count)s)"),
                        count=n_ties,
                        names=", ".join(names[:_MAX_LISTED]),
                    )
                )
            else:
                reasons.append(
                    _shared_reason(Polarity.MINUS, N_("No known tie with current members"))
                )
        parts.append((1, n_bridges / 3))
        if n_bridges:
            reasons.append(
                _shared_reason(
                    Polarity.PLUS,
                    N_("Organisations it reaches that no member reaches yet: %(count)s"),
                    count=n_bridges,
                )
            )
        elif not has_own:
            reasons.append(_shared_reason(Polarity.MINUS, N_("No known cooperation ties")))
        score = _mean_score(parts)
        return _component_score(Component.NETWORK, score, self._w["network"], tuple(reasons))

    def engagement(self, org: OrgProfile) -> ComponentScore:
        """Workshop attendance and outputs contributed."""
        key = (org.workshops_attended, org.outputs_contributed)
        cached = self._engagement.get(key)
        if cached is None:
            cached = self._engagement[key] = self._engagement_of(*key)
        return cached

    def _engagement_of(self, attended: int, outputs: int) -> ComponentScore:
        held = self.consortium.workshops_held
        attended = max(0, attended)
        outputs = max(0, outputs)
        parts: list[tuple[float, float]] = []
        reasons: list[Reason] = []
        if held > 0:
            parts.append((2, attended / held))
            if attended:
                reasons.append(
                    _shared_reason(
                        Polarity.PLUS,
                        N_("Attended %(attended)s of %(held)s workshops"),
                        attended=attended,
                        held=held,
                    )
                )
            else:
                reasons.append(_shared_reason(Polarity.MINUS, N_("Attended no workshop yet")))
        parts.append((1, outputs / 3))
        if outputs:
            reasons.append(
                _shared_reason(
                    Polarity.PLUS, N_("Workshop outputs contributed: %(count)s"), count=outputs
                )
            )
        else:
            reasons.append(_shared_reason(Polarity.MINUS, N_("No workshop output contributed yet")))
        score = _mean_score(parts)
        return _component_score(Component.ENGAGEMENT, score, self._w["engagement"], tuple(reasons))

    # ------------------------------------------------------------------ totals

    def score(self, org: OrgProfile) -> FitScore:
        """The full explained score of one organisation."""
        # eligibility depends on a few fields only: many organisations share one result
        pic = org.pic
        key = (
            org.natural_person,
            org.org_type == "international",
            org.country,
            # _is_pic(pic.strip()), inline
            pic if pic is None or len(stripped := pic.strip()) != 9 or not stripped.isdecimal()
            else True,
        )
        cached = self._eligibility.get(key)
        if cached is None:
            elig = assess_eligibility(org, self.countries)
            cached = self._eligibility[key] = (
                elig,
                _component_score(
                    Component.ELIGIBILITY, elig.score, self._w["eligibility"], elig.reasons
                ),
                elig.flags,
            )
        elig, eligibility, flags = cached
        matches, forms = self.thesaurus.analysis(org.text)
        relevance = self.relevance(org, matches, forms)
        capacity = self.capacity(org)
        experience = self.experience(org)
        complementarity = self.complementarity(org, matches)
        network = self.network(org)
        # self.engagement(org), without the call
        key = (org.workshops_attended, org.outputs_contributed)
        engagement = self._engagement.get(key)
        if engagement is None:
            engagement = self._engagement[key] = self._engagement_of(*key)
        # the weighted mean, summed in component order (the same floats as a loop from 0.0),
        # then round_half_up(weighted, 1) for a total that is never negative, capped at 100
        # (by position: [2] is the weight, [1] the score of a ComponentScore)
        weighted = (
            eligibility[2] * eligibility[1]
            + relevance[2] * relevance[1]
            + capacity[2] * capacity[1]
            + experience[2] * experience[1]
            + complementarity[2] * complementarity[1]
            + network[2] * network[1]
            + engagement[2] * engagement[1]
        )
        total = _floor(weighted * 10 + 0.5 + 1e-7) / 10
        if total > 100.0:
            total = 100.0
        return _tuple_new(
            FitScore,
            (
                org.id,
                org.name,
                total,
                elig.eligible,
                elig.status,
                flags,
                (
                    eligibility,
                    relevance,
                    capacity,
                    experience,
                    complementarity,
                    network,
                    engagement,
                ),
            ),
        )

    def rank(self, orgs: Iterable[OrgProfile]) -> list[FitScore]:
        """Scores sorted: eligible first, then by total, then name, then id."""
        # Scoring builds many small immutable objects and no cycles: see ``paused_gc``.
        with paused_gc():
            score = self.score
            scores = [score(o) for o in orgs]
            scores.sort(key=_sort_key)
        return scores

    def coverage(self, extra: Iterable[str] = (), without: int | None = None) -> frozenset[str]:
        """Reference concepts (needs, else topic) covered by the members, +extra, -one member."""
        covered: set[str] = set()
        for mid, concepts in self.member_concepts.items():
            if mid != without:
                covered |= concepts
        covered |= set(extra)
        return frozenset(covered & self.reference_concepts)


def prepare(
    topic: TopicProfile,
    consortium: ConsortiumProfile,
    neighbours: Mapping[int, Iterable[int]] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    thesaurus: Thesaurus | None = None,
    countries: CountryList | None = None,
) -> Prepared:
    """Precompute topic and consortium data once; weights default to the action type's."""
    return Prepared(
        topic, consortium, neighbours or {}, weights, thesaurus=thesaurus, countries=countries
    )


def score(
    org: OrgProfile,
    topic: TopicProfile,
    consortium: ConsortiumProfile,
    neighbours: Mapping[int, Iterable[int]] | None = None,
    weights: Mapping[str, float] | None = None,
) -> FitScore:
    """Score one organisation (prefer :func:`prepare` when scoring many)."""
    return prepare(topic, consortium, neighbours, weights).score(org)


def rank(
    orgs: Iterable[OrgProfile],
    topic: TopicProfile,
    consortium: ConsortiumProfile,
    neighbours: Mapping[int, Iterable[int]] | None = None,
    weights: Mapping[str, float] | None = None,
) -> list[FitScore]:
    """Score and sort organisations: eligible first, total descending, then name and id."""
    return prepare(topic, consortium, neighbours, weights).rank(orgs)


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


def what_if(
    orgs: Sequence[OrgProfile],
    topic: TopicProfile,
    consortium: ConsortiumProfile,
    candidate: OrgProfile,
    neighbours: Mapping[int, Iterable[int]] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    remove: bool = False,
) -> WhatIf:
    """Recompute coverage and the others' scores with ``candidate`` added (or removed)."""
    before = prepare(topic, consortium, neighbours, weights)
    if remove:
        members = tuple(m for m in consortium.members if m.id != candidate.id)
    else:
        members = (*(m for m in consortium.members if m.id != candidate.id), candidate)
    changed = ConsortiumProfile(
        members=members,
        needs_text=consortium.needs_text,
        expected_share_eur=consortium.expected_share_eur,
        duration_months=consortium.duration_months,
        workshops_held=consortium.workshops_held,
    )
    after = prepare(
        topic, changed, neighbours, weights, thesaurus=before.thesaurus, countries=before.countries
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
        countries_before=len(+before.country_count),
        countries_after=len(+after.country_count),
        changes=tuple(changes),
    )

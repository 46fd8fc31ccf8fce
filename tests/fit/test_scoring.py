"""Fit scoring: hand-computed components and totals, eligibility gate, properties."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.fit.scoring import (
    Component,
    ConsortiumProfile,
    EligibilityStatus,
    OrgProfile,
    PastProject,
    Polarity,
    Reason,
    TopicProfile,
    WeightsError,
    assess_eligibility,
    default_weights,
    formula,
    formula_text,
    load_eligible_countries,
    make_org_profile,
    make_past_project,
    paused_gc,
    prepare,
    rank,
    round_half_up,
    score,
    validate_weights,
    what_if,
)
from consortium.fit.thesaurus import Concept, Thesaurus

# A tiny thesaurus keeps the hand computations readable.
TINY = Thesaurus(
    [
        Concept("reuse", ("reuse",), ("réemploi",), frozenset({"circular_economy_waste"})),
        Concept("construction", ("construction",), ("BTP",), frozenset({"buildings"})),
        Concept(
            "greening", ("urban greening",), ("végétalisation",), frozenset({"nature_in_city"})
        ),
        Concept(
            "compost",
            ("compost",),
            ("compostage",),
            frozenset({"circular_economy_waste", "urban_agriculture_food"}),
        ),
        Concept(
            "research",
            ("research",),
            ("recherche",),
            frozenset({"research_innovation"}),
            generic=True,
        ),
    ]
)

TOPIC = TopicProfile(
    topic_id="LIFE-2026-SAP-ENV-ENVIRONMENT",
    action_type="SAP",
    sub_programme="ENV",
    text="Reuse in construction. Urban greening.",
    subtopics=("Research",),
    funding_rate=0.6,
)
CITY = OrgProfile(
    id=1,
    name="Ville de Marseille",
    org_type="public_authority",
    country="FR",
    pic="999999999",
    text="Végétalisation de la ville",
)
CONSORTIUM = ConsortiumProfile(
    members=(CITY,),
    needs_text=("Plateforme de réemploi", "Compostage partagé"),
    expected_share_eur=60_000.0,
    duration_months=36,
)
NEIGHBOURS = {2: frozenset({1, 10, 11}), 1: frozenset({2, 10})}
ORG = OrgProfile(
    id=2,
    name="Réemploi Sud",
    org_type="social_economy",
    country="FR",
    pic="123456789",
    themes=frozenset({"buildings"}),
    text="Association de réemploi dans le BTP",
    staff=4,
    annual_budget_eur=200_000.0,
    eu_experience="participant",
    past_projects=(
        PastProject("LIFE", "LIFE19 ENV/FR/000123", "Réemploi des matériaux", 2020, "partner"),
        PastProject("Interreg MED", "", "Mobility", 2018, "coordinator"),
    ),
    workshops_attended=2,
    outputs_contributed=1,
)


def prepared(**changes: object):
    weights = changes.pop("weights", None)
    consortium = changes.pop("consortium", CONSORTIUM)
    return prepare(TOPIC, consortium, NEIGHBOURS, weights, thesaurus=TINY)


def fit(org: OrgProfile = ORG, **changes: object):
    return prepared(**changes).score(org)


# --------------------------------------------------------------------------- exact values


def test_component_scores_hand_computed() -> None:
    result = fit()
    scores = {c.component: c.score for c in result.components}
    assert scores == {
        # FR, valid PIC
        Component.ELIGIBILITY: 100,
        # topic 4 x 2/3 + needs 3 x 1/2 + themes 2 x 2/2 + words 1 x 1/8, over 10 -> 62.9
        Component.RELEVANCE: 63,
        # staff 4 -> .5; 60k over 3 years = 10% of 200k -> 1 (x2); coordinated (Interreg) -> 1
        Component.CAPACITY: 88,
        # LIFE 25 + relevant 15; Interreg 15 + coordinator 10
        Component.EXPERIENCE: 65,
        # adds reuse: 1 of the 2 gaps (x3 -> .5), new type (x1): 62.5 rounded half up
        Component.COMPLEMENTARITY: 63,
        # tied to the city (2 x 1), one bridge to 11 (1 x 1/3)
        Component.NETWORK: 78,
        # attended 2 of 3 (x2), 1 output of 3 (x1)
        Component.ENGAGEMENT: 56,
    }
    # SAP weights 10/45/5/10/10/5/15:
    # 10 + 28.35 + 4.4 + 6.5 + 6.3 + 3.9 + 8.4 = 67.85 -> 67.9
    assert result.total == 67.9
    assert result.eligible is True
    assert result.status is EligibilityStatus.ELIGIBLE
    assert result.flags == ()
    assert [c.weight for c in result.components] == [0.1, 0.45, 0.05, 0.1, 0.1, 0.05, 0.15]


def test_relevance_reasons_name_the_matched_terms() -> None:
    reasons = fit().component(Component.RELEVANCE).reasons
    assert [(r.polarity, r.text()) for r in reasons] == [
        (Polarity.PLUS, "Matches the topic on: reuse (réemploi), construction (BTP)"),
        (Polarity.PLUS, "Matches this proposal's actions and needs on: reuse (réemploi)"),
        (
            Polarity.PLUS,
            "Shares themes with the topic: Buildings and construction, Circular economy and waste",
        ),
        (Polarity.PLUS, "Words shared with the topic and needs (1): reemploi"),
    ]
    assert reasons[0] == Reason(
        "Matches the topic on: %(terms)s", {"terms": "reuse (réemploi), construction (BTP)"}, "+"
    )


def test_other_reasons() -> None:
    result = fit()
    texts = {c.component: [r.text() for r in c.reasons] for c in result.components}
    assert texts[Component.ELIGIBILITY] == ["Established in an EU member state (FR)"]
    assert texts[Component.CAPACITY] == [
        "Staff: 4",
        "The expected share would be 10% of its annual budget per year",
        "Has coordinated EU grants",
    ]
    assert texts[Component.EXPERIENCE] == [
        "LIFE project LIFE19 ENV/FR/000123 (2020) as partner, relevant to this topic "
        "(reuse (réemploi))",
        "Interreg MED project Mobility (2018) as coordinator",
    ]
    assert texts[Component.COMPLEMENTARITY] == [
        "Brings what the consortium lacks: reuse (réemploi)",
        "Adds an organisation type the consortium lacks: social economy",
    ]
    assert texts[Component.NETWORK] == [
        "Already works with members of the consortium: Ville de Marseille (1)",
        "Organisations it reaches that no member reaches yet: 1",
    ]
    assert texts[Component.ENGAGEMENT] == [
        "Attended 2 of 3 workshops",
        "Workshop outputs contributed: 1",
    ]


def test_empty_profile_scores() -> None:
    bare = OrgProfile(id=5, name="Inconnue")
    result = fit(bare)
    scores = {c.component: c.score for c in result.components}
    assert scores == {
        Component.ELIGIBILITY: 30,  # country unknown 50, PIC missing -20
        Component.RELEVANCE: 0,
        Component.CAPACITY: 0,
        Component.EXPERIENCE: 0,
        Component.COMPLEMENTARITY: 25,  # new type "other" only (1 of 4)
        Component.NETWORK: 0,
        Component.ENGAGEMENT: 0,
    }
    # 0.1 x 30 + 0.1 x 25 = 5.5
    assert result.total == 5.5
    assert result.eligible is False
    assert result.status is EligibilityStatus.UNKNOWN_COUNTRY
    assert [r.text() for r in result.flags] == [
        "Country not recorded: eligibility cannot be checked",
        "PIC missing: every beneficiary needs a 9-digit PIC before submission",
    ]


def test_capacity_tiers_against_share() -> None:
    def capacity(budget: float | None, share: float | None, staff: int | None = 60) -> int:
        consortium = dataclasses.replace(CONSORTIUM, expected_share_eur=share)
        org = dataclasses.replace(
            ORG, annual_budget_eur=budget, staff=staff, past_projects=(), eu_experience="none"
        )
        return fit(org, consortium=consortium).component(Component.CAPACITY).score

    # staff 60 -> 1 (x1), EU none -> 0 (x1), budget (x2)
    assert capacity(300_000.0, 90_000.0) == 75  # 10 % a year -> 1
    assert capacity(100_000.0, 60_000.0) == 63  # 20 % -> .75 : (1 + 1.5) / 4 = 62.5
    assert capacity(50_000.0, 60_000.0) == 50  # 40 % -> .5
    assert capacity(30_000.0, 60_000.0) == 25  # 67 % -> 0
    assert capacity(2_000_000.0, None) == 75  # no share: budget size >= 1M -> 1
    assert capacity(20_000.0, None) == 38  # < 50k -> .25 : (1 + .5) / 4 = 37.5
    assert capacity(None, 60_000.0, None) == 0


def test_experience_is_capped_at_100() -> None:
    projects = tuple(
        PastProject("LIFE", f"LIFE2{i} ENV/FR/00000{i}", "Reuse", 2020 + i, "coordinator")
        for i in range(3)
    )
    org = dataclasses.replace(ORG, past_projects=projects)
    assert fit(org).component(Component.EXPERIENCE).score == 100  # 3 x 50, capped


def test_experience_lists_five_projects_then_counts() -> None:
    projects = tuple(PastProject("Horizon 2020", f"H{i}", "X", 2010 + i) for i in range(7))
    reasons = (
        fit(dataclasses.replace(ORG, past_projects=projects))
        .component(Component.EXPERIENCE)
        .reasons
    )
    assert [r.text() for r in reasons] == [
        "Horizon 2020 project H6 (2016) as partner",
        "Horizon 2020 project H5 (2015) as partner",
        "Horizon 2020 project H4 (2014) as partner",
        "Horizon 2020 project H3 (2013) as partner",
        "Horizon 2020 project H2 (2012) as partner",
        "Other past projects not listed: 2",
    ]


def test_complementarity_counts_countries_when_topic_needs_several() -> None:
    topic = dataclasses.replace(TOPIC, min_countries=3)
    italian = dataclasses.replace(ORG, id=3, country="IT", text="Compostage et réemploi")
    p = prepare(topic, CONSORTIUM, NEIGHBOURS, thesaurus=TINY)
    comp = p.score(italian).component(Component.COMPLEMENTARITY)
    # gaps reuse + compost both added (3 x 1), new type (1), new country (1): 100
    assert comp.score == 100
    assert comp.reasons[-1].text() == (
        "Adds a country (IT): the topic requires 3, the consortium has 1"
    )
    french = p.score(dataclasses.replace(italian, country="FR")).component(
        Component.COMPLEMENTARITY
    )
    assert french.score == 80


def test_member_is_measured_against_the_others() -> None:
    # the city itself is the only member: nothing else covers anything, its type is new
    comp = fit(CITY).component(Component.COMPLEMENTARITY)
    assert comp.score == 25  # gaps reuse, compost: city brings none (0); new type (1) -> 1/4
    net = fit(CITY).component(Component.NETWORK)
    assert net.score == 67  # no other member: only bridges {2, 10} -> 2/3


def test_eligibility_rules() -> None:
    countries = load_eligible_countries()

    def status(**changes: object) -> tuple[EligibilityStatus, int, list[str]]:
        org = dataclasses.replace(ORG, **changes)
        result = assess_eligibility(org, countries)
        return result.status, result.score, [r.text() for r in result.flags]

    assert status(country="nc") == (EligibilityStatus.ELIGIBLE, 100, [])
    assert status(country="EL") == (EligibilityStatus.ELIGIBLE, 100, [])
    assert status(country="RE") == (EligibilityStatus.ELIGIBLE, 100, [])
    assert status(country="UA") == (
        EligibilityStatus.ELIGIBLE,
        100,
        [
            "Association of UA to LIFE is only partly confirmed (list as of "
            f"{countries.as_of}): check the call document"
        ],
    )
    assert status(country="US") == (
        EligibilityStatus.ASSOCIATED_PARTNER_ONLY,
        20,
        [
            "Established in US, a country not associated to LIFE: only as associated partner, "
            "at its own cost"
        ],
    )
    assert status(country="US", org_type="international") == (EligibilityStatus.ELIGIBLE, 100, [])
    assert status(natural_person=True, pic=None) == (
        EligibilityStatus.NOT_ELIGIBLE,
        0,
        [
            "Natural persons cannot take part in LIFE",
            "PIC missing: every beneficiary needs a 9-digit PIC before submission",
        ],
    )
    assert status(pic="12345") == (
        EligibilityStatus.ELIGIBLE,
        80,
        ["PIC 12345 is not a 9-digit number"],
    )


def test_country_list_data() -> None:
    countries = load_eligible_countries()
    assert len(countries.member_states) == 27
    assert countries.check_call_document is True
    assert countries.as_of
    for code in ["GL", "NC", "PF", "PM", "WF", "BL", "TF", "AW", "CW", "SX", "BQ"]:
        assert countries.category(code) == "oct", code
    for code in ["IS", "UA", "MD", "MK", "ME"]:
        assert countries.category(code) == "associated"
        assert countries.associated[code] == "partly_confirmed"
    assert countries.category("AL") == "third_country"
    assert countries.category(" fr ") == "member_state"
    assert countries.category("") is None


# --------------------------------------------------------------------------- weights


def test_default_weights_per_action_type() -> None:
    sap = default_weights("SAP")
    # relevance dominates for SAP topics; workshop engagement is the territory's own signal
    assert sap == {
        "eligibility": 10.0,
        "relevance": 45.0,
        "capacity": 5.0,
        "experience": 10.0,
        "complementarity": 10.0,
        "network": 5.0,
        "engagement": 15.0,
    }
    assert max(sap, key=sap.__getitem__) == "relevance"
    assert sap["relevance"] > sum(sap[c] for c in ("capacity", "complementarity", "network"))
    assert default_weights("csa") == default_weights("OAG")
    assert default_weights("TA-PP-NAT-SNAP") == default_weights("TA")
    assert default_weights("NGO-OG-SGA")["engagement"] == 0.0
    assert default_weights("unknown") == sap
    assert default_weights(None) == sap
    for action in ["SAP", "SIP", "SNAP", "TA", "OAG", "PLP", "OG"]:
        assert sum(default_weights(action).values()) == 100.0


def test_validate_weights() -> None:
    assert validate_weights({"relevance": 3, "network": 1}) == {
        Component.ELIGIBILITY: 0.0,
        Component.RELEVANCE: 0.75,
        Component.CAPACITY: 0.0,
        Component.EXPERIENCE: 0.0,
        Component.COMPLEMENTARITY: 0.0,
        Component.NETWORK: 0.25,
        Component.ENGAGEMENT: 0.0,
    }
    with pytest.raises(WeightsError) as err:
        validate_weights({"relevance": -1})
    assert err.value.template == "The weight of %(component)s must be zero or more"
    assert err.value.params == {"component": "relevance"}
    with pytest.raises(WeightsError, match="Unknown component in weights: charm"):
        validate_weights({"charm": 1})
    with pytest.raises(WeightsError, match="At least one weight must be above zero"):
        validate_weights({"relevance": 0})
    with pytest.raises(WeightsError, match="must be a number"):
        validate_weights({"relevance": "high"})  # type: ignore[dict-item]


def test_custom_weights_change_total() -> None:
    # relevance only: the total is the relevance score
    assert fit(weights={"relevance": 1}).total == 63.0
    assert fit(weights={"relevance": 1, "network": 1}).total == 70.5  # (63 + 78) / 2


def test_formula() -> None:
    f = formula(default_weights("SAP"))
    assert f.terms[:2] == ((Component.ELIGIBILITY, 10.0), (Component.RELEVANCE, 45.0))
    assert formula_text({"relevance": 2, "network": 1}) == (
        "Total = weighted mean of the component scores (each 0-100): "
        "66.7% × relevance + 33.3% × network"
    )


def test_round_half_up() -> None:
    assert round_half_up(71.45, 1) == 71.5
    assert round_half_up(62.5) == 63.0
    assert round_half_up(0.1 * 625) == 63.0
    assert round_half_up(2.449, 1) == 2.4
    assert round_half_up(-1.25, 1) == -1.3


# --------------------------------------------------------------------------- ranking


def test_rank_order_and_ties() -> None:
    a = dataclasses.replace(ORG, id=20, name="Beta")
    b = dataclasses.replace(ORG, id=21, name="alpha")
    c = dataclasses.replace(ORG, id=19, name="Alpha")
    bad = dataclasses.replace(ORG, id=22, name="Aardvark", country="US")
    ranked = prepared().rank([a, bad, b, c])
    assert [s.org_id for s in ranked] == [19, 21, 20, 22]
    assert ranked[-1].eligible is False
    assert ranked[-1].total > 0


def test_module_level_score_and_rank() -> None:
    single = score(ORG, TOPIC, CONSORTIUM, NEIGHBOURS)
    assert single == rank([ORG], TOPIC, CONSORTIUM, NEIGHBOURS)[0]
    assert single.component(Component.RELEVANCE).score > 0


def test_real_thesaurus_french_org_matches_english_topic() -> None:
    topic = TopicProfile(
        "LIFE-2026-SAP-CLIMA-CCA",
        "SAP",
        "CLIMA",
        "Nature-based solutions for urban areas against the urban heat island; urban greening.",
    )
    org = OrgProfile(
        id=7,
        name="Les Jardiniers du Panier",
        org_type="ngo",
        country="FR",
        text="Végétalisation des rues et des cours d'école, solutions fondées sur la nature",
    )
    reasons = score(org, topic, ConsortiumProfile()).component(Component.RELEVANCE).reasons
    assert reasons[0].text() == (
        "Matches the topic on: urban greening (végétalisation), "
        "nature-based solutions (solutions fondées sur la nature)"
    )


def test_what_if_adding_a_candidate() -> None:
    candidate = dataclasses.replace(ORG, id=3, name="Compost Marseille", text="Compostage")
    others = [ORG, candidate]
    result = what_if(others, TOPIC, CONSORTIUM, candidate, NEIGHBOURS)
    # the real thesaurus: needs are réemploi (reuse) + compostage (composting)
    assert result.added is True
    assert result.newly_covered == ("composting",)
    assert result.lost == ()
    assert result.countries_before == result.countries_after == 1
    assert [c.org_id for c in result.changes] == [2]
    change = result.changes[0]
    assert change.after < change.before  # ORG's type is now present and composting covered
    removed = what_if(others, TOPIC, CONSORTIUM, CITY, NEIGHBOURS, remove=True)
    assert removed.added is False
    assert removed.countries_after == 0


# --------------------------------------------------------------------------- properties

PHRASES = [
    "réemploi",
    "BTP",
    "végétalisation",
    "compostage",
    "recherche",
    "reuse",
    "construction",
    "urban greening",
    "vélo",
    "tourisme",
]
THEME_CODES = ["buildings", "nature_in_city", "circular_economy_waste", "water", "energy"]


@st.composite
def orgs(draw: st.DrawFn, org_id: int | None = None) -> OrgProfile:
    return OrgProfile(
        id=org_id if org_id is not None else draw(st.integers(2, 10_000)),
        name=draw(st.text(min_size=1, max_size=8)),
        org_type=draw(st.sampled_from(["ngo", "sme", "research", "public_authority", "other"])),
        country=draw(st.sampled_from(["FR", "IT", "US", "UA", "NC", None])),
        natural_person=draw(st.booleans()),
        pic=draw(st.sampled_from([None, "123456789", "12"])),
        themes=frozenset(draw(st.lists(st.sampled_from(THEME_CODES), max_size=3))),
        text=" ".join(draw(st.lists(st.sampled_from(PHRASES), max_size=5))),
        staff=draw(st.none() | st.integers(0, 500)),
        annual_budget_eur=draw(st.none() | st.floats(0, 1e8)),
        eu_experience=draw(st.sampled_from(["none", "participant", "coordinator"])),
        past_projects=tuple(
            draw(
                st.lists(
                    st.builds(
                        PastProject,
                        st.sampled_from(["LIFE", "Interreg", "Horizon"]),
                        st.text(max_size=5),
                        st.sampled_from(PHRASES),
                        st.none() | st.integers(2000, 2025),
                        st.sampled_from(["coordinator", "partner"]),
                    ),
                    max_size=6,
                )
            )
        ),
        workshops_attended=draw(st.integers(0, 6)),
        outputs_contributed=draw(st.integers(0, 10)),
    )


weights_st = st.none() | st.dictionaries(
    st.sampled_from([c.value for c in Component]), st.integers(0, 10), min_size=1
).filter(lambda w: sum(w.values()) > 0)
share_st = st.none() | st.floats(1, 1e7)
neighbours_st = st.dictionaries(
    st.integers(1, 30), st.frozensets(st.integers(1, 30), max_size=5), max_size=10
)


@settings(max_examples=150, deadline=None)
@given(orgs(), weights_st, share_st, neighbours_st, st.integers(0, 4))
def test_scores_are_bounded(
    org: OrgProfile,
    weights: dict[str, int] | None,
    share: float | None,
    neighbours: dict[int, frozenset[int]],
    min_countries: int,
) -> None:
    topic = dataclasses.replace(TOPIC, min_countries=min_countries or None)
    consortium = dataclasses.replace(CONSORTIUM, expected_share_eur=share)
    result = prepare(topic, consortium, neighbours, weights).score(org)
    assert 0.0 <= result.total <= 100.0
    assert round_half_up(result.total, 1) == result.total
    for component in result.components:
        assert isinstance(component.score, int)
        assert 0 <= component.score <= 100
    assert abs(sum(c.weight for c in result.components) - 1.0) < 1e-9


@settings(max_examples=150, deadline=None)
@given(orgs(), st.sampled_from(PHRASES), st.sampled_from(THEME_CODES))
def test_adding_a_matching_term_or_theme_never_lowers_relevance(
    org: OrgProfile, term: str, theme: str
) -> None:
    p = prepare(TOPIC, CONSORTIUM, NEIGHBOURS)
    before = p.score(org).component(Component.RELEVANCE).score
    with_term = dataclasses.replace(org, text=org.text + "\n" + term)
    with_theme = dataclasses.replace(org, themes=org.themes | {theme})
    assert p.score(with_term).component(Component.RELEVANCE).score >= before
    assert p.score(with_theme).component(Component.RELEVANCE).score >= before


@settings(max_examples=100, deadline=None)
@given(
    orgs(org_id=100),
    st.sampled_from(
        [{"natural_person": True}, {"country": "US"}, {"country": None}, {"country": "CN"}]
    ),
    st.lists(orgs(), max_size=4, unique_by=lambda o: o.id),
    weights_st,
)
def test_ineligible_never_ranks_above_identical_eligible(
    org: OrgProfile, breaking: dict[str, object], crowd: list[OrgProfile], weights
) -> None:
    eligible = dataclasses.replace(org, natural_person=False, country="FR")
    ineligible = dataclasses.replace(eligible, id=101, **breaking)
    ranking = prepare(TOPIC, CONSORTIUM, NEIGHBOURS, weights).rank([ineligible, *crowd, eligible])
    ids = [s.org_id for s in ranking]
    assert ids.index(100) < ids.index(101)
    seen_ineligible = False
    for item in ranking:  # every eligible organisation comes before every ineligible one
        seen_ineligible = seen_ineligible or not item.eligible
        assert item.eligible is False or not seen_ineligible


@settings(max_examples=60, deadline=None)
@given(st.lists(orgs(), max_size=6, unique_by=lambda o: o.id), st.randoms(use_true_random=False))
def test_ranking_is_deterministic_and_order_independent(org_list, rnd) -> None:
    p = prepare(TOPIC, CONSORTIUM, NEIGHBOURS)
    first = p.rank(org_list)
    shuffled = list(org_list)
    rnd.shuffle(shuffled)
    assert p.rank(shuffled) == first
    assert prepare(TOPIC, CONSORTIUM, NEIGHBOURS).rank(org_list) == first


def test_as_dict_is_json_ready() -> None:
    data = fit().as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["total"] == 67.9
    assert data["components"][1]["reasons"][0] == {
        "template": "Matches the topic on: %(terms)s",
        "params": {"terms": "reuse (réemploi), construction (BTP)"},
        "polarity": "+",
        "text": "Matches the topic on: reuse (réemploi), construction (BTP)",
    }


def test_narrower_concept_matches_a_broader_topic_concept() -> None:
    def relevance_reasons(broader: tuple[str, ...]) -> list[str]:
        th = Thesaurus(
            [
                Concept("circular", ("circular economy",), ("économie circulaire",)),
                Concept("reuse", ("reuse",), ("réemploi",), broader=broader),
            ]
        )
        topic = TopicProfile(topic_id="T", text="The circular economy.")
        org = OrgProfile(id=7, name="RS", text="Association de réemploi")
        result = prepare(topic, ConsortiumProfile(), {}, thesaurus=th).score(org)
        return [r.text() for r in result.component(Component.RELEVANCE).reasons]

    assert relevance_reasons(()) == ["No match with the topic's key concepts"]
    assert relevance_reasons(("circular",)) == ["Matches the topic on: reuse (réemploi)"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(orgs(), min_size=1, max_size=8),
    weights_st,
    share_st,
    neighbours_st,
    st.integers(0, 4),
)
def test_shared_components_equal_fresh_scores(
    many: list[OrgProfile],
    weights: dict[str, int] | None,
    share: float | None,
    neighbours: dict[int, frozenset[int]],
    min_countries: int,
) -> None:
    """One Prepared scoring many organisations (caches shared) = a fresh one for each."""
    topic = dataclasses.replace(TOPIC, min_countries=min_countries or None)
    consortium = dataclasses.replace(CONSORTIUM, expected_share_eur=share)
    everyone = [*many, CITY, *reversed(many)]  # a member too, and repeats
    shared = prepare(topic, consortium, neighbours, weights, thesaurus=TINY)
    for org in everyone:
        fresh = prepare(topic, consortium, neighbours, weights, thesaurus=TINY).score(org)
        assert shared.score(org).as_dict() == fresh.as_dict()


def test_make_org_profile_equals_the_constructor() -> None:
    values = [getattr(ORG, f.name) for f in dataclasses.fields(OrgProfile)]
    built = make_org_profile(*values)
    assert built == ORG and hash(built) == hash(ORG)
    assert [getattr(built, f.name) for f in dataclasses.fields(OrgProfile)] == values
    project = ORG.past_projects[0]
    values = list(project)
    assert make_past_project(*values) == project
    # a plain tuple of the five fields stands for the same project
    assert tuple(values) == project and hash(tuple(values)) == hash(project)
    with pytest.raises(TypeError):
        make_org_profile(*values)  # every field, in order, is required
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.name = "x"  # type: ignore[misc]


def test_plain_project_tuples_score_like_past_projects() -> None:
    """The services pass the query's tuples as past projects: same scores and reasons."""
    plain = dataclasses.replace(ORG, past_projects=tuple(tuple(p) for p in ORG.past_projects))
    assert not isinstance(plain.past_projects[0], PastProject)
    assert fit(plain).as_dict() == fit(ORG).as_dict()


def test_reason_params_are_a_read_only_mapping() -> None:
    reason = Reason("Staff: %(staff)s", {"staff": 4}, Polarity.PLUS)
    assert reason.params == {"staff": 4} and dict(reason.params) == {"staff": 4}
    with pytest.raises(TypeError):
        reason.params["staff"] = 5  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        reason.template = "x"  # type: ignore[misc]
    assert reason == Reason("Staff: %(staff)s", {"staff": 4}, Polarity.PLUS)
    assert reason != Reason("Staff: %(staff)s", {"staff": 5}, Polarity.PLUS)
    assert reason.text() == "Staff: 4"
    assert reason.as_dict() == {
        "template": "Staff: %(staff)s",
        "params": {"staff": 4},
        "polarity": "+",
        "text": "Staff: 4",
    }
    assert Reason("No tie").params == {} and Reason("No tie").text() == "No tie"


def test_paused_gc_nests_and_restores() -> None:
    import gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), paused_gc():
        1 / 0  # noqa: B018
    assert gc.isenabled()

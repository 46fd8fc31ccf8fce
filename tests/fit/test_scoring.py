"""Fit scoring: the formula's rules on small directories, the eligibility gate, bad input.

Rules, not snapshots: each test states why one organisation must be above another.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortium.fit.scoring import (
    Component,
    ComponentScore,
    ConsortiumProfile,
    EligibilityStatus,
    FitIndex,
    OrgProfile,
    PastProject,
    Polarity,
    Terms,
    TopicCatalogue,
    TopicProfile,
    WeightsError,
    assess_eligibility,
    default_weights,
    formula,
    formula_text,
    gated_total,
    life_sub_programmes,
    load_eligible_countries,
    prepare,
    rank,
    round_half_up,
    score,
    shared_ranks,
    validate_weights,
    what_if,
)

TOPIC = TopicProfile(
    topic_id="LIFE-2026-SAP-ENV-ENVIRONMENT",
    text="Circular economy in construction: reuse of building materials, selective "
    "demolition and green roofs in cities.",
)
ORG = OrgProfile(
    id=2,
    name="Réemploi Sud",
    org_type="social_economy",
    country="FR",
    pic="123456789",
    text="Association de réemploi des matériaux dans le BTP",
)


def org(oid: int, text: str = "", **changes: object) -> OrgProfile:
    base = {"name": f"Org {oid}", "country": "FR", "pic": "123456789", "text": text}
    return OrgProfile(id=oid, **{**base, **changes})


def project(title: str, summary: str = "", **changes: object) -> PastProject:
    return PastProject(**{"programme": "H2020", "title": title, "summary": summary, **changes})


FILLER = [
    org(100 + i, text)
    for i, text in enumerate(
        [
            "Protection des dauphins et des baleines en Méditerranée",
            "Ligue des écoles pour l'éducation à l'environnement",
            "Renewable energy cooperative running solar panels",
            "Bureau d'études sur la qualité de l'air",
            "Urban farming association with community gardens",
            "Theatre company and cultural festival",
        ]
    )
]


def ranked(orgs: list[OrgProfile], topic: TopicProfile = TOPIC, **kwargs: object):
    everyone = [*orgs, *FILLER]
    return {f.org_id: f for f in rank(everyone, topic, ConsortiumProfile(), **kwargs)}


def relevance(fit) -> float:
    return fit.component(Component.RELEVANCE).fraction


# --------------------------------------------------------------------------- relevance


def test_a_french_description_meets_an_english_topic_through_shared_concepts() -> None:
    french = org(1, "Déconstruction sélective et réemploi des matériaux de construction")
    unrelated = org(2, "Observation des mammifères marins en mer")
    fits = ranked([french, unrelated])
    assert relevance(fits[1]) > 0.5 > relevance(fits[2])
    reasons = [r.text("en") for r in fits[1].component(Component.RELEVANCE).reasons]
    assert any(r.startswith("Matches the topic on:") and "reuse" in r for r in reasons)
    # the reader's language names the same concepts in French
    french_reasons = [r.text("fr") for r in fits[1].component(Component.RELEVANCE).reasons]
    assert any("réemploi" in r for r in french_reasons)


def test_a_narrower_concept_meets_a_broader_topic_term_at_a_discount() -> None:
    topic = TopicProfile("T", text="Waste management in cities")
    broad = org(1, "Waste management services")
    narrow = org(2, "Composting of biowaste")  # compost is narrower than waste in the thesaurus
    nothing = org(3, "Theatre company")
    fits = ranked([broad, narrow, nothing], topic)
    assert relevance(fits[1]) > relevance(fits[2]) > relevance(fits[3]) == 0.0


def test_length_does_not_win_by_volume() -> None:
    focused = org(1, "Réemploi des matériaux de construction et déconstruction sélective")
    # the same words drowned in a long text about everything else
    padded = org(
        2,
        "Réemploi des matériaux de construction et déconstruction sélective. "
        + "Nous organisons aussi des concerts, des fêtes de quartier et des ateliers de cuisine. "
        * 40,
    )
    fits = ranked([focused, padded])
    assert relevance(fits[1]) > relevance(fits[2])


def test_relevance_is_continuous_not_capped() -> None:
    # more matching ideas always count: no ceiling that several organisations reach together
    texts = [
        "Reuse",
        "Reuse of building materials",
        "Reuse of building materials and selective demolition",
        "Reuse of building materials, selective demolition, green roofs, circular economy",
    ]
    fits = ranked([org(i + 1, t) for i, t in enumerate(texts)])
    values = [relevance(fits[i + 1]) for i in range(len(texts))]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert all(0 < v < 1 for v in values)


def test_words_every_topic_of_the_catalogue_uses_weigh_less() -> None:
    topic = TopicProfile("T", text="Energy communities: citizens sharing renewable energy")
    catalogue = TopicCatalogue(
        [topic.text, "Energy efficiency of buildings", "Energy poverty", "Energy in industry"]
    )
    community = org(1, "Citizen communities cooperative")
    energy = org(2, "Energy energy energy consultancy")
    everyone = [community, energy, *FILLER]
    plain = {f.org_id: f for f in prepare(topic, ConsortiumProfile()).rank(everyone)}
    weighed = {
        f.org_id: f for f in prepare(topic, ConsortiumProfile(), catalogue=catalogue).rank(everyone)
    }
    # "energy" is in every topic of the call: once the catalogue is known it decides less
    # than the words this topic alone uses
    assert relevance(weighed[1]) > relevance(weighed[2])
    assert relevance(weighed[2]) / relevance(weighed[1]) < relevance(plain[2]) / relevance(plain[1])


# --------------------------------------------------------------------------- experience


def test_experience_counts_relevant_projects_not_their_number() -> None:
    relevant = org(1, past_projects=(project("Reuse of construction materials"),))
    many = org(
        2,
        past_projects=tuple(project(f"Battery chemistry study {i}") for i in range(30)),
    )
    fits = ranked([relevant, many])
    exp = {oid: fits[oid].component(Component.EXPERIENCE).fraction for oid in (1, 2)}
    assert exp[1] > exp[2]


def test_each_further_project_counts_half_the_one_before() -> None:
    one = org(1, past_projects=(project("Reuse of building materials", year=2020),))
    two = org(
        2,
        past_projects=(
            project("Reuse of building materials", year=2020),
            project("Reuse of building materials", year=2021),
        ),
    )
    fits = ranked([one, two])
    e1 = fits[1].component(Component.EXPERIENCE).fraction
    e2 = fits[2].component(Component.EXPERIENCE).fraction
    # v/2 for one project, v/2 + v/4 for two of the same value
    assert e2 == pytest.approx(e1 * 1.5)


def test_a_life_project_counts_more_than_another_programme() -> None:
    life = org(1, past_projects=(project("Reuse of building materials", programme="LIFE"),))
    other = org(2, past_projects=(project("Reuse of building materials", programme="Interreg"),))
    fits = ranked([life, other])
    assert (
        fits[1].component(Component.EXPERIENCE).fraction
        > fits[2].component(Component.EXPERIENCE).fraction
    )


@pytest.mark.parametrize(
    ("reference", "sub_programmes"),
    [
        ("LIFE18 CCA/FR/001150", {"CLIMA"}),
        ("LIFE21-CCM-LV-LIFE-PeatCarbon-101074396", {"CLIMA"}),
        ("LIFE22-IPE-LT-LIFE-SIP-Vanduo-101104645", {"ENV", "NAT"}),
        ("LIFE97 ENV/F/000170", {"ENV"}),
        (" life08 nat/s/000261 ", {"NAT"}),
        ("LIFE17 TCY/MA/000001", set()),  # third countries: no sub-programme
        ("HE-101056789", set()),
        ("", set()),
    ],
)
def test_a_life_reference_names_its_sub_programme(reference, sub_programmes) -> None:
    assert life_sub_programmes(reference) == sub_programmes
    assert project("x", programme="LIFE", reference=reference).sub_programmes == sub_programmes
    # a project of another programme has none, whatever its reference looks like
    assert project("x", programme="Interreg", reference="MED-ENV/1").sub_programmes == set()


def test_a_life_project_of_the_topic_sub_programme_counts_most() -> None:
    def done(oid: int, programme: str, reference: str) -> OrgProfile:
        work = project("Reuse of building materials", programme=programme, reference=reference)
        return org(oid, past_projects=(work,))

    orgs = [
        done(1, "LIFE", "LIFE19 ENV/FR/000789"),
        done(2, "LIFE", "LIFE20 NAT/FR/000456"),
        done(3, "LIFE", ""),  # the sub-programme is not known: it counts as the topic's
        done(4, "Interreg", "MED-2019-077"),
    ]
    env = dataclasses.replace(TOPIC, sub_programme="ENV")
    fits = ranked(orgs, env)
    exp = {oid: fits[oid].component(Component.EXPERIENCE) for oid in (1, 2, 3, 4)}
    # the same project text, so the same relevance: only its kind differs (1, 0.85, 1, 0.7)
    assert exp[2].fraction == pytest.approx(exp[1].fraction * 0.85)
    assert exp[3].fraction == pytest.approx(exp[1].fraction)
    assert exp[4].fraction == pytest.approx(exp[1].fraction * 0.7)
    note = "A LIFE project of another sub-programme than this topic's (ENV) counts a little less"
    assert [r.text() for r in exp[2].reasons][1:] == [note]
    assert exp[2].reasons[0].text().startswith("LIFE NAT project LIFE20 NAT/FR/000456 as partner")
    assert exp[1].reasons[0].text().startswith("LIFE ENV project LIFE19 ENV/FR/000789 as partner")
    assert all(note not in [r.text() for r in exp[oid].reasons] for oid in (1, 3, 4))
    # a topic whose sub-programme is not known counts every LIFE project alike
    unknown = ranked(orgs)
    fractions = {oid: unknown[oid].component(Component.EXPERIENCE).fraction for oid in (1, 2)}
    assert fractions[1] == fractions[2] == pytest.approx(exp[1].fraction)


def test_newcomers_are_told_neutrally() -> None:
    fits = ranked([ORG])
    reasons = fits[ORG.id].component(Component.EXPERIENCE).reasons
    assert [(r.polarity, r.text()) for r in reasons] == [
        (Polarity.NOTE, "New to EU projects: no past project recorded")
    ]


# --------------------------------------------------------------------------- order


def test_order_is_total_then_relevance_then_id_never_the_name() -> None:
    twins = [org(5, "Reuse of materials", name="Zeta"), org(4, "Reuse of materials", name="Alpha")]
    ranking = rank(twins, TOPIC, ConsortiumProfile())
    assert [f.org_id for f in ranking] == [4, 5]
    assert ranking[0].total == ranking[1].total
    assert shared_ranks(ranking) == {4: 1, 5: 1}
    renamed = rank(
        [dataclasses.replace(o, name=n) for o, n in zip(twins, ["Alpha", "Zeta"], strict=True)],
        TOPIC,
        ConsortiumProfile(),
    )
    assert [f.org_id for f in renamed] == [4, 5]


def test_shared_ranks_skip_after_a_tie() -> None:
    fits = rank(
        [org(1, "Reuse of materials"), org(2, "Reuse of materials"), org(3, "Theatre")],
        TOPIC,
        ConsortiumProfile(),
    )
    assert shared_ranks(fits) == {1: 1, 2: 1, 3: 3}


def test_an_ineligible_organisation_never_ranks_above_an_eligible_one() -> None:
    person = org(1, "Reuse of building materials, selective demolition", natural_person=True)
    weak = org(2, "Theatre company")
    ranking = rank([person, weak], TOPIC, ConsortiumProfile(), weights={"relevance": 1})
    assert [f.org_id for f in ranking] == [2, 1]


# --------------------------------------------------------------------------- other components


def test_network_uses_the_ties_given() -> None:
    member = org(1, "City")
    candidate = org(2, "Reuse of materials")
    consortium = ConsortiumProfile(members=(member,))
    tied = score(candidate, TOPIC, consortium, {2: {1, 50}, 1: {2}})
    alone = score(candidate, TOPIC, consortium, {})
    assert tied.component(Component.NETWORK).score > alone.component(Component.NETWORK).score
    texts = [r.text() for r in tied.component(Component.NETWORK).reasons]
    assert texts == [
        "Already works with members of the consortium: Org 1 (1)",
        "Organisations it reaches that no member reaches yet: 1",
    ]


def test_a_reason_repeated_across_organisations_is_one_shared_object() -> None:
    # fewer objects per ranking: 50,000 organisations repeat a few hundred distinct reasons
    fits = ranked([org(1, "Reuse of materials"), org(2, "Selective demolition")])
    first, second = (fits[i].component(Component.NETWORK).reasons for i in (1, 2))
    assert [r.text() for r in first] == ["No known cooperation ties"]
    assert first[0] is second[0]
    one, other = (fits[i].component(Component.ENGAGEMENT).reasons for i in (1, 2))
    assert len(one) == 2 and all(a is b for a, b in zip(one, other, strict=True))


def test_complementarity_names_what_the_consortium_lacks() -> None:
    member = org(1, "Green roofs in cities")
    consortium = ConsortiumProfile(members=(member,), needs_text=("Reuse of materials",))
    fit = score(org(2, "Réemploi des matériaux"), TOPIC, consortium)
    reason = fit.component(Component.COMPLEMENTARITY).reasons[0]
    assert reason.template == "Brings what the consortium lacks: %(terms)s"
    assert isinstance(reason.params["terms"], Terms)
    assert "reuse" in reason.text("en") and "réemploi" in reason.text("fr")


def test_what_if_moves_the_others_scores() -> None:
    member = org(1, "City", org_type="public_authority")
    candidate = org(2, "Reuse of materials", org_type="ngo")
    other = org(3, "Reuse platform", org_type="ngo")
    consortium = ConsortiumProfile(members=(member,), needs_text=("Reuse of materials",))
    result = what_if([member, candidate, other], TOPIC, consortium, candidate)
    assert result.added and result.org_id == 2
    assert 3 in {c.org_id for c in result.changes}  # its type is no longer new
    assert all(c.after < c.before for c in result.changes if c.org_id == 3)


# --------------------------------------------------------------------------- bad input


LANGUAGES = st.sampled_from(
    [
        "",
        "Wiederverwendung von Baustoffen und selektiver Rückbau in der Stadt",
        "Riutilizzo dei materiali da costruzione e demolizione selettiva",
        "Réemploi des matériaux",
        "Reuse of materials",
        "!!! ??? ...",
        "12345 67890",
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=LANGUAGES,
    repeat=st.integers(1, 400),
    n_projects=st.sampled_from([0, 1, 500]),
)
def test_any_text_and_any_number_of_projects_is_scored(text, repeat, n_projects) -> None:
    long_text = (text + " ") * repeat  # up to about 28,000 characters
    projects = tuple(project(f"Project {i} {text}", text) for i in range(n_projects))
    candidate = org(1, long_text[:20_000], past_projects=projects)
    fit = ranked([candidate])[1]
    assert 0.0 <= fit.total <= 100.0
    for component in fit.components:
        assert 0 <= component.score <= 100 and component.reasons
    json.dumps(fit.as_dict())
    if not long_text.strip() and not projects:
        texts = [r.text() for r in fit.component(Component.RELEVANCE).reasons]
        assert "No description, keywords or past project recorded: nothing to match" in texts


def test_an_organisation_edited_after_the_index_was_built_is_read_afresh() -> None:
    before = org(1, "Theatre company")
    index = FitIndex([before, *FILLER])
    after = dataclasses.replace(before, text="Reuse of building materials")
    prepared = prepare(TOPIC, ConsortiumProfile(), index=index)
    assert relevance(prepared.score(after)) > relevance(prepared.score(before)) == 0.0


# --------------------------------------------------------------------------- exact values


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


# --------------------------------------------------------------------------- weights


def test_default_weights_follow_the_award_criteria_relevance_first() -> None:
    for action in ["SAP", "SIP", "SNAP", "TA", "OAG", "PLP", "OG"]:
        weights = default_weights(action)
        assert sum(weights.values()) == 100.0
        assert max(weights, key=weights.__getitem__) == "relevance"
    assert default_weights("csa") == default_weights("OAG")
    assert default_weights("TA-PP-NAT-SNAP") == default_weights("TA")
    assert default_weights("NGO-OG-SGA")["engagement"] == 0.0
    assert default_weights("unknown") == default_weights("SAP") == default_weights(None)


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


def test_formula() -> None:
    f = formula(default_weights("SAP"))
    assert f.terms[:2] == ((Component.ELIGIBILITY, 10.0), (Component.RELEVANCE, 40.0))
    assert formula_text({"relevance": 2, "network": 1}) == (
        "Total = weighted sum of the component scores (each 0-100), every one but eligibility "
        "and relevance multiplied by relevance / 100: 66.7% × relevance + 33.3% × network"
    )


def test_supporting_components_count_in_proportion_to_relevance() -> None:
    def parts(relevance: float, capacity: float, experience: float) -> list[ComponentScore]:
        return [
            ComponentScore(Component.ELIGIBILITY, 100, 0.1, (), 1.0),
            ComponentScore(Component.RELEVANCE, round(relevance * 100), 0.4, (), relevance),
            ComponentScore(Component.CAPACITY, round(capacity * 100), 0.2, (), capacity),
            ComponentScore(Component.EXPERIENCE, round(experience * 100), 0.3, (), experience),
        ]

    big_unrelated = gated_total(parts(relevance=0.1, capacity=1.0, experience=1.0))
    small_relevant = gated_total(parts(relevance=0.6, capacity=0.2, experience=0.0))
    # 0.1 + 0.04 + 0.1 x (0.2 + 0.3) = 0.19 against 0.1 + 0.24 + 0.6 x 0.04 = 0.364: the big
    # organisation's full capacity and experience count a tenth, as far as it fits the topic
    assert big_unrelated == pytest.approx(0.19)
    assert small_relevant == pytest.approx(0.364)
    assert gated_total(parts(relevance=1.0, capacity=0.5, experience=0.5)) == pytest.approx(0.75)


def test_round_half_up() -> None:
    assert round_half_up(71.45, 1) == 71.5
    assert round_half_up(62.5) == 63.0
    assert round_half_up(0.1 * 625) == 63.0
    assert round_half_up(2.449, 1) == 2.4
    assert round_half_up(-1.25, 1) == -1.3


# --------------------------------------------------------------------------- ranking


@pytest.mark.parametrize("order", [1, -1])
def test_a_shared_word_is_shown_as_the_topic_and_needs_write_it(order) -> None:
    orgs = [
        org(1, "Adaptation climatiquement neutre des quartiers"),
        org(2, "Déconstruct'Sud : déconstruire et réemployer"),
        org(3, "Reemploi des materiaux"),
        org(4, "Deconstruction and reuse of building materials"),
    ][::order]
    index = FitIndex(orgs)
    topic = TopicProfile(topic_id="T", text="Selective deconstruction of buildings and the climate")
    needs = ConsortiumProfile(needs_text=("Climat et réemploi des matériaux de déconstruction",))
    prepared = prepare(topic, needs, index=index)

    def shown(oid: int, language: str) -> str:
        fit = prepared.score(next(o for o in orgs if o.id == oid))
        return fit.component(Component.RELEVANCE).reasons[-1].text(language)

    # one stem, each reader's own word: the needs' French, the topic's English
    assert shown(1, "fr") == "Words shared with the topic and needs (1): climat"
    assert shown(1, "en") == "Words shared with the topic and needs (1): climate"
    # never another organisation's spelling ("climatiquement", "Déconstruct'Sud", "materiaux")
    assert shown(2, "fr") == "Words shared with the topic and needs (2): déconstruction, réemploi"
    assert shown(2, "en") == "Words shared with the topic and needs (2): deconstruction, réemploi"
    assert shown(3, "fr") == "Words shared with the topic and needs (2): matériaux, réemploi"
    # a word only the French needs use is shown in French to both readers
    assert shown(3, "en") == "Words shared with the topic and needs (2): matériaux, réemploi"
    assert shown(4, "en") == "Words shared with the topic and needs (2): deconstruction, buildings"

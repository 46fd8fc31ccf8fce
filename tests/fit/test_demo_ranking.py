"""The rankings on the Marseille demo make sense to a reader of the seed."""

from __future__ import annotations

import json

from consortium.extensions import db
from consortium.fit import services
from consortium.fit.scoring import Polarity
from consortium.proposals.models import Proposal
from consortium.translation import translator


def _ranking(app, acronym):
    with app.app_context():
        proposal = db.session.query(Proposal).filter_by(acronym=acronym).one()
        return [(org.acronym or org.name, fit) for org, fit in services.rank_proposal(proposal)]


REUSE_ACTORS = {"RBS", "BBS", "MCP", "DSUD"}  # their descriptions name reuse and construction
GREENING_ACTORS = {"PMC", "ESP", "LMEU", "TDQ", "JPP"}  # greening, rainwater, urban nature
#: organisations whose work is far from construction reuse (greening, nature, a marine collective)
NOT_REUSE = {"PMC", "JPP", "AAM", "CCV", "TDQ", "LMEU", "CVUG", "ATVV"}
#: organisations whose work is far from urban greening (materials, demolition, waste groups)
NOT_GREENING = {"RBS", "BBS", "MCP", "DSUD", "FBTP13", "GPM", "CCV"}


def _relevance(fit):
    return fit.component("relevance").fraction


def test_rebatir_top_ten_holds_only_reuse_and_construction_actors(app, demo):
    ranking = _ranking(app, "REBATIR")
    names = [name for name, _fit in ranking]
    # the four reuse and construction actors of the seed are in the top 6: their texts name the topic's
    # concepts (reuse, construction, materials) in French
    assert set(names[:6]) >= REUSE_ACTORS
    assert NOT_REUSE.isdisjoint(names[:10])
    fits = dict(ranking)
    # the marine and coastal naturalists are below every reuse actor, because nothing they do
    # matches the topic
    assert all(_relevance(fits[a]) > _relevance(fits["CCV"]) for a in REUSE_ACTORS)
    # the reasons name the matched concepts in the reader's language
    reasons = fits["RBS"].component("relevance").reasons
    needs = next(r for r in reasons if r.template.startswith("Matches this proposal's"))
    assert "reuse" in needs.text("en") and "réemploi" in needs.text("fr")


def test_verdir_top_ten_holds_only_greening_actors(app, demo):
    ranking = _ranking(app, "VERDIR")
    names = [name for name, _fit in ranking]
    assert set(names[:8]) >= GREENING_ACTORS
    assert NOT_GREENING.isdisjoint(names[:10])
    fits = dict(ranking)
    # the same organisation ranks by the topic: the reuse association is high for REBATIR,
    # low for VERDIR
    rebatir = dict(_ranking(app, "REBATIR"))
    assert _relevance(rebatir["RBS"]) > _relevance(fits["RBS"])
    assert _relevance(fits["PMC"]) > _relevance(rebatir["PMC"])


def test_the_two_topics_do_not_share_their_top_five(app, demo):
    rebatir = [name for name, _fit in _ranking(app, "REBATIR")][:5]
    verdir = [name for name, _fit in _ranking(app, "VERDIR")][:5]
    assert set(rebatir).isdisjoint(verdir)


def test_newcomers_rank_by_relevance(app, demo):
    with app.app_context():
        proposal = db.session.get(Proposal, demo["proposals"]["REBATIR"])
        rows = services.rank_proposal(proposal, newcomers_only=True)
        assert rows and all(not org.past_projects for org, _fit in rows)
        eligible = [fit for _org, fit in rows if fit.eligible]
        assert [f.relevance for f in eligible] == sorted(
            (f.relevance for f in eligible), reverse=True
        )
        # the reuse association without EU project is the newcomer to call first
        assert rows[0][0].acronym in REUSE_ACTORS
        texts = [r.text() for r in rows[0][1].component("experience").reasons]
        assert texts == ["New to EU projects: no past project recorded"]


def test_a_life_project_counts_most_for_a_topic_of_its_sub_programme(app, demo):
    # the marine naturalists' LIFE project is a nature one (LIFE20 NAT): it counts a little
    # less for both proposals (ENV and CLIMA topics), and the reasons say why, in French too
    note = "A LIFE project of another sub-programme than this topic's (%s) counts a little less"
    for acronym, sub_programme in (("REBATIR", "ENV"), ("VERDIR", "CLIMA")):
        reasons = dict(_ranking(app, acronym))["CCV"].component("experience").reasons
        assert [r.text() for r in reasons] == [
            reasons[0].text(),
            note % sub_programme,
        ]
        assert reasons[0].text().startswith("LIFE NAT project LIFE20 NAT/FR/000456 (2021)")
        assert translator("fr").gettext(reasons[1].template, **reasons[1].params) == (
            f"Un projet LIFE d'un autre sous-programme que celui du sujet ({sub_programme}) "
            "compte un peu moins"
        )
    # each project's mark says how much it counts: close (+), a little (note), barely (-)
    rebatir = dict(_ranking(app, "REBATIR"))
    iutd = rebatir["IUTD"].component("experience").reasons
    assert [(r.polarity, r.params["percent"]) for r in iutd] == [
        (Polarity.PLUS, 69),
        (Polarity.MINUS, 0),
    ]
    ccv = rebatir["CCV"].component("experience").reasons[0]
    assert (ccv.polarity, ccv.params["percent"]) == (Polarity.NOTE, 30)
    # the urban ecology laboratory's climate adaptation project (LIFE18 CCA) is of VERDIR's
    # sub-programme: no such note there, but one for REBATIR
    verdir = dict(_ranking(app, "VERDIR"))["LMEU"].component("experience").reasons
    rebatir = dict(_ranking(app, "REBATIR"))["LMEU"].component("experience").reasons
    assert any(r.text().startswith("LIFE CLIMA project LIFE18 CCA/FR/001150") for r in verdir)
    assert note % "CLIMA" not in [r.text() for r in verdir]
    assert note % "ENV" in [r.text() for r in rebatir]


def test_ineligible_organisations_are_marked_and_last(app, demo):
    for acronym in ("REBATIR", "VERDIR"):
        ranking = _ranking(app, acronym)
        tail = dict(ranking[-2:])
        assert set(tail) == {"Jean Dupont, consultant en réemploi", "ATVV"}
        dupont = tail["Jean Dupont, consultant en réemploi"]
        assert (dupont.eligible, str(dupont.status)) == (False, "not_eligible")
        assert "Natural persons cannot take part in LIFE" in [f.text() for f in dupont.flags]
        tunis = tail["ATVV"]
        assert str(tunis.status) == "associated_partner_only"
        assert any("only as associated partner, at its own cost" in f.text() for f in tunis.flags)
        assert all(fit.eligible for _name, fit in ranking[:-2])


def test_every_score_is_explained(app, demo):
    for acronym in ("REBATIR", "VERDIR"):
        for _name, fit in _ranking(app, acronym):
            assert len(fit.components) == 7
            for component in fit.components:
                assert 0 <= component.score <= 100
                assert component.reasons, (fit.name, component.component)


def test_filters(app, demo):
    with app.app_context():
        proposal = db.session.get(Proposal, demo["proposals"]["REBATIR"])
        outside = services.rank_proposal(proposal, not_in_consortium=True, eligible_only=True)
        names = {org.acronym for org, _fit in outside}
        assert names.isdisjoint({"VDM", "RBS", "MCP", "DSUD", "BBS", "HPS", "IUTD", "AMP", "E2C"})
        assert "FRB" in names and "ATVV" not in names
        spanish = services.rank_proposal(proposal, country="es")
        assert [org.acronym for org, _fit in spanish] == ["FRB"]
        research = services.rank_proposal(proposal, org_type="research")
        assert {org.org_type for org, _fit in research} == {"research"}


def test_demo_checks(app, demo):
    with app.app_context():
        proposal = db.session.get(Proposal, demo["proposals"]["REBATIR"])
        codes = [c.code for c in services.proposal_checks(proposal)]
    assert codes == ["PIC_MISSING", "NEED_UNCOVERED", "LETTERS_MISSING"]


def test_dossier_fit_statements(app, demo):
    with app.app_context():
        proposal = db.session.get(Proposal, demo["proposals"]["VERDIR"])
        summary = services.dossier_fit(proposal)
    assert summary is not None
    english = {s.organisation_ids: s.text(translator("en")) for s in summary.statements}
    french = {s.organisation_ids: s.text(translator("fr")) for s in summary.statements}
    lmeu = (str(demo["orgs"]["LMEU"]),)
    assert english[lmeu] == (
        "Laboratoire Méditerranéen d'Écologie Urbaine (LMEU) brings what no other member "
        "offers: biodiversity (biodiversité)."
    )
    # The dossier's language, not the interface's: French sentence, article before the name,
    # the concept named by its French GEMET label beside the word found in the text.
    assert french[lmeu] == (
        "Le Laboratoire Méditerranéen d'Écologie Urbaine (LMEU) apporte ce qu’aucun autre "
        "membre n’offre\u00a0: diversité biologique (biodiversité)."
    )
    assert all(len(s.organisation_ids) == 1 for s in summary.statements)


def test_cli_table_and_json(app, demo):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["fit", "REBATIR"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "rank",
        "total",
        "eligible",
        "elig",
        "relev",
        "capac",
        "exper",
        "compl",
        "netw",
        "engag",
        "name",
    ]
    assert len(lines) == 26
    assert lines[1].split()[0] == "1"
    assert lines[1].endswith(("Réemploi Bâtiment Sud", "Bureau d'études Bâti Sobre"))
    assert " NO " in lines[-1]
    result = runner.invoke(args=["fit", "REBATIR", "--json"])
    data = json.loads(result.output)
    assert len(data) == 25 and data[0]["rank"] == 1
    first = data[0]["components"][0]
    assert set(first) == {"component", "score", "weight", "reasons"}
    assert set(first["reasons"][0]) == {"template", "params", "polarity", "text"}
    missing = runner.invoke(args=["fit", "NOPE"])
    assert missing.exit_code == 1


def test_a_member_is_scored_for_what_it_brings_that_the_others_lack(app, demo):
    with app.app_context():
        proposal = db.session.query(Proposal).filter_by(acronym="VERDIR").one()
        ctx = services.build_context(proposal)
        by_acronym = {ctx.organisations[oid].acronym: oid for oid in ctx.profiles}
        lmeu = ctx.prepared.score(ctx.profiles[by_acronym["LMEU"]])
    complementarity = lmeu.component("complementarity")
    # LMEU is a member: the consortium without it lacks biodiversity, which it brings
    assert complementarity.reasons[0].text("fr").endswith("lacks: diversité biologique")
    assert [r.text() for r in complementarity.reasons] == [
        "Brings what the consortium lacks: biodiversity",
        "Its type (research organisation) is already in the consortium",
    ]


def test_fit_counts_the_same_ties_as_the_network_map(app, demo):
    from consortium.network import services as network_services

    with app.app_context():
        proposal = db.session.query(Proposal).filter_by(acronym="REBATIR").one()
        ctx = services.build_context(proposal)
        on_the_map = network_services.neighbours(proposal)
        for member in ctx.participations:
            assert on_the_map[member] <= ctx.neighbours.get(member, set())
        # a context restricted to a few organisations scores them exactly as the full one
        ids = list(ctx.profiles)[3:6]
        lean = services.build_context(proposal, organisation_ids=ids)
        full = {fit.org_id: fit for fit in ctx.ranking()}
        assert all(full[fit.org_id] == fit for fit in lean.ranking())
        # the profiles built from column rows equal the ORM-based ones
        orgs = services.load_organisations()
        assert {o.id: services.org_profile(o) for o in orgs} == services.load_profiles()

"""Time the partner-fit ranking of 5,000 organisations through the service.

Builds a temporary SQLite database with 5,000 organisations (themes, past projects, ties), a
proposal with workshops, attendance, needs and a consortium; then times
(a) merely loading the organisations with the same column queries as the service
    (``services.load_rows``: organisation columns, themes, past projects -> tuples), the
    baseline of the 3x target;
(b) loading them as ORM objects with ``selectinload`` of themes and past projects (the former
    way, for reference);
(c) ranking them with reasons through ``consortium.fit.services.rank_proposal`` (load + score).
Wall-clock and CPU (process) time are both reported: the machine is shared, so CPU time and the
ratios are the meaningful figures. Writes docs/benchmarks/fit.md.
Run: ``python benchmarks/fit_ranking.py``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_ORGS = 5_000
REPEAT = 11
WORDS_FR = ["réemploi", "matériaux", "chantier", "déconstruction", "végétalisation", "jardins",
            "biodiversité", "eau", "sol", "formation", "insertion", "compost", "déchets",
            "énergie", "mobilité", "habitants", "écoles", "arbres", "recyclage", "BTP"]
THEMES = ["circular_economy_waste", "buildings", "nature_in_city", "climate_adaptation",
          "social_inclusion", "water", "education_awareness", "energy"]
TYPES = ["ngo", "sme", "research", "public_authority", "social_economy", "large_company"]


def build(app):
    from consortium.directory.models import Organisation, OrganisationTheme, PastProject, Tie
    from consortium.extensions import db
    from tests import factories

    rng = random.Random(42)
    factories.make_topic()
    lead = factories.make_user("lead@example.org")
    proposal = factories.make_proposal(lead=lead, acronym="BENCH")
    orgs = []
    for i in range(N_ORGS):
        words = rng.sample(WORDS_FR, 5)
        org = Organisation(
            name=f"Organisation {i}", org_type=rng.choice(TYPES),
            country=rng.choice(["FR", "FR", "FR", "ES", "IT", "TN"]), city="Marseille",
            pic=f"{100000000 + i}" if rng.random() > 0.1 else None,
            description="Association qui travaille sur " + ", ".join(words) + ".",
            keywords=words[:2], staff=rng.randint(1, 500),
            eu_experience=rng.choice(["none", "participant", "coordinator"]),
        )
        org.themes = [OrganisationTheme(theme=t) for t in rng.sample(THEMES, 2)]
        org.past_projects = [
            PastProject(programme=rng.choice(["LIFE", "Interreg", "Horizon"]),
                        reference=f"REF-{rng.randint(1, 1500)}", title="Projet " + w,
                        year=2020, role=rng.choice(["partner", "coordinator"]))
            for w in rng.sample(WORDS_FR, rng.randint(0, 3))
        ]
        orgs.append(org)
    db.session.add_all(orgs)
    db.session.flush()
    pairs = set()
    while len(pairs) < 10_000:
        a, b = sorted(rng.sample(range(len(orgs)), 2))
        pairs.add((orgs[a].id, orgs[b].id))
    db.session.add_all(Tie(organisation_a_id=a, organisation_b_id=b, kind="informal")
                       for a, b in pairs)
    for step in ("vision", "actions_needs", "dossier_framework"):
        workshop = factories.make_workshop(proposal, step=step, title=step)
        for org in rng.sample(orgs, 60):
            workshop.attendances.append(
                __import__("consortium.workshops.models", fromlist=["x"]).WorkshopAttendance(
                    organisation_id=org.id))
        for text in ("Des compétences en réemploi des matériaux", "Un terrain pour le compost",
                     "Former des habitants à la végétalisation"):
            factories.make_output(workshop, text, organisations=tuple(rng.sample(orgs, 3)),
                                  relation="carries")
    factories.make_action(proposal, "Plateforme de réemploi", lead=orgs[0])
    for i, org in enumerate(orgs[:8]):
        factories.make_participation(proposal, org, role="coordinator" if i == 0 else
                                     "beneficiary", status="confirmed")
    db.session.commit()
    return proposal.id


def main() -> None:
    from consortium import create_app
    from consortium.extensions import db
    from consortium.fit import scoring, services
    from consortium.proposals.models import Proposal

    tmp = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench" * 8,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                      "UPLOAD_FOLDER": tmp, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
        proposal_id = build(app)

    def timed(fn):
        with app.app_context():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            db.session.remove()
            return wall, cpu

    def load_columns():
        rows, _themes, _projects = services.load_rows()
        assert len(rows) == N_ORGS

    def load_orm():
        assert len(services.load_organisations()) == N_ORGS

    def rank():
        proposal = db.session.get(Proposal, proposal_id)
        ranking = services.rank_proposal(proposal)
        assert len(ranking) == N_ORGS and all(f.components[1].reasons for _o, f in ranking)
        # every reason of every organisation is built (eagerly) in the result
        assert sum(len(c.reasons) for _o, f in ranking for c in f.components) > 6 * N_ORGS

    thesaurus = scoring.load_thesaurus()

    for fn in (load_columns, load_orm, rank):  # warm up caches (thesaurus, country list)
        timed(fn)
    # As the gunicorn workers do once started (deploy/gunicorn.conf.py, post_worker_init):
    # the start-up objects leave the collector's sight, so a full collection landing in a
    # timed call walks what that call allocated, not the whole process.
    gc.collect()
    gc.freeze()

    def median(fn):
        runs = [timed(fn) for _ in range(REPEAT)]
        middle = REPEAT // 2
        return sorted(w for w, _c in runs)[middle], sorted(c for _w, c in runs)[middle]

    # The load and the ranking alternate, so both meet the same machine (it is shared).
    pairs = [(timed(load_columns), timed(rank)) for _ in range(REPEAT)]
    middle = REPEAT // 2
    load_w = sorted(p[0][0] for p in pairs)[middle]
    load_c = sorted(p[0][1] for p in pairs)[middle]
    rank_w = sorted(p[1][0] for p in pairs)[middle]
    rank_c = sorted(p[1][1] for p in pairs)[middle]
    pair_ratios = sorted(p[1][1] / p[0][1] for p in pairs)
    orm_w, orm_c = median(load_orm)

    def cold_rank():  # the texts are analysed again (first ranking after a restart)
        thesaurus.clear_analysis_cache()
        return timed(rank)

    colds = [cold_rank() for _ in range(REPEAT)]
    cold_w = sorted(w for w, _c in colds)[middle]
    cold_c = sorted(c for _w, c in colds)[middle]
    # the same two measures with the cyclic GC left running (the former accounting)
    real_pause = scoring.paused_gc
    scoring.paused_gc = contextlib.nullcontext
    try:
        gc_load_w, gc_load_c = median(load_columns)
        gc_rank_w, gc_rank_c = median(rank)
    finally:
        scoring.paused_gc = real_pause
    with app.app_context():
        tracemalloc.start()
        rank()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        db.session.remove()
    ratio_w, ratio_c = rank_w / load_w, rank_c / load_c
    load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "# Partner-fit ranking benchmark",
        "",
        f"Command: `cd <repo> && python benchmarks/fit_ranking.py` — machine: nproc "
        f"{os.cpu_count()}, Python {platform.python_version()}, {platform.machine()}, "
        f"load average {load_avg} at the end of the run (CPU shared with other engineers: "
        "compare CPU times and ratios), SQLite file database.",
        "",
        f"{N_ORGS:,} organisations (2 themes, 0-3 past projects each, 10,000 ties), a proposal "
        "with 3 workshops (180 attendances), 9 needs, 1 action, 8 members.",
        "",
        f"| measure (median of {REPEAT}) | wall | CPU | target |",
        "|---|---|---|---|",
        f"| load the organisations: the service's column queries (baseline) "
        f"| {load_w:.3f} s | {load_c:.3f} s | |",
        f"| for reference: load them as ORM objects with selectinload "
        f"| {orm_w:.3f} s | {orm_c:.3f} s | |",
        f"| rank with reasons through the service (load + score) "
        f"| {rank_w:.3f} s | {rank_c:.3f} s | < 1 s |",
        f"| ratio ranking / baseline load | {ratio_w:.2f}× | {ratio_c:.2f}× | < 3× |",
        f"| the same ratio run by run (CPU; load and ranking alternate): median, min-max "
        f"| | {pair_ratios[middle]:.2f}× ({pair_ratios[0]:.2f}-{pair_ratios[-1]:.2f}×) | < 3× |",
        f"| first ranking after emptying the text-analysis cache (cold) "
        f"| {cold_w:.3f} s | {cold_c:.3f} s | |",
        f"| cold ranking / baseline load | {cold_w / load_w:.2f}× | {cold_c / load_c:.2f}× | |",
        f"| with the cyclic GC left running: column load "
        f"| {gc_load_w:.3f} s | {gc_load_c:.3f} s | |",
        f"| with the cyclic GC left running: rank (load + score) "
        f"| {gc_rank_w:.3f} s | {gc_rank_c:.3f} s | |",
        f"| with the cyclic GC left running: ratio "
        f"| {gc_rank_w / gc_load_w:.2f}× | {gc_rank_c / gc_load_c:.2f}× | |",
        f"| peak memory of one ranking (tracemalloc) | {peak:.0f} MB | | < 300 MB |",
        "",
        'Notes:',
        '',
        '- Before the column load (ORM objects with selectinload, 2026-11-25): rank 6.600 s wall, ORM load 4.693 s wall.',
        "- The ranking no longer builds ORM objects: the organisation columns, themes and past projects come as tuples (3 queries) and go straight into the scorer's profiles; the pages show lightweight rows (`services.OrgRow`).",
        "- CPU times move with the machine's load (two cores shared by several engineers): the first run of the column load (before the thesaurus and weight changes), at load average 4.6, gave load 0.403 s CPU, rank 1.468 s CPU (3.6×).",
        "- Before the scoring work of branch perf-fit (same script, load average about 2): load 0.180 s CPU, rank 0.815 s CPU (4.5×); pure scoring (`Prepared.rank`, cyclic GC paused) 0.35 s CPU, now about 0.11 s.",
        "- The ranking shares every component that depends on a few fields (eligibility, capacity, engagement, and for non-members complementarity and network), scores each past-project title once, walks an organisation's concepts once for relevance, and caches the text analysis of each description by its text (`Thesaurus.analysis`; the cold row empties that cache first). Every reason is still built for all 5,000 organisations (the script asserts it).",
        "- The cyclic garbage collector is paused (`scoring.paused_gc`) in the column load itself (`services.load_rows`, so in the baseline too) and, since branch perf-fit-2, once for the whole of `rank_proposal` (load, profiles, tie graph, scoring, filtering), the context being dropped before it resumes: one collection then walks only what the caller keeps (about 50,000 objects, ~20 ms), where the per-step pauses left four collections of each step's young objects plus a generation-1 collection of all of them (55-80 ms, sometimes a full collection of ~145 ms).",
        "- Branch perf-fit-2 also cut the objects built per ranking (tracked objects the caller keeps: 75,000 -> 49,000, plus the transient ones): a reason keeps its params as a plain dict (read-only view on access) instead of a proxy per reason; relevance reasons and components are shared by the organisations with the same terms, themes and words; the profile is also the display row (no `OrgRow` object); past projects are the query's tuples (`PastProject` is a named tuple read by position); `FitScore` and `ComponentScore` are named tuples; the 10,000-tie select runs as a Core statement (the ORM result processing cost twice the query).",
        "- Same session, load average about 2, the code before perf-fit-2 (commit fab3ee0, `git archive` into a temporary directory) against this branch, three runs each, alternating: rank 0.326-0.369 s CPU -> 0.227-0.252 s; ratio 4.55-5.34× -> 3.18-3.63×; cold 5.60-6.51× -> 3.76-4.35×; GC left running 3.59-3.99× -> 2.51-2.88×. `benchmarks/fit_pure.py` (pure scoring, 5,000 profiles): best 0.112 s CPU -> 0.072 s, same 76,676 reasons and the same first and last organisations.",
        "- **Within 3× of the load in the steady state, not for the first ranking after a restart.** Since 2026-11-26 the load and the ranking alternate over 11 runs and the start-up objects are frozen first (as the gunicorn workers do). Three runs on a quiet machine after branch perf-fit-3 (profiles built by an unrolled slot setter, the tie rows as the driver's tuples, saturations computed once per ranking, past projects scored in one loop, the common network case without set arithmetic): ratio of the medians 2.76×, 2.75×, 2.80×; run-by-run medians 2.86×, 2.78×, 2.97× (single runs 2.19-3.53×); the first ranking after emptying the text-analysis cache 3.24-3.31×; with the GC left running in both 2.94-3.29×. Before perf-fit-3, the same script gave 3.03× (run by run 2.65-4.06×). The 1 s and 300 MB targets are met with a wide margin.",
        "- What remains besides the load (per-step CPU inside one ranking, load average about 2): building 5,000 profiles (~22 ms), the tie graph (10,000 ties plus shared references, ~16 ms), the other queries (~6 ms), scoring with the per-ranking caches empty (~90 ms: relevance ~18 ms, experience with 7,311 past projects scored once each ~25 ms), the collection of what the caller keeps (~20 ms) and freeing the result (~10 ms, inside the timed call).",
        '',
    ]
    out = ROOT / "docs" / "benchmarks" / "fit.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

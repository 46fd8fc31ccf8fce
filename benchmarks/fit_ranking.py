"""Time the partner-fit ranking of 5,000 organisations through the service.

Builds a temporary SQLite database with 5,000 organisations (themes, past projects, ties), a
proposal with workshops, attendance, needs and a consortium; then times, through
``consortium.fit.services.rank_proposal`` (load, ties, score, every reason):
(a) the first ranking, which builds the directory's index (every text analysed);
(b) ranking again with the data unchanged (the directory's data version is unchanged: its
    profiles, index and ties are reused);
(c) ranking after one organisation was edited, median of 11 edits of different organisations
    (each a new data version: the edited organisation's profile and ties read again, or the
    whole directory where the code before this measure did so; only its texts analysed again).
Wall-clock and CPU (process) time are both reported: the machine is shared, so CPU time is the
meaningful figure. Writes docs/benchmarks/fit.md. Run: ``python benchmarks/fit_ranking.py``.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import tempfile
import time
import tracemalloc
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_ORGS = 5_000
REPEAT = 11
WORDS_FR = [
    "réemploi",
    "matériaux",
    "chantier",
    "déconstruction",
    "végétalisation",
    "jardins",
    "biodiversité",
    "eau",
    "sol",
    "formation",
    "insertion",
    "compost",
    "déchets",
    "énergie",
    "mobilité",
    "habitants",
    "écoles",
    "arbres",
    "recyclage",
    "BTP",
]
THEMES = [
    "circular_economy_waste",
    "buildings",
    "nature_in_city",
    "climate_adaptation",
    "social_inclusion",
    "water",
    "education_awareness",
    "energy",
]
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
            name=f"Organisation {i}",
            org_type=rng.choice(TYPES),
            country=rng.choice(["FR", "FR", "FR", "ES", "IT", "TN"]),
            city="Marseille",
            pic=f"{100000000 + i}" if rng.random() > 0.1 else None,
            description="Association qui travaille sur " + ", ".join(words) + ".",
            keywords=words[:2],
            staff=rng.randint(1, 500),
            eu_experience=rng.choice(["none", "participant", "coordinator"]),
        )
        org.themes = [OrganisationTheme(theme=t) for t in rng.sample(THEMES, 2)]
        org.past_projects = [
            PastProject(
                programme=rng.choice(["LIFE", "Interreg", "Horizon"]),
                reference=f"REF-{rng.randint(1, 1500)}",
                title="Projet " + w,
                year=2020,
                role=rng.choice(["partner", "coordinator"]),
            )
            for w in rng.sample(WORDS_FR, rng.randint(0, 3))
        ]
        orgs.append(org)
    db.session.add_all(orgs)
    db.session.flush()
    pairs = set()
    while len(pairs) < 10_000:
        a, b = sorted(rng.sample(range(len(orgs)), 2))
        pairs.add((orgs[a].id, orgs[b].id))
    db.session.add_all(
        Tie(organisation_a_id=a, organisation_b_id=b, kind="informal") for a, b in pairs
    )
    for step in ("vision", "actions_needs", "dossier_framework"):
        workshop = factories.make_workshop(proposal, step=step, title=step)
        for org in rng.sample(orgs, 60):
            workshop.attendances.append(
                __import__("consortium.workshops.models", fromlist=["x"]).WorkshopAttendance(
                    organisation_id=org.id
                )
            )
        for text in (
            "Des compétences en réemploi des matériaux",
            "Un terrain pour le compost",
            "Former des habitants à la végétalisation",
        ):
            factories.make_output(
                workshop, text, organisations=tuple(rng.sample(orgs, 3)), relation="carries"
            )
    factories.make_action(proposal, "Plateforme de réemploi", lead=orgs[0])
    for i, org in enumerate(orgs[:8]):
        factories.make_participation(
            proposal, org, role="coordinator" if i == 0 else "beneficiary", status="confirmed"
        )
    db.session.commit()
    return proposal.id


def main() -> None:
    from consortium import create_app
    from consortium.directory.models import Organisation
    from consortium.extensions import db
    from consortium.fit import services
    from consortium.proposals.models import Proposal

    tmp = tempfile.mkdtemp()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench" * 8,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
            "UPLOAD_FOLDER": tmp,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
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

    def rank():
        proposal = db.session.get(Proposal, proposal_id)
        ranking = services.rank_proposal(proposal)
        assert len(ranking) == N_ORGS and all(f.components[1].reasons for _o, f in ranking)

    def edit(org_id):
        org = db.session.get(Organisation, org_id)
        org.description = (org.description or "") + " Réemploi des matériaux."
        db.session.commit()

    first = timed(rank)  # builds the index (every text analysed) and ranks
    runs = [timed(rank) for _ in range(REPEAT)]  # same data version: profiles, index, ties reused
    middle = REPEAT // 2
    again_w = sorted(w for w, _c in runs)[middle]
    again_c = sorted(c for _w, c in runs)[middle]
    edits = []
    for org_id in range(7, 7 + REPEAT):  # each edit a new data version, then one ranking
        timed(partial(edit, org_id))
        edits.append(timed(rank))
    edited_w = sorted(w for w, _c in edits)[middle]
    edited_c = sorted(c for _w, c in edits)[middle]
    with app.app_context():
        tracemalloc.start()
        rank()
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        db.session.remove()
    load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "# Partner-fit ranking benchmark (through the service)",
        "",
        f"Command: `python benchmarks/fit_ranking.py` — nproc {os.cpu_count()}, Python "
        f"{platform.python_version()}, load average {load_avg} (machine shared: compare CPU "
        "times), SQLite file database.",
        "",
        f"{N_ORGS:,} organisations (themes, 0-3 past projects, 10,000 ties), a proposal with "
        "workshops, needs and members.",
        "",
        "| measure | wall | CPU |",
        "|---|---|---|",
        f"| first ranking (profiles, ties, index built: every text analysed) | {first[0]:.2f} s "
        f"| {first[1]:.2f} s |",
        f"| ranking again, data unchanged (median of {REPEAT}) | {again_w:.2f} s "
        f"| {again_c:.2f} s |",
        f"| ranking after one organisation was edited (median of {REPEAT} edits) "
        f"| {edited_w:.2f} s | {edited_c:.2f} s |",
        f"| peak memory of one ranking (tracemalloc) | {peak:.0f} MB | |",
    ]
    print("\n".join(lines))
    out = ROOT / "docs" / "benchmarks" / "fit.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""Open-data import at scale: 250,000 participations / 60,000 organisations, then the
Europe-wide partner search over them.

    python benchmarks/opendata_import.py                        # SQLite file in a temp dir
    python benchmarks/opendata_import.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test_opendata

The files are generated in the published CORDIS layouts from the real Horizon Europe
organization.csv (../shared/data/cordis_he_organizations_2024, 80,276 participations): its
23,270 organisations are kept and copied with new PICs and a numbered name until there are
60,000; its projects' sizes are kept and more projects drawn from them until there are 250,000
participations; a project.csv gives every project a title (real H2020 titles from the
CleanTechTag subset, cycled) and a start year. The directory holds 5,000 organisations: 1,000
with a PIC of the open data, 1,500 named as the open data names them (no PIC), 2,500 others.

Prints wall time per file, the longest gap between two progress reports, the peak resident
memory of the process, and the search and ranking times for one proposal.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import random
import resource
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent.parent / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
HE = SHARED / "cordis_he_organizations_2024" / "he_organization_2024-06.csv.gz"
CLEANTECH = SHARED / "cordis_h2020_cleantech" / "cleantechtag_joint_results.csv"


def generate(folder: Path, organisations: int, participations: int, seed: int = 7):
    rng = random.Random(seed)
    with gzip.open(HE) as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter=";"))
    header = list(rows[0])
    orgs: dict[str, dict] = {}
    sizes: dict[str, int] = {}
    for row in rows:
        orgs.setdefault(row["organisationID"], row)
        sizes[row["projectID"]] = sizes.get(row["projectID"], 0) + 1
    real = list(orgs.values())
    pool = list(real)
    copy = 0
    while len(pool) < organisations:
        base = real[copy % len(real)]
        copy += 1
        clone = dict(base)
        clone["organisationID"] = str(800_000_000 + copy)
        clone["name"] = f"{base['name']} {copy // len(real) + 2}"
        clone["vatNumber"] = ""
        pool.append(clone)
    project_sizes = list(sizes.values())
    with open(CLEANTECH, encoding="utf-8") as handle:
        titles = [r["title"] for r in csv.DictReader(handle)]
    written = 0
    project = 110_000_000
    roles = ["coordinator", "participant", "participant", "participant", "associatedPartner"]
    org_path = folder / "organization.csv"
    project_path = folder / "project.csv"
    with (
        open(org_path, "w", newline="", encoding="utf-8") as handle,
        open(project_path, "w", newline="", encoding="utf-8") as projects,
    ):
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=";")
        writer.writeheader()
        pwriter = csv.writer(projects, delimiter=";")
        pwriter.writerow(
            ["id", "acronym", "title", "startDate", "frameworkProgramme", "topics", "objective"]
        )
        index = 0
        while written < participations:
            project += 1
            size = min(rng.choice(project_sizes), participations - written)
            members = {
                pool[(index + k * 7919) % len(pool)]["organisationID"]: None for k in range(size)
            }
            index += size
            if index % 5 == 0:
                index = rng.randrange(len(pool))
            for position, pic in enumerate(members):
                base = _by_pic(pool, pic)
                row = dict(base)
                row["projectID"] = str(project)
                row["projectAcronym"] = f"P{project}"
                row["role"] = roles[0] if position == 0 else rng.choice(roles[1:])
                writer.writerow(row)
                written += 1
            title = titles[project % len(titles)]
            pwriter.writerow(
                [
                    project,
                    f"P{project}",
                    title,
                    f"{2014 + project % 11}-01-01",
                    "HORIZON",
                    "HORIZON-CL5-2022",
                    title,
                ]
            )
    return org_path, project_path, pool


_PIC_INDEX: dict[str, dict] = {}


def _by_pic(pool, pic):
    if not _PIC_INDEX:
        _PIC_INDEX.update({o["organisationID"]: o for o in pool})
    return _PIC_INDEX[pic]


def build_directory(pool, size=5000, seed=11):
    from consortium.directory.models import Organisation
    from consortium.extensions import db

    rng = random.Random(seed)
    chosen = rng.sample(pool, 2500)
    for position, row in enumerate(chosen):
        db.session.add(
            Organisation(
                name=row["name"].title(),
                country=row["country"] or "FR",
                city=(row["city"] or "").title() or None,
                pic=row["organisationID"] if position < 1000 else None,
                org_type="other",
            )
        )
    for position in range(size - len(chosen)):
        db.session.add(
            Organisation(name=f"Association locale {position}", country="FR", city="Marseille")
        )
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--organisations", type=int, default=60_000)
    parser.add_argument("--participations", type=int, default=250_000)
    args = parser.parse_args()

    from consortium import create_app
    from consortium.extensions import db
    from consortium.opendata import services
    from tests import factories

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        org_path, project_path, pool = generate(folder, args.organisations, args.participations)
        print(
            f"generated {org_path.stat().st_size / 1e6:.1f} MB organization.csv, "
            f"{project_path.stat().st_size / 1e6:.1f} MB project.csv "
            f"in {time.perf_counter() - started:.1f} s"
        )
        url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
        app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            db.drop_all()
            db.create_all()
            build_directory(pool)
            user = factories.make_user("lead@example.org")
            proposal = factories.make_proposal(lead=user, acronym="BENCH")
            db.session.commit()
            proposal_id = proposal.id
            for path in (org_path, project_path):
                stamps: list[tuple[float, str, float]] = []
                started = time.perf_counter()
                summary = services.import_open_data(
                    path,
                    actor=None,
                    progress=lambda stage, f, stamps=stamps: stamps.append(
                        (time.perf_counter(), stage, f)
                    ),
                )
                db.session.commit()
                wall = time.perf_counter() - started
                ends = [(started, "start", 0.0), *stamps, (time.perf_counter(), "commit", 1.0)]
                gaps = sorted(
                    (
                        (b[0] - a[0], f"{a[1]} {a[2]:.3f} -> {b[1]} {b[2]:.3f}")
                        for a, b in pairwise(ends)
                    ),
                    reverse=True,
                )
                print(
                    f"{path.name}: {wall:.1f} s wall; {summary.rows_read} rows; "
                    f"{summary.organisations_new} organisations, {summary.projects_new} new / "
                    f"{summary.projects_updated} updated projects, "
                    f"{summary.participations_new} participations; matched {summary.matched}, "
                    f"review {summary.to_review}; past projects +{summary.past_projects_added}; "
                    f"ties +{summary.ties_created} ~{summary.ties_updated}; "
                    f"longest gaps between progress reports {gaps[0][0]:.2f} s ({gaps[0][1]}), "
                    f"{gaps[1][0]:.2f} s ({gaps[1][1]})"
                )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak resident memory of the process: {peak:.0f} MB")
            from consortium.proposals.models import Proposal

            proposal = db.session.get(Proposal, proposal_id)
            for query in ("energy", "hydrogen storage", "battery"):
                times = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    found = services.search(services.SearchQuery(text=query))
                    t1 = time.perf_counter()
                    ranked = services.rank_for_proposal(proposal, services.SearchQuery(text=query))
                    t2 = time.perf_counter()
                    times.append((t1 - t0, t2 - t1))
                best = min(times, key=lambda t: t[1])
                print(
                    f"search “{query}”: {len(found)} candidates in {best[0] * 1000:.0f} ms; "
                    f"search + fit ranking {len(ranked)} in {best[1] * 1000:.0f} ms (best of 3)"
                )
            db.session.remove()
            if args.database_url:
                db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()

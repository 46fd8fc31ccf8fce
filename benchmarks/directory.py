"""Benchmark of the directory: the directory page over 5,000 organisations, and the import.

Run: ``python benchmarks/directory.py [rows] [requests]`` (defaults 5000 and 200). Uses a
temporary SQLite file database and the real app (Flask test client, real queries, real
template). Measures:

* the directory page (search + filter + first page): p50/p95 over ``requests`` requests,
  cycling through realistic query strings (target p95 < 100 ms);
* the import of a ``rows``-row CSV through the import service (parse, validate, check against
  the directory, create, commit; target < 5 s), compared with a plain bulk insert of the same
  rows (SQLAlchemy Core ``insert`` of already-built dictionaries) measured in the same run;
* the tracemalloc peak of the import (target < 300 MB).
"""

from __future__ import annotations

import csv
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CITIES = ["Marseille", "Aubagne", "La Ciotat", "Aix-en-Provence", "Martigues", "Vitrolles"]
TYPES = ["association", "PME", "collectivité", "laboratoire", "SCOP", "grande entreprise"]
WORDS = [
    "réemploi",
    "béton",
    "biodiversité",
    "végétalisation",
    "quartier",
    "jardin",
    "partagé",
    "déchets",
    "chantier",
    "formation",
    "insertion",
    "mer",
    "littoral",
    "énergie",
    "solaire",
    "mobilité",
    "vélo",
    "école",
    "sensibilisation",
    "climat",
    "chaleur",
    "îlot",
    "ombre",
    "eau",
    "pluie",
    "sol",
]
THEMES = ["circular_economy_waste", "water", "nature_biodiversity", "climate_adaptation"]
QUERIES = [
    "q=reemploi",
    "q=r%C3%A9emploi&type=ngo",
    "q=jardin+partage&country=FR",
    "type=sme&sort=-updated",
    "theme=water",
    "q=beton&pic=missing",
    "q=ecole&theme=circular_economy_waste&sort=country",
    "",
]


def make_csv(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "name",
            "acronym",
            "type",
            "country",
            "city",
            "pic",
            "description",
            "themes",
            "keywords",
            "staff",
            "annual_budget_eur",
        ]
    )
    for i in range(rows):
        words = rng.sample(WORDS, 6)
        writer.writerow(
            [
                f"{words[0].capitalize()} {words[1]} {i}",
                f"ORG{i}",
                rng.choice(TYPES),
                rng.choice(["France", "FR", "Italie", "Spain"]),
                rng.choice(CITIES),
                f"{900000000 + i}" if i % 3 else "",
                " ".join(rng.choices(WORDS, k=40)).capitalize() + ".",
                ";".join(rng.sample(THEMES, 2)),
                ";".join(words[2:5]),
                str(rng.randint(0, 500)),
                f"{rng.randint(10_000, 9_000_000)}.00",
            ]
        )
    return out.getvalue().encode("utf-8")


def make_app(path: Path):
    from consortium import create_app
    from consortium.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "benchmark-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "UPLOAD_FOLDER": str(path.parent / "uploads"),
        }
    )
    with app.app_context():
        db.create_all()
    return app


def baseline_insert(app, data: bytes) -> float:
    """Plain bulk insert of the same rows (already parsed into dictionaries)."""
    from sqlalchemy import insert

    from consortium.directory.models import Organisation, OrganisationTheme
    from consortium.extensions import db

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    with app.app_context():
        start = time.perf_counter()
        db.session.execute(
            insert(Organisation),
            [
                {
                    "id": i + 1,
                    "name": r["name"],
                    "acronym": r["acronym"],
                    "org_type": "ngo",
                    "country": "FR",
                    "city": r["city"],
                    "pic": r["pic"] or None,
                    "description": r["description"],
                    "keywords": r["keywords"].split(";"),
                    "languages": [],
                    "staff": int(r["staff"]),
                    "search_text": r["description"].lower(),
                    "name_key": r["name"].lower(),
                    "notes": "",
                    "eu_experience": "none",
                    "version": 1,
                }
                for i, r in enumerate(rows)
            ],
        )
        db.session.execute(
            insert(OrganisationTheme),
            [
                {"organisation_id": i + 1, "theme": t}
                for i, r in enumerate(rows)
                for t in r["themes"].split(";")
            ],
        )
        db.session.commit()
        return time.perf_counter() - start


def service_import(app, data: bytes, *, trace: bool = False) -> tuple[float, int, int]:
    """Time (without tracing) or trace the memory of (slower) the import of ``data``."""
    from consortium.directory import services
    from consortium.directory.spreadsheet import parse_table
    from consortium.extensions import db

    with app.app_context():
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        report = services.check_organisations(parse_table("orgs.csv", data))
        result = services.import_organisations(report, actor=None, valid_only=False, dry_run=False)
        db.session.commit()
        elapsed = time.perf_counter() - start
        peak = 0
        if trace:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert not report.errors, report.errors[:3]
        return elapsed, len(result.created), peak


def time_page(app, requests: int) -> list[float]:
    from consortium.extensions import db
    from tests import factories

    with app.app_context():
        lead = factories.make_user("lead@example.org", name="Lead")
        factories.make_proposal(lead=lead, acronym="BENCH")
        db.session.commit()
    client = app.test_client()
    client.post(
        "/login", data={"email": "lead@example.org", "password": "correct horse battery staple"}
    )
    for query in QUERIES:  # warm up
        assert client.get(f"/directory?{query}").status_code == 200
    timings = []
    for i in range(requests):
        query = QUERIES[i % len(QUERIES)]
        start = time.perf_counter()
        response = client.get(f"/directory?{query}")
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200
    return timings


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    data = make_csv(rows)
    with tempfile.TemporaryDirectory() as tmp:
        base_app = make_app(Path(tmp) / "baseline.sqlite")
        baseline = baseline_insert(base_app, data)
        app = make_app(Path(tmp) / "directory.sqlite")
        elapsed, created, _peak = service_import(app, data)
        traced = make_app(Path(tmp) / "traced.sqlite")
        _elapsed, _created, peak = service_import(traced, data, trace=True)
        timings = time_page(app, requests)
    print(
        f"machine: nproc={os.cpu_count()}, python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}"
    )
    print(
        f"import of {rows} rows through the service: {elapsed:.2f} s ({created} created), "
        f"tracemalloc peak {peak / 1e6:.0f} MB (separate traced run)"
    )
    print(
        f"baseline bulk insert of the same rows: {baseline:.2f} s; "
        f"ratio service/baseline: {elapsed / baseline:.1f}x"
    )
    print(
        f"directory page over {rows} organisations, {requests} requests: "
        f"p50 {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {percentile(timings, 95) * 1000:.1f} ms, "
        f"max {max(timings) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()

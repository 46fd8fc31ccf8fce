"""Benchmark of the full dossier service path on the demo data: gather from the database
(participations, budgets through commitments/budget.py, workshops, outputs, actions) and build
the Word file, in English and French, for REBATIR and VERDIR (budget: p95 under 5 s).

Run: ``/work/venv/bin/python benchmarks/dossier_service.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import time

from demo_app import demo_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from sqlalchemy import select

    from consortium.dossier import services
    from consortium.dossier.document import build_dossier
    from consortium.extensions import db
    from consortium.proposals.models import Proposal
    from consortium.translation import translator

    app = demo_app()
    with app.app_context():
        print(
            f"{'proposal':8} {'lang':4} {'gather ms':>10} {'build ms':>10} {'total ms':>10} "
            f"{'p95 ms':>8} {'kB':>6}"
        )
        for acronym in ("REBATIR", "VERDIR"):
            for lang in ("en", "fr"):
                gathers, builds, totals, size = [], [], [], 0
                for _ in range(args.repeat):
                    db.session.expire_all()
                    proposal = db.session.scalar(
                        select(Proposal).where(Proposal.acronym == acronym)
                    )
                    start = time.perf_counter()
                    gathered = services.gather(proposal)
                    middle = time.perf_counter()
                    content = services.dossier_content(proposal, lang, gathered=gathered)
                    data = build_dossier(content, translator(lang))
                    end = time.perf_counter()
                    gathers.append((middle - start) * 1000)
                    builds.append((end - middle) * 1000)
                    totals.append((end - start) * 1000)
                    size = len(data)
                p95 = sorted(totals)[max(0, round(0.95 * len(totals)) - 1)]
                print(
                    f"{acronym:8} {lang:4} {statistics.median(gathers):10.1f} "
                    f"{statistics.median(builds):10.1f} {statistics.median(totals):10.1f} "
                    f"{p95:8.1f} {size / 1024:6.0f}"
                )


if __name__ == "__main__":
    main()

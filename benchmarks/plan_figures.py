"""Benchmark of the plan and budget pictures on the demo data: drawing the Word figures
(Gantt chart, budget charts; pure matplotlib, without the per-process cache) and serving the pages that show them (actions
page, commitments board, dashboard) through the Flask test client as the lead.

Run: ``python benchmarks/plan_figures.py [--repeat 5]`` (medians of ``repeat`` runs).
"""

from __future__ import annotations

import argparse
import statistics
import time

from demo_app import demo_app, lead_client, proposal_ids


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from consortium.commitments.budget_charts import budget_charts
    from consortium.dossier import charts, services
    from consortium.extensions import db
    from consortium.proposals.models import Proposal

    app = demo_app()
    ids = proposal_ids(app)
    client = lead_client(app)
    print(
        f"{'proposal':8} {'gantt png ms':>13} {'budget png ms':>14} {'actions page ms':>16} "
        f"{'board ms':>9} {'dashboard ms':>13}"
    )
    for acronym, pid in sorted(ids.items()):
        with app.app_context():
            proposal = db.session.get(Proposal, pid)
            gathered = services.gather(proposal)
            plan = gathered.plan
            bars = budget_charts(
                gathered.consortium,
                [(a.code, f"{a.code} {a.title}") for a in gathered.data.actions],
            )
            # __wrapped__: the drawing itself, not the per-process cache in front of it
            gantt = median_ms(
                lambda plan=plan: charts.gantt_png.__wrapped__(plan, "fr"), args.repeat
            )
            budget = median_ms(
                lambda bars=bars: charts.budget_png.__wrapped__(bars, "fr"), args.repeat
            )
        pages = [
            median_ms(lambda url=url: client.get(url), args.repeat)
            for url in (
                f"/proposals/{pid}/actions",
                f"/proposals/{pid}/commitments",
                f"/proposals/{pid}",
            )
        ]
        print(
            f"{acronym:8} {gantt:13.0f} {budget:14.0f} {pages[0]:16.0f} {pages[1]:9.0f} "
            f"{pages[2]:13.0f}"
        )


if __name__ == "__main__":
    main()

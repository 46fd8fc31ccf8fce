"""Benchmark of the budget grid's pure path: splits, workbook export and import.

Run: ``python benchmarks/budget_grid.py [partners] [actions]`` (default 30 partners, 12
actions, 4 reporting periods).  Prints the median and maximum wall time over 7 runs of:
the splits by action and period for every partner, writing the LIFE budget table, and
reading it back (zip pre-check + per-cell parsing).  No assertion: figures for BENCHMARKS.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consortium.commitments import grid, grid_workbook
from consortium.commitments.budget import CostLines, participation_budget
from consortium.directory.spreadsheet import check_ooxml

DURATION = 48


def world(partners: int, actions: int):
    codes = [f"A{i}" for i in range(1, actions + 1)]
    spans = {
        code: (1 + (i * 3) % 36, min(DURATION, 12 + (i * 5) % 40)) for i, code in enumerate(codes)
    }
    budgets = []
    for n in range(partners):
        months = {code: Decimal((n + i) % 7 + 1) for i, code in enumerate(codes)}
        rate = Decimal(3000 + 137 * n)
        costs = CostLines(
            personnel=grid.personnel_cost(sum(months.values()), rate),
            travel=Decimal(1000 * n),
            other_goods=Decimal("2500.50"),
        )
        budgets.append(
            (
                n,
                rate,
                participation_budget(
                    costs,
                    indirect_rate=Decimal("0.07"),
                    funding_rate=Decimal("0.6"),
                    person_months=months,
                ),
            )
        )
    return codes, spans, budgets


def splits(codes, spans, budgets):
    periods = grid.periods([12, 24, 36], DURATION)
    return [
        grid.by_period(grid.by_action(b, rate), spans, periods, DURATION) for _n, rate, b in budgets
    ]


def export(codes, budgets) -> bytes:
    sheets = [
        grid_workbook.PartnerSheet(
            participation_id=n,
            version=1,
            name=f"Partner {n}",
            role="Beneficiary",
            monthly_rate=rate,
            person_months=dict(b.person_months),
            amounts={
                "cost_personnel": b.costs.personnel,
                "cost_travel": b.costs.travel,
                "cost_other_goods": b.costs.other_goods,
                "own_cofinancing": b.balance_gap,
            },
            indirect=b.indirect,
            total=b.total,
            eu=b.eu_contribution,
            funding_rate=b.eu_share,
        )
        for n, rate, b in budgets
    ]
    totals = grid_workbook.GridTotals({c: Decimal(1) for c in codes}, [(1, 1, 12, Decimal(1))])
    return grid_workbook.write(sheets, totals, lambda t, **p: t % p if p else t)


def timed(label: str, fn) -> None:
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    print(f"{label}: median {statistics.median(runs):.0f} ms, max {max(runs):.0f} ms")


def main() -> None:
    partners = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    actions = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    codes, spans, budgets = world(partners, actions)
    print(f"{partners} partners, {actions} actions, 4 periods")
    timed("splits by action and period", lambda: splits(codes, spans, budgets))
    data = export(codes, budgets)
    print(f"workbook: {len(data):,} bytes, {partners + 1} sheets")
    timed("export (write the workbook)", lambda: export(codes, budgets))

    def read():
        assert check_ooxml(data) is None
        sheets, errors = grid_workbook.read(data, codes)
        assert len(sheets) == partners and not errors

    timed("import (zip pre-check + read every cell)", read)


if __name__ == "__main__":
    main()

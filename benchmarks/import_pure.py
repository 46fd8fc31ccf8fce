"""Benchmark of the pure import path: parse_table + validate_rows on a 5,000-row CSV.

Run: ``python benchmarks/import_pure.py [rows]``. Prints wall time (best of 3) and the
tracemalloc peak of one run, for the CSV path, the XLSX path (same records exported with
``export_xlsx``), the exports, and the zip-bomb pre-check on a 200 MB-of-zeros entry.
Budgets: CSV import well under 2 s and under 100 MB peak for 5,000 rows.
"""

from __future__ import annotations

import io
import os
import random
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consortium.directory.records import theme_codes
from consortium.directory.spreadsheet import (
    check_ooxml,
    export_csv,
    export_xlsx,
    parse_table,
    validate_rows,
)

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
    "compost",
]


def make_csv(rows: int, seed: int = 1) -> bytes:
    """A French-style ``;`` CSV in Windows-1252-compatible text, UTF-8 with BOM like Excel."""
    rng = random.Random(seed)
    themes = theme_codes()
    lines = [
        "Raison sociale;Sigle;Catégorie;Pays;Ville;PIC;Site web;Courriel;Description;"
        "Thématiques;Mots-clés;Effectif;Budget annuel;Projets passés;Personne physique"
    ]
    for i in range(rows):
        name = f"Association {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} n°{i}"
        description = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
        projects = ";".join(
            f"LIFE|LIFE{rng.randint(14, 24)}-ENV-FR-{rng.randint(1, 999):03d}|"
            f"{rng.choice(WORDS)} {rng.choice(WORDS)}|{rng.randint(2005, 2025)}|partner"
            for _ in range(rng.randint(0, 3))
        )
        cells = [
            name,
            f"A{i}",
            rng.choice(TYPES),
            rng.choice(["France", "FR", "Italie", "Grèce"]),
            rng.choice(CITIES),
            "" if rng.random() < 0.4 else f"{rng.randint(0, 999999999):09d}",
            f"https://org{i}.example.org",
            f"contact{i}@example.org",
            f'"{description}"',
            f'"{";".join(rng.sample(themes, rng.randint(1, 3)))}"',
            f'"{";".join(rng.sample(WORDS, 4))}"',
            str(rng.randint(0, 500)),
            f"{rng.randint(0, 9_999_999):,}".replace(",", " ") + f",{rng.randint(0, 99):02d}",
            f'"{projects}"',
            rng.choice(["oui", "non", ""]),
        ]
        lines.append(";".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def measure(label: str, func: Callable[[], object], repeat: int = 3) -> object:
    """Best-of-``repeat`` wall and CPU time, and the tracemalloc peak of one more run."""
    best = cpu = float("inf")
    result = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times = f"wall {best * 1000:9.2f} ms  cpu {cpu * 1000:9.2f} ms"
    print(f"{label:<38} {times}  peak {peak / 1e6:6.1f} MB")
    return result


def zip_bomb(megabytes: int = 200) -> bytes:
    """An .xlsx-looking zip whose sheet is ``megabytes`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1 << 20)
            for _ in range(megabytes):
                entry.write(chunk)
    return out.getvalue()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    data = make_csv(rows)
    print(f"CSV: {rows} rows, {len(data) / 1e6:.2f} MB; load average {os.getloadavg()[0]:.1f}")

    def csv_import() -> object:
        return validate_rows(parse_table("annuaire.csv", data))

    report = measure("parse_table + validate_rows (CSV)", csv_import)
    assert report.errors == [], report.errors[:3]  # type: ignore[attr-defined]
    records = [record for _, record in report.valid]  # type: ignore[attr-defined]
    print(f"  valid rows: {len(records)}, warnings: {len(report.warnings)}")  # type: ignore[attr-defined]

    xlsx = measure("export_xlsx", lambda: export_xlsx(records))
    measure("export_csv", lambda: export_csv(records))
    print(f"XLSX: {len(xlsx) / 1e6:.2f} MB")  # type: ignore[arg-type]

    def xlsx_import() -> object:
        return validate_rows(parse_table("annuaire.xlsx", xlsx))  # type: ignore[arg-type]

    again = measure("parse_table + validate_rows (XLSX)", xlsx_import, repeat=1)
    assert [r for _, r in again.valid] == records  # type: ignore[attr-defined]
    bomb = zip_bomb()
    print(f"zip bomb: {len(bomb) / 1e3:.0f} kB compressed, 200 MB unpacked")
    error = measure("check_ooxml on the zip bomb", lambda: check_ooxml(bomb))
    print(f"  -> {error.message}")  # type: ignore[attr-defined]
    measure("parse_table on the zip bomb", lambda: parse_table("bomb.xlsx", bomb))


if __name__ == "__main__":
    main()

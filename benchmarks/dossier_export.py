"""Benchmark of the Word dossier export (budget: under 3 s and under 400 MB).

A synthetic dossier of 30 partners, 12 work packages and 200 workshop outputs with a network
figure is exported with :func:`build_dossier`; the same headings, paragraphs, lists, tables and
figure are then written with bare, idiomatic python-docx in the same run, so the overhead of our
layer (cleaning, styles, fields, annexes) is visible as a ratio.

Run: ``/work/venv/bin/python benchmarks/dossier_export.py [--repeat 3] [--out file.docx]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docx import Document
from docx.shared import Mm

from consortium.dossier.document import DossierContent, build_dossier, content_from_data
from consortium.dossier.drafting import (
    COST_CATEGORIES,
    Action,
    BudgetRow,
    BudgetSummary,
    DossierData,
    FitStatement,
    FitSummary,
    Member,
    NetworkSummary,
    Organisation,
    Output,
    ProposalData,
    Workshop,
)
from consortium.dossier.markup import parse
from consortium.translation import translator

N_PARTNERS, N_WPS, N_OUTPUTS = 30, 12, 200
KINDS = ("vision", "objective", "action", "need", "resource", "risk", "cooperation_rule", "quote")
TYPES = ("association", "public_body", "sme", "research", "ngo")


def network_png(n: int) -> bytes:
    """A network picture drawn like the app does (matplotlib + networkx)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    graph = nx.connected_watts_strogatz_graph(n, 4, 0.3, seed=7)
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    nx.draw_networkx(graph, pos=nx.spring_layout(graph, seed=7), ax=ax, node_size=120, font_size=6)
    ax.axis("off")
    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def synthetic_data() -> DossierData:
    """30 partners, 12 work packages, 200 outputs over three workshops, a full budget."""
    orgs = tuple(
        Organisation(
            f"o{i}",
            f"Organisation n°{i} — réemploi & nature en ville",
            f"ORG{i}",
            TYPES[i % 5],
            "FR",
            "Marseille",
            "Association de quartier œuvrant pour la végétalisation. " * 2,
            f"9{i:08d}",
        )
        for i in range(N_PARTNERS)
    )
    members = tuple(
        Member(
            o.id,
            "coordinator" if i == 0 else "beneficiary",
            Decimal(100000 + i * 5000),
            None,
            Decimal(12),
        )
        for i, o in enumerate(orgs)
    )
    workshops = (
        Workshop(
            "w1",
            "vision",
            "Vision 2030",
            dt.date(2024, 3, 12),
            "Cité des transitions",
            40,
            70,
            tuple(o.id for o in orgs),
        ),
        Workshop(
            "w2",
            "actions_needs",
            "Actions et besoins",
            dt.date(2024, 5, 21),
            "Hôtel de Ville",
            32,
            50,
            tuple(o.id for o in orgs),
        ),
        Workshop(
            "w3",
            "dossier_framework",
            "Dossier et coopération",
            dt.date(2024, 9, 17),
            "Friche",
            30,
            35,
            tuple(o.id for o in orgs),
        ),
    )
    outputs = tuple(
        Output(
            f"x{i}",
            f"w{1 + i % 3}",
            KINDS[i % len(KINDS)],  # type: ignore[arg-type]
            f"Production d'atelier n°{i} : planter, réemployer, former les habitant·es du "
            f"quartier {i % 16}.",
            (f"o{i % N_PARTNERS}", f"o{(i * 7) % N_PARTNERS}"),
            priority=i % 5,
        )
        for i in range(N_OUTPUTS)
    )
    actions = tuple(
        Action(
            f"a{k}",
            f"WP{k + 1}",
            f"Lot de travail {k + 1} : végétalisation participative",
            "Objectif du lot. " * 3,
            f"o{k}",
            tuple(f"o{(k + j) % N_PARTNERS}" for j in range(1, 6)),
            1 + k,
            36 + k,
            (f"D{k + 1}.1 Rapport", f"D{k + 1}.2 Guide"),
            tuple(f"x{k * 16 + j}" for j in range(8)),
        )
        for k in range(N_WPS)
    )
    budget = BudgetSummary(
        rows=tuple(
            BudgetRow(
                o.id,
                o.name,
                *(Decimal(10000 + i * 1000 + j * 111) / 1 for j in range(len(COST_CATEGORIES))),
            )
            for i, o in enumerate(orgs)
        ),
        funding_rate=Decimal("0.60"),
    )
    return DossierData(
        proposal=ProposalData(
            "LIFE VERT-MARSEILLE",
            "Végétaliser la ville par les citoyen·nes et les acteurs locaux",
            "LIFE-2026-SAP-CLIMA-CCA",
            "Climate Change Adaptation",
            "CLIMA",
            ("Nature-based solutions",),
            "Marseille",
            "",
            "Ville de Marseille",
            "fr",
            48,
        ),
        organisations=orgs,
        members=members,
        workshops=workshops,
        outputs=outputs,
        actions=actions,
        budget=budget,
        network=NetworkSummary(0.21, 30, 91, ("ORG3", "ORG7"), True),
        fit=FitSummary(
            tuple(FitStatement(f"ORG{i} complète ORG{i + 1}.", (f"o{i}",)) for i in range(10))
        ),
    )


def bare_python_docx(content: DossierContent) -> bytes:
    """The same headings, paragraphs, lists, tables and figure with plain python-docx calls."""
    doc = Document()
    for section in content.sections:
        doc.add_heading(section.heading, min(section.level, 9))
        for block in parse(section.markup):
            if block.kind == "heading":
                doc.add_heading("".join(r.text for r in block.runs), section.level + 1)
            elif block.kind == "paragraph":
                p = doc.add_paragraph()
                for run in block.runs:
                    r = p.add_run(run.text)
                    r.bold, r.italic = run.bold or None, run.italic or None
            elif block.kind in ("bullets", "numbered"):
                style = "List Bullet" if block.kind == "bullets" else "List Number"
                for item in block.items:
                    p = doc.add_paragraph(style=style)
                    for run in item:
                        p.add_run(run.text).bold = run.bold or None
            else:
                table = doc.add_table(
                    rows=len(block.rows), cols=len(block.rows[0]), style="Table Grid"
                )
                for row, cells in zip(table.rows, block.rows, strict=True):
                    for cell, runs in zip(row.cells, cells, strict=True):
                        cell.text = "".join(r.text for r in runs)
        if section.key == "consortium":
            table = doc.add_table(rows=1 + len(content.members), cols=7, style="Table Grid")
            orgs = {o.id: o for o in content.organisations}
            for row, member in zip(table.rows[1:], content.members, strict=True):
                org = orgs[member.org_id]
                for cell, value in zip(
                    row.cells,
                    ("1", org.name, org.acronym, org.country, org.org_type, member.role, org.pic),
                    strict=True,
                ):
                    cell.text = value
            if content.network_png:
                doc.add_picture(BytesIO(content.network_png), width=Mm(150))
        elif section.key == "work_packages":
            table = doc.add_table(rows=1 + len(content.actions), cols=7, style="Table Grid")
            for row, action in zip(table.rows[1:], content.actions, strict=True):
                for cell, value in zip(
                    row.cells,
                    (
                        action.code,
                        action.title,
                        action.lead_id or "",
                        ", ".join(action.participant_ids),
                        str(action.start_month),
                        str(action.end_month),
                        "; ".join(action.deliverables),
                    ),
                    strict=True,
                ):
                    cell.text = value
        elif section.key == "budget" and content.budget:
            table = doc.add_table(rows=2 + len(content.budget.rows), cols=9, style="Table Grid")
            for row, brow in zip(table.rows[1:], content.budget.rows, strict=False):
                values = [
                    brow.name,
                    *(str(brow.amount(c)) for c in COST_CATEGORIES),
                    str(brow.total),
                ]
                for cell, value in zip(row.cells, values, strict=True):
                    cell.text = value
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _time(fn, repeat: int) -> tuple[float, bytes]:  # type: ignore[no-untyped-def]
    times, result = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the exported dossier here")
    args = parser.parse_args()

    start = time.perf_counter()
    png = network_png(N_PARTNERS)
    figure_s = time.perf_counter() - start
    data = synthetic_data()
    french = translator("fr")
    content = content_from_data(data, french, network_png=png, date=dt.date(2025, 11, 25))
    build_dossier(content, french)  # warm-up: imports, template parsing, catalogues

    ours_s, ours = _time(lambda: build_dossier(content, french), args.repeat)
    draft_s, _ = _time(lambda: content_from_data(data, french, network_png=png), args.repeat)
    bare_s, bare = _time(lambda: bare_python_docx(content), args.repeat)
    tracemalloc.start()  # separate run: tracing slows allocation-heavy code down
    build_dossier(content, french)
    _current, peak_py = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    if args.out:
        args.out.write_bytes(ours)
    chars = sum(len(s.markup) for s in content.sections)
    print(
        f"dossier: {N_PARTNERS} partners, {N_WPS} work packages, {N_OUTPUTS} outputs, "
        f"{len(content.sections)} sections, {chars:,} characters of markup, figure {len(png):,} "
        f"bytes"
    )
    print(f"network figure (matplotlib):     {figure_s:6.3f} s")
    print(f"drafting all sections:           {draft_s:6.3f} s (median of {args.repeat})")
    print(
        f"build_dossier:                   {ours_s:6.3f} s (median of {args.repeat}), "
        f"{len(ours):,} bytes"
    )
    print(
        f"bare python-docx, same content:  {bare_s:6.3f} s (median of {args.repeat}), "
        f"{len(bare):,} bytes"
    )
    print(f"ratio build_dossier / bare:      {ours_s / bare_s:6.2f}")
    print(f"peak Python allocations (build): {peak_py / 2**20:6.1f} MB (tracemalloc)")
    print(f"peak process RSS:                {rss_mb:6.1f} MB (ru_maxrss)")
    ok = ours_s < 3 and rss_mb < 400
    print("budget (< 3 s, < 400 MB):", "OK" if ok else "EXCEEDED")


if __name__ == "__main__":
    main()

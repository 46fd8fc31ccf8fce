"""Benchmark of the Word import (budget: a 15-page dossier in under 2 s).

A dossier of the SAP structure is written with :func:`build_dossier`, each section filled
with paragraphs, a bullet list, bold/italic and a table until the file makes at least 15
pages (counted by LibreOffice when ``--pages`` is given). Timed, as one upload request does
it: the upload checks (:func:`check_docx`, which also opens the file with python-docx), reading
the sections back (:func:`read_docx`), resolving them to markup and diffing each against the
original text.

Run: ``python benchmarks/word_import.py [--repeat 7] [--pages]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consortium.dossier.document import DossierContent, SectionContent, build_dossier
from consortium.dossier.drafting import ProposalData
from consortium.dossier.services import check_docx, diff
from consortium.dossier.structure import load_structure
from consortium.dossier.wordimport import KnownSection, read_docx

PARAGRAPH = (
    "The partners of the **Marseille** consortium reuse building materials from public "
    "demolition sites; the *co-design* workshops set the targets, the actions and the "
    "indicators that the project follows over its four years, with the metropolis, two "
    "social enterprises and the construction federation."
)


def section_text(index: int) -> str:
    rows = "\n".join(f"| Indicator {n} | {n * 10} t | {2026 + n} |" for n in range(1, 7))
    items = "\n".join(f"- Measure {index}.{n}: a ***specific*** step" for n in range(1, 6))
    paragraphs = "\n\n".join(f"{index}.{n} — {PARAGRAPH}" for n in range(1, 9))
    return f"{paragraphs}\n\n{items}\n\n| Indicator | Target | Year |\n|---|---|---|\n{rows}"


def dossier() -> tuple[bytes, dict[str, str], list[KnownSection]]:
    specs = load_structure("SAP")
    texts = {s.code: section_text(i) for i, s in enumerate(specs) if s.drafting_key != "heading"}
    content = DossierContent(
        proposal=ProposalData(
            acronym="BENCH", title="Word import benchmark", topic_id="LIFE-2026", topic_title=""
        ),
        sections=tuple(SectionContent.from_spec(s, "en", texts.get(s.code, "")) for s in specs),
        include_sources_annex=False,
    )
    known = [
        KnownSection(
            s.code, s.level, (s.heading("en"), s.heading("fr")), s.drafting_key == "heading"
        )
        for s in specs
    ]
    return build_dossier(content, "en"), texts, known


def pages(data: bytes) -> int | None:
    if not shutil.which("soffice") or not shutil.which("pdfinfo"):
        return None
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "bench.docx"
        source.write_bytes(data)
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        info = subprocess.run(
            ["pdfinfo", str(Path(folder) / "bench.pdf")], check=True, capture_output=True, text=True
        ).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def import_once(data: bytes, texts: dict[str, str], known: list[KnownSection]) -> int:
    check_docx(data)
    found = read_docx(data, known)
    for section in found.sections:
        diff(texts[section.code], section.markup())
    return len(found.sections)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pages", action="store_true", help="count pages with LibreOffice")
    args = parser.parse_args()
    data, texts, known = dossier()
    characters = sum(len(t) for t in texts.values())
    print(f"dossier: {len(data) / 1024:.0f} kB, {len(texts)} sections, {characters} characters")
    if args.pages:
        print(f"pages (LibreOffice): {pages(data)}")
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        found = import_once(data, texts, known)
        times.append(time.perf_counter() - start)
    print(f"sections found: {found}")
    print(
        f"import: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms over {args.repeat} runs (budget 2000 ms)"
    )


if __name__ == "__main__":
    main()

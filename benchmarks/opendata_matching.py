"""Matching quality on a labelled sample built from real data.

    python benchmarks/opendata_matching.py [--directory 1500] [--seed 3]

Open data: the 23,270 organisations of the real Horizon Europe organization.csv
(../shared/data/cordis_he_organizations_2024), each with its PIC. Directory: ``--directory``
of them drawn at random and written as a person types them into a directory, WITHOUT PIC or
VAT (so only names and cities can match): title case, one of (a) as published, (b) legal form
dropped or added, (c) one typo (two letters swapped), (d) accents/apostrophes changed, and
every fifth without a city. The label of a directory entry is the PIC it was drawn from.

An automatic match is correct when the open-data organisation's PIC is the entry's label.
Prints precision of automatic matches (target >= 0.98), how many entries were found
automatically, how many went to review and the precision of the review suggestions.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent.parent / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
HE = SHARED / "cordis_he_organizations_2024" / "he_organization_2024-06.csv.gz"
LEGAL = ("SAS", "GMBH", "SRL", "SL", "BV", "AB", "OY", "SPA", "LTD", "SA", "AS", "NV", "AG")
ACCENTS = str.maketrans({"E": "É", "e": "é", "A": "À", "'": " "})


def typed(name: str, variant: int, rng: random.Random) -> str:
    text = " ".join(name.split()).title()
    words = text.split()
    if variant == 1:
        if words and words[-1].upper().strip(".") in LEGAL:
            words = words[:-1]
        else:
            words.append("SAS")
    elif variant == 2:
        longest = max(range(len(words)), key=lambda i: len(words[i])) if words else None
        if longest is not None and len(words[longest]) > 4:
            word = words[longest]
            at = rng.randrange(1, len(word) - 2)
            words[longest] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    elif variant == 3:
        return text.translate(ACCENTS) if rng.random() < 0.5 else text.replace("-", " ")
    return " ".join(words) or text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--directory", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    from consortium.opendata.matching import Candidate, Known, Matcher

    orgs: dict[str, dict] = {}
    with gzip.open(HE) as raw:
        for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter=";"):
            orgs.setdefault(row["organisationID"], row)
    rng = random.Random(args.seed)
    drawn = rng.sample(sorted(orgs), args.directory)
    known, label = [], {}
    for position, pic in enumerate(drawn, start=1):
        row = orgs[pic]
        known.append(
            Known(
                position,
                typed(row["name"], position % 4, rng),
                row["country"],
                None if position % 5 == 0 else (row["city"] or "").title(),
                row["shortName"] or None,
            )
        )
        label[position] = pic
    candidates = [
        Candidate(
            f"pic:{pic}",
            row["name"],
            row["country"],
            row["city"] or None,
            row["shortName"] or None,
            pic,
            row["vatNumber"] or None,
        )
        for pic, row in orgs.items()
    ]
    started = time.perf_counter()
    decisions = Matcher(known).decide_many(candidates)
    elapsed = time.perf_counter() - started
    auto = [(c, d) for c, d in zip(candidates, decisions, strict=True) if d.status == "auto"]
    review = [(c, d) for c, d in zip(candidates, decisions, strict=True) if d.status == "review"]
    correct = [c for c, d in auto if label[d.organisation_id] == c.pic]
    wrong = [(c, d) for c, d in auto if label[d.organisation_id] != c.pic]
    review_right = [c for c, d in review if label[d.organisation_id] == c.pic]
    found = {d.organisation_id for c, d in auto if label[d.organisation_id] == c.pic}
    in_review = {d.organisation_id for c, d in review if label[d.organisation_id] == c.pic}
    print(
        f"open data: {len(candidates)} organisations; directory: {len(known)} entries "
        f"(no PIC, no VAT); matched in {elapsed:.1f} s"
    )
    print(
        f"automatic matches: {len(auto)}, correct {len(correct)}, wrong {len(wrong)} -> "
        f"precision {len(correct) / max(1, len(auto)):.4f} (target >= 0.98)"
    )
    print(
        f"directory entries found automatically: {len(found)} / {len(known)} "
        f"({len(found) / len(known):.1%}); their right organisation in review: "
        f"{len(in_review - found)} more"
    )
    print(
        f"review queue: {len(review)} suggestions, {len(review_right)} right "
        f"({len(review_right) / max(1, len(review)):.1%})"
    )
    for candidate, decision in wrong[:10]:
        entry = known[decision.organisation_id - 1]
        print(
            f"  wrong: {candidate.name!r} ({candidate.city}) -> {entry.name!r} ({entry.city})"
            f" score {decision.score}"
        )


if __name__ == "__main__":
    main()

"""Does ranking only the 300 matching organisations with the most projects lose good partners?

Run: ``python benchmarks/europe_candidates.py`` (about 10 seconds).

The Europe-wide partner search (``opendata.services.rank_for_proposal``) takes the organisations
whose names or project titles hold every query word, keeps the 300 with the most projects and
ranks them by fit. This script replays that on ``fit_quality.py``'s real CORDIS data (same
organisations, hidden themes and answers): for each LIFE topic and a few query words, the
product's score ranks either the 300 candidates or every match, and the script prints the
precision at 20 of both and how many answer organisations the 300 hold.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fit_quality import load

from consortium.fit.scoring import (
    ConsortiumProfile,
    FitIndex,
    TopicCatalogue,
    default_weights,
    prepare,
)
from consortium.fit.thesaurus import stems
from consortium.folding import fold

CANDIDATES = 300
TOP = 20
QUERIES = ("", "energy", "system", "smart")
K1, B = 1.2, 0.75


def by_words(query: dict[str, float], stemmed: list[set[str]], match: np.ndarray) -> np.ndarray:
    """BM25 with binary term frequency of each match's stems against the query's."""
    lengths = np.array([len(stemmed[i]) for i in match], dtype=float)
    found = Counter(t for i in match for t in stemmed[i] if t in query)
    idf = {t: math.log(1 + (len(match) - n + 0.5) / (n + 0.5)) for t, n in found.items()}
    saturation = (K1 + 1) / (1 + K1 * (1 - B + B * lengths / max(lengths.mean(), 1.0)))
    return (
        np.array([sum(query[t] * idf[t] for t in stemmed[i] if t in idf) for i in match])
        * saturation
    )


def main() -> None:
    orgs, answer, topics, texts = load()
    catalogue, index = TopicCatalogue(texts), FitIndex(orgs)
    ids = np.array([o.id for o in orgs])
    count = np.array([len(o.past_projects) for o in orgs], dtype=float)
    words = [
        set(re.findall(r"[a-z0-9]+", fold(" ".join([o.name, *(p.title for p in o.past_projects)]))))
        for o in orgs
    ]
    stemmed = [set(stems(sorted(found), "en")) for found in words]
    print(
        f"{'topic':<22} {'query':<8} {'matches':>7} {'answers':>7} {'in 300':>6} "
        f"{'P@20 300':>8} {'P@20 all':>8} {'by words: in 300':>16} {'P@20':>5}"
    )
    kept_total = Counter()
    for topic in topics:
        positive = np.isin(ids, list(answer[topic.topic_id]))
        weights = default_weights(topic.action_type)
        prepared = prepare(
            topic, ConsortiumProfile(), {}, weights, index=index, catalogue=catalogue
        )
        totals = {fit.org_id: fit.total for fit in prepared.rank(orgs)}
        score = np.array([totals[i] for i in ids])
        for query in QUERIES:
            match = np.flatnonzero(
                [not query or any(w.startswith(query) for w in found) for found in words]
            )
            # the search's order: most projects first, then id; then the fit ranks those
            kept = match[np.lexsort((ids[match], -count[match]))][:CANDIDATES]
            top_kept = kept[np.lexsort((ids[kept], -score[kept]))][:TOP]
            top_all = match[np.lexsort((ids[match], -score[match]))][:TOP]
            first = by_words(prepared.query_weights, stemmed, match)
            worded = match[np.lexsort((ids[match], -first))][:CANDIDATES]
            top_worded = worded[np.lexsort((ids[worded], -score[worded]))][:TOP]
            kept_total.update(count=int(positive[kept].sum()), words=int(positive[worded].sum()))
            print(
                f"{topic.topic_id[14:]:<22} {query or '(none)':<8} {len(match):>7} "
                f"{int(positive[match].sum()):>7} {int(positive[kept].sum()):>6} "
                f"{positive[top_kept].mean():>8.2f} {positive[top_all].mean():>8.2f} "
                f"{int(positive[worded].sum()):>16} {positive[top_worded].mean():>5.2f}"
            )
    print(
        f"answers kept in the 300, every topic and query: by project count "
        f"{kept_total['count']}, by words {kept_total['words']}"
    )


if __name__ == "__main__":
    main()

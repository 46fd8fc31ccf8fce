"""Quality of the partner-fit ranking on real open data, against two naive baselines.

Run: ``python benchmarks/fit_quality.py``  (about a minute; prints one table).

Data (``benchmarks/data/``, provenance and licence in each folder's SOURCES.md):

* ``cordis_h2020_cleantech/projects.csv.gz`` — 1,732 real Horizon 2020 clean-energy projects
  from CORDIS with their objective text, H2020 topic code, coordinator and participants by name;
* ``life_topics_2026.json`` — the real records of the 31 LIFE topics open in 2026 (six are
  evaluated; the others are the call catalogue the product weighs topic words against).

Method. Every participant becomes an organisation whose past projects are its H2020 projects
(title and objective as summary, coordinator or partner). For each LIFE topic, the H2020 projects
of the matching work-programme topics (``THEMES`` below: the H2020 topic codes, fixed from the
work programmes' titles, not from any result) are the answer: the projects of **all six**
themes are hidden from every profile, and an organisation is relevant to a LIFE topic when it
took part in a hidden project of that theme. Organisations left with no visible project are
dropped (nothing is known about them). Everyone is then ranked for each topic:

* **product** — the product's own pure entry point, as ``consortium.fit.services`` calls it:
  ``FitIndex(profiles)`` and ``TopicCatalogue(texts of the 31 topics)`` once, then
  ``prepare(topic, ConsortiumProfile(), {}, weights, index=..., catalogue=...).rank(profiles)``
  with the default weights; the total is the score;
* **tf-idf** — plain TF-IDF cosine (log tf, smooth idf, folded words without stop words) of
  the topic text against the organisation's visible project titles and objectives;
* **count** — the number of visible projects.

Printed per topic: ROC AUC and precision at 20 of each ranking, the number of organisations
tied at the product's top total, and, over all pairs of topics, the mean overlap of the
product's top 20 (and of tf-idf's). Nothing here is read by the product.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import json
import math
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consortium.fit.scoring import (  # noqa: E402
    ConsortiumProfile,
    FitIndex,
    OrgProfile,
    PastProject,
    TopicCatalogue,
    TopicProfile,
    default_weights,
    prepare,
)
from consortium.folding import fold  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
PROJECTS = DATA / "cordis_h2020_cleantech" / "projects.csv.gz"
TOPICS = DATA / "life_topics_2026.json"

#: LIFE topic -> the H2020 topic codes (exact, or prefix when ending with "-") of its theme.
THEMES: dict[str, tuple[str, ...]] = {
    # building energy renovation
    "LIFE-2026-CET-BETTERRENO": (
        "EEB-",
        "EeB-",
        "LC-EEB-",
        "EE-01-2014",
        "EE-03-2014",
        "EE-05-2015",
        "EE-13-2016",
    ),
    # heating and cooling, district heating
    "LIFE-2026-CET-HEATCOOLPLAN": (
        "EE-02-2015",
        "EE-02-2017",
        "EE-04-2016-2017",
        "EE-13-2014",
        "EE-13-2015",
        "LC-SC3-EC-1-2018-2019-2020",
        "LC-SC3-RES-8-2019",
    ),
    # smart grids, distribution system operators
    "LIFE-2026-CET-DIGITAL": (
        "LCE-01-2016-2017",
        "LCE-02-2016",
        "LCE-05-2017",
        "LCE-06-2015",
        "LCE-07-2014",
        "LCE-08-2014",
        "LCE-21-2017",
        "LC-SC3-ES-1-2019",
        "LC-SC3-ES-2-2019",
        "LC-SC3-CC-5-2018",
    ),
    # energy communities, consumers and prosumers
    "LIFE-2026-CET-ENERCOM": (
        "EE-06-2016-2017",
        "LC-SC3-ES-3-2018-2020",
        "LC-SC3-ES-4-2018-2020",
        "LCE-31-2016-2017",
        "LC-SC3-CC-1-2018-2019-2020",
    ),
    # energy efficiency in industry
    "LIFE-2026-CET-INDUSTRY": (
        "EE-16-2015",
        "EE-17-2016-2017",
        "EE-18-2015",
        "EE-20-2017",
        "SPIRE-",
        "CE-SPIRE-",
        "LCE-12-2017",
    ),
    # project development assistance, financing sustainable energy investments
    "LIFE-2026-CET-PDA": ("EE-19-2014", "EE-20-2014", "EE-22-2016-2017"),
}
TOP = 20
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "this",
        "that",
        "are",
        "will",
        "its",
        "their",
        "into",
        "which",
        "also",
        "have",
        "has",
        "been",
        "more",
        "such",
        "other",
        "these",
        "than",
        "through",
    ]
)


def _theme_of(codes: list[str]) -> str | None:
    for life_topic, patterns in THEMES.items():
        for code in codes:
            if any(code == p or (p.endswith("-") and code.startswith(p)) for p in patterns):
                return life_topic
    return None


def load() -> tuple[list[OrgProfile], dict[str, set[int]], list[TopicProfile], list[str]]:
    """Organisations with their visible projects, the answer per topic, the topics."""
    with gzip.open(PROJECTS, "rt", encoding="utf-8", newline="") as fh:
        projects = list(csv.DictReader(fh))
    ids: dict[str, int] = {}
    visible: dict[int, list[PastProject]] = defaultdict(list)
    relevant: dict[str, set[int]] = defaultdict(set)
    for row in projects:
        theme = _theme_of(row["topics"].split(";"))
        names = [(row["coordinator"].strip(), "coordinator")] + [
            (name.strip(), "partner") for name in row["participants"].split(";") if name.strip()
        ]
        seen: set[int] = set()
        for name, role in names:
            oid = ids.setdefault(name, len(ids) + 1)
            if oid in seen:
                continue
            seen.add(oid)
            if theme is not None:
                relevant[theme].add(oid)
            else:
                visible[oid].append(
                    PastProject(
                        programme="H2020",
                        reference=row["acronym"],
                        title=row["title"],
                        year=int(row["startDate"][:4]) if row["startDate"][:4].isdigit() else None,
                        role=role,
                        summary=row["objective"],
                    )
                )
    names_by_id = {oid: name for name, oid in ids.items()}
    orgs = [
        OrgProfile(id=oid, name=names_by_id[oid], text=names_by_id[oid], past_projects=tuple(p))
        for oid, p in sorted(visible.items())
    ]
    known = {o.id for o in orgs}
    answer = {t: relevant[t] & known for t in THEMES}
    with open(TOPICS, encoding="utf-8") as fh:
        records = {t["topicId"]: t for t in json.load(fh)}
    topics = [
        TopicProfile(
            topic_id=tid,
            action_type="SAP",
            sub_programme="CET",
            text="\n".join([records[tid]["title"], records[tid]["description"]]),
        )
        for tid in THEMES
    ]
    catalogue = ["\n".join([t["title"], t["description"]]) for t in records.values()]
    return orgs, answer, topics, catalogue


# --------------------------------------------------------------------------- baselines


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]{3,}", fold(text)) if w not in _STOP]


def tfidf_scores(orgs: list[OrgProfile], topic: TopicProfile) -> np.ndarray:
    """Plain TF-IDF cosine of the topic text against each organisation's visible projects."""
    documents = [
        Counter(_words(" ".join(f"{p.title} {p.summary}" for p in org.past_projects)))
        for org in orgs
    ]
    df = Counter(word for counts in documents for word in counts)
    idf = {word: math.log((1 + len(orgs)) / (1 + n)) + 1.0 for word, n in df.items()}
    query = {
        word: (1.0 + math.log(count)) * idf[word]
        for word, count in Counter(_words(topic.text)).items()
        if word in idf
    }
    query_norm = math.sqrt(sum(v * v for v in query.values())) or 1.0
    scores = np.zeros(len(orgs))
    for row, counts in enumerate(documents):
        weights = {w: (1.0 + math.log(c)) * idf[w] for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        dot = sum(v * query[w] for w, v in weights.items() if w in query)
        scores[row] = dot / norm / query_norm
    return scores


# --------------------------------------------------------------------------- metrics


def _average_ranks(scores: np.ndarray) -> np.ndarray:
    """1-based ranks, ties sharing their average rank."""
    order = np.argsort(scores, kind="stable")
    ordered = scores[order]
    ranks = np.empty(len(scores))
    start = 0
    while start < len(scores):
        end = start
        while end + 1 < len(scores) and ordered[end + 1] == ordered[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC (Mann-Whitney, ties counted half)."""
    ranks = _average_ranks(scores)
    n_pos = int(positive.sum())
    n_neg = len(scores) - n_pos
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def top(scores: np.ndarray, ids: np.ndarray, n: int = TOP) -> list[int]:
    """The ``n`` best ids, ties broken by id (as the product's own order does)."""
    order = np.lexsort((ids, -scores))
    return [int(ids[i]) for i in order[:n]]


def main() -> int:
    started = time.perf_counter()
    orgs, answer, topics, texts = load()
    catalogue = TopicCatalogue(texts)
    ids = np.array([o.id for o in orgs])
    build = time.perf_counter()
    index = FitIndex(orgs)
    build = time.perf_counter() - build
    count = np.array([len(o.past_projects) for o in orgs], dtype=float)
    print(
        f"{len(orgs)} organisations with a visible project; index built in {build:.1f} s; "
        f"relevant per topic: " + ", ".join(f"{t[14:]} {len(a)}" for t, a in answer.items())
    )
    header = (
        f"{'topic':<22} {'AUC prod':>8} {'tfidf':>6} {'count':>6} "
        f"{'P@20 prod':>9} {'tfidf':>6} {'count':>6} {'tied top':>8}"
    )
    print(header)
    tops: dict[str, list[int]] = {}
    tfidf_tops: dict[str, list[int]] = {}
    passed = True
    for topic in topics:
        positive = np.isin(ids, list(answer[topic.topic_id]))
        prepared = prepare(
            topic,
            ConsortiumProfile(),
            {},
            default_weights(topic.action_type),
            index=index,
            catalogue=catalogue,
        )
        ranking = prepared.rank(orgs)
        totals = {fit.org_id: fit.total for fit in ranking}
        product = np.array([totals[i] for i in ids])
        tfidf = tfidf_scores(orgs, topic)
        tops[topic.topic_id] = [fit.org_id for fit in ranking[:TOP]]
        tfidf_tops[topic.topic_id] = top(tfidf, ids)
        answer_set = answer[topic.topic_id]
        figures = {
            "auc": [auc(s, positive) for s in (product, tfidf, count)],
            "p20": [
                sum(1 for i in tops[topic.topic_id] if i in answer_set) / TOP,
                sum(1 for i in top(tfidf, ids) if i in answer_set) / TOP,
                sum(1 for i in top(count, ids) if i in answer_set) / TOP,
            ],
        }
        tied = sum(1 for fit in ranking if fit.total == ranking[0].total)
        a, p = figures["auc"], figures["p20"]
        ok = a[0] >= max(a[1], a[2]) + 0.03 and p[0] >= max(p[1], p[2]) and tied <= 3
        passed &= ok
        print(
            f"{topic.topic_id[14:]:<22} {a[0]:>8.3f} {a[1]:>6.3f} {a[2]:>6.3f} "
            f"{p[0]:>9.2f} {p[1]:>6.2f} {p[2]:>6.2f} {tied:>8} {'ok' if ok else 'MISSED'}"
        )
    pairs = list(itertools.combinations(tops, 2))
    overlap = sum(len(set(tops[a]) & set(tops[b])) for a, b in pairs) / len(pairs)
    tfidf_overlap = sum(len(set(tfidf_tops[a]) & set(tfidf_tops[b])) for a, b in pairs) / len(pairs)
    print(
        f"mean overlap of the top {TOP} between topics: product {overlap:.1f}, "
        f"tf-idf {tfidf_overlap:.1f} (target <= 8)"
    )
    passed &= overlap <= 8
    print(f"targets {'met' if passed else 'NOT met'}; {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Retrieval variants of the partner fit, scored on the real data of ``fit_quality.py``.

Run: ``python benchmarks/fit_variants.py``  (about two minutes; prints one line per variant).

Why: to choose the model on evidence. Each line is one variant of relevance (or of the total)
with, per topic, ``AUC product/tf-idf/count`` and ``P@20 product/tf-idf/count`` (``!`` when the
issue #12 targets are missed on that topic) and the mean top-20 overlap between topics. Same
data, answer and baselines as ``fit_quality.py``; variants of relevance are scored on the
index's BM25 matrix directly (one sparse product per topic), variants of the total recompute
it from the product's own components. Nothing here is read by the product.
"""

from __future__ import annotations

import itertools
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fit_quality as quality

from consortium.fit import scoring

Scorer = Callable[[scoring.Prepared, scoring.TopicProfile], np.ndarray]


class Bench:
    """The data, its index at the module's BM25 parameters, one prepared ranking per topic."""

    def __init__(self) -> None:
        self.orgs, self.answer, self.topics, texts = quality.load()
        self.catalogue = scoring.TopicCatalogue(texts)
        self.ids = np.array([o.id for o in self.orgs])
        self.count = np.array([len(o.past_projects) for o in self.orgs], dtype=float)
        self.tfidf = {t.topic_id: quality.tfidf_scores(self.orgs, t) for t in self.topics}
        self.rebuild()

    def rebuild(self) -> None:
        self.index = scoring.FitIndex(self.orgs)
        self.prepared = {}
        for topic in self.topics:
            prepared = scoring.prepare(
                topic,
                scoring.ConsortiumProfile(),
                {},
                scoring.default_weights(topic.action_type),
                index=self.index,
                catalogue=self.catalogue,
            )
            prepared.scales()
            self.prepared[topic.topic_id] = prepared

    def line(self, label: str, scorer: Scorer) -> None:
        tops, cells = {}, []
        for topic in self.topics:
            answer = self.answer[topic.topic_id]
            positive = np.isin(self.ids, list(answer))
            tfidf = self.tfidf[topic.topic_id]
            scores = [scorer(self.prepared[topic.topic_id], topic), tfidf, self.count]
            aucs = [quality.auc(s, positive) for s in scores]
            p20 = [sum(i in answer for i in quality.top(s, self.ids)) / quality.TOP for s in scores]
            tops[topic.topic_id] = quality.top(scores[0], self.ids)
            met = aucs[0] >= max(aucs[1:]) + 0.03 and p20[0] >= max(p20[1:])
            cells.append(
                f"{topic.topic_id[14:18]} {'/'.join(f'{a:.3f}' for a in aucs)} "
                f"{'/'.join(f'{p:.2f}' for p in p20)}{'' if met else '!'}"
            )
        pairs = list(itertools.combinations(tops, 2))
        overlap = sum(len(set(tops[a]) & set(tops[b])) for a, b in pairs) / len(pairs)
        print(f"{label:<28} | {' ; '.join(cells)} | overlap {overlap:.1f}", flush=True)


def relevance_scores(prepared: scoring.Prepared, _topic: scoring.TopicProfile) -> np.ndarray:
    return prepared.org_scores


def reweighted(factor: Callable[[str], float]) -> Scorer:
    """Relevance with each query term's weight multiplied by ``factor(term)``."""

    def scorer(prepared: scoring.Prepared, _topic: scoring.TopicProfile) -> np.ndarray:
        query = {t: w * factor(t) for t, w in prepared.query_weights.items()}
        return prepared.index.orgs.dot(prepared.index.query(query))

    return scorer


def feedback(bench: Bench, k: int, m: int, mix: float) -> Scorer:
    """Rocchio / RM3 expansion: the query mixed with the ``m`` heaviest terms of the top ``k``
    organisations' BM25 rows (each row summing to one, terms weighed by their specificity)."""

    def scorer(prepared: scoring.Prepared, _topic: scoring.TopicProfile) -> np.ndarray:
        rows, query = prepared.index.orgs, prepared.vector
        expansion = np.zeros(len(query))
        for row in np.argsort(-prepared.org_scores, kind="stable")[:k]:
            start, end = rows.indptr[row], rows.indptr[row + 1]
            weights = rows.data[start:end]
            np.add.at(expansion, rows.indices[start:end], weights / weights.sum())
        kept = np.argsort(-expansion)[:m]
        terms = prepared.index.terms
        chosen = np.zeros(len(query))
        chosen[kept] = expansion[kept] * [bench.catalogue.specificity(terms[c]) for c in kept]
        return rows.dot((1 - mix) * query / query.sum() + mix * chosen / chosen.sum())

    return scorer


def _term_counts(bench: Bench) -> scoring.SparseRows:
    """Raw term counts of every organisation's document, on the index's columns."""
    index = bench.index
    indptr, cols, counts = [0], [], []
    for org in bench.orgs:
        terms = index.org_terms(org)
        for project in org.past_projects:
            terms.update(index._analyse(project.document))
        cols += [index.vocabulary[t] for t in terms]
        counts += list(terms.values())
        indptr.append(len(cols))
    return scoring.SparseRows(np.asarray(indptr), np.asarray(cols), np.asarray(counts, dtype=float))


def cosine(bench: Bench) -> Scorer:
    """Vector-space relevance instead of BM25: log tf x idf, cosine-normalised rows, the same
    query (its weights times idf)."""
    counts = _term_counts(bench)
    rows = counts.entry_rows()
    n = counts.n_rows
    df = np.bincount(counts.indices, minlength=len(bench.index.vocabulary)).astype(float)
    idf = np.log((1 + n) / (1 + df)) + 1
    weights = (1 + np.log(counts.data)) * idf[counts.indices]
    weights /= np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n))[rows]
    matrix = scoring.SparseRows(counts.indptr, counts.indices, weights)

    def scorer(prepared: scoring.Prepared, _topic: scoring.TopicProfile) -> np.ndarray:
        return matrix.dot(prepared.vector * idf)

    return scorer


def _co_participants(bench: Bench) -> list[np.ndarray]:
    """Each organisation's partners in its visible projects (same project reference)."""
    members: dict[str, list[int]] = defaultdict(list)
    for row, org in enumerate(bench.orgs):
        for project in org.past_projects:
            members[project.reference].append(row)
    partners: list[set[int]] = [set() for _ in bench.orgs]
    for rows in members.values():
        for row in rows:
            partners[row].update(rows)
    return [np.array(sorted(p - {row}), dtype=int) for row, p in enumerate(partners)]


def with_partners(
    bench: Bench, base: Scorer, mix: float, aggregate: Callable[[np.ndarray], float] = np.max
) -> Scorer:
    """Score regularised over the co-participation graph: own score + ``mix`` x the best
    (or, with ``aggregate=np.mean``, the mean: it does not lift the hubs that worked with
    everyone) score among the organisation's past partners."""
    partners = _co_participants(bench)

    def scorer(prepared: scoring.Prepared, topic: scoring.TopicProfile) -> np.ndarray:
        own = base(prepared, topic)
        others = np.array([aggregate(own[p]) if len(p) else 0.0 for p in partners])
        return own + mix * others

    return scorer


def project_feedback(k: int, m: int, mix: float) -> Scorer:
    """RM3 with past projects as the feedback documents (one theme each, unlike an
    organisation): the ``m`` heaviest terms of the top ``k`` projects' BM25 rows, each row
    summing to one and weighed by the project's score, mixed into the query."""

    def scorer(prepared: scoring.Prepared, _topic: scoring.TopicProfile) -> np.ndarray:
        rows, query, scores = prepared.index.projects, prepared.vector, prepared.project_scores
        expansion = np.zeros(len(query))
        for row in np.argsort(-scores, kind="stable")[:k]:
            start, end = rows.indptr[row], rows.indptr[row + 1]
            weights = rows.data[start:end]
            np.add.at(expansion, rows.indices[start:end], scores[row] * weights / weights.sum())
        kept = np.argsort(-expansion)[:m]
        chosen = np.zeros(len(query))
        chosen[kept] = expansion[kept]
        return prepared.index.orgs.dot(
            (1 - mix) * query / query.sum() + mix * chosen / chosen.sum()
        )

    return scorer


def project_neighbours(bench: Bench, k: int, mix: float) -> Scorer:
    """Item-based nearest neighbours: the sum of the BM25 scores of the organisation's
    projects among the ``k`` projects closest to the topic, plus ``mix`` x relevance (both
    standardised)."""
    rows = [
        np.array([bench.index.project_row[p.document] for p in org.past_projects], dtype=int)
        for org in bench.orgs
    ]

    def scorer(prepared: scoring.Prepared, _topic: scoring.TopicProfile) -> np.ndarray:
        scores = prepared.project_scores
        kept = np.where(scores >= np.sort(scores)[-k], scores, 0.0)
        summed = np.array([kept[r].sum() for r in rows])
        return _standard(summed) + mix * _standard(prepared.org_scores)

    return scorer


def _standard(scores: np.ndarray) -> np.ndarray:
    return (scores - scores.mean()) / (scores.std() or 1.0)


def fused(first: Scorer, second: Scorer) -> Scorer:
    """Score fusion: the mean of the two standardised scores."""

    def scorer(prepared: scoring.Prepared, topic: scoring.TopicProfile) -> np.ndarray:
        return (_standard(first(prepared, topic)) + _standard(second(prepared, topic))) / 2

    return scorer


def latent_semantic(bench: Bench, k: int, seed: int = 0) -> Scorer:
    """Latent semantic analysis: the organisations' BM25 rows (terms in at least 3 documents,
    rows normalised) reduced to ``k`` dimensions by a randomised SVD, the query projected the
    same way, cosine in that space; it can match an organisation that shares no word with
    the topic but shares them with organisations that do."""
    index = bench.index
    rows = index.orgs.entry_rows()
    df = np.bincount(index.orgs.indices, minlength=len(index.vocabulary))
    kept = np.flatnonzero(df >= 3)
    column = np.full(len(index.vocabulary), -1)
    column[kept] = np.arange(len(kept))
    inside = column[index.orgs.indices] >= 0
    dense = np.zeros((index.orgs.n_rows, len(kept)))
    np.add.at(dense, (rows[inside], column[index.orgs.indices[inside]]), index.orgs.data[inside])
    dense /= np.maximum(np.linalg.norm(dense, axis=1, keepdims=True), 1e-12)
    sketch = dense @ np.random.default_rng(seed).standard_normal((len(kept), k + 20))
    for _ in range(3):  # power iterations sharpen the leading subspace
        sketch = dense @ (dense.T @ np.linalg.qr(sketch)[0])
    basis = np.linalg.qr(sketch)[0]
    left, values, right = np.linalg.svd(basis.T @ dense, full_matrices=False)
    documents = (basis @ left[:, :k]) * values[:k]
    documents /= np.maximum(np.linalg.norm(documents, axis=1, keepdims=True), 1e-12)
    topics = right[:k]

    def scorer(prepared: scoring.Prepared, _topic: scoring.TopicProfile) -> np.ndarray:
        query = topics @ prepared.vector[kept]
        return documents @ (query / max(np.linalg.norm(query), 1e-12))

    return scorer


def best_project(bench: Bench) -> Scorer:
    """The organisation's single closest past project (BM25 of the project alone)."""
    index = bench.index

    def scorer(prepared: scoring.Prepared, _topic: scoring.TopicProfile) -> np.ndarray:
        return np.array(
            [
                max(
                    (
                        prepared.project_scores[index.project_row[p.document]]
                        for p in o.past_projects
                    ),
                    default=0.0,
                )
                for o in bench.orgs
            ]
        )

    return scorer


def _logistic(features: np.ndarray, labels: np.ndarray, penalty: float = 1e-3) -> np.ndarray:
    """Weights (bias first) of an L2-penalised logistic regression, by Newton's method."""
    x = np.column_stack([np.ones(len(features)), features])
    weights = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ weights)))
        gradient = x.T @ (p - labels) + penalty * weights
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights


def learned_ceiling(bench: Bench, signals: dict[str, Scorer], *, in_sample: bool = False) -> Scorer:
    """Not a candidate for the product: a ceiling. A logistic regression over the signals
    (each standardised within its topic) trained on the answers of the five other topics and
    scored on the held-out one; with ``in_sample``, trained on the scored topic's own answer (a
    bound no honest model reaches). If even this, which learns from the answers, does not clear
    a target, no fixed combination of the same signals will."""
    features, labels = {}, {}
    for topic in bench.topics:
        prepared = bench.prepared[topic.topic_id]
        columns = [_standard(signal(prepared, topic)) for signal in signals.values()]
        features[topic.topic_id] = np.column_stack(columns)
        labels[topic.topic_id] = np.isin(bench.ids, list(bench.answer[topic.topic_id]))
    learned = {}
    for scored in features:
        training = [scored] if in_sample else [t for t in features if t != scored]
        weights = _logistic(
            np.vstack([features[t] for t in training]),
            np.concatenate([labels[t] for t in training]).astype(float),
        )
        learned[scored] = weights
        print(
            f"  {'fitted on' if in_sample else 'held out'} {scored[14:18]}: "
            + ", ".join(f"{name} {w:+.2f}" for name, w in zip(signals, weights[1:], strict=True))
        )

    def scorer(_prepared: scoring.Prepared, topic: scoring.TopicProfile) -> np.ndarray:
        return features[topic.topic_id] @ learned[topic.topic_id][1:]

    return scorer


def totals(bench: Bench, combine: Callable[[dict[str, tuple[float, float]]], float]) -> Scorer:
    """The total recomputed from the product's components: name -> (fraction, weight)."""
    cache: dict[str, np.ndarray] = {}

    def scorer(prepared: scoring.Prepared, topic: scoring.TopicProfile) -> np.ndarray:
        key = topic.topic_id
        if key not in cache:
            by_id = {
                fit.org_id: {c.component.value: (c.fraction, c.weight) for c in fit.components}
                for fit in prepared.rank(bench.orgs)
            }
            cache[key] = np.array([combine(by_id[i]) for i in bench.ids])
        return cache[key]

    return scorer


def weighted_mean(parts: dict[str, tuple[float, float]]) -> float:
    return sum(f * w for f, w in parts.values())


def gated_by_relevance(parts: dict[str, tuple[float, float]]) -> float:
    """Eligibility and relevance as they are; every other component times relevance."""
    core = ("eligibility", "relevance")
    others = sum(f * w for name, (f, w) in parts.items() if name not in core)
    relevance = parts["relevance"][0]
    return sum(f * w for name, (f, w) in parts.items() if name in core) + relevance * others


def without(component: str) -> Callable[[dict[str, tuple[float, float]]], float]:
    return lambda parts: sum(f * w for name, (f, w) in parts.items() if name != component)


def main() -> int:
    bench = Bench()
    print(f"BM25 k1 = {scoring.BM25_K1}, b = {scoring.BM25_B} (the product's)")
    bench.line("relevance", relevance_scores)
    spec = bench.catalogue.specificity
    for power in (0.0, 0.5, 2.0):
        bench.line(f"specificity ^{power:g}", reweighted(lambda t, p=power: spec(t) ** (p - 1)))
    for weight in (0.0, 0.5, 2.0):
        bench.line(
            f"concepts x{weight:g}",
            reweighted(lambda t, w=weight: w if t.startswith("#") else 1.0),
        )
    for k, m, mix in ((10, 50, 0.3), (10, 50, 0.5), (10, 100, 0.5), (20, 50, 0.5)):
        bench.line(f"feedback k{k} m{m} mix {mix}", feedback(bench, k, m, mix))
    bench.line("best single project", best_project(bench))
    vector_space = cosine(bench)
    bench.line("cosine tf-idf", vector_space)
    for mix in (0.3, 0.5):
        bench.line(f"relevance + partners x{mix:g}", with_partners(bench, relevance_scores, mix))
        bench.line(f"cosine + partners x{mix:g}", with_partners(bench, vector_space, mix))
    for k, m, mix in ((10, 50, 0.3), (50, 200, 0.5)):
        bench.line(f"project feedback k{k} m{m} mix {mix:g}", project_feedback(k, m, mix))
    for k, mix in ((100, 0.0), (100, 2.0), (200, 1.0)):
        bench.line(f"project neighbours k{k} + {mix:g} rel", project_neighbours(bench, k, mix))
    both = fused(relevance_scores, vector_space)
    bench.line("fused BM25 and cosine", both)
    bench.line("fused + mean partners x0.5", with_partners(bench, both, 0.5, np.mean))
    latent = latent_semantic(bench, 100)
    bench.line("latent semantic k100", latent)
    for mix in (0.3, 0.6):
        bench.line(
            f"relevance + latent x{mix:g}",
            lambda p, t, m=mix: _standard(p.org_scores) + m * _standard(latent(p, t)),
        )
    best_partner = with_partners(bench, relevance_scores, 1.0)
    signals: dict[str, Scorer] = {
        "BM25": relevance_scores,
        "cosine": vector_space,
        "partners": lambda p, t: best_partner(p, t) - p.org_scores,
        "tf-idf": lambda _p, t: bench.tfidf[t.topic_id],
        "log count": lambda _p, _t: np.log1p(bench.count),
        "total": totals(bench, gated_by_relevance),
    }
    bench.line("learned, other topics", learned_ceiling(bench, signals))
    bench.line("learned, own answer", learned_ceiling(bench, signals, in_sample=True))
    bench.line("total: weighted mean", totals(bench, weighted_mean))
    bench.line("total: without capacity", totals(bench, without("capacity")))
    bench.line("total: without experience", totals(bench, without("experience")))
    bench.line("total: gated by relevance", totals(bench, gated_by_relevance))
    product_b = scoring.BM25_B
    for b in (0.75, 0.9):
        scoring.BM25_B = b  # a variant of the index: rebuilt with this parameter
        bench.rebuild()
        bench.line(f"relevance, b = {b}", relevance_scores)
    scoring.BM25_B = product_b
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

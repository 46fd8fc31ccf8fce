"""Benchmark of the pure fit scorer: rank synthetic organisations with every reason.

Run: ``python benchmarks/fit_pure.py [count]`` (5,000 by default; ``50000`` for the large case).
Prints the time to build the directory's index (once per data version: the text analysis and
the BM25 term matrix; timed untraced, its memory read on a second, traced build), the time to
rebuild it after one organisation was edited (only the edited text is analysed again), the time of
one full ranking with every reason on that index (best of 5 after a warm-up), the peak memory
of one ranking and of the index build (``tracemalloc``), and the garbage collector's share of
the last ranking.
Targets (issue #12): ranking 5,000 organisations < 0.5 s, 50,000 < 2 s, peak < 300 MB.
"""

from __future__ import annotations

import gc
import random
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consortium.fit.scoring import (
    ConsortiumProfile,
    FitIndex,
    OrgProfile,
    PastProject,
    TopicProfile,
    prepare,
)

FR_PHRASES = [
    "réemploi des matériaux du BTP",
    "déconstruction sélective",
    "végétalisation des cours d'école",
    "jardins partagés et compostage",
    "îlots de chaleur urbains",
    "solutions fondées sur la nature",
    "chantier d'insertion",
    "sensibilisation des habitants",
    "économie circulaire",
    "désimperméabilisation des sols",
    "gestion des eaux pluviales",
    "agriculture urbaine",
    "biodiversité en ville",
    "ressourcerie solidaire",
    "formation professionnelle",
    "participation citoyenne",
    "rénovation énergétique",
    "mobilité active et vélo",
]
_FILLER_TEXT = (
    "association marseillaise qui accompagne les acteurs du quartier depuis dix ans avec une "
    "équipe de salariés et de bénévoles engagés pour la transition écologique et sociale"
)
FILLER = _FILLER_TEXT.split()
TYPES = ["public_authority", "research", "ngo", "sme", "large_company", "social_economy", "other"]
COUNTRIES = ["FR"] * 12 + ["IT", "ES", "BE", "DE", "UA", "CH", None]


def synthetic(count: int, seed: int = 7) -> list[OrgProfile]:
    """Deterministic random organisations with French texts and past projects."""
    rng = random.Random(seed)
    orgs = []
    for i in range(1, count + 1):
        words = rng.sample(FILLER, 15) + rng.sample(FR_PHRASES, rng.randint(1, 4))
        rng.shuffle(words)
        projects = tuple(
            PastProject(
                programme="LIFE" if rng.random() < 0.5 else "Interreg MED",
                reference=f"LIFE{rng.randint(14, 23)} ENV/FR/{rng.randint(1, 999):06d}",
                title=rng.choice(FR_PHRASES),
                year=rng.randint(2010, 2024),
                role=rng.choice(["coordinator", "partner"]),
                summary=" ".join(rng.sample(FR_PHRASES, 3)),
            )
            for _ in range(rng.choice([0, 0, 0, 1, 2]))
        )
        orgs.append(
            OrgProfile(
                id=i,
                name=f"Organisation {i:05d}",
                org_type=rng.choice(TYPES),
                country=rng.choice(COUNTRIES),
                natural_person=rng.random() < 0.01,
                pic=None if rng.random() < 0.4 else f"{rng.randint(0, 999_999_999):09d}",
                themes=frozenset(
                    rng.sample(["buildings", "circular_economy_waste", "nature_in_city"], 1)
                ),
                text=" ".join(words),
                staff=rng.choice([None, 1, 4, 12, 80]),
                annual_budget_eur=rng.choice([None, 30_000.0, 250_000.0, 2_000_000.0]),
                eu_experience=rng.choice(["none", "none", "participant", "coordinator"]),
                past_projects=projects,
                workshops_attended=rng.randint(0, 3),
                outputs_contributed=rng.randint(0, 5),
            )
        )
    return orgs


class CollectorTime:
    """Time the cyclic garbage collector spends during a block (``gc.callbacks``): at scale
    its full collections walk everything the process holds, a share of the ranking worth
    knowing before optimising the scorer itself."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.seconds = self.full_seconds = 0.0
        self.full = 0
        self._started = 0.0

    def _hear(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        spent = time.perf_counter() - self._started
        self.seconds += spent
        if info["generation"] == 2:
            self.full += 1
            self.full_seconds += spent

    def __enter__(self) -> CollectorTime:
        gc.callbacks.append(self._hear)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._hear)


def calibrate() -> float:
    """Best-of-3 CPU time of a fixed pure-Python loop, to compare machines."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    """Time and measure one ranking."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    orgs = synthetic(count)
    members = tuple(orgs[:20])
    rng = random.Random(3)
    neighbours = {o.id: frozenset(rng.sample(range(1, count + 1), rng.randint(0, 8))) for o in orgs}
    topic = TopicProfile(
        topic_id="LIFE-2026-SAP-ENV-ENVIRONMENT",
        action_type="SAP",
        sub_programme="ENV",
        text=(
            "Circular economy and waste: recovery of resources from waste, reuse of construction "
            "and demolition materials, urban greening and nature-based solutions, citizen "
            "participation and awareness raising."
        ),
        subtopics=("Circular Economy and the Environment", "A new European Bauhaus"),
        min_countries=None,
        funding_rate=0.6,
    )
    consortium = ConsortiumProfile(
        members=members,
        needs_text=(
            "Plateforme de réemploi des matériaux de déconstruction",
            "Former des personnes en insertion aux métiers du réemploi",
            "Végétaliser les cours d'école avec les habitants",
        ),
        expected_share_eur=120_000.0,
    )
    start = time.perf_counter()
    index = FitIndex(orgs)
    build = time.perf_counter() - start
    edited = list(orgs)  # one organisation's description edited: a new data version
    edited[count // 2] = replace(edited[count // 2], text=edited[count // 2].text + " réemploi")
    start = time.perf_counter()
    FitIndex(edited, previous=index)
    rebuild = time.perf_counter() - start
    tracemalloc.start()  # a second build for its memory: tracing slows Python several times
    FitIndex(orgs)
    _, index_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    prepare(topic, consortium, neighbours, index=index).rank(orgs[:50])  # warm-up

    timings, cpu, collector = [], [], CollectorTime()
    for _ in range(5):
        collector.reset()
        start, start_cpu = time.perf_counter(), time.process_time()
        with collector:
            ranking = prepare(topic, consortium, neighbours, index=index).rank(orgs)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    reference = calibrate()
    tracemalloc.start()
    prepare(topic, consortium, neighbours, index=index).rank(orgs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"index build (once per data version): {build:.2f} s, peak {index_peak / 1e6:.0f} MB")
    print(f"index rebuild after one organisation was edited: {rebuild:.2f} s")
    reasons = sum(len(c.reasons) for s in ranking for c in s.components)
    print(f"organisations: {count}, reasons built: {reasons}")
    print(
        f"rank with reasons: best {min(timings):.3f} s wall ({min(cpu):.3f} s CPU), "
        f"worst {max(timings):.3f} s"
    )
    ratio = min(cpu) / reference
    print(
        f"machine speed: 10M-iteration reference loop {reference:.3f} s CPU; "
        f"ranking CPU = {ratio:.2f} x that loop "
        f"(= {ratio * 0.35:.2f} s where the loop takes 0.35 s, a current laptop)"
    )
    print(
        f"garbage collector, last ranking: {collector.seconds:.2f} s, of which full collections "
        f"{collector.full_seconds:.2f} s ({collector.full} full collections)"
    )
    print(f"peak memory (tracemalloc): {peak / 1e6:.1f} MB")
    print(
        f"top: {ranking[0].name} {ranking[0].total}; last: {ranking[-1].name} {ranking[-1].total}"
    )


if __name__ == "__main__":
    main()

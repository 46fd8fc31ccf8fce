"""Co-participation ties from shared projects, and the weight of a tie (pure).

A shared project counts ``0.5 ** (age / HALF_LIFE)`` where ``age`` is years since it started
(0 for this year or later): a project of this year counts 1, one of ten years ago 0.25. A
project without a year counts ``UNDATED``. A tie's weight is its declared part (one per
declaration kept in its evidence, or 1 for a tie declared before evidence was kept) plus the
shared projects' part, so re-importing the same open data gives the same weight.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from consortium.directory.spreadsheet import DECLARED

HALF_LIFE = 5.0
#: Past projects keep the first 60 characters of a reference (``PastProject.reference``).
REFERENCE_LENGTH = 60
UNDATED = 0.5
#: Evidence items that come from open data start with one of these; a person's declarations
#: are kept as ``"declared"`` or ``"declared: <year> · <note>"``, so they never collide.
OPEN_DATA_PREFIXES = ("cordis:", "life:")


@dataclass(frozen=True, slots=True)
class SharedProjects:
    """Two organisations (``a < b``) and the projects they shared."""

    a: int
    b: int
    references: tuple[str, ...]
    weight: float


def project_weight(year: int | None, current_year: int) -> float:
    if year is None:
        return UNDATED
    return 0.5 ** (max(0, current_year - year) / HALF_LIFE)


def evidence_label(source: str, reference: str) -> str:
    """``"cordis:101051386"`` or ``"life:LIFE17 CCA/AT/000077"``."""
    return f"{'life' if source == 'life' else 'cordis'}:{reference}"


def is_open_data(item: str) -> bool:
    return item.startswith(OPEN_DATA_PREFIXES)


def open_data_references(evidence: Iterable[str]) -> list[str]:
    """Project references behind a tie's open-data evidence, as past projects store them."""
    return [
        item.split(":", 1)[1][:REFERENCE_LENGTH].strip() for item in evidence if is_open_data(item)
    ]


def shared_projects(
    members: Mapping[str, Iterable[int]],
    years: Mapping[str, int | None],
    *,
    current_year: int,
) -> list[SharedProjects]:
    """Pairs of organisations that shared projects, sorted by ``(a, b)``.

    ``members`` maps a project's evidence label to the organisation ids that took part;
    ``years`` its start year.
    """
    pairs: dict[tuple[int, int], list[str]] = defaultdict(list)
    for label, ids in members.items():
        for a, b in combinations(sorted(set(ids)), 2):
            pairs[(a, b)].append(label)
    return [
        SharedProjects(
            a,
            b,
            tuple(sorted(labels)),
            round(sum(project_weight(years.get(label), current_year) for label in labels), 4),
        )
        for (a, b), labels in sorted(pairs.items())
    ]


def tie_weight(evidence: Iterable[str], shared: float) -> float:
    """Declared part + shared projects' part (see the module docstring)."""
    items = list(evidence)
    declared = sum(1 for item in items if not is_open_data(item)) if items else 1
    return round(declared + shared, 4)


def rebuilt_evidence(existing: Iterable[str], references: Iterable[str]) -> list[str]:
    """The declarations kept (a bare legacy tie becomes ``"declared"``), then ``references``.

    Open-data items are replaced, not added to, so a re-import never counts a project twice
    and a rejected match takes its projects away.
    """
    items = list(existing)
    declared = [item for item in items if not is_open_data(item)] if items else [DECLARED]
    return declared + sorted(set(references))

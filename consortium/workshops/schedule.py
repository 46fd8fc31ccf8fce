"""The work plan of the actions: milestones and the geometry of the Gantt chart (pure).

Milestones are typed one per line as ``M12: Pilot sites chosen`` (``M`` optional, ``:`` or
``-`` or a space after the month); they are stored as that normalised text, so the writer
reads back what the chart shows.  The chart geometry is computed here so that the page's SVG
(a template) and the Word figure (matplotlib) draw the same bars.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from consortium.errors import N_

MAX_MILESTONES = 30
MAX_MILESTONE_LABEL = 200
_LINE = re.compile(r"^\s*[Mm]?\s*(\d{1,4})\s*(?:[:\-–—.]\s*|\s+)(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Milestone:
    month: int
    label: str


class MilestoneError(ValueError):
    """A milestone line that cannot be read; ``message`` is an ``N_`` template."""

    def __init__(self, message: str, params: dict) -> None:
        super().__init__(message % params)
        self.message = message
        self.params = params


def parse_milestones(text: str | None, duration: int) -> tuple[Milestone, ...]:
    """Milestones of ``text`` in month order; a line that is not ``M<month>: <label>`` with a
    month inside the project raises :class:`MilestoneError` naming the line."""
    found: list[Milestone] = []
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_MILESTONES:
        raise MilestoneError(N_("At most %(max)d milestones per action."), {"max": MAX_MILESTONES})
    for number, line in enumerate(lines, start=1):
        match = _LINE.match(line)
        if match is None or not match.group(2):
            raise MilestoneError(
                N_("Line %(line)d: write a milestone as “M12: what is reached”."),
                {"line": number},
            )
        month, label = int(match.group(1)), " ".join(match.group(2).split())
        if not 1 <= month <= duration:
            raise MilestoneError(
                N_("Line %(line)d: the month must be from 1 to %(duration)d."),
                {"line": number, "duration": duration},
            )
        if len(label) > MAX_MILESTONE_LABEL:
            raise MilestoneError(
                N_("Line %(line)d: at most %(max)d characters."),
                {"line": number, "max": MAX_MILESTONE_LABEL},
            )
        found.append(Milestone(month, label))
    return tuple(sorted(found, key=lambda m: m.month))


def milestones_text(milestones: Iterable[Milestone]) -> str:
    """The stored form: one ``M<month>: <label>`` per line."""
    return "\n".join(f"M{m.month}: {m.label}" for m in milestones)


def read_milestones(text: str | None) -> tuple[Milestone, ...]:
    """Milestones of stored text, skipping lines that no longer parse (never raises)."""
    found = []
    for line in (text or "").splitlines():
        match = _LINE.match(line)
        if match and match.group(2):
            found.append(Milestone(int(match.group(1)), " ".join(match.group(2).split())))
    return tuple(sorted(found, key=lambda m: m.month))


# --------------------------------------------------------------------------- Gantt geometry


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """What the chart needs of an action."""

    code: str
    title: str
    lead: str = ""
    start_month: int | None = None
    end_month: int | None = None
    milestones: tuple[Milestone, ...] = ()


@dataclass(frozen=True, slots=True)
class GanttRow:
    action: PlannedAction
    start: int | None  # first month of the bar, 1-based; None when the action has no months
    end: int | None  # last month of the bar, inclusive

    @property
    def scheduled(self) -> bool:
        return self.start is not None


@dataclass(frozen=True, slots=True)
class Gantt:
    months: int
    rows: tuple[GanttRow, ...]
    year_ticks: tuple[int, ...]  # months that start a project year: 1, 13, 25...

    @property
    def unscheduled(self) -> tuple[GanttRow, ...]:
        return tuple(r for r in self.rows if not r.scheduled)


def gantt(actions: Sequence[PlannedAction], duration: int) -> Gantt:
    """Rows of the chart in the actions' order.

    An action with only a start month runs to the end of the project; with only an end month
    it runs from M1: the bar shows what the writer said, the table says the rest.
    """
    months = max(1, duration)
    rows = []
    for action in actions:
        start, end = action.start_month, action.end_month
        if start is None and end is None:
            rows.append(GanttRow(action, None, None))
            continue
        first = min(max(start or 1, 1), months)
        last = min(max(end or months, first), months)
        rows.append(GanttRow(action, first, last))
    return Gantt(months, tuple(rows), tuple(range(1, months + 1, 12)))

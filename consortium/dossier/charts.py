"""The work plan's Gantt chart and the budget charts as figures for the Word dossier (pure).

Drawn with matplotlib's object API on the Agg canvas (no pyplot, so no global state between
requests), 15 cm wide at 200 dpi: inserted at the dossier's figure width, the text prints at
7-9 pt.  The geometry comes from the same modules as the pages' charts
(:mod:`consortium.workshops.schedule`, :mod:`consortium.commitments.budget_charts`), so the
document and the screen show the same bars.  Words are in the document's language.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any

from consortium.characters import short_label
from consortium.commitments.budget_charts import NOT_ALLOCATED, Bar, BudgetCharts
from consortium.errors import N_
from consortium.formatting import format_money
from consortium.translation import translator
from consortium.workshops.schedule import Gantt

WIDTH_IN = 150 / 25.4
DPI = 200
BAR_COLOUR = "#0b5cad"
MILESTONE_COLOUR = "#1d2630"
BAND_COLOUR = "#eef2f6"
CATEGORY_COLOURS = ("#0b5cad", "#2e9e6b", "#d98b00", "#8a4fbf", "#c2410c", "#0e7490", "#6b7280")
MAX_LABEL = 44

#: Short labels of the LIFE cost categories, for the chart's narrow axis.
SHORT_CATEGORY_LABELS: dict[str, str] = {
    "A": N_("A. Personnel"),
    "B": N_("B. Subcontracting"),
    "C1": N_("C.1 Travel"),
    "C2": N_("C.2 Equipment"),
    "C3": N_("C.3 Other goods, works, services"),
    "D": N_("D. Other costs"),
    "E": N_("E. Indirect costs"),
}


def _texts(lang: str) -> dict[str, str]:
    """The figures' words in ``lang``, from the catalogues (``year`` keeps its ``%(n)s``)."""
    tr = translator(lang)
    words = {
        "year": tr.gettext("Year %(n)s"),
        "month": tr.gettext("Project month"),
        "milestone": tr.gettext("milestone"),
        "unscheduled": tr.gettext("months not set"),
        "partners": tr.gettext("Eligible costs by partner"),
        "categories": tr.gettext("Eligible costs by LIFE cost category"),
        "actions": tr.gettext("Estimated costs by action"),
        "not_allocated": tr.gettext("not allocated (no person-months)"),
    }
    words.update({key: tr.gettext(label) for key, label in SHORT_CATEGORY_LABELS.items()})
    return words


def _clean(text: str, limit: int = MAX_LABEL) -> str:
    """A label matplotlib prints as typed: a short label (:func:`short_label`) whose dollar
    signs cannot start mathtext (tick labels are parsed)."""
    return short_label(text, limit).replace("$", "＄")


def _png(fig: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a glyph DejaVu lacks (emoji) is drawn as a box
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": "consortium"})
    return buffer.getvalue()


def _year_bands(ax: Any, plan: Gantt, words: dict[str, str]) -> None:
    """Every other project year shaded, each year named above the chart."""
    for n, start in enumerate(plan.year_ticks, start=1):
        end = min(start + 11, plan.months)
        if n % 2:
            ax.axvspan(start - 0.5, end + 0.5, color=BAND_COLOUR, zorder=0, linewidth=0)
        ax.text(
            (start + end) / 2,
            -0.62,
            words["year"] % {"n": n},
            ha="center",
            va="bottom",
            fontsize=7.5,
            color="#44505c",
            clip_on=False,
        )


def _gantt_row(ax: Any, y: int, row: Any, words: dict[str, str]) -> None:
    """One action's bar (or "months not set") and its milestones with their month."""
    if row.scheduled:
        ax.barh(
            y, row.end - row.start + 1, left=row.start - 0.5, height=0.5, color=BAR_COLOUR, zorder=2
        )
    else:
        ax.text(
            1, y, words["unscheduled"], va="center", fontsize=7, style="italic", color="#44505c"
        )
    for milestone in row.action.milestones:
        ax.plot(
            milestone.month,
            y,
            marker="D",
            markersize=6,
            color=MILESTONE_COLOUR,
            markeredgecolor="white",
            markeredgewidth=0.8,
            zorder=3,
        )
        ax.text(
            milestone.month,
            y - 0.3,
            f"M{milestone.month}",
            ha="center",
            va="bottom",
            fontsize=6,
            color=MILESTONE_COLOUR,
            zorder=3,
        )


def _gantt_axes(ax: Any, plan: Gantt, words: dict[str, str]) -> None:
    """Action labels (code, title, lead) on the left, project months below, light grid."""
    rows = plan.rows
    labels = [
        _clean(f"{r.action.code} {r.action.title}", 34)
        + (f"\n{_clean(r.action.lead)}" if r.action.lead else "")
        for r in rows
    ]
    ax.set_yticks(range(len(rows)), labels, fontsize=7.5)
    step = 6 if plan.months > 24 else 3
    ticks = [1, *range(step, plan.months + 1, step)]
    ax.set_xticks(ticks, [f"M{m}" for m in ticks], fontsize=7)
    ax.set_xlabel(words["month"], fontsize=7.5)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#d6dde4", linewidth=0.5, zorder=1)
    ax.set_axisbelow(True)


@lru_cache(maxsize=32)
def gantt_png(plan: Gantt, lang: str) -> bytes | None:
    """The Gantt chart: one row per action (code, title, lead), bars from start to end month,
    milestones as diamonds with their month, project years as bands.  None without actions.

    Cached per process on its (immutable) inputs: exporting again a dossier whose plan did
    not change does not draw it again."""
    if not plan.rows:
        return None
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    words = _texts(lang)
    rows = plan.rows
    height = 0.75 + 0.42 * len(rows)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    fig.subplots_adjust(left=0.40, right=0.98, top=1 - 0.42 / height, bottom=0.5 / height)
    ax = fig.add_subplot()
    ax.set_xlim(0.5, plan.months + 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    _year_bands(ax, plan, words)
    for y, row in enumerate(rows):
        _gantt_row(ax, y, row, words)
    _gantt_axes(ax, plan, words)
    if any(r.action.milestones for r in rows):
        milestone = Line2D(
            [],
            [],
            marker="D",
            linestyle="",
            color=MILESTONE_COLOUR,
            markersize=5,
            label=words["milestone"],
        )
        fig.legend(
            handles=[milestone],
            loc="lower left",
            bbox_to_anchor=(0.0, 0.0),
            fontsize=7,
            frameon=False,
        )
    return _png(fig)


def _panel(
    ax: Any,
    bars: Sequence[Bar],
    labels: Sequence[str],
    title: str,
    money: Callable[[Decimal], str],
    colours: Sequence[str],
) -> None:
    top = max((float(b.value) for b in bars), default=0.0) or 1.0
    ys = range(len(bars))
    ax.barh(list(ys), [float(b.value) for b in bars], height=0.6, color=list(colours), zorder=2)
    for y, bar in zip(ys, bars, strict=True):
        ax.text(float(bar.value) + top * 0.015, y, money(bar.value), va="center", fontsize=7)
    ax.set_yticks(list(ys), list(labels), fontsize=7.5)
    ax.set_ylim(len(bars) - 0.5, -0.5)
    ax.set_xlim(0, top * 1.32)  # room for the amount after the longest bar
    ax.set_xticks([])
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    # The title starts at the figure's left edge, above the labels, so it is never cut.
    ax.figure.text(
        0.01, ax.get_position().y1 + 0.012, title, fontsize=8.5, fontweight="bold", va="bottom"
    )


@lru_cache(maxsize=32)
def budget_png(charts: BudgetCharts, lang: str) -> bytes | None:
    """The three budget charts stacked (by partner, by cost category, by action), each bar
    with its amount in whole euros.  None when the consortium has no costs yet.  Cached per
    process on its (immutable) inputs, like :func:`gantt_png`."""
    if charts.empty:
        return None
    from matplotlib.figure import Figure

    money = partial(format_money, lang=lang, decimals=0)
    words = _texts(lang)
    panels = [
        (
            charts.partners,
            [_clean(b.label, 34) for b in charts.partners],
            words["partners"],
            [BAR_COLOUR] * len(charts.partners),
        ),
        (
            charts.categories,
            [words.get(b.key, b.key) for b in charts.categories],
            words["categories"],
            CATEGORY_COLOURS[: len(charts.categories)],
        ),
    ]
    if charts.actions:
        panels.append(
            (
                charts.actions,
                [
                    _clean(b.label, 34) if b.key != NOT_ALLOCATED else words["not_allocated"]
                    for b in charts.actions
                ],
                words["actions"],
                [BAR_COLOUR if b.key != NOT_ALLOCATED else "#9aa6b2" for b in charts.actions],
            )
        )
    sizes = [len(bars) for bars, *_rest in panels]
    height = 0.55 * len(panels) + 0.24 * sum(sizes) + 0.2
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    grid = fig.add_gridspec(
        len(panels),
        1,
        height_ratios=[n + 1.6 for n in sizes],
        left=0.40,
        right=0.98,
        top=0.96,
        bottom=0.02,
        hspace=0.45,
    )
    for n, (bars, labels, title, colours) in enumerate(panels):
        _panel(fig.add_subplot(grid[n]), bars, labels, title, money, colours)
    return _png(fig)

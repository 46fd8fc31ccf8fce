"""Which reminders are due on a given day (pure).

Why a pure module: "moving the clock" is then a plain argument, and the rule that makes
``flask reminders send`` idempotent (one reminder per task and threshold, never twice) is
tested without a database. The command records what it sent and passes it back as ``sent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Due:
    """Something with a due date that someone must be reminded of.

    ``key`` names it for the sent-reminders record: ``task:<id>`` or ``deadline:<user id>``.
    """

    key: str
    due: dt.date
    done: bool = False


@dataclass(frozen=True)
class ReminderDue:
    key: str
    threshold: int  # days before the due date
    due: dt.date


def parse_days(text: str | int | Sequence[int]) -> tuple[int, ...]:
    """Thresholds from configuration (``"7,2"``, ``7`` or a list), largest first, 0..365.

    The environment gives JSON-parsed values, so ``CONSORTIUM_REMINDER_DAYS=7`` is an int.
    """
    if isinstance(text, int):
        values: list[object] = [text]
    elif isinstance(text, str):
        values = list(text.split(","))
    else:
        values = list(text)
    days = set()
    for value in values:
        number = int(str(value).strip())
        if not 0 <= number <= 365:
            raise ValueError(f"reminder threshold out of range: {number}")
        days.add(number)
    return tuple(sorted(days, reverse=True))


def due_reminders(
    items: Iterable[Due],
    thresholds: Sequence[int],
    today: dt.date,
    sent: set[tuple[str, int, dt.date]],
) -> list[ReminderDue]:
    """Reminders to send today: for each open item and threshold whose day has come and
    whose due date has not passed, unless already in ``sent`` (key, threshold, due date).

    When several thresholds have come at once (the command did not run for a while), only
    the closest one is sent; the others are reported as due too so they are recorded and
    never sent later, which keeps one reminder per item and threshold.
    """
    out: list[ReminderDue] = []
    for item in items:
        if item.done or today > item.due:
            continue
        left = (item.due - today).days
        for threshold in thresholds:
            if left <= threshold and (item.key, threshold, item.due) not in sent:
                out.append(ReminderDue(item.key, threshold, item.due))
    return out

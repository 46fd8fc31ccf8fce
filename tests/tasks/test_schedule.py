"""Which reminders are due (pure): one per item and threshold, never twice, none late."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consortium.tasks.schedule import Due, ReminderDue, due_reminders, parse_days

DUE = dt.date(2027, 3, 10)


def test_thresholds_come_in_turn():
    item = Due("task:1", DUE)
    assert due_reminders([item], (7, 2), DUE - dt.timedelta(days=8), set()) == []
    assert due_reminders([item], (7, 2), DUE - dt.timedelta(days=7), set()) == [
        ReminderDue("task:1", 7, DUE)
    ]
    sent = {("task:1", 7, DUE)}
    assert due_reminders([item], (7, 2), DUE - dt.timedelta(days=3), sent) == []
    assert due_reminders([item], (7, 2), DUE - dt.timedelta(days=2), sent) == [
        ReminderDue("task:1", 2, DUE)
    ]


def test_done_and_past_items_get_nothing():
    assert due_reminders([Due("task:1", DUE, done=True)], (7,), DUE, set()) == []
    assert due_reminders([Due("task:1", DUE)], (7,), DUE + dt.timedelta(days=1), set()) == []


def test_a_moved_due_date_starts_again():
    later = DUE + dt.timedelta(days=10)
    sent = {("task:1", 7, DUE)}
    assert due_reminders([Due("task:1", later)], (7,), later - dt.timedelta(days=7), sent) == [
        ReminderDue("task:1", 7, later)
    ]


def test_parse_days():
    assert parse_days("7, 2,7") == (7, 2)
    assert parse_days([1, 14]) == (14, 1)
    assert parse_days(3) == (3,)
    with pytest.raises(ValueError):
        parse_days("7,-1")
    with pytest.raises(ValueError):
        parse_days("soon")


@given(
    st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=4),
    st.lists(st.integers(min_value=-40, max_value=5), min_size=1, max_size=20),
)
def test_running_every_day_sends_each_threshold_exactly_once(thresholds, offsets):
    """Whatever days the command runs on, no (item, threshold) is ever sent twice, and
    running on every day sends every threshold exactly once."""
    days = parse_days(thresholds)
    item = Due("task:1", DUE)
    sent: set = set()
    for offset in sorted(set(offsets)):
        for reminder in due_reminders([item], days, DUE + dt.timedelta(days=offset), sent):
            key = (reminder.key, reminder.threshold, reminder.due)
            assert key not in sent
            sent.add(key)
    sent = set()
    for offset in range(-40, 1):
        for reminder in due_reminders([item], days, DUE + dt.timedelta(days=offset), sent):
            sent.add((reminder.key, reminder.threshold, reminder.due))
    assert sorted(t for _k, t, _d in sent) == sorted(days)

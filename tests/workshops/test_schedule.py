"""Milestones and the Gantt geometry of the work plan (pure, no app)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consortium.workshops.schedule import (
    Milestone,
    MilestoneError,
    PlannedAction,
    gantt,
    milestones_text,
    parse_milestones,
    read_milestones,
)


def test_milestones_are_read_in_month_order_whatever_the_separator():
    text = "M24 - Second audit\n\nm6: Method agreed\n 12 Warehouse open  \nM30 — Catalogue"

    assert parse_milestones(text, 48) == (
        Milestone(6, "Method agreed"),
        Milestone(12, "Warehouse open"),
        Milestone(24, "Second audit"),
        Milestone(30, "Catalogue"),
    )


def test_stored_text_reads_back_to_the_same_milestones():
    milestones = parse_milestones("M9: Curriculum\nM3:   Kick-off   meeting", 36)

    assert milestones_text(milestones) == "M3: Kick-off meeting\nM9: Curriculum"
    assert read_milestones(milestones_text(milestones)) == milestones


@pytest.mark.parametrize(
    ("text", "message", "params"),
    [
        ("Kick-off", "Line %(line)d: write a milestone as “M12: what is reached”.", {"line": 1}),
        ("M3: ok\nM12", "Line %(line)d: write a milestone as “M12: what is reached”.", {"line": 2}),
        (
            "M0: before",
            "Line %(line)d: the month must be from 1 to %(duration)d.",
            {"line": 1, "duration": 36},
        ),
        (
            "M37: after",
            "Line %(line)d: the month must be from 1 to %(duration)d.",
            {"line": 1, "duration": 36},
        ),
        ("M2: " + "x" * 201, "Line %(line)d: at most %(max)d characters.", {"line": 1, "max": 200}),
    ],
)
def test_a_line_that_is_not_a_milestone_is_named_in_the_error(text, message, params):
    with pytest.raises(MilestoneError) as caught:
        parse_milestones(text, 36)

    assert (caught.value.message, caught.value.params) == (message, params)


def test_more_than_thirty_milestones_are_refused():
    with pytest.raises(MilestoneError) as caught:
        parse_milestones("\n".join(f"M{n}: step" for n in range(1, 32)), 48)

    assert caught.value.params == {"max": 30}


@settings(deadline=None)  # the machine is shared: no timing in tests
@given(st.text(max_size=300), st.integers(min_value=1, max_value=120))
def test_any_text_parses_or_fails_with_a_named_reason(text, duration):
    try:
        found = parse_milestones(text, duration)
    except MilestoneError as error:
        assert error.message.startswith(("Line ", "At most"))
    else:
        assert all(1 <= m.month <= duration and m.label for m in found)
        assert [m.month for m in found] == sorted(m.month for m in found)
        assert read_milestones(milestones_text(found)) == found


def test_bars_follow_the_months_and_open_ends_run_to_the_edge_of_the_project():
    actions = [
        PlannedAction("A1", "Audits", start_month=1, end_month=36),
        PlannedAction("A2", "Platform", start_month=3),
        PlannedAction("A3", "Clauses", end_month=24),
        PlannedAction("A4", "Not planned"),
        PlannedAction("A5", "Beyond the end", start_month=40, end_month=60),
    ]

    plan = gantt(actions, 48)

    assert [(r.action.code, r.start, r.end) for r in plan.rows] == [
        ("A1", 1, 36),
        ("A2", 3, 48),
        ("A3", 1, 24),
        ("A4", None, None),
        ("A5", 40, 48),
    ]
    assert [r.action.code for r in plan.unscheduled] == ["A4"]
    assert plan.year_ticks == (1, 13, 25, 37)


def test_a_thirty_month_project_has_three_year_bands():
    assert gantt([], 30).year_ticks == (1, 13, 25)

"""Tasks pages per role, assigning with bad input, my tasks, the activity log, reminders
sent by the command as the clock moves."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from consortium.commitments.models import OutboxMessage
from consortium.extensions import db
from consortium.proposals.models import AuditEvent, Proposal
from consortium.tasks.models import SentReminder, Task
from tests.conftest import PASSWORD

ROLES = ("admin", "lead", "writer", "viewer", "partner", "outsider")
EMAILS = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
    "outsider": "outsider@example.org",
}
LIST = {"admin": 200, "lead": 200, "writer": 200, "viewer": 200, "partner": 403, "outsider": 404}
ASSIGN = {**LIST, "writer": 403, "viewer": 403}


def _as(client, role):
    client.post("/logout")
    response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD})
    assert response.status_code == 302
    return client


def _due(days: int) -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=days)).isoformat()


def _assign(client, world, *, subject="section:1.2", who="writer", due=10, title=""):
    return client.post(
        f"/proposals/{world['proposal']}/tasks",
        data={"subject": subject, "title": title, "assignee": world[who], "due_date": _due(due)},
    )


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role(app, client, world, role):
    _as(client, role)
    pid = world["proposal"]
    assert client.get(f"/proposals/{pid}/tasks").status_code == LIST[role]
    assert client.get(f"/proposals/{pid}/activity").status_code == ASSIGN[role]
    assert client.get("/tasks").status_code == 200
    response = _assign(client, world)
    assert response.status_code == {200: 302}.get(ASSIGN[role], ASSIGN[role])
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Task))
    assert count == (1 if ASSIGN[role] == 200 else 0)


def test_anonymous_is_sent_to_login(client, world):
    for url in ("/tasks", f"/proposals/{world['proposal']}/tasks"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_assignee_sees_the_task_and_marks_it_done(app, client, world):
    _as(client, "lead")
    assert _assign(client, world, title="Rewrite the vision").status_code == 302
    _as(client, "writer")
    page = client.get("/tasks").get_data(as_text=True)
    assert "Rewrite the vision" in page
    with app.app_context():
        task = db.session.scalar(select(Task))
        task_id = task.id
    response = client.post(
        f"/proposals/{world['proposal']}/tasks/{task_id}/done",
        data={"version": "1", "done": "1", "next": "mine"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks")
    with app.app_context():
        assert db.session.get(Task, task_id).done_at is not None
        fields = list(
            db.session.scalars(select(AuditEvent.field).where(AuditEvent.entity == "task"))
        )
    assert fields == ["created", "done"]
    # A stale version is a conflict.
    response = client.post(
        f"/proposals/{world['proposal']}/tasks/{task_id}/done", data={"version": "1", "done": "0"}
    )
    assert response.status_code == 409


def test_others_may_not_tick_a_task_they_do_not_hold(app, client, world):
    _as(client, "lead")
    _assign(client, world, who="writer")
    with app.app_context():
        task_id = db.session.scalar(select(Task.id))
    _as(client, "viewer")
    response = client.post(
        f"/proposals/{world['proposal']}/tasks/{task_id}/done", data={"version": "1", "done": "1"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "section:99"}, "Choose what the task is about from the list."),
        ({"subject": "other:", "title": ""}, "Say what is to be done."),
        ({"assignee": "999999"}, "Choose a member of the proposal."),
        ({"assignee": "abc"}, ""),
        ({"due_date": "31/02/2027"}, "Not a valid date value."),
        ({"due_date": ""}, "Give a due date."),
        ({"due_date": "9999-01-01"}, "Give a date within the next ten years."),
        ({"title": "x" * 301}, ""),
    ],
)
def test_bad_input_is_refused_with_a_message(app, client, world, data, message):
    _as(client, "lead")
    form = {"subject": "section:1.2", "title": "", "assignee": world["writer"], "due_date": _due(5)}
    form.update(data)
    response = client.post(f"/proposals/{world['proposal']}/tasks", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Task)) == 0


def test_task_of_another_proposal_is_404(app, client, world):
    from tests import factories

    _as(client, "lead")
    _assign(client, world)
    with app.app_context():
        task_id = db.session.scalar(select(Task.id))
        other = factories.make_proposal(acronym="OTHER2").id
        db.session.commit()
    _as(client, "admin")
    response = client.post(f"/proposals/{other}/tasks/{task_id}/done", data={"version": "1"})
    assert response.status_code == 404


def test_activity_log_filters(app, client, world):
    _as(client, "lead")
    _assign(client, world, title="First")
    pid = world["proposal"]
    page = client.get(f"/proposals/{pid}/activity?entity=task").get_data(as_text=True)
    assert "Task #" in page and "First" in page
    page = client.get(f"/proposals/{pid}/activity?entity=section").get_data(as_text=True)
    assert "Nothing recorded for this filter." in page
    page = client.get(f"/proposals/{pid}/activity?since=not-a-date&actor=x").get_data(as_text=True)
    assert "The filter was not understood" in page


def _send(app, day: dt.date) -> str:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_moving_the_clock_sends_one_reminder_per_task_and_threshold(app, world):
    from consortium.auth.models import User
    from consortium.tasks import services

    due = dt.date(2027, 5, 20)
    with app.app_context():
        proposal = db.session.get(Proposal, world["proposal"])
        proposal.topic.deadline = dt.date(2027, 6, 30)
        lead = db.session.get(User, world["lead"])
        for who in ("writer", "partner"):
            services.create_task(
                proposal,
                subject="section:1.2" if who == "writer" else "other:",
                title=f"Task of {who}",
                assignee_id=world[who],
                due_date=due,
                today=dt.date(2027, 5, 1),
                actor=lead,
            )
        db.session.commit()
    app.config.update(REMINDER_DAYS="7,2", DEADLINE_REMINDER_DAYS="14,1")
    day = dt.date(2027, 5, 1)
    while day <= dt.date(2027, 7, 5):
        _send(app, day)
        _send(app, day)  # cron ran twice: nothing more
        day += dt.timedelta(days=1)
    with app.app_context():
        sent = sorted(
            (r.key.split(":")[0], r.recipient, r.threshold, r.due_date.isoformat())
            for r in db.session.scalars(select(SentReminder))
        )
        mails = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert sent == sorted(
        [
            ("task", "writer@example.org", 7, "2027-05-20"),
            ("task", "writer@example.org", 2, "2027-05-20"),
            ("task", "partner@example.org", 7, "2027-05-20"),
            ("task", "partner@example.org", 2, "2027-05-20"),
            ("deadline", "lead@example.org", 14, "2027-06-30"),
            ("deadline", "lead@example.org", 1, "2027-06-30"),
            ("deadline", "writer@example.org", 14, "2027-06-30"),
            ("deadline", "writer@example.org", 1, "2027-06-30"),
        ]
    )
    assert len(mails) == 8
    writer_mail = next(m for m in mails if m.recipient == "writer@example.org")
    assert re.match(r"\[\w+\] Due in 7 days: Task of writer", writer_mail.subject)


def test_reminder_command_catching_up_sends_one_message_not_several(app, world):
    from consortium.auth.models import User
    from consortium.tasks import services

    with app.app_context():
        proposal = db.session.get(Proposal, world["proposal"])
        services.create_task(
            proposal,
            subject="section:1.2",
            title="Late start",
            assignee_id=world["writer"],
            due_date=dt.date(2027, 5, 20),
            today=dt.date(2027, 5, 1),
            actor=db.session.get(User, world["lead"]),
        )
        db.session.commit()
    app.config.update(REMINDER_DAYS="7,2")
    assert "1 reminder queued for 2027-05-19" in _send(app, dt.date(2027, 5, 19))
    assert "0 reminders queued for 2027-05-19" in _send(app, dt.date(2027, 5, 19))
    with app.app_context():
        thresholds = sorted(db.session.scalars(select(SentReminder.threshold)))
    assert thresholds == [2, 7]

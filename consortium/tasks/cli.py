"""`flask reminders send`: the reminders due today, for cron (safe to run as often as wanted)."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext

from ..extensions import db
from . import schedule, services

reminders_cli = AppGroup("reminders", help="Reminders of due tasks and call deadlines.")


def compose(reminder: services.Reminder) -> tuple[str, str]:
    """Subject and body in the proposal's document language."""
    proposal = reminder.proposal
    with force_locale("fr" if proposal.document_language == "fr" else "en"):
        days = reminder.days_left
        if reminder.task is not None:
            subject = ngettext(
                "[%(acronym)s] Due in %(num)d day: %(title)s",
                "[%(acronym)s] Due in %(num)d days: %(title)s",
                days,
                acronym=proposal.acronym,
                title=reminder.task.title,
            )
            body = ngettext(
                "Hello %(name)s,\n\n“%(title)s” for %(acronym)s is due on %(date)s "
                "(in %(num)d day).\nYour tasks: the “My tasks” page of the application.\n",
                "Hello %(name)s,\n\n“%(title)s” for %(acronym)s is due on %(date)s "
                "(in %(num)d days).\nYour tasks: the “My tasks” page of the application.\n",
                days,
                name=reminder.recipient.name,
                title=reminder.task.title,
                acronym=proposal.acronym,
                date=reminder.due.isoformat(),
            )
        else:
            subject = ngettext(
                "[%(acronym)s] The call closes in %(num)d day",
                "[%(acronym)s] The call closes in %(num)d days",
                days,
                acronym=proposal.acronym,
            )
            body = ngettext(
                "Hello %(name)s,\n\nThe call of %(acronym)s closes on %(date)s (in %(num)d day).\n",
                "Hello %(name)s,\n\nThe call of %(acronym)s closes on %(date)s "
                "(in %(num)d days).\n",
                days,
                name=reminder.recipient.name,
                acronym=proposal.acronym,
                date=reminder.due.isoformat(),
            )
    return subject, body


@reminders_cli.command("send")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Act as if today were this date (default: today, UTC).",
)
def send(today: dt.datetime | None) -> None:
    """Queue the reminders due today; those already sent are never sent again."""
    day = today.date() if today else dt.datetime.now(dt.UTC).date()
    config = current_app.config
    try:
        task_days = schedule.parse_days(config["REMINDER_DAYS"])
        deadline_days = schedule.parse_days(config["DEADLINE_REMINDER_DAYS"])
    except ValueError as error:
        raise click.ClickException(f"REMINDER_DAYS / DEADLINE_REMINDER_DAYS: {error}") from None
    count = services.send_reminders(
        today=day,
        task_days=task_days,
        deadline_days=deadline_days,
        compose=compose,
        config=config,
    )
    db.session.commit()
    with force_locale(config["BABEL_DEFAULT_LOCALE"]):  # the deployment's language
        click.echo(
            ngettext(
                "%(num)d reminder queued for %(day)s",
                "%(num)d reminders queued for %(day)s",
                count,
                day=day.isoformat(),
            )
        )


def register(app: Flask) -> None:
    app.cli.add_command(reminders_cli)

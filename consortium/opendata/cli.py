"""`flask opendata import|worker|rematch`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..extensions import db
from . import jobs, services

opendata_cli = AppGroup("opendata", help="EU open data: CORDIS and LIFE project files.")


def _print_summary(summary: services.ImportSummary) -> None:
    click.echo(
        f"{summary.rows_read} rows read ({summary.layout}): "
        f"{summary.organisations_new} new organisations, {summary.organisations_updated} updated; "
        f"{summary.projects_new} new projects, {summary.projects_updated} updated; "
        f"{summary.participations_new} new participations."
    )
    click.echo(
        f"Directory: {summary.matched} matched organisations, {summary.to_review} to review; "
        f"{summary.past_projects_added} past projects added; "
        f"{summary.ties_created} ties created, {summary.ties_updated} updated."
    )
    for warning in summary.warnings:
        click.echo(f"Warning: {warning.text}")


@opendata_cli.command("import")
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--dry-run", is_flag=True, help="Read and match; change nothing.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def import_command(paths: tuple[Path, ...], dry_run: bool, quiet: bool) -> None:
    """Import CORDIS organisation/project files and LIFE project lists (CSV, XLSX, JSON).

    Files are imported in the order given, each in its own transaction; a file that fails
    changes nothing. Re-importing a newer file updates without duplicating.
    """
    failed = False
    for path in paths:
        click.echo(f"{path.name}:")
        with click.progressbar(
            length=1000, show_percent=True, show_eta=True, file=None if not quiet else _Null()
        ) as bar:
            shown = [0]

            def progress(stage: str, fraction: float, bar=bar, shown=shown) -> None:
                step = int(fraction * 1000) - shown[0]
                if step > 0:
                    bar.label = stage
                    bar.update(step)
                    shown[0] += step

            summary = services.import_open_data(path, actor=None, progress=progress)
        if summary.errors:
            db.session.rollback()
            failed = True
            for error in summary.errors:
                click.echo(f"Error: {error.text}", err=True)
            click.echo("Nothing imported from this file.")
            continue
        _print_summary(summary)
        if dry_run:
            db.session.rollback()
            click.echo("Dry run: nothing imported.")
        else:
            db.session.commit()
    if failed:
        sys.exit(1)


class _Null:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass


@opendata_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run the RQ worker that runs open-data imports queued from the browser."""
    connection = jobs.redis_connection(current_app)
    if connection is None:
        click.echo("Error: Redis does not answer at REDIS_URL (CONSORTIUM_REDIS_URL).", err=True)
        sys.exit(1)
    from rq import Queue, SimpleWorker

    worker = SimpleWorker([Queue(jobs.QUEUE, connection=connection)], connection=connection)
    worker.work(burst=burst)


@opendata_cli.command("rematch")
def rematch_command() -> None:
    """Match the open data to the directory again (after the directory changed)."""
    summary = services.rematch(actor=None)
    db.session.commit()
    _print_summary(summary)


def register(app: Flask) -> None:
    app.cli.add_command(opendata_cli)

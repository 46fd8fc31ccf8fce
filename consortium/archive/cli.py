"""`flask backup create|restore`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..extensions import db
from .backup import BackupError, create_backup, restore_backup

backup_cli = AppGroup("backup", help="Back up and restore the whole instance.")


@backup_cli.command("create")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
def create(destination: Path) -> None:
    """Write DESTINATION (.zip): the database (online backup) and the uploaded files."""
    try:
        manifest = create_backup(db.engine, Path(current_app.config["UPLOAD_FOLDER"]), destination)
    except BackupError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    click.echo(
        f"Backup written to {destination}: {manifest['dialect']} database, "
        f"{len(manifest['uploads'])} uploaded files."
    )


@backup_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(source: Path, yes: bool) -> None:
    """Replace the database and uploaded files with those of SOURCE."""
    if not yes:
        click.confirm("This replaces every record and file of this instance. Continue?", abort=True)
    db.session.remove()
    try:
        manifest = restore_backup(db.engine, Path(current_app.config["UPLOAD_FOLDER"]), source)
    except BackupError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    click.echo(
        f"Restored the backup of {manifest['created_at']} "
        f"({len(manifest['uploads'])} uploaded files)."
    )


def register(app: Flask) -> None:
    app.cli.add_command(backup_cli)

"""`flask orgs import|export` and `flask ties import`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from . import services
from .models import Organisation
from .spreadsheet import TIE_SCHEMA, RowError, export_csv, export_xlsx, parse_table

orgs_cli = AppGroup("orgs", help="The directory of organisations.")
ties_cli = AppGroup("ties", help="Cooperation ties between organisations.")


def _print_errors(title: str, errors: list[RowError]) -> None:
    if not errors:
        return
    click.echo(f"{title}:")
    for error in errors:
        where = "file" if error.row is None else f"row {error.row}"
        column = error.header or error.column
        click.echo(f"  {where}" + (f", {column}" if column else "") + f": {error.message}")


@orgs_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file; import nothing.")
@click.option("--valid-only", is_flag=True, help="Import the valid rows even if others fail.")
def orgs_import(path: Path, dry_run: bool, valid_only: bool) -> None:
    """Import organisations from a CSV or XLSX file (all or nothing unless --valid-only)."""
    report = services.check_organisations(parse_table(path.name, path.read_bytes()))
    result = services.import_organisations(
        report, actor=None, valid_only=valid_only, dry_run=dry_run
    )
    bad_rows = result.error_rows
    click.echo(f"{report.rows_read} rows read: {len(report.valid)} valid, {bad_rows} with errors.")
    _print_errors("Errors", report.errors)
    _print_errors("Warnings", report.warnings)
    if result.committed:
        db.session.commit()
        click.echo(f"{len(result.created)} organisations imported.")
        return
    db.session.rollback()
    if dry_run:
        click.echo("Dry run: nothing imported.")
        sys.exit(1 if report.errors and not valid_only else 0)
    click.echo("Nothing imported.")
    if report.errors:
        sys.exit(1)


@orgs_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--with-contacts", is_flag=True, help="Include the contact people (personal data).")
def orgs_export(path: Path, with_contacts: bool) -> None:
    """Export every organisation to PATH (.csv or .xlsx by extension)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        click.echo("Error: the file name must end with .csv or .xlsx.", err=True)
        sys.exit(2)
    viewer = services.Viewer(services.DirectoryAccess.EDIT, is_admin=True)
    query = select(Organisation).order_by(Organisation.name, Organisation.id)
    records = list(services.export_records(query, viewer))
    writer = export_xlsx if suffix == ".xlsx" else export_csv
    path.write_bytes(writer(records, include_contacts=with_contacts))
    click.echo(f"{len(records)} organisations exported to {path}.")


@ties_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file; import nothing.")
@click.option("--valid-only", is_flag=True, help="Import the valid rows even if others fail.")
def ties_import(path: Path, dry_run: bool, valid_only: bool) -> None:
    """Import ties (org_a, org_b, kind, year, note; city_a, city_b optional).

    Any error imports nothing unless --valid-only. Rows repeating two organisations and a kind
    add weight to one tie and keep each row's year and note as its evidence.
    """
    report = services.check_ties(parse_table(path.name, path.read_bytes(), schema=TIE_SCHEMA))
    result = services.import_ties(report, actor=None, dry_run=dry_run, valid_only=valid_only)
    click.echo(f"{len(report.valid)} valid ties, {len(report.errors)} errors.")
    _print_errors("Errors", report.errors)
    _print_errors("Warnings", report.warnings)
    if result.committed:
        db.session.commit()
        click.echo(f"{result.created} ties imported, {result.strengthened} strengthened.")
        return
    db.session.rollback()
    click.echo("Dry run: nothing imported." if dry_run else "Nothing imported.")
    if report.errors and not (dry_run and valid_only):
        sys.exit(1)


def register(app: Flask) -> None:
    app.cli.add_command(orgs_cli)
    app.cli.add_command(ties_cli)

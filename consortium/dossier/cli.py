"""`flask dossier ...`: sync the Part B structure, export a proposal's dossier to Word."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from ..extensions import db

dossier_cli = AppGroup("dossier", help="Part B sections and Word exports.")


@dossier_cli.command("sync-structure")
def sync_structure() -> None:
    """Copy the shipped Part B structure into the database (admin edits are kept)."""
    from .services import sync_structure as sync

    added = sync()
    db.session.commit()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the deployment's language
        for family, count in added.items():
            click.echo(
                ngettext(
                    "%(family)s: %(num)d section added",
                    "%(family)s: %(num)d sections added",
                    count,
                    family=family,
                )
            )


@dossier_cli.command("export")
@click.argument("acronym")
@click.option(
    "--lang",
    type=click.Choice(["en", "fr"]),
    default=None,
    help="Document language (default: the proposal's).",
)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--what", type=click.Choice(["dossier", "partners", "letters"]), default="dossier")
@click.option("--no-sources", is_flag=True, help="Leave out the annex of sources.")
def export(acronym: str, lang: str | None, out: Path, what: str, no_sources: bool) -> None:
    """Write the Word dossier of the proposal ACRONYM to --out."""
    from ..errors import NotFound
    from ..proposals.models import Proposal
    from . import services

    proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == acronym))
    if proposal is None:
        raise click.ClickException(f"no proposal {acronym}")
    lang = services.language_of(proposal, lang)
    folder = current_app.config["UPLOAD_FOLDER"]
    try:
        if what == "dossier":
            data = services.export_dossier(
                proposal, lang, upload_folder=folder, include_sources=not no_sources
            )
        elif what == "partners":
            data = services.export_partner_table(proposal, lang, upload_folder=folder)
        else:
            data = services.export_letters(proposal, lang)
    except NotFound as error:
        raise click.ClickException(str(error)) from None
    db.session.rollback()
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    click.echo(f"{out} written ({len(data)} bytes, {lang})")


def register(app: Flask) -> None:
    app.cli.add_command(dossier_cli)

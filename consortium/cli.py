"""Command-line interface: `flask --app consortium ...`.

Each area with commands has a ``cli.py`` exposing ``register(app)``; this module adds the
instance-wide commands (setup, demo, calls, users, proposals, translations).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import select

from . import AREAS, PACKAGE
from .errors import DomainError, ValidationFailed
from .extensions import db

calls_cli = AppGroup("calls", help="The LIFE call catalogue.")
users_cli = AppGroup("users", help="Accounts and roles.")
proposals_cli = AppGroup("proposals", help="Proposals.")
demo_cli = AppGroup("demo", help="The Marseille demo data.")
translate_cli = AppGroup("translate", help="French/English interface catalogues.")


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def describe(error: DomainError) -> str:
    if isinstance(error, ValidationFailed):
        return "; ".join(
            f"{name}: {template % params if params else template}"
            for name, (template, params) in error.errors.items()
        )
    return str(error)


@click.command("setup")
def setup_command() -> None:
    """Create or upgrade the database and load the default call catalogue."""
    upgrade(directory=current_app.config["MIGRATIONS_DIRECTORY"])
    from .calls.catalogue import DEFAULT_CATALOGUE, parse_catalogue
    from .calls.services import import_topics

    summary = import_topics(parse_catalogue(DEFAULT_CATALOGUE.read_bytes()))
    db.session.commit()
    click.echo(
        f"Database ready. Calls: {summary.created} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged."
    )


@calls_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calls_import(path: Path) -> None:
    """Import topic records exported from the EU Funding & Tenders portal (JSON)."""
    from .calls.catalogue import CatalogueError, parse_catalogue
    from .calls.services import import_topics

    try:
        records = parse_catalogue(path.read_bytes())
    except CatalogueError as error:
        fail(f"nothing imported; {error}")
    summary = import_topics(records)
    db.session.commit()
    click.echo(
        f"{len(records)} topics read: {summary.created} new, {summary.updated} updated, "
        f"{summary.unchanged} unchanged."
    )


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="Instance administrator.")
def users_create(email: str, name: str, password: str, admin: bool) -> None:
    """Create an account."""
    from .auth.services import create_user

    try:
        user = create_user(
            email=email,
            name=name,
            password=password,
            is_admin=admin,
            method=current_app.config["PASSWORD_HASH_METHOD"],
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )
    except ValidationFailed as error:
        fail(describe(error))
    db.session.commit()
    click.echo(f"Account {user.email} created{' (administrator)' if admin else ''}.")


@users_cli.command("grant")
@click.argument("email")
@click.argument("acronym")
@click.argument("role", type=click.Choice(["lead", "writer", "partner", "viewer"]))
@click.option("--organisation", help="Partners only: the organisation's PIC, acronym or name.")
def users_grant(email: str, acronym: str, role: str, organisation: str | None) -> None:
    """Give ROLE on the proposal ACRONYM to the account EMAIL."""
    from .auth.models import User
    from .directory.models import Organisation
    from .proposals.models import Proposal
    from .proposals.services import give_role

    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == acronym))
    if user is None:
        fail(f"no account {email}")
    if proposal is None:
        fail(f"no proposal {acronym}")
    org = None
    if organisation:
        matches = db.session.scalars(
            select(Organisation).where(
                (Organisation.pic == organisation)
                | (Organisation.acronym == organisation)
                | (Organisation.name == organisation)
            )
        ).all()
        if len(matches) != 1:
            fail(f"organisation '{organisation}' is {'unknown' if not matches else 'ambiguous'}")
        org = matches[0]
    try:
        give_role(proposal, user, role, actor=user, organisation=org)
    except DomainError as error:
        fail(describe(error))
    db.session.commit()
    click.echo(f"{user.email} is now {role} on {proposal.acronym}.")


@proposals_cli.command("create")
@click.option(
    "--topic",
    "topic_id",
    required=True,
    help="Topic identifier, e.g. LIFE-2026-SAP-ENV-ENVIRONMENT.",
)
@click.option("--acronym", required=True)
@click.option("--title", required=True)
@click.option(
    "--lead", "lead_email", help="Account that leads the proposal (default: first administrator)."
)
@click.option(
    "--closed-call",
    type=click.Choice(["practice", "resubmission"]),
    default=None,
    help="Why a proposal is started on a topic whose deadline has passed.",
)
def proposals_create(
    topic_id: str, acronym: str, title: str, lead_email: str | None, closed_call: str | None
) -> None:
    """Create a proposal on a topic of the catalogue, with its dossier sections."""
    from .auth.models import User
    from .calls.models import Topic
    from .dossier.services import start_sections
    from .proposals.services import create_proposal

    topic = db.session.scalar(select(Topic).where(Topic.identifier == topic_id))
    if topic is None:
        fail(f"unknown topic {topic_id}; run `flask calls import` first")
    query = (
        select(User).where(User.email == lead_email.strip().lower())
        if lead_email
        else select(User).where(User.is_admin.is_(True)).order_by(User.id)
    )
    lead = db.session.scalars(query).first()
    if lead is None:
        fail("no lead account: pass --lead EMAIL or create an administrator")
    try:
        proposal = create_proposal(
            actor=lead, acronym=acronym, title=title, topic=topic, closed_call=closed_call or ""
        )
        start_sections(proposal, actor=lead)
    except DomainError as error:
        fail(describe(error))
    db.session.commit()
    click.echo(f"Proposal {proposal.acronym} created on {topic.identifier}, led by {lead.email}.")


@proposals_cli.command("export")
@click.argument("acronym")
@click.option(
    "--out", "destination", required=True, type=click.Path(dir_okay=False, path_type=Path)
)
def proposals_export(acronym: str, destination: Path) -> None:
    """Export one proposal with its organisations, workshops, commitments, sections and files."""
    from .archive.services import export_proposal
    from .proposals.models import Proposal

    proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == acronym))
    if proposal is None:
        fail(f"no proposal {acronym}")
    destination.write_bytes(export_proposal(proposal, Path(current_app.config["UPLOAD_FOLDER"])))
    click.echo(f"{acronym} exported to {destination}.")


@proposals_cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "acronym", help="Import under another acronym.")
@click.option("--actor", "actor_email", required=True, help="Account recorded as the importer.")
def proposals_import(source: Path, acronym: str | None, actor_email: str) -> None:
    """Import a proposal archive made by `proposals export` on another instance."""
    from .archive.services import TransferError, import_proposal
    from .auth.models import User

    actor = db.session.scalar(select(User).where(User.email == actor_email.strip().lower()))
    if actor is None:
        fail(f"no account {actor_email}")
    try:
        proposal = import_proposal(
            source.read_bytes(),
            actor=actor,
            acronym=acronym,
            upload_folder=Path(current_app.config["UPLOAD_FOLDER"]),
        )
    except TransferError as error:
        db.session.rollback()
        fail(describe(error))
    db.session.commit()
    click.echo(f"Proposal {proposal.acronym} imported.")


@demo_cli.command("load")
def demo_load() -> None:
    """Create the database if needed and load the Marseille demo (safe to run twice)."""
    upgrade(directory=current_app.config["MIGRATIONS_DIRECTORY"])
    from .demo.load import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo

    report = load_demo(password_method=current_app.config["PASSWORD_HASH_METHOD"])
    db.session.commit()
    click.echo(report)
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for email, description in DEMO_ACCOUNTS:
        click.echo(f"  {email:32} {description}")


@translate_cli.command("compile")
def translate_compile() -> None:
    """Compile every area's French .po catalogue into .mo."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(PACKAGE.glob("**/translations/*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
        click.echo(f"compiled {po_path.relative_to(PACKAGE.parent)}")


def init_app(app: Flask) -> None:
    for command in (setup_command, calls_cli, users_cli, proposals_cli, demo_cli, translate_cli):
        app.cli.add_command(command)
    for area in AREAS:
        if importlib.util.find_spec(f"{__package__}.{area}.cli") is not None:
            importlib.import_module(f"{__package__}.{area}.cli").register(app)

"""``flask network export [--proposal ACRONYM] --format gexf|graphml|json|csv --out FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..proposals.models import Proposal
from . import services

network_cli = AppGroup("network", help="Cooperation network.")


@network_cli.command("export")
@click.option(
    "--proposal",
    "acronym",
    default=None,
    help="Acronym of one proposal (default: the whole territory).",
)
@click.option("--format", "fmt", type=click.Choice(services.EXPORT_FORMATS), required=True)
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
def export_command(acronym: str | None, fmt: str, out: Path) -> None:
    """Write the territory's or one proposal's network (no budgets, contacts or notes)."""
    if acronym:
        proposal = db.session.scalar(select(Proposal).where(Proposal.acronym == acronym))
        if proposal is None:
            raise click.ClickException(f"No proposal with the acronym {acronym!r}.")
        view = services.proposal_view(proposal)
        prefix = f"{acronym}-network"
    else:
        view = services.territory_view()
        prefix = "territory-network"
    payload, _mimetype, _ext = services.export(view, fmt, prefix=prefix)
    out.write_bytes(payload)
    click.echo(
        f"{out}: {view.graph.number_of_nodes()} organisations, "
        f"{view.graph.number_of_edges()} ties ({fmt})."
    )


def register(app) -> None:
    app.cli.add_command(network_cli)

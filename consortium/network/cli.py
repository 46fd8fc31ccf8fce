"""``flask network export [--proposal ACRONYM] --format gexf|graphml|json|csv --out FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..proposals.models import Proposal
from . import jobs, services

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


@network_cli.command("analyse")
def analyse_command() -> None:
    """Analyse the whole territory now (what the page's button runs in the background)."""
    run = services.start_territory_analysis(actor=None)
    db.session.commit()
    if run.status != "queued":
        raise click.ClickException(f"An analysis is already running (run {run.id}).")
    with click.progressbar(length=1000, label="Analysing the territory") as bar:
        shown = [0]

        def echo(_stage: str, fraction: float) -> None:
            step = int(fraction * 1000) - shown[0]
            if step > 0:
                bar.update(step)
                shown[0] += step

        done = jobs.run(run.id, echo=echo)
    if done.status != "done":
        raise click.ClickException(done.message)
    summary = done.summary
    click.echo(
        f"{summary['nodes']} organisations, {summary['edges']} ties, "
        f"{summary['communities']} communities, in {done.seconds:.1f} s."
    )


def register(app) -> None:
    app.cli.add_command(network_cli)

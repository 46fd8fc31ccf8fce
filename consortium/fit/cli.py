"""`flask fit PROPOSAL [--json]`: the partner-fit ranking of a proposal."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from ..proposals.models import Proposal
from . import services
from .scoring import Component, shared_ranks


@click.command("fit")
@with_appcontext
@click.argument("proposal")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def fit_command(proposal: str, as_json: bool) -> None:
    """Rank the directory's organisations for PROPOSAL (its acronym)."""
    found = db.session.scalar(select(Proposal).where(Proposal.acronym == proposal.strip()))
    if found is None:
        click.echo(f"Error: no proposal with acronym {proposal!r}", err=True)
        sys.exit(1)
    ranking = services.rank_proposal(found)
    ranks = shared_ranks([fit for _org, fit in ranking])  # equal totals share a rank
    if as_json:
        out = []
        for org, fit in ranking:
            item = fit.as_dict()
            item["rank"] = ranks[fit.org_id]
            item["country"] = org.country
            item["org_type"] = org.org_type
            out.append(item)
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    short = {
        Component.ELIGIBILITY: "elig",
        Component.RELEVANCE: "relev",
        Component.CAPACITY: "capac",
        Component.EXPERIENCE: "exper",
        Component.COMPLEMENTARITY: "compl",
        Component.NETWORK: "netw",
        Component.ENGAGEMENT: "engag",
    }
    header = (
        f"{'rank':>4} {'total':>5} {'eligible':<8} "
        + " ".join(f"{short[c]:>5}" for c in Component)
        + "  name"
    )
    click.echo(header)
    for org, fit in ranking:
        scores = " ".join(f"{c.score:>5}" for c in fit.components)
        status = "yes" if fit.eligible else "NO"
        click.echo(f"{ranks[fit.org_id]:>4} {fit.total:>5.1f} {status:<8} {scores}  {org.name}")


def register(app: Flask) -> None:
    app.cli.add_command(fit_command)

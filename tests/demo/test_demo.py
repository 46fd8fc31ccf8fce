from sqlalchemy import func, select

from consortium.demo.load import load_demo
from consortium.directory.models import Organisation, Tie
from consortium.extensions import db
from consortium.proposals.models import Participation, Proposal
from consortium.workshops.models import Action, Output, Workshop


def _counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Organisation, Tie, Proposal, Workshop, Output, Action, Participation)
    }


def test_demo_tells_the_marseille_story_and_loads_twice_without_duplicates(app):
    with app.app_context():
        first = load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()
        counts = _counts()
        second = load_demo(password_method="pbkdf2:sha256:1000")
        db.session.commit()

        assert first.startswith("31 topics, 25 organisations, 33 ties, 2 proposals, 6 workshops")
        assert second == (
            "0 topics, 0 organisations, 0 ties, 0 proposals, 0 workshops, "
            "0 outputs, 0 actions, 0 accounts created."
        )
        assert _counts() == counts
        proposals = {p.acronym: p for p in db.session.scalars(select(Proposal))}
        assert proposals["REBATIR"].topic.identifier == "LIFE-2026-SAP-ENV-ENVIRONMENT"
        assert proposals["VERDIR"].topic.identifier == "LIFE-2026-SAP-CLIMA-CCA"
        steps = [
            w.step
            for w in db.session.scalars(
                select(Workshop)
                .where(Workshop.proposal_id == proposals["REBATIR"].id)
                .order_by(Workshop.held_on)
            )
        ]
        assert steps == ["vision", "actions_needs", "dossier_framework"]
        coordinators = {
            p.proposal.acronym: p.organisation.name
            for p in db.session.scalars(
                select(Participation).where(Participation.role == "coordinator")
            )
        }
        assert coordinators == {"REBATIR": "Ville de Marseille", "VERDIR": "Ville de Marseille"}


def test_demo_cli_prints_the_accounts(app, runner, monkeypatch):
    import consortium.cli as cli

    monkeypatch.setattr(cli, "upgrade", lambda directory: None)  # schema made by the fixture
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert "Demo accounts (password: marseille2030):" in result.output
    assert "lead@example.org" in result.output

"""commit_or_refuse: one transaction per action, the refusal shown, nothing half-saved."""

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select

from consortium.calls.models import Programme
from consortium.errors import Conflict, DomainError, ValidationFailed
from consortium.extensions import db
from consortium.web.transactions import commit_or_refuse, flash_refusal


def programmes() -> int:
    return db.session.scalar(select(func.count()).select_from(Programme))


def test_a_block_that_ends_normally_is_committed(app):
    with app.test_request_context():
        refused = []
        with commit_or_refuse(refused.append) as outcome:
            db.session.add(Programme(code="P1", name="One"))
        db.session.rollback()  # a later rollback cannot undo a commit
        assert (outcome.saved, refused, programmes()) == (True, [], 1)


def test_a_refusal_rolls_back_and_is_flashed(app):
    with app.test_request_context():
        with commit_or_refuse(flash_refusal(lambda e: e.template)) as outcome:
            db.session.add(Programme(code="P2", name="Two"))
            db.session.flush()
            raise DomainError("Refused by the rules.")
        assert outcome.saved is False
        assert programmes() == 0
        assert get_flashed_messages(with_categories=True) == [("error", "Refused by the rules.")]


def test_only_the_listed_refusals_are_handled(app):
    with app.test_request_context():
        refused = []
        with (
            pytest.raises(Conflict),
            commit_or_refuse(refused.append, refusals=(ValidationFailed,)),
        ):
            raise Conflict("Someone else saved first.")
        assert refused == []

"""One transaction per action, the same way in every view.

A view runs its service calls inside :func:`commit_or_refuse`: the block ends normally and the
session is committed, or a service refuses (a :class:`~consortium.errors.DomainError`) and the
session is rolled back before the view shows why (a flash, errors on the form), so nothing
half-done is saved and the user's input is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import flash

from ..errors import DomainError
from ..extensions import db


@dataclass
class Outcome:
    """Whether the block was committed; read it after the ``with``."""

    saved: bool = False


@contextmanager
def commit_or_refuse(
    on_refusal: Callable[[Exception], object],
    *,
    refusals: tuple[type[Exception], ...] = (DomainError,),
) -> Iterator[Outcome]:
    """Commit the block; on one of ``refusals``, roll back and hand the error to ``on_refusal``.

    Other exceptions (a :class:`~consortium.errors.Conflict` the view answers with a 409 page,
    a bug) propagate unchanged.
    """
    outcome = Outcome()
    try:
        yield outcome
    except refusals as error:
        db.session.rollback()
        on_refusal(error)
        return
    db.session.commit()
    outcome.saved = True


def flash_refusal(message: Callable[[Exception], str]) -> Callable[[Exception], None]:
    """An ``on_refusal`` that flashes the refusal, worded by the area's ``message``."""

    def refuse(error: Exception) -> None:
        flash(message(error), "error")

    return refuse

"""Domain errors raised by services and pure modules; views turn them into messages.

Messages are English templates with ``%(name)s`` placeholders plus their parameters, so the
web layer can translate them.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:
    """Mark a message template for translation; the view translates it when shown."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a counted message (singular, plural); the view picks the form with ``ngettext``
    and the ``num`` parameter."""
    return (singular, plural)


class DomainError(Exception):
    """A rule of the domain refused the action; nothing was changed."""

    def __init__(
        self, template: str, params: Mapping[str, object] | None = None, *, field: str | None = None
    ) -> None:
        self.template = template
        self.params = dict(params or {})
        self.field = field
        super().__init__(template % self.params if self.params else template)


class NotAllowed(DomainError):
    """The actor may not do this."""


class NotFound(DomainError):
    """The thing does not exist (or is hidden from the actor)."""


class Conflict(DomainError):
    """Someone else changed the record since it was loaded."""


class ValidationFailed(DomainError):
    """Input rejected; ``errors`` maps field names to message templates and params."""

    def __init__(self, errors: Mapping[str, tuple[str, Mapping[str, object]]]) -> None:
        self.errors = dict(errors)
        first = next(iter(self.errors.values()), ("Invalid input.", {}))
        super().__init__(first[0], first[1])

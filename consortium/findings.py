"""One finding type for every check the app makes (pure: no Flask, no SQLAlchemy).

The commitments board, a participation's budget, the consortium checks of the fit area and the
confirmation rules all report the same thing: something is wrong (or right) with a proposal,
how serious it is, and what to do.  They all use :class:`Finding` and :class:`Severity`, so a
page can show any of them with the same template and the same translation path: ``template``
and ``fix_template`` are English ``N_`` templates, ``params`` their values; the web layer
translates the template, then interpolates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from consortium.formatting import format_percent

#: Params that are ratios (``Decimal("0.6")``), shown as percentages ("60%", "60 %").
RATIO_PARAMS = frozenset({"rate", "ratio", "share"})


class Severity(StrEnum):
    """How serious a finding is; ``OK`` is a rule that is satisfied (the board lists them)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    OK = "ok"


SEVERITY_ORDER: Mapping[Severity, int] = MappingProxyType(
    {severity: rank for rank, severity in enumerate(Severity)}
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: a stable code, a severity, a message and a fix hint (templates + params).

    ``code`` is for programs (API, tests, CSS hooks), never shown to users.
    ``subject_ids`` are the organisations concerned, if any.
    """

    code: str
    severity: Severity
    template: str
    params: Mapping[str, object] = field(default_factory=dict)
    fix_template: str = ""
    fix_params: Mapping[str, object] = field(default_factory=dict)
    subject_ids: tuple[int, ...] = ()

    def text(self) -> str:
        """The English message (pages translate ``template`` instead)."""
        return self.template % _english(self.params) if self.params else self.template

    @property
    def message(self) -> str:
        """The English message, as a property."""
        return self.text()

    def fix_text(self) -> str:
        """The English fix hint."""
        if not self.fix_params:
            return self.fix_template
        return self.fix_template % _english(self.fix_params)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the API."""
        return {
            "code": self.code,
            "severity": str(self.severity),
            "template": self.template,
            "params": {k: _plain(v) for k, v in self.params.items()},
            "text": self.text(),
            "fix_template": self.fix_template,
            "fix_params": {k: _plain(v) for k, v in self.fix_params.items()},
            "fix_text": self.fix_text(),
            "subject_ids": list(self.subject_ids),
        }


def _english(params: Mapping[str, object]) -> dict[str, object]:
    """Params for the English text: ratios as percentages, the rest as they are."""
    return {
        key: format_percent(value, "en")
        if key in RATIO_PARAMS and isinstance(value, Decimal)
        else value
        for key, value in params.items()
    }


def _plain(value: object) -> object:
    """JSON-friendly value: numbers and strings stay, anything else becomes its text."""
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def finding(
    code: str,
    severity: Severity,
    template: str,
    params: Mapping[str, object] | None = None,
    *,
    fix: str = "",
    fix_params: Mapping[str, object] | None = None,
    subjects: Iterable[int] = (),
) -> Finding:
    """A :class:`Finding` with read-only params."""
    return Finding(
        code,
        severity,
        template,
        MappingProxyType(dict(params or {})),
        fix,
        MappingProxyType(dict(fix_params or {})),
        tuple(subjects),
    )


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, notes and satisfied rules; stable within a severity."""
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def summary(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Number of findings per problem severity (error, warning, info; all present, maybe 0)."""
    counts = {Severity.ERROR: 0, Severity.WARNING: 0, Severity.INFO: 0}
    for item in findings:
        if item.severity in counts:
            counts[item.severity] += 1
    return counts

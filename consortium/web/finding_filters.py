"""How a :class:`~consortium.findings.Finding` reads on a page, whichever area made it.

The board, the fit checks, what-if and the confirmation page share these template filters, so a
rule says the same words everywhere: the template is translated, amounts (``Decimal``) are shown
as money in the reader's language and labels (``str`` params) are translated too.  The code of a
finding is never shown: it is for programs (``data-code``), not for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from flask import Flask
from flask_babel import gettext as _

from ..findings import RATIO_PARAMS, Finding
from ..formatting import format_money, format_number, format_percent
from .locale import reader_language

#: Params that are counts or quantities, not money, when they are Decimal.
QUANTITY_PARAMS = frozenset({"value", "person_months"})


def shown_params(params: Mapping[str, object]) -> dict[str, object]:
    """Params as the reader sees them: ratios, quantities and money formatted, labels
    translated."""
    lang = reader_language()
    shown: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, Decimal) and key in RATIO_PARAMS:
            shown[key] = format_percent(value, lang)
        elif isinstance(value, Decimal) and key in QUANTITY_PARAMS:
            shown[key] = format_number(value, lang, None)
        elif isinstance(value, Decimal):
            shown[key] = format_money(value, lang, 2)
        elif isinstance(value, str):
            shown[key] = _(value) if value else value
        else:
            shown[key] = value
    return shown


def finding_text(item: Finding) -> str:
    """The finding's message in the reader's language."""
    return _(item.template, **shown_params(item.params)) if item.params else _(item.template)


def finding_fix(item: Finding) -> str:
    """The finding's fix hint in the reader's language ('' when it has none)."""
    if not item.fix_template:
        return ""
    if not item.fix_params:
        return _(item.fix_template)
    return _(item.fix_template, **shown_params(item.fix_params))


def init_app(app: Flask) -> None:
    app.add_template_filter(finding_text, "finding_text")
    app.add_template_filter(finding_fix, "finding_fix")

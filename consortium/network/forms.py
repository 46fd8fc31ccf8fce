"""The filter form of the network pages (query parameters, GET, no CSRF: it changes nothing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from ..directory.models import ORG_TYPES
from ..web.forms import BaseForm
from ..web.locale import reader_language
from .analysis import KIND_LABELS, KINDS, MAP_KINDS
from .layouts import LAYOUTS
from .services import Filters

FIRST_YEAR = 1950

TYPE_LABELS = {
    "public_authority": _l("Public authority"),
    "research": _l("Research"),
    "ngo": _l("NGO"),
    "sme": _l("SME"),
    "large_company": _l("Large company"),
    "social_economy": _l("Social economy"),
    "international": _l("International organisation"),
    "other": _l("Other"),
}

ROLE_LABELS = {
    "coordinator": _l("Coordinator"),
    "beneficiary": _l("Beneficiary"),
    "affiliated_entity": _l("Affiliated entity"),
    "associated_partner": _l("Associated partner"),
    "subcontractor": _l("Subcontractor"),
}

LAYOUT_LABELS = {
    "force": _l("Force-directed"),
    "cluster": _l("Grouped by cluster"),
    "members": _l("Centred on the members"),
}


@cache
def _themes() -> tuple[dict[str, str], ...]:
    path = Path(__file__).resolve().parent.parent / "directory" / "data" / "themes.json"
    with path.open(encoding="utf-8") as fh:
        return tuple(json.load(fh)["themes"])


def theme_label(code: str) -> str:
    """The theme's label in the current language; the text itself when it is no theme code."""
    lang = reader_language()
    for theme in _themes():
        if theme["code"] == code:
            return theme[lang]
    return code


class FilterForm(BaseForm):
    class Meta:
        csrf = False

    kind = SelectMultipleField(
        _l("Kinds of tie"),
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    year_from = IntegerField(_l("From year"), validators=[Optional()])
    year_to = IntegerField(_l("To year"), validators=[Optional()])
    type = SelectMultipleField(_l("Organisation types"), validators=[Optional()])
    theme = SelectMultipleField(_l("Themes"), validators=[Optional()])
    layout = SelectField(_l("Layout"), validators=[Optional()], default="force")
    ego = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from flask_babel import gettext as _

        self.kind.choices = [(k, _(KIND_LABELS[k])) for k in KINDS]
        self.type.choices = [(t, TYPE_LABELS[t]) for t in ORG_TYPES]
        self.theme.choices = [(t["code"], theme_label(t["code"])) for t in _themes()]
        self.layout.choices = [(code, LAYOUT_LABELS[code]) for code in LAYOUTS]
        if not self.kind.data:  # nothing chosen: the map's default kinds, shown ticked
            self.kind.data = list(MAP_KINDS)
        high = datetime.now(UTC).year
        for fld in (self.year_from, self.year_to):
            fld.validators = [
                Optional(),
                NumberRange(
                    FIRST_YEAR, high, message=_l("Enter a year between %(min)s and %(max)s.")
                ),
            ]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if (
            ok
            and self.year_from.data is not None
            and self.year_to.data is not None
            and self.year_from.data > self.year_to.data
        ):
            self.year_to.errors = [
                *self.year_to.errors,
                _l("The end year comes before the start year."),
            ]
            ok = False
        return ok

    def filters(self) -> Filters:
        """The valid part of the request; a field in error filters nothing."""

        def good(fld):
            return fld.data if not fld.errors and fld.data else None

        years_ok = not self.year_from.errors and not self.year_to.errors
        return Filters(
            kinds=tuple(good(self.kind)) if good(self.kind) else MAP_KINDS,
            year_from=self.year_from.data if years_ok else None,
            year_to=self.year_to.data if years_ok else None,
            org_types=tuple(good(self.type)) if good(self.type) else None,
            themes=tuple(good(self.theme)) if good(self.theme) else None,
            ego=self.ego.data if not self.ego.errors else None,
        )

    def chosen_layout(self) -> str:
        """The layout asked for, force-directed when none or an unknown one."""
        value = self.layout.data
        return value if value in LAYOUTS and not self.layout.errors else "force"

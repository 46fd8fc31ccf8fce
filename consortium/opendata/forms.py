"""Forms of the open-data pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import Length, Optional

from ..web.forms import BaseForm


class UploadForm(BaseForm):
    file = FileField(_l("CORDIS or LIFE file (CSV, Excel .xlsx or JSON)"))


class ActionForm(BaseForm):
    """CSRF-only form of the confirm, reject, cancel and add buttons."""


class SearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Words in names or projects"), validators=[Optional(), Length(max=200)])
    country = StringField(_l("Country (two letters)"), validators=[Optional(), Length(max=2)])

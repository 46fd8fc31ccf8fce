"""Forms of the tasks area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..web.forms import BaseForm
from .services import MAX_TITLE


class TaskForm(BaseForm):
    subject = SelectField(_l("About"), choices=[], validate_choice=False)
    title = StringField(
        _l("What is to be done"),
        validators=[Optional(), Length(max=MAX_TITLE)],
        description=_l("Optional for a section or a missing item: its name is used."),
    )
    assignee = SelectField(_l("Who"), choices=[], coerce=int, validate_choice=False)
    due_date = DateField(_l("Due date"), validators=[Optional()])


class DoneForm(BaseForm):
    version = HiddenField()
    done = HiddenField()

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..web.forms import BaseForm, EmailAddress

LANGUAGE_CHOICES = [("en", _l("English")), ("fr", _l("French"))]
CLOSED_CALL_CHOICES = [
    ("", _l("The topic is open")),
    ("practice", _l("For practice: the deadline has passed")),
    ("resubmission", _l("To prepare a re-submission to a later call")),
]
ROLE_CHOICES = [
    ("lead", _l("Lead")),
    ("writer", _l("Writer")),
    ("partner", _l("Partner")),
    ("viewer", _l("Viewer")),
]


class ProposalForm(BaseForm):
    version = HiddenField()
    acronym = StringField(_l("Acronym"), validators=[DataRequired(), Length(max=30)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    topic = SelectField(
        _l("LIFE topic"),
        validators=[DataRequired()],
        description=_l("The deadline and funding rate follow from the topic."),
    )
    subtopics = SelectMultipleField(
        _l("Sub-topics (at most two for most topics)"), choices=[], validate_choice=False
    )
    territory = StringField(_l("Territory"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=20000)])
    working_language = SelectField(_l("Working language"), choices=LANGUAGE_CHOICES)
    document_language = SelectField(_l("Document language"), choices=LANGUAGE_CHOICES)
    duration_months = IntegerField(
        _l("Duration (months)"),
        default=48,
        validators=[DataRequired(), NumberRange(min=6, max=120)],
    )
    closed_call = SelectField(
        _l("If the topic is closed"),
        choices=CLOSED_CALL_CHOICES,
        default="",
        description=_l("A closed topic takes no more proposals: say why you start one anyway."),
    )


class MemberForm(BaseForm):
    email = EmailField(
        _l("Email of the account"),
        validators=[DataRequired(), EmailAddress(), Length(max=254)],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    organisation = SelectField(
        _l("Organisation (partners only)"), choices=[], validate_choice=False
    )

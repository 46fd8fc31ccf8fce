"""Forms of the workshops area; the services re-check everything they store."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..web.forms import BaseForm, bounded_number, reject_control_characters, strip_text
from .services import LIMITS, MAX_PRIORITY, MAX_VOTES

STEP_CHOICES = [
    ("vision", _l("Vision 2030")),
    ("actions_needs", _l("Actions and needs")),
    ("dossier_framework", _l("Dossier and cooperation framework")),
    ("other", _l("Other")),
]
KIND_CHOICES = [
    ("vision", _l("Vision statement")),
    ("objective", _l("Objective")),
    ("action", _l("Action")),
    ("need", _l("Need")),
    ("resource", _l("Resource offered")),
    ("risk", _l("Risk")),
    ("cooperation_rule", _l("Cooperation rule")),
    ("quote", _l("Quote")),
]
SUBKIND_CHOICES = [
    ("", "—"),
    ("skill", _l("Need: skill")),
    ("money", _l("Need: money")),
    ("equipment", _l("Need: equipment")),
    ("data", _l("Need: data")),
    ("permit", _l("Need: permit")),
    ("site", _l("Need: site")),
    ("other", _l("Need or rule: other")),
    ("governance", _l("Rule: governance")),
    ("decision_making", _l("Rule: decision-making")),
    ("intellectual_property", _l("Rule: intellectual property")),
    ("communication", _l("Rule: communication")),
    ("conflict_resolution", _l("Rule: conflict resolution")),
]
ORGS_HELP = _l(
    "Acronyms, exact names or numbers (#id) separated by semicolons; suggestions appear as "
    "you type."
)


class MultiValueField(StringField):
    """A text field that may be repeated in the form (several inputs of the same name);
    its data is the list of submitted values."""

    def process_formdata(self, valuelist):
        self.data = [v for v in valuelist if isinstance(v, str)]

    def _value(self):
        return "; ".join(self.data) if isinstance(self.data, list) else (self.data or "")


class WorkshopForm(BaseForm):
    version = HiddenField()
    step = SelectField(_l("Step"), choices=STEP_CHOICES)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=LIMITS["title"])])
    held_on = DateField(_l("Date"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=LIMITS["place"])])
    facilitator = StringField(
        _l("Facilitator"), validators=[Optional(), Length(max=LIMITS["facilitator"])]
    )
    agenda = TextAreaField(_l("Agenda"), validators=[Optional(), Length(max=LIMITS["agenda"])])
    organisations = MultiValueField(
        _l("Organisations present"),
        validators=[reject_control_characters],
        description=ORGS_HELP,
    )
    people = TextAreaField(
        _l("People present"),
        validators=[Optional(), Length(max=60000)],
        description=_l(
            "One person per line: name; function; organisation (function and organisation "
            "optional). Their organisations count as present."
        ),
    )


class OutputRowForm(Form):
    """One row of the capture table (no CSRF of its own; the outer form carries it).
    Choices are checked by the service, so the padding rows of a short post stay blank."""

    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, validate_choice=False)
    subkind = SelectField(_l("Sub-type"), choices=SUBKIND_CHOICES, validate_choice=False)
    text = TextAreaField(
        _l("Text"),
        validators=[reject_control_characters, Optional(), Length(max=LIMITS["text"])],
        filters=[strip_text],
    )
    raised = StringField(
        _l("Raised by"),
        validators=[reject_control_characters, Optional(), Length(max=5000)],
        filters=[strip_text],
    )
    carries = StringField(
        _l("Will carry it"),
        validators=[reject_control_characters, Optional(), Length(max=5000)],
        filters=[strip_text],
    )
    tags = StringField(
        _l("Tags"),
        validators=[reject_control_characters, Optional(), Length(max=1000)],
        filters=[strip_text],
    )
    priority = IntegerField(
        _l("Priority"),
        validators=[bounded_number, Optional(), NumberRange(min=1, max=MAX_PRIORITY)],
    )
    votes = IntegerField(
        _l("Votes"), validators=[bounded_number, Optional(), NumberRange(min=0, max=MAX_VOTES)]
    )

    def is_blank(self) -> bool:
        return not any(
            (self[name].raw_data or [""])[0].strip()
            for name in ("text", "raised", "carries", "tags", "priority", "votes")
        )


MAX_ROWS = 40


class CaptureForm(BaseForm):
    rows = FieldList(FormField(OutputRowForm), min_entries=5, max_entries=MAX_ROWS)


class OutputForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES)
    subkind = SelectField(_l("Sub-type"), choices=SUBKIND_CHOICES, validate_choice=False)
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=LIMITS["text"])])
    raised = StringField(
        _l("Raised by"), validators=[Optional(), Length(max=5000)], description=ORGS_HELP
    )
    carries = StringField(
        _l("Will carry it"), validators=[Optional(), Length(max=5000)], description=ORGS_HELP
    )
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Separated by commas."),
    )
    priority = IntegerField(
        _l("Priority (1 = highest)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_PRIORITY)],
    )
    votes = IntegerField(_l("Votes"), validators=[Optional(), NumberRange(min=0, max=MAX_VOTES)])
    version = HiddenField()


class ActionForm(BaseForm):
    version = HiddenField()
    code = StringField(
        _l("Code"),
        validators=[Optional(), Length(max=LIMITS["code"])],
        description=_l("Left empty, the next free code (A1, A2…) is used."),
    )
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=LIMITS["action_title"])]
    )
    objective = TextAreaField(
        _l("Objective"), validators=[Optional(), Length(max=LIMITS["objective"])]
    )
    lead = StringField(
        _l("Lead organisation"),
        validators=[Optional(), Length(max=400)],
        description=_l("Acronym, exact name or number (#id)."),
    )
    participants = StringField(
        _l("Participating organisations"),
        validators=[Optional(), Length(max=20000)],
        description=ORGS_HELP,
    )
    start_month = IntegerField(_l("Start month"), validators=[Optional()])
    end_month = IntegerField(_l("End month"), validators=[Optional()])
    deliverables = TextAreaField(
        _l("Deliverables"),
        validators=[Optional(), Length(max=LIMITS["deliverables"])],
        description=_l("One per line."),
    )
    milestones = TextAreaField(
        _l("Milestones"),
        validators=[Optional(), Length(max=LIMITS["milestones"])],
        description=_l("One per line, with its month: “M12: pilot sites chosen”."),
    )

"""Forms of the commitments area."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..formatting import MAX_AMOUNT, AmountError, parse_amount
from ..web.forms import BaseForm, EmailAddress

ROLE_CHOICES = [
    ("coordinator", _l("Coordinating beneficiary")),
    ("beneficiary", _l("Beneficiary")),
    ("affiliated_entity", _l("Affiliated entity")),
    ("associated_partner", _l("Associated partner")),
    ("subcontractor", _l("Subcontractor")),
]


class AmountField(StringField):
    """A EUR amount typed the French or English way; ``amount`` holds the Decimal."""

    def __init__(self, label=None, validators=None, optional=False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.optional = optional
        self.amount: Decimal | None = None

    def pre_validate(self, form):
        self.amount = None
        text = (self.data or "").strip() if isinstance(self.data, str) else ""
        if not text:
            if self.optional:
                return
            self.amount = Decimal("0.00")
            return
        try:
            self.amount = parse_amount(text)
        except AmountError as error:
            raise ValidationError(_(error.template, **error.params)) from None


def amount_text(value) -> str:
    return "" if value is None else f"{Decimal(value):.2f}"


def _amount(label, description=None, optional=False):
    return AmountField(
        label,
        validators=[Length(max=40)],
        optional=optional,
        description=description,
        render_kw={"inputmode": "decimal", "data-amount": "1"},
    )


class CommitmentForm(BaseForm):
    version = HiddenField()
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    contact_function = StringField(_l("Function"), validators=[Optional(), Length(max=120)])
    contact_email = EmailField(
        _l("Email"), validators=[Optional(), EmailAddress(), Length(max=254)]
    )
    tasks = TextAreaField(_l("Tasks"), validators=[Optional(), Length(max=20000)])
    monthly_rate = _amount(
        _l("Monthly personnel rate (EUR per person-month)"),
        _l("When given, personnel costs are the person-months times this rate."),
        optional=True,
    )
    cost_personnel = _amount(_l("A. Personnel costs"))
    cost_subcontracting = _amount(_l("B. Subcontracting costs"))
    cost_travel = _amount(_l("C.1 Travel and subsistence"))
    cost_equipment = _amount(_l("C.2 Equipment"))
    cost_other_goods = _amount(_l("C.3 Other goods, works and services"))
    cost_other = _amount(_l("D. Other cost categories"))
    eu_requested = _amount(
        _l("EU contribution requested"),
        _l("Leave empty to request the topic's funding rate applied to the costs."),
        optional=True,
    )
    own_cofinancing = _amount(_l("Own co-financing"))
    other_funding = _amount(_l("Other funding (not from EU funds)"))


class LeadCommitmentForm(CommitmentForm):
    role = SelectField(_l("Role in the consortium"), choices=ROLE_CHOICES)
    affiliated_to = SelectField(
        _l("Affiliated to (for an affiliated entity)"), choices=[], validate_choice=False
    )
    notes = TextAreaField(
        _l("Private notes of the leads"), validators=[Optional(), Length(max=20000)]
    )


def parse_person_months(form_data, action_ids) -> tuple[dict[int, Decimal | None], dict]:
    """Person-months typed per action (fields ``pm_<action id>``) and errors by field."""
    values: dict[int, Decimal | None] = {}
    errors = {}
    for action_id in action_ids:
        name = f"pm_{action_id}"
        text = (form_data.get(name) or "").strip().replace(",", ".")
        if not text:
            values[action_id] = None
            continue
        try:
            number = Decimal(text)
        except InvalidOperation:
            errors[name] = _("Enter a number of person-months, e.g. 12 or 3.5.")
            continue
        if not number.is_finite() or number < 0 or number > 9999 or len(text) > 12:
            errors[name] = _("Enter person-months between 0 and 9999.")
            continue
        values[action_id] = number.quantize(Decimal("0.01"))
    return values, errors


GRID_AMOUNTS = (
    "cost_personnel",
    "cost_subcontracting",
    "cost_travel",
    "cost_equipment",
    "cost_other_goods",
    "cost_other",
    "eu_requested",
    "own_cofinancing",
    "other_funding",
)
OPTIONAL_GRID_FIELDS = ("monthly_rate", "eu_requested")


def grid_field(participation_id: int, name: str) -> str:
    """Name of one input of the budget grid: ``r12-cost_travel``, ``r12-pm_3``."""
    return f"r{participation_id}-{name}"


def parse_grid(
    form_data, participation_ids, action_ids, rate_maximum: Decimal
) -> tuple[dict[int, dict], dict[str, str]]:
    """Every row of the posted grid: ``{id: {"version", "values", "person_months"}}`` and
    error messages by input name (amounts through the one amount parser)."""
    rows: dict[int, dict] = {}
    errors: dict[str, str] = {}
    for pid in participation_ids:
        values: dict[str, Decimal | None] = {}
        for name in ("monthly_rate", *GRID_AMOUNTS):
            key = grid_field(pid, name)
            if key not in form_data:  # not shown (personnel computed from a rate): unchanged
                continue
            text = (form_data.get(key) or "").strip()[:60]
            if not text:
                values[name] = None if name in OPTIONAL_GRID_FIELDS else Decimal("0.00")
                continue
            try:
                values[name] = parse_amount(
                    text, maximum=rate_maximum if name == "monthly_rate" else MAX_AMOUNT
                )
            except AmountError as error:
                errors[key] = _(error.template, **error.params)
        typed = {f"pm_{aid}": form_data.get(grid_field(pid, f"pm_{aid}")) for aid in action_ids}
        months, pm_errors = parse_person_months(typed, action_ids)
        errors.update({grid_field(pid, k): v for k, v in pm_errors.items()})
        rows[pid] = {
            "version": form_data.get(grid_field(pid, "version")),
            "values": values,
            "person_months": months,
        }
    return rows, errors


class PeriodsForm(BaseForm):
    version = HiddenField()
    ends = StringField(
        _l("Last month of each reporting period"),
        description=_l(
            "For example 18, 36: months 1-18, then 19-36 and so on to the end of the project."
        ),
        validators=[Optional(), Length(max=80)],
    )


class GridImportForm(BaseForm):
    file = FileField(_l("Budget grid workbook (.xlsx) exported from this page"))


class ConfirmForm(BaseForm):
    version = HiddenField()
    name = StringField(_l("Name of the signatory"), validators=[DataRequired(), Length(max=120)])
    function = StringField(_l("Function"), validators=[DataRequired(), Length(max=120)])


class DeclineForm(BaseForm):
    version = HiddenField()
    reason = TextAreaField(_l("Why do you decline?"), validators=[DataRequired(), Length(max=5000)])


class InviteForm(BaseForm):
    email = EmailField(
        _l("Email of the contact"), validators=[DataRequired(), EmailAddress(), Length(max=254)]
    )
    name = StringField(_l("Name of the contact"), validators=[Optional(), Length(max=120)])


class AddParticipationForm(BaseForm):
    organisation = SelectField(
        _l("Organisation"), choices=[], validate_choice=False, validators=[DataRequired()]
    )
    role = SelectField(_l("Role in the consortium"), choices=ROLE_CHOICES, default="beneficiary")


class ActionForm(BaseForm):
    version = HiddenField()


class AcceptGapsForm(BaseForm):
    """The lead's "confirmed despite…": why the partner may confirm with this gap."""

    version = HiddenField()
    reason = TextAreaField(
        _l("Why the partner may confirm despite this"),
        validators=[DataRequired(), Length(max=2000)],
    )


class JoinNewForm(BaseForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(_l("Repeat the password"), validators=[DataRequired(), Length(max=256)])

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_("The two passwords differ."))


class JoinExistingForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=256)])


class JoinLoggedInForm(BaseForm):
    pass


def _pic(_form, field):
    if field.data and not (len(field.data) == 9 and field.data.isascii() and field.data.isdigit()):
        raise ValidationError(_("A PIC has exactly 9 digits."))


class ProfileForm(BaseForm):
    version = HiddenField()
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=500)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    staff = IntegerField(_l("Staff"), validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    annual_budget = _amount(_l("Annual budget (EUR)"), optional=True)
    pic = StringField(_l("PIC (9 digits)"), validators=[Optional(), Length(max=9), _pic])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    contact_function = StringField(_l("Function"), validators=[Optional(), Length(max=120)])
    contact_email = EmailField(
        _l("Email"), validators=[Optional(), EmailAddress(), Length(max=254)]
    )
    contact_phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])

    def validate_website(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Start the address with https://"))


class UploadForm(BaseForm):
    file = FileField(_l("Signed letter (PDF, PNG or JPEG)"))

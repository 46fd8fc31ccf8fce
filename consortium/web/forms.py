"""The base form every area's forms derive from: text is refused, not mangled, when it
contains characters no database or document can hold."""

from __future__ import annotations

import math
from decimal import Decimal

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, FloatField, IntegerField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from ..characters import has_control_characters
from ..emails import valid_email


def reject_control_characters(_form, field) -> None:
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise ValidationError(_l("Remove the control characters from this text."))


class EmailAddress:
    """WTForms validator with the one e-mail check (:func:`consortium.emails.valid_email`)."""

    def __call__(self, _form, field) -> None:
        if field.data and not valid_email(field.data.strip()):
            raise ValidationError(_l("Enter a valid email address."))


def bounded_number(_form, field) -> None:
    """Refuse integers too large for a float and infinite or NaN decimals before NumberRange
    (whose math.isnan() raises OverflowError above ~1e308) or the database sees them."""
    value = field.data
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            raise StopValidation(_l("Enter a smaller number.")) from None
    if isinstance(value, Decimal) and not value.is_finite():
        raise StopValidation(_l("Enter a finite number."))
    if isinstance(value, float) and not math.isfinite(value):
        raise StopValidation(_l("Enter a finite number."))


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Adds the control-character check and whitespace stripping to every text field, and
    the bounds check to every number field."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                validators = list(unbound_field.kwargs.get("validators") or [])
                unbound_field.kwargs["validators"] = [reject_control_characters, *validators]
                filters = list(unbound_field.kwargs.get("filters") or [])
                unbound_field.kwargs["filters"] = [strip_text, *filters]
            elif issubclass(unbound_field.field_class, (IntegerField, DecimalField, FloatField)):
                validators = list(unbound_field.kwargs.get("validators") or [])
                unbound_field.kwargs["validators"] = [bounded_number, *validators]
            return unbound_field.bind(form=form, **options)


def attach_errors(form, error) -> None:
    """Show a service's ValidationFailed next to the fields it names."""
    for name, (template, params) in error.errors.items():
        field = getattr(form, name, None)
        message = _(template, **params)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")

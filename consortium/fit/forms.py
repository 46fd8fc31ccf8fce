"""Forms of the fit area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from ..web.forms import BaseForm
from .scoring import Component

WEIGHT_LABELS = {
    Component.ELIGIBILITY: _l("Eligibility"),
    Component.RELEVANCE: _l("Thematic relevance"),
    Component.CAPACITY: _l("Capacity"),
    Component.EXPERIENCE: _l("Experience"),
    Component.COMPLEMENTARITY: _l("Complementarity"),
    Component.NETWORK: _l("Network position"),
    Component.ENGAGEMENT: _l("Workshop engagement"),
}


def _weight_field(component: Component) -> IntegerField:
    return IntegerField(
        WEIGHT_LABELS[component],
        validators=[
            InputRequired(message=_l("Enter a weight from 0 to 100.")),
            NumberRange(min=0, max=100, message=_l("Enter a weight from 0 to 100.")),
        ],
    )


class WeightsForm(BaseForm):
    """Relative weights of the seven components (normalised to sum to 100 %)."""

    version = HiddenField()
    eligibility = _weight_field(Component.ELIGIBILITY)
    relevance = _weight_field(Component.RELEVANCE)
    capacity = _weight_field(Component.CAPACITY)
    experience = _weight_field(Component.EXPERIENCE)
    complementarity = _weight_field(Component.COMPLEMENTARITY)
    network = _weight_field(Component.NETWORK)
    engagement = _weight_field(Component.ENGAGEMENT)
    save = SubmitField(_l("Save the weights"))

    def weights(self) -> dict[str, float]:
        return {c.value: float(getattr(self, c.value).data) for c in Component}


class ShortlistForm(BaseForm):
    """CSRF-only form of the shortlist buttons."""


class ResetWeightsForm(BaseForm):
    """Back to the defaults of the topic's action type."""

    version = HiddenField()
    reset = SubmitField(_l("Reset to defaults"))

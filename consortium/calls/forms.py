from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DecimalField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms import Form as PlainForm
from wtforms.validators import Length, NumberRange, Optional

from ..web.forms import BaseForm


class CriterionForm(PlainForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=40)])
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=200)])
    max_points = DecimalField(
        _l("Max points"), places=2, validators=[Optional(), NumberRange(min=0, max=1000)]
    )
    threshold = DecimalField(
        _l("Threshold"), places=2, validators=[Optional(), NumberRange(min=0, max=1000)]
    )


class TopicRulesForm(BaseForm):
    version = HiddenField()
    funding_rate = DecimalField(
        _l("Funding rate (%)"), places=2, validators=[Optional(), NumberRange(min=0, max=100)]
    )
    indirect_rate = DecimalField(
        _l("Indirect costs flat rate (%)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100)],
    )
    min_beneficiaries = IntegerField(
        _l("Minimum beneficiaries"), validators=[Optional(), NumberRange(min=1, max=100)]
    )
    min_countries = IntegerField(
        _l("Minimum countries"), validators=[Optional(), NumberRange(min=1, max=50)]
    )
    max_subtopics = IntegerField(
        _l("Maximum sub-topics chosen"), validators=[Optional(), NumberRange(min=1, max=20)]
    )
    subtopics = TextAreaField(_l("Sub-topics (one per line)"), validators=[Length(max=5000)])
    criteria = FieldList(FormField(CriterionForm), min_entries=6, max_entries=6)


class CatalogueImportForm(BaseForm):
    file = FileField(_l("Topic records (JSON)"), validators=[FileRequired()])

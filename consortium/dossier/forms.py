"""Forms of the dossier area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..web.forms import BaseForm
from .services import MAX_BODY

STATUS_CHOICES = [
    ("draft", _l("Draft")),
    ("in_review", _l("In review")),
    ("final", _l("Final")),
]
LANGUAGE_CHOICES = [("en", _l("English")), ("fr", _l("French"))]


class SectionForm(BaseForm):
    version = HiddenField()
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=MAX_BODY)])
    status = SelectField(_l("Status"), choices=STATUS_CHOICES)


class VersionForm(BaseForm):
    """Regenerate or restore: only the version the user saw (and a confirmation)."""

    version = HiddenField()
    confirm = HiddenField()


class ReferenceForm(BaseForm):
    file = FileField(
        _l("Reference Word document (.docx)"),
        validators=[FileRequired(_l("Choose a .docx file."))],
        description=_l("Its styles (fonts, headings, colours) and margins are used by the export."),
    )


class TemplateForm(BaseForm):
    version = HiddenField()
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=300)])
    guidance_en = TextAreaField(_l("Guidance (English)"), validators=[Optional(), Length(max=2000)])
    guidance_fr = TextAreaField(_l("Guidance (French)"), validators=[Optional(), Length(max=2000)])
    max_chars = IntegerField(
        _l("Length budget (characters with spaces)"),
        validators=[InputRequired(), NumberRange(min=0, max=1_000_000)],
    )


class WordImportForm(BaseForm):
    file = FileField(
        _l("Word file (.docx)"),
        validators=[FileRequired(_l("Choose a .docx file."))],
        description=_l(
            "The whole dossier or one section exported here, possibly edited in Word or "
            "LibreOffice, or a file whose headings are the section headings."
        ),
    )
    language = SelectField(_l("Language of the text"), choices=LANGUAGE_CHOICES)


class ImportReviewForm(BaseForm):
    """The review of a Word import; per-section and per-change choices are read by the view."""

    version = HiddenField()

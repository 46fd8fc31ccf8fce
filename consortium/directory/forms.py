"""Forms of the directory: organisation, tie, import and merge."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..web.forms import BaseForm
from ..web.locale import reader_language
from .countries import country_name
from .records import (
    LANGUAGES,
    ORG_TYPE_LABELS,
    ORG_TYPES,
    escape_item,
    join_list,
    unescape_item,
)
from .records import _split_raw as split_raw

TIE_KIND_LABELS = {
    "past_project": _l("Past project together"),
    "formal_agreement": _l("Formal agreement"),
    "supplier_client": _l("Supplier / client"),
    "same_network": _l("Same federation or network"),
    "informal": _l("Informal"),
    "other": _l("Other"),
}
EU_EXPERIENCE_LABELS = {
    "none": _l("No EU project yet"),
    "participant": _l("Partner in EU projects"),
    "coordinator": _l("Coordinated EU projects"),
}
# Form field -> record column where they differ.
FIELD_COLUMNS = {"org_type": "type"}
COLUMN_FIELDS = {"type": "org_type"}


def type_label(code: str) -> str:
    labels = ORG_TYPE_LABELS.get(code, (code, code))
    return labels[1] if reader_language() == "fr" else labels[0]


def theme_choices() -> list[tuple[str, str]]:
    return [(code, label) for code, label in _theme_labels().items()]


def _theme_labels() -> dict[str, str]:
    from .records import theme_codes

    labels = _THEME_LABELS()
    index = 1 if reader_language() == "fr" else 0
    return {code: labels[code][index] for code in theme_codes()}


def _THEME_LABELS() -> dict[str, tuple[str, str]]:
    global _theme_cache
    if _theme_cache is None:
        import json
        from pathlib import Path

        path = Path(__file__).with_name("data") / "themes.json"
        with path.open(encoding="utf-8") as handle:
            themes = json.load(handle)["themes"]
        _theme_cache = {t["code"]: (t["en"], t["fr"]) for t in themes}
    return _theme_cache


_theme_cache: dict[str, tuple[str, str]] | None = None


def theme_label(code: str) -> str:
    labels = _THEME_LABELS().get(code, (code, code))
    return labels[1] if reader_language() == "fr" else labels[0]


def language_label(code: str) -> str:
    names = LANGUAGES.get(code, (code, code))
    return names[1] if reader_language() == "fr" else names[0]


def country_label(code: str) -> str:
    return country_name(code, reader_language()) or code


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def lines_to_items(text: str | None) -> list[list[str]]:
    """One item a line, fields separated by ``|`` (``\\|`` for a literal bar)."""
    items = []
    for line in (text or "").splitlines():
        if line.strip():
            items.append([unescape_item(part).strip() for part in split_raw(line, "|")])
    return items


def items_to_lines(rows: list[tuple[str, ...]]) -> str:
    lines = []
    for row in rows:
        parts = [escape_item(str(p)) for p in row]
        while parts and parts[-1] == "":
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


class OrganisationForm(BaseForm):
    version = HiddenField()
    name = StringField(_l("Legal name"))
    acronym = StringField(_l("Short name or acronym"))
    org_type = SelectField(_l("Type"), choices=[])
    natural_person = BooleanField(_l("Natural person (not a legal entity)"))
    country = StringField(
        _l("Country"), description=_l("Name in English or French, or the two-letter ISO code.")
    )
    region = StringField(_l("Region"))
    city = StringField(_l("City"))
    pic = StringField(
        _l("PIC"),
        description=_l(
            "Participant Identification Code: 9 digits. Leave empty if there is none yet."
        ),
    )
    registry_number = StringField(
        _l("VAT or national registry number"),
        description=_l("SIRET, KvK, company or VAT number; spaces, dots and dashes are ignored."),
    )
    website = StringField(_l("Website"))
    email = StringField(_l("General e-mail"))
    description = TextAreaField(
        _l("Description (French and/or English)"),
        description=_l("At most 20,000 characters."),
    )
    themes = MultiCheckboxField(_l("Themes"), choices=[], validate_choice=False)
    keywords = StringField(_l("Keywords"), description=_l("Separate keywords with “;”."))
    languages = SelectMultipleField(_l("Languages"), choices=[], validate_choice=False)
    staff = StringField(_l("Staff (headcount)"))
    annual_budget_eur = StringField(_l("Annual budget or turnover (EUR)"))
    eu_experience = SelectField(_l("Experience with EU projects"), choices=[])
    past_projects = TextAreaField(
        _l("Past projects"),
        description=_l(
            "One project a line: programme | reference | title | year | role "
            "(e.g. LIFE | LIFE20 ENV/FR/000123 | Reuse | 2021 | partner)."
        ),
    )
    contacts = TextAreaField(
        _l("Contact people"),
        description=_l("One person a line: name | function | e-mail | phone."),
    )
    shared_with_partners = BooleanField(
        _l("Shared with partners"),
        description=_l("Partners of every proposal see this entry's public fields."),
    )
    notes = TextAreaField(_l("Private notes (leads, writers and viewers only)"))
    create_anyway = HiddenField()

    def setup(self) -> None:
        self.org_type.choices = [(code, type_label(code)) for code in ORG_TYPES]
        self.themes.choices = theme_choices()
        self.languages.choices = sorted(
            ((code, language_label(code)) for code in LANGUAGES), key=lambda c: c[1].lower()
        )
        self.eu_experience.choices = list(EU_EXPERIENCE_LABELS.items())

    def raw(self) -> dict[str, object]:
        """Canonical column -> value for ``validate_record``."""
        return {
            "name": self.name.data or "",
            "acronym": self.acronym.data or "",
            "type": self.org_type.data or "",
            "natural_person": bool(self.natural_person.data),
            "country": self.country.data or "",
            "region": self.region.data or "",
            "city": self.city.data or "",
            "pic": self.pic.data or "",
            "registry_number": self.registry_number.data or "",
            "website": self.website.data or "",
            "email": self.email.data or "",
            "description": self.description.data or "",
            "themes": list(self.themes.data or []),
            "keywords": self.keywords.data or "",
            "languages": list(self.languages.data or []),
            "staff": self.staff.data or "",
            "annual_budget_eur": self.annual_budget_eur.data or "",
            "past_projects": lines_to_items(self.past_projects.data),
            "contacts": lines_to_items(self.contacts.data),
        }

    def fill(self, org, record) -> None:
        """Show ``org`` (and its validated ``record``) in the form."""
        self.version.data = str(org.version)
        self.name.data = record.name
        self.acronym.data = record.acronym
        self.org_type.data = record.org_type
        self.natural_person.data = record.natural_person
        self.country.data = record.country
        self.region.data = record.region
        self.city.data = record.city
        self.pic.data = record.pic or ""
        self.registry_number.data = record.registry_number or ""
        self.website.data = record.website
        self.email.data = record.email
        self.description.data = record.description
        self.themes.data = list(record.themes)
        self.keywords.data = join_list(record.keywords)
        self.languages.data = list(record.languages)
        self.staff.data = "" if record.staff is None else str(record.staff)
        self.annual_budget_eur.data = (
            "" if record.annual_budget_eur is None else f"{record.annual_budget_eur:.2f}"
        )
        self.eu_experience.data = org.eu_experience
        self.past_projects.data = items_to_lines(
            [
                (p.programme, p.reference, p.title, "" if p.year is None else str(p.year), p.role)
                for p in record.past_projects
            ]
        )
        self.contacts.data = items_to_lines(
            [(c.name, c.role, c.email, c.phone) for c in record.contacts]
        )
        self.shared_with_partners.data = org.shared_with_partners
        self.notes.data = org.notes


class TieForm(BaseForm):
    other = SelectField(_l("Other organisation"), choices=[], validate_choice=False)
    kind = SelectField(_l("Kind of tie"), choices=[])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=1900, max=2100)])
    note = TextAreaField(_l("Source or note"))

    def setup(self, organisations) -> None:
        self.kind.choices = list(TIE_KIND_LABELS.items())
        self.other.choices = [("", "—")] + [(str(i), n) for i, n in organisations]


class ImportForm(BaseForm):
    file = FileField(_l("CSV or Excel (.xlsx) file"))
    mode = RadioField(
        _l("If some rows have errors"),
        choices=[
            ("all", _l("Import nothing (all or nothing)")),
            ("valid", _l("Import the valid rows only")),
        ],
        default="all",
    )


class TieImportForm(BaseForm):
    file = FileField(_l("CSV or Excel (.xlsx) file"))


class MergeForm(BaseForm):
    other = SelectField(
        _l("Organisation to merge into this one"), choices=[], validate_choice=False
    )

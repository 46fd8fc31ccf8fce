"""The validated organisation record and its validation from plain data (pure).

``validate_record(raw)`` takes a mapping of canonical column names (the spreadsheet columns, see
``COLUMNS``) to raw values (strings from a file, or Python values from a form or the API) and
returns either an ``OrganisationRecord`` or a list of ``FieldError``. Every error message is an
English template marked with ``N_`` and carries its parameters separately, so the view can
translate it (French in ``translations/fr/LC_MESSAGES/messages.po``).

Text normalisation (applied to every text value): Unicode NFC, line endings ``\\r\\n``/``\\r``
turned into ``\\n``, leading and trailing white space removed. C0 control characters other than
tab, line feed and carriage return (so NUL too) and lone surrogates are rejected in every field.

List cells (``themes``, ``keywords``, ``languages``, ``past_projects``, ``contacts``) separate
items with ``;``. ``past_projects`` items are ``programme|reference|title|year|role`` and
``contacts`` items are ``name|role|email|phone`` (trailing fields may be left out). Inside a
value, ``\\;``, ``\\|`` and ``\\\\`` stand for a literal ``;``, ``|`` and backslash; a backslash
before any other character is kept as it is. ``join_list``/``join_past_projects`` escape so that
``record_to_raw`` followed by ``validate_record`` gives back the same record.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from consortium.characters import CONTROL_CHARACTERS
from consortium.directory.countries import resolve_country
from consortium.emails import MAX_EMAIL, valid_email
from consortium.errors import N_
from consortium.folding import words
from consortium.formatting import AmountError, parse_amount

# ---------------------------------------------------------------------------------------------
# Vocabularies and limits

ORG_TYPES: tuple[str, ...] = (
    "public_authority",
    "research",
    "ngo",
    "sme",
    "large_company",
    "social_economy",
    "international",
    "other",
)

#: English and French labels of each type (also accepted as input).
ORG_TYPE_LABELS: dict[str, tuple[str, str]] = {
    "public_authority": ("Public authority", "Autorité publique"),
    "research": ("Research and education", "Recherche et enseignement"),
    "ngo": ("NGO or association", "Association ou ONG"),
    "sme": ("SME", "PME"),
    "large_company": ("Large company", "Grande entreprise"),
    "social_economy": ("Social economy", "Économie sociale et solidaire"),
    "international": ("International organisation", "Organisation internationale"),
    "other": ("Other", "Autre"),
}

_TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "ngo": (
        "association",
        "asso",
        "ong",
        "ngo",
        "non profit",
        "nonprofit",
        "non-profit",
        "association loi 1901",
        "fondation",
        "foundation",
        "charity",
    ),
    "public_authority": (
        "collectivité",
        "collectivité territoriale",
        "collectivite locale",
        "mairie",
        "ville",
        "commune",
        "métropole",
        "région",
        "département",
        "conseil régional",
        "conseil départemental",
        "epci",
        "public body",
        "local authority",
        "public administration",
        "administration",
        "établissement public",
        "ministère",
        "ministry",
        "state",
        "état",
        "municipality",
        "city",
        "region",
    ),
    "sme": (
        "pme",
        "sme",
        "tpe",
        "startup",
        "start-up",
        "micro-entreprise",
        "microenterprise",
        "small company",
        "petite entreprise",
    ),
    "research": (
        "laboratoire",
        "labo",
        "université",
        "university",
        "research",
        "recherche",
        "école",
        "school",
        "research centre",
        "research center",
        "centre de recherche",
        "higher education",
        "enseignement supérieur",
        "institut de recherche",
    ),
    "large_company": (
        "grande entreprise",
        "large company",
        "large enterprise",
        "grand groupe",
        "corporation",
        "eti",
    ),
    "social_economy": (
        "coopérative",
        "cooperative",
        "scop",
        "scic",
        "ess",
        "entreprise d'insertion",
        "social enterprise",
        "entreprise sociale",
        "économie sociale",
        "social economy",
        "économie sociale et solidaire",
    ),
    "international": (
        "organisation internationale",
        "international organisation",
        "international organization",
    ),
    "other": ("autre", "other", "divers"),
}

#: Languages accepted in the ``languages`` column: code -> (English, French) names.
LANGUAGES: dict[str, tuple[str, str]] = {
    "bg": ("Bulgarian", "bulgare"),
    "cs": ("Czech", "tchèque"),
    "da": ("Danish", "danois"),
    "de": ("German", "allemand"),
    "el": ("Greek", "grec"),
    "en": ("English", "anglais"),
    "es": ("Spanish", "espagnol"),
    "et": ("Estonian", "estonien"),
    "fi": ("Finnish", "finnois"),
    "fr": ("French", "français"),
    "ga": ("Irish", "irlandais"),
    "hr": ("Croatian", "croate"),
    "hu": ("Hungarian", "hongrois"),
    "it": ("Italian", "italien"),
    "lt": ("Lithuanian", "lituanien"),
    "lv": ("Latvian", "letton"),
    "mt": ("Maltese", "maltais"),
    "nl": ("Dutch", "néerlandais"),
    "pl": ("Polish", "polonais"),
    "pt": ("Portuguese", "portugais"),
    "ro": ("Romanian", "roumain"),
    "sk": ("Slovak", "slovaque"),
    "sl": ("Slovenian", "slovène"),
    "sv": ("Swedish", "suédois"),
    "ar": ("Arabic", "arabe"),
    "ca": ("Catalan", "catalan"),
    "eu": ("Basque", "basque"),
    "oc": ("Occitan", "occitan"),
    "co": ("Corsican", "corse"),
    "br": ("Breton", "breton"),
    "no": ("Norwegian", "norvégien"),
    "is": ("Icelandic", "islandais"),
    "tr": ("Turkish", "turc"),
    "uk": ("Ukrainian", "ukrainien"),
    "ru": ("Russian", "russe"),
    "zh": ("Chinese", "chinois"),
    "ja": ("Japanese", "japonais"),
    "sq": ("Albanian", "albanais"),
    "sr": ("Serbian", "serbe"),
    "mk": ("Macedonian", "macédonien"),
    "bs": ("Bosnian", "bosniaque"),
}

MAX_NAME = 300
MAX_ACRONYM = 60
MAX_REGION = 120
MAX_CITY = 120
MAX_WEBSITE = 500
MAX_REGISTRY = 40
MIN_REGISTRY = 4
MAX_DESCRIPTION = 20_000
MAX_KEYWORD = 100
MAX_ITEMS = 200
#: The largest research organisations took part in thousands of EU projects.
MAX_PAST_PROJECTS = 20_000
MAX_STAFF = 10_000_000
MAX_BUDGET = Decimal("1000000000000")
MAX_PROGRAMME = 60
MAX_REFERENCE = 60
MAX_PROJECT_TITLE = 300
MAX_ROLE = 60
MAX_CONTACT_NAME = 200
MAX_PHONE = 40
MIN_YEAR = 1900
MAX_YEAR = 2100

#: Canonical columns, in export order.
COLUMNS: tuple[str, ...] = (
    "name",
    "acronym",
    "type",
    "country",
    "region",
    "city",
    "pic",
    "registry_number",
    "website",
    "email",
    "description",
    "themes",
    "keywords",
    "languages",
    "staff",
    "annual_budget_eur",
    "past_projects",
    "natural_person",
    "contacts",
)

# ---------------------------------------------------------------------------------------------
# Messages

REQUIRED = N_("This field is required.")
TOO_LONG = N_("Too long: %(length)s characters, the limit is %(limit)s.")
ITEM_TOO_LONG = N_("Item %(item)s is too long: %(length)s characters, the limit is %(limit)s.")
TOO_MANY_ITEMS = N_("Too many items: %(count)s, the limit is %(limit)s.")
BAD_CHARACTER = N_("Character U+%(code)s is not allowed.")
LINE_BREAK = N_("Line breaks are not allowed in this field.")
BAD_PIC = N_("PIC “%(value)s” is invalid: a PIC is exactly 9 digits.")
BAD_REGISTRY = N_(
    "Registry number “%(value)s” is invalid: a VAT or national registry number has 4 to 40"
    " letters and digits (spaces, dots and dashes are ignored)."
)
UNKNOWN_COUNTRY = N_(
    "Unknown country “%(value)s”: use its English or French name or its two-letter ISO code."
)
UNKNOWN_TYPE = N_("Unknown organisation type “%(value)s”.")
UNKNOWN_THEME = N_("Unknown theme “%(value)s”.")
UNKNOWN_LANGUAGE = N_("Unknown language “%(value)s”.")
BAD_URL = N_("“%(value)s” is not a web address starting with http:// or https://.")
BAD_EMAIL = N_("“%(value)s” is not a valid e-mail address.")
NOT_INTEGER = N_("“%(value)s” is not a whole number.")
NEGATIVE = N_("Must not be negative (got %(value)s).")
TOO_LARGE = N_("Must be at most %(limit)s (got %(value)s).")
NOT_AMOUNT = N_("“%(value)s” is not an amount: write 1234.56 or 1 234,56.")
TOO_MANY_DECIMALS = N_("At most 2 decimals are allowed (got %(value)s).")
NOT_BOOLEAN = N_("“%(value)s” is not yes or no.")
PROJECT_FIELDS = N_(
    "Project %(item)s has %(count)s fields; expected programme|reference|title|year|role."
)
PROJECT_EMPTY = N_("Project %(item)s has no programme, reference or title.")
BAD_YEAR = N_("Project %(item)s: “%(value)s” is not a year between %(min)s and %(max)s.")
CONTACT_FIELDS = N_("Contact %(item)s has %(count)s fields; expected name|role|email|phone.")
CONTACT_NO_NAME = N_("Contact %(item)s has no name.")
CONTACT_BAD_EMAIL = N_("Contact %(item)s: “%(value)s” is not a valid e-mail address.")
CONTACT_BAD_PHONE = N_("Contact %(item)s: “%(value)s” is not a valid phone number.")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one column: a translatable template and its parameters."""

    column: str
    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English message with its parameters filled in."""
        return self.template % dict(self.params)


@dataclass(frozen=True, slots=True)
class PastProjectRecord:
    """A project the organisation took part in (``year`` may be unknown)."""

    programme: str = ""
    reference: str = ""
    title: str = ""
    year: int | None = None
    role: str = ""


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A contact person of the organisation."""

    name: str
    role: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    """A validated organisation; ``pic`` is ``None`` while the organisation has no PIC yet."""

    name: str
    country: str
    acronym: str = ""
    org_type: str = "other"
    natural_person: bool = False
    region: str = ""
    city: str = ""
    pic: str | None = None
    registry_number: str | None = None
    website: str = ""
    email: str = ""
    description: str = ""
    themes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    staff: int | None = None
    annual_budget_eur: Decimal | None = None
    past_projects: tuple[PastProjectRecord, ...] = ()
    contacts: tuple[ContactRecord, ...] = ()
    languages: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Lookup tables


def _key(text: str) -> str:
    return " ".join(words(text))


@cache
def _themes() -> tuple[tuple[str, ...], dict[str, str]]:
    path = Path(__file__).with_name("data") / "themes.json"
    with path.open(encoding="utf-8") as fh:
        themes = json.load(fh)["themes"]
    index: dict[str, str] = {}
    for theme in themes:
        for label in (theme["code"], theme["en"], theme["fr"]):
            index.setdefault(_key(label), theme["code"])
    return tuple(t["code"] for t in themes), index


def theme_codes() -> tuple[str, ...]:
    """Codes of the theme vocabulary, in file order."""
    return _themes()[0]


@lru_cache(maxsize=4096)
def resolve_theme(text: str) -> str | None:
    """Theme code for a code or an English/French label (case and accents ignored)."""
    return _themes()[1].get(_key(text))


@cache
def _type_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code in ORG_TYPES:
        index[_key(code)] = code
        for label in ORG_TYPE_LABELS[code]:
            index.setdefault(_key(label), code)
    for code, aliases in _TYPE_ALIASES.items():
        for alias in aliases:
            index.setdefault(_key(alias), code)
    return index


@lru_cache(maxsize=4096)
def resolve_org_type(text: str) -> str | None:
    """Type code for a code, an English/French label or a common alias; ``None`` if unknown."""
    return _type_index().get(_key(text))


@cache
def _language_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for code, names in LANGUAGES.items():
        index[code] = code
        for name in names:
            index.setdefault(_key(name), code)
    return index


@lru_cache(maxsize=4096)
def resolve_language(text: str) -> str | None:
    """ISO 639-1 code for a code or an English/French language name; ``None`` if unknown."""
    return _language_index().get(_key(text))


# ---------------------------------------------------------------------------------------------
# List cells with backslash escapes

_SPECIALS = frozenset(";|\\")


def escape_item(text: str) -> str:
    """Escape ``;``, ``|`` and backslash with a backslash."""
    return "".join("\\" + ch if ch in _SPECIALS else ch for ch in text)


def _split_raw(text: str, sep: str) -> list[str]:
    """Split on unescaped ``sep``, keeping escape sequences in the pieces."""
    if "\\" not in text:
        return text.split(sep)
    pieces: list[str] = []
    current: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in _SPECIALS:
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    pieces.append("".join(current))
    return pieces


def unescape_item(text: str) -> str:
    """Undo ``escape_item``; a backslash before another character is kept."""
    if "\\" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == "\\" and i + 1 < n and text[i + 1] in _SPECIALS:
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def split_list(text: str) -> list[str]:
    """Items of a ``;``-separated cell, unescaped and stripped; empty items dropped."""
    items = (unescape_item(piece).strip() for piece in _split_raw(text, ";"))
    return [item for item in items if item]


def join_list(items: Iterable[str]) -> str:
    """Inverse of ``split_list`` for stripped, non-empty items."""
    return ";".join(escape_item(item) for item in items)


def _split_records(text: str) -> list[list[str]]:
    """``a|b;c|d`` -> ``[["a", "b"], ["c", "d"]]``; blank items dropped."""
    out = []
    for piece in _split_raw(text, ";"):
        if not piece.strip():
            continue
        out.append([unescape_item(part).strip() for part in _split_raw(piece, "|")])
    return out


def join_past_projects(projects: Iterable[PastProjectRecord]) -> str:
    """Serialise past projects as ``programme|reference|title|year|role`` items joined by ``;``."""
    return ";".join(
        "|".join(
            escape_item(part)
            for part in (
                p.programme,
                p.reference,
                p.title,
                "" if p.year is None else str(p.year),
                p.role,
            )
        )
        for p in projects
    )


def join_contacts(contacts: Iterable[ContactRecord]) -> str:
    """Serialise contacts as ``name|role|email|phone`` items joined by ``;``."""
    return ";".join(
        "|".join(escape_item(part) for part in (c.name, c.role, c.email, c.phone)) for c in contacts
    )


def format_budget(value: Decimal | None) -> str:
    """Canonical text of a budget: ``1234.50``; empty for ``None``."""
    return "" if value is None else f"{value:.2f}"


def record_to_raw(record: OrganisationRecord, *, include_contacts: bool = True) -> dict[str, str]:
    """Canonical column -> text cell; ``validate_record`` of the result gives ``record`` back."""
    raw = {
        "name": record.name,
        "acronym": record.acronym,
        "type": record.org_type,
        "country": record.country,
        "region": record.region,
        "city": record.city,
        "pic": record.pic or "",
        "registry_number": record.registry_number or "",
        "website": record.website,
        "email": record.email,
        "description": record.description,
        "themes": join_list(record.themes),
        "keywords": join_list(record.keywords),
        "languages": join_list(record.languages),
        "staff": "" if record.staff is None else str(record.staff),
        "annual_budget_eur": format_budget(record.annual_budget_eur),
        "past_projects": join_past_projects(record.past_projects),
        "natural_person": "yes" if record.natural_person else "no",
    }
    if include_contacts:
        raw["contacts"] = join_contacts(record.contacts)
    return raw


# ---------------------------------------------------------------------------------------------
# Scalar parsers

_SPACES = " \u00a0\u202f\u2009"
_INT = re.compile(rf"[+-]?(?:\d{{1,3}}(?:[{_SPACES}]\d{{3}})+|\d+)")
_PHONE = re.compile(r"\+?[\d ().\-/\u00a0]{4,}")
_PIC_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]+")
#: Anything but letters, digits and the separators people type in registry numbers.
_REGISTRY_OTHER = re.compile(r"[^0-9A-Za-z\s\u00a0\u202f.\-/]")

_TRUE = frozenset({"yes", "y", "oui", "o", "true", "vrai", "1", "x"})
_FALSE = frozenset({"no", "n", "non", "false", "faux", "0"})


def shown(value: object, limit: int = 60) -> str:
    """``value`` as text for a message, cut to ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def normalise_text(value: str) -> str:
    """NFC, line endings as ``\\n``, stripped."""
    text = unicodedata.normalize("NFC", value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def parse_bool(value: object) -> bool | None:
    """``True``/``False`` for yes/no words in English or French and 1/0; ``None`` otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = " ".join(words(str(value)))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


class FieldCollector:
    """Accumulates errors while one record is validated."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, column: str, template: str, **params: object) -> None:
        self.errors.append(FieldError(column, template, params))

    def text(
        self,
        raw: Mapping[str, object],
        column: str,
        limit: int,
        *,
        single_line: bool = True,
        required: bool = False,
    ) -> str:
        """A checked, normalised text value ('' when absent or invalid)."""
        value = raw.get(column)
        text = self.clean(column, value)
        if text is None:
            return ""
        if not text:
            if required:
                self.add(column, REQUIRED)
            return ""
        if single_line and "\n" in text:
            self.add(column, LINE_BREAK)
            return ""
        if len(text) > limit:
            self.add(column, TOO_LONG, length=len(text), limit=limit)
            return ""
        return text

    def clean(self, column: str, value: object) -> str | None:
        """Normalised text of ``value`` or ``None`` after reporting a bad character."""
        if value is None:
            return ""
        text = value if isinstance(value, str) else str(value)
        bad = CONTROL_CHARACTERS.search(text)
        if bad:
            self.add(column, BAD_CHARACTER, code=f"{ord(bad.group()):04X}")
            return None
        return normalise_text(text)

    def items(self, raw: Mapping[str, object], column: str) -> list[str] | None:
        """Items of a list column given as a ``;`` cell or a sequence of strings."""
        value = raw.get(column)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            text = self.clean(column, value)
            if text is None:
                return None
            items = split_list(text)
        else:
            items = []
            for item in value if isinstance(value, Iterable) else (value,):
                text = self.clean(column, item)
                if text is None:
                    return None
                if text:
                    items.append(text)
        if len(items) > MAX_ITEMS:
            self.add(column, TOO_MANY_ITEMS, count=len(items), limit=MAX_ITEMS)
            return None
        return items


def _finite(value: float | Decimal) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def _parse_int(col: FieldCollector, column: str, value: object, limit: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        col.add(column, NOT_INTEGER, value=shown(value))
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and _finite(value) and value == int(value):
        number = int(value)
    else:
        text = col.clean(column, value)
        if text is None:
            return None
        if not text:
            return None
        if not _INT.fullmatch(text):
            col.add(column, NOT_INTEGER, value=shown(text))
            return None
        number = int(re.sub(rf"[{_SPACES}]", "", text))
    if number < 0:
        col.add(column, NEGATIVE, value=number)
        return None
    if number > limit:
        col.add(column, TOO_LARGE, limit=limit, value=number)
        return None
    return number


#: Why the one amount parser refused a typed amount, in the import's own words.
AMOUNT_REFUSALS = {"negative": NEGATIVE, "decimals": TOO_MANY_DECIMALS, "too_large": TOO_LARGE}


def _parse_amount(col: FieldCollector, column: str, value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        if isinstance(value, bool):
            col.add(column, NOT_AMOUNT, value=shown(value))
        return None
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float | Decimal):
        if not _finite(value):
            col.add(column, NOT_AMOUNT, value=shown(value))
            return None
        amount = Decimal(repr(value)) if isinstance(value, float) else value
        if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
            col.add(column, TOO_MANY_DECIMALS, value=shown(value))
            return None
    else:
        text = col.clean(column, value)
        if not text:
            return None
        try:
            amount = parse_amount(text, maximum=MAX_BUDGET)
        except AmountError as error:
            message = AMOUNT_REFUSALS.get(error.code, NOT_AMOUNT)
            if message is TOO_LARGE:
                col.add(column, message, limit=str(MAX_BUDGET), value=shown(text))
            else:
                col.add(column, message, value=shown(text))
            return None
    if amount < 0:
        col.add(column, NEGATIVE, value=shown(value))
        return None
    if amount > MAX_BUDGET:
        col.add(column, TOO_LARGE, limit=str(MAX_BUDGET), value=shown(value))
        return None
    return amount.quantize(Decimal("0.01"))


def _valid_url(text: str) -> bool:
    if any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host) and "." in (host or "")


def _past_projects(col: FieldCollector, value: object) -> tuple[PastProjectRecord, ...]:
    column = "past_projects"
    if value is None or value == "":
        return ()
    rows: list[list[str]] = []
    if isinstance(value, str):
        text = col.clean(column, value)
        if text is None:
            return ()
        rows = _split_records(text)
    else:
        for item in value if isinstance(value, Iterable) else (value,):
            if isinstance(item, PastProjectRecord):
                parts: Sequence[object] = (
                    item.programme,
                    item.reference,
                    item.title,
                    item.year,
                    item.role,
                )
            elif isinstance(item, Mapping):
                parts = [item.get(k) for k in ("programme", "reference", "title", "year", "role")]
            else:
                parts = list(item) if isinstance(item, Sequence) else [item]
            cleaned = []
            for part in parts:
                text = col.clean(column, "" if part is None else part)
                if text is None:
                    return ()
                cleaned.append(text)
            rows.append(cleaned)
    if len(rows) > MAX_PAST_PROJECTS:
        col.add(column, TOO_MANY_ITEMS, count=len(rows), limit=MAX_PAST_PROJECTS)
        return ()
    projects = []
    ok = True
    for number, parts in enumerate(rows, start=1):
        if len(parts) > 5:
            col.add(column, PROJECT_FIELDS, item=number, count=len(parts))
            ok = False
            continue
        programme, reference, title, year_text, role = (*parts, "", "", "", "", "")[:5]
        if not (programme or reference or title):
            col.add(column, PROJECT_EMPTY, item=number)
            ok = False
            continue
        for text, limit in (
            (programme, MAX_PROGRAMME),
            (reference, MAX_REFERENCE),
            (title, MAX_PROJECT_TITLE),
            (role, MAX_ROLE),
        ):
            if "\n" in text:
                col.add(column, LINE_BREAK)
                ok = False
            elif len(text) > limit:
                col.add(column, ITEM_TOO_LONG, item=number, length=len(text), limit=limit)
                ok = False
        year = None
        if year_text:
            if re.fullmatch(r"\d{4}", year_text) and MIN_YEAR <= int(year_text) <= MAX_YEAR:
                year = int(year_text)
            else:
                col.add(
                    column,
                    BAD_YEAR,
                    item=number,
                    value=shown(year_text),
                    min=MIN_YEAR,
                    max=MAX_YEAR,
                )
                ok = False
        projects.append(PastProjectRecord(programme, reference, title, year, role))
    return tuple(projects) if ok else ()


def _contacts(col: FieldCollector, value: object) -> tuple[ContactRecord, ...]:
    column = "contacts"
    if value is None or value == "":
        return ()
    rows: list[list[str]] = []
    if isinstance(value, str):
        text = col.clean(column, value)
        if text is None:
            return ()
        rows = _split_records(text)
    else:
        for item in value if isinstance(value, Iterable) else (value,):
            if isinstance(item, ContactRecord):
                parts: Sequence[object] = (item.name, item.role, item.email, item.phone)
            elif isinstance(item, Mapping):
                parts = [item.get(k) for k in ("name", "role", "email", "phone")]
            else:
                parts = list(item) if isinstance(item, Sequence) else [item]
            cleaned = []
            for part in parts:
                text = col.clean(column, "" if part is None else part)
                if text is None:
                    return ()
                cleaned.append(text)
            rows.append(cleaned)
    if len(rows) > MAX_ITEMS:
        col.add(column, TOO_MANY_ITEMS, count=len(rows), limit=MAX_ITEMS)
        return ()
    contacts = []
    ok = True
    for number, parts in enumerate(rows, start=1):
        if len(parts) > 4:
            col.add(column, CONTACT_FIELDS, item=number, count=len(parts))
            ok = False
            continue
        name, role, email, phone = (*parts, "", "", "", "")[:4]
        if not name:
            col.add(column, CONTACT_NO_NAME, item=number)
            ok = False
            continue
        for text, limit in ((name, MAX_CONTACT_NAME), (role, MAX_ROLE)):
            if len(text) > limit:
                col.add(column, ITEM_TOO_LONG, item=number, length=len(text), limit=limit)
                ok = False
        if email and not valid_email(email):
            col.add(column, CONTACT_BAD_EMAIL, item=number, value=shown(email))
            ok = False
        if phone and (len(phone) > MAX_PHONE or not _PHONE.fullmatch(phone)):
            col.add(column, CONTACT_BAD_PHONE, item=number, value=shown(phone))
            ok = False
        contacts.append(ContactRecord(name, role, email, phone))
    return tuple(contacts) if ok else ()


def _coded_items(
    col: FieldCollector,
    raw: Mapping[str, object],
    column: str,
    resolve: Callable[[str], str | None],
    template: str,
) -> tuple[str, ...]:
    items = col.items(raw, column)
    if items is None:
        return ()
    codes: list[str] = []
    for item in items:
        code = resolve(item)
        if code is None:
            col.add(column, template, value=shown(item))
        elif code not in codes:
            codes.append(code)
    return tuple(codes)


# ---------------------------------------------------------------------------------------------
# The validator


def _org_type(col: FieldCollector, value: object) -> str:
    """An org type code; an empty type means ``other``."""
    text = col.clean("type", value)
    if not text:
        return "other"
    resolved = resolve_org_type(text)
    if resolved is None:
        col.add("type", UNKNOWN_TYPE, value=shown(text))
        return "other"
    return resolved


def _country(col: FieldCollector, value: object) -> str:
    text = col.clean("country", value)
    if text == "":
        col.add("country", REQUIRED)
    elif text is not None:
        country = resolve_country(text)
        if country:
            return country
        col.add("country", UNKNOWN_COUNTRY, value=shown(text))
    return ""


def _pic(col: FieldCollector, value: object) -> str | None:
    """Nine digits, spaces ignored; ``None`` for "no PIC yet"."""
    text = col.clean("pic", value)
    if not text:
        return None
    compact = _PIC_SPACES.sub("", text)
    if len(compact) == 9 and compact.isascii() and compact.isdigit():
        return compact
    col.add("pic", BAD_PIC, value=shown(text))
    return None


def compact_registry_number(text: str) -> str:
    """``"FR 12.345-678"`` -> ``"FR12345678"``: ASCII letters and digits, upper case.

    The one compaction of VAT and registry numbers: stored numbers, the open data's and the
    numbers a tie file names all go through it before they are compared.
    """
    return _NOT_ALPHANUMERIC.sub("", text).upper()


def _registry_number(col: FieldCollector, value: object) -> str | None:
    """A VAT or national registry number (SIRET, KvK...), stored compact and upper case."""
    text = col.clean("registry_number", value)
    if not text:
        return None
    compact = compact_registry_number(text)
    if (
        not _REGISTRY_OTHER.search(text)
        and MIN_REGISTRY <= len(compact) <= MAX_REGISTRY
        and any(ch.isdigit() for ch in compact)
    ):
        return compact
    col.add("registry_number", BAD_REGISTRY, value=shown(text))
    return None


def _natural_person(col: FieldCollector, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = col.clean("natural_person", value)
    if not text:
        return False
    parsed = parse_bool(text)
    if parsed is None:
        col.add("natural_person", NOT_BOOLEAN, value=shown(text))
        return False
    return parsed


def validate_record(
    raw: Mapping[str, object],
) -> tuple[OrganisationRecord | None, list[FieldError]]:
    """Validate one organisation given as canonical column -> raw value.

    Returns ``(record, [])`` or ``(None, errors)``; errors are in column order. ``org_type`` is
    accepted as a synonym of ``type``. An empty ``type`` means ``other``; an empty ``pic`` means
    "no PIC yet".
    """
    col = FieldCollector()
    name = col.text(raw, "name", MAX_NAME, required=True)
    acronym = col.text(raw, "acronym", MAX_ACRONYM)

    org_type = _org_type(col, raw.get("type", raw.get("org_type")))
    country = _country(col, raw.get("country"))
    region = col.text(raw, "region", MAX_REGION)
    city = col.text(raw, "city", MAX_CITY)

    pic = _pic(col, raw.get("pic"))
    registry_number = _registry_number(col, raw.get("registry_number"))

    website = col.text(raw, "website", MAX_WEBSITE)
    if website and not _valid_url(website):
        col.add("website", BAD_URL, value=shown(website))
        website = ""
    email = col.text(raw, "email", MAX_EMAIL)
    if email and not valid_email(email):
        col.add("email", BAD_EMAIL, value=shown(email))
        email = ""
    description = col.text(raw, "description", MAX_DESCRIPTION, single_line=False)

    themes = _coded_items(col, raw, "themes", resolve_theme, UNKNOWN_THEME)
    keywords: list[str] = []
    for number, item in enumerate(col.items(raw, "keywords") or [], start=1):
        if "\n" in item:
            col.add("keywords", LINE_BREAK)
        elif len(item) > MAX_KEYWORD:
            col.add("keywords", ITEM_TOO_LONG, item=number, length=len(item), limit=MAX_KEYWORD)
        elif item not in keywords:
            keywords.append(item)
    languages = _coded_items(col, raw, "languages", resolve_language, UNKNOWN_LANGUAGE)

    staff = _parse_int(col, "staff", raw.get("staff"), MAX_STAFF)
    budget = _parse_amount(col, "annual_budget_eur", raw.get("annual_budget_eur"))
    past_projects = _past_projects(col, raw.get("past_projects"))

    natural_person = _natural_person(col, raw.get("natural_person"))
    contacts = _contacts(col, raw.get("contacts"))

    if col.errors:
        return None, col.errors
    return (
        OrganisationRecord(
            name=name,
            country=country,
            acronym=acronym,
            org_type=org_type,
            natural_person=natural_person,
            region=region,
            city=city,
            pic=pic,
            registry_number=registry_number,
            website=website,
            email=email,
            description=description,
            themes=themes,
            keywords=tuple(keywords),
            staff=staff,
            annual_budget_eur=budget,
            past_projects=past_projects,
            contacts=contacts,
            languages=languages,
        ),
        [],
    )

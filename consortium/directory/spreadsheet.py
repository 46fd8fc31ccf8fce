"""CSV and XLSX import and export of the organisation directory, and of cooperation ties (pure).

Import is two steps: ``parse_table(filename, data)`` reads the file into canonical columns
(``ParsedTable``), ``validate_rows(parsed)`` validates each row into an ``OrganisationRecord``
(``ImportReport``); ``validate_ties(parsed, index, current_year=...)`` does the same for a tie
file parsed with ``schema=TIE_SCHEMA``. Row numbers are the ones the user sees in the
spreadsheet (the header is row 1); file-level problems have ``row=None``.

Headers: canonical names, French names and common aliases; case, accents, spaces, underscores,
hyphens and apostrophes are ignored (``Mots-clés`` = ``mots_cles`` = ``keywords``).

CSV: the encoding is UTF-8 with a BOM (``utf-8-sig``), UTF-16 with a BOM (``utf-16``), UTF-8
(``utf-8``), else Windows-1252 (``cp1252``); the delimiter is ``,``, ``;`` or tab, from
``csv.Sniffer`` unless another candidate recognises more headers (then that one).

XLSX: the zip is checked before openpyxl opens it (``check_ooxml``: magic bytes, entry count,
total unpacked size, per-entry compression ratio, no absolute, ``..``, drive or symlink paths,
no encryption, ``[Content_Types].xml`` and ``xl/workbook.xml`` present); then openpyxl reads
the first worksheet in read-only, data-only mode. Every failure is a message, never an exception.

Formula injection: on export a text cell whose value, after any leading apostrophes and spaces,
starts with ``= + - @``, tab, CR, NUL, ``|`` or ``%`` gets one more leading apostrophe;
on import one leading apostrophe is removed from exactly those cells. The two functions are
inverse (``formula_unescape(formula_escape(s)) == s`` for every string), so the round trip is
lossless. Numbers (staff, budget) are written as numbers in XLSX and never escaped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import stat
import zipfile
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from consortium.characters import CONTROL_CHARACTERS
from consortium.directory.dedupe import OrgIndex, normalise_name, resolve_org_reference
from consortium.directory.records import (
    COLUMNS,
    REQUIRED,
    TOO_LONG,
    FieldCollector,
    OrganisationRecord,
    record_to_raw,
    shown,
    validate_record,
)
from consortium.errors import N_
from consortium.folding import words

# ---------------------------------------------------------------------------------------------
# Limits, schemas, messages


@dataclass(frozen=True, slots=True)
class Limits:
    """Upload limits; the defaults suit a territory's directory."""

    max_bytes: int = 20_000_000
    max_rows: int = 20_000
    max_columns: int = 200
    max_entries: int = 500
    max_unpacked: int = 50_000_000
    max_ratio: float = 100.0


@dataclass(frozen=True)
class Schema:
    """Canonical columns of a kind of file, their accepted header aliases and required ones."""

    kind: str
    columns: tuple[str, ...]
    aliases: dict[str, str]
    required: tuple[str, ...]


def header_key(text: str) -> str:
    """Matching key of a header: folded letters and digits only."""
    return "".join(words(text))


def _schema(kind: str, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> Schema:
    aliases: dict[str, str] = {}
    for canonical, names in columns.items():
        for name in (canonical, *names):
            key = header_key(name)
            if aliases.setdefault(key, canonical) != canonical:  # pragma: no cover - data bug
                raise ValueError(f"header alias {name!r} is used twice")
    return Schema(kind, tuple(columns), aliases, required)


ORGANISATION_SCHEMA = _schema(
    "organisations",
    {
        "name": (
            "nom",
            "raison sociale",
            "legal name",
            "organisation",
            "organization",
            "nom de l'organisation",
            "dénomination",
            "nom légal",
        ),
        "acronym": ("sigle", "acronyme", "short name", "nom court"),
        "type": (
            "org_type",
            "catégorie",
            "category",
            "type d'organisation",
            "organisation type",
            "organization type",
            "statut",
        ),
        "country": ("pays",),
        "region": ("région",),
        "city": ("ville", "commune", "town", "localité"),
        "pic": ("pic number", "numéro pic", "code pic", "n° pic"),
        "registry_number": (
            "registry number",
            "national registry number",
            "vat",
            "vat number",
            "company number",
            "numéro d'immatriculation",
            "immatriculation",
            "siret",
            "siren",
            "numéro de tva",
            "n° tva",
            "tva intracommunautaire",
            "kvk",
        ),
        "website": ("site", "site web", "site internet", "web", "url", "web site"),
        "email": ("courriel", "e-mail", "mail", "adresse e-mail", "adresse mail"),
        "description": ("présentation", "activités", "activities"),
        "themes": ("thèmes", "thématiques", "thème", "thématique", "topics", "theme"),
        "keywords": ("mots-clés", "mots clés", "mot-clé", "tags", "keyword"),
        "languages": ("langues", "langue", "language"),
        "staff": (
            "effectif",
            "effectifs",
            "salariés",
            "nombre de salariés",
            "employees",
            "headcount",
        ),
        "annual_budget_eur": (
            "budget_annuel",
            "budget annuel",
            "budget annuel eur",
            "budget annuel (€)",
            "annual budget",
            "budget",
            "chiffre d'affaires",
            "turnover",
        ),
        "past_projects": (
            "projets",
            "projets passés",
            "projects",
            "past projects",
            "projets européens",
        ),
        "natural_person": ("personne physique", "natural person"),
        "contacts": ("contact", "personnes de contact"),
    },
    ("name", "country"),
)

TIE_SCHEMA = _schema(
    "ties",
    {
        "org_a": ("organisation_a", "organisation a", "organization a", "org a", "organisme a"),
        "org_b": ("organisation_b", "organisation b", "organization b", "org b", "organisme b"),
        "city_a": ("ville a", "ville_a", "city a", "commune a"),
        "city_b": ("ville b", "ville_b", "city b", "commune b"),
        "kind": ("type", "nature", "type de lien", "tie type", "lien", "kind of tie"),
        "year": ("année", "annee", "an"),
        "note": ("remarque", "remarques", "comment", "commentaire", "notes"),
    },
    ("org_a", "org_b", "kind"),
)

EMPTY_FILE = N_("The file is empty.")
FILE_TOO_LARGE = N_("The file is too large: %(size)s bytes, the limit is %(limit)s.")
BAD_ENCODING = N_("The file's text encoding was not recognised: save it as CSV UTF-8.")
MALFORMED_CSV = N_("The CSV file is malformed near row %(row)s.")
NO_HEADER = N_("The file has no header row.")
TOO_MANY_ROWS = N_("Too many rows: the limit is %(limit)s; split the file.")
TOO_MANY_COLUMNS = N_("Too many columns: the limit is %(limit)s.")
UNKNOWN_COLUMN = N_("Unknown column “%(header)s”.")
DUPLICATE_COLUMN = N_("Column “%(header)s” repeats column “%(first)s” (%(column)s).")
MISSING_COLUMN = N_("Required column “%(column)s” is missing.")
UNNAMED_COLUMN = N_("Column %(index)s has values but no header.")
EXTRA_CELLS = N_("This row has more cells than the header.")
NOT_A_ZIP = N_("This file is not an Excel workbook (.xlsx).")
CORRUPT_ZIP = N_("This .xlsx file is damaged or truncated.")
OLD_OR_ENCRYPTED = N_(
    "This is an old .xls file or a password-protected workbook: save it as .xlsx without a"
    " password, or as CSV."
)
ODS_FILE = N_("This is an OpenDocument spreadsheet: save it as .xlsx or CSV.")
WORD_FILE = N_("This is a Word document, not a spreadsheet.")
POWERPOINT_FILE = N_("This is a PowerPoint presentation, not a spreadsheet.")
NOT_A_WORKBOOK = N_("This file is not an Excel workbook (.xlsx).")
TOO_MANY_ENTRIES = N_("This .xlsx file has too many parts (%(count)s, the limit is %(limit)s).")
UNSAFE_ENTRY = N_("This .xlsx file contains an unsafe path (“%(name)s”) and was refused.")
ENCRYPTED_ENTRY = N_("This .xlsx file is encrypted and cannot be read.")
ZIP_BOMB_RATIO = N_(
    "This .xlsx file was refused: one part expands %(ratio)s times (limit %(limit)s);"
    " it looks like a zip bomb."
)
ZIP_BOMB_SIZE = N_("This .xlsx file was refused: it expands to %(size)s bytes (limit %(limit)s).")
UNREADABLE_WORKBOOK = N_("This workbook could not be read; open it in Excel and save it again.")
NO_SHEET = N_("This workbook has no worksheet.")
OTHER_SHEETS_IGNORED = N_("Only the first sheet, “%(sheet)s”, was read.")
DUPLICATE_PIC_IN_FILE = N_("Same PIC as row %(row)s.")
DUPLICATE_NAME_IN_FILE = N_("Same name and city as row %(row)s.")

UNKNOWN_KIND = N_("Unknown kind of tie “%(value)s”.")
UNKNOWN_KIND_KEPT = N_(
    "Unknown kind of tie “%(value)s”: kept as “Other”, with the wording added to the note."
)
CONTROL_CHARACTER_REPLACED = N_(
    "Invisible control character U+%(code)s replaced by a space; check the text."
)
SELF_TIE = N_("An organisation cannot have a tie with itself.")
DUPLICATE_TIE = N_("Same tie as row %(row)s.")
REPEATED_TIE = N_("Same organisations and kind as row %(row)s: adds to that tie's weight.")
#: Evidence of a tie declared by a person without a year or note (and of ties declared
#: before evidence was kept).
DECLARED = "declared"
NOT_A_YEAR = N_("“%(value)s” is not a year.")
YEAR_IN_FUTURE = N_("Year %(value)s is in the future (this year is %(current)s).")
YEAR_TOO_EARLY = N_("Year %(value)s is before %(min)s.")

MAX_NOTE = 1000
MIN_TIE_YEAR = 1900


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem at a row (``None``: the whole file) and a canonical column ("" if none)."""

    row: int | None
    column: str
    template: str
    params: dict[str, object] = field(default_factory=dict)
    header: str = ""

    @property
    def message(self) -> str:
        """The English message with its parameters filled in."""
        return self.template % self.params


@dataclass
class ParsedTable:
    """A file read into canonical columns, before validation."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        """Canonical column -> header as written in the file."""
        return {canonical: header for header, canonical in self.columns.items()}


@dataclass
class ImportReport:
    """Validated rows, and every error and warning with its row and column."""

    valid: list[tuple[int, OrganisationRecord]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    rows_read: int = 0


# ---------------------------------------------------------------------------------------------
# Formula injection

_NEEDS_ESCAPE = re.compile(r"'*[ \u00a0]*[=+\-@\t\r\x00|%]")


def formula_escape(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet could read as a formula (see the module docstring)."""
    return "'" + text if _NEEDS_ESCAPE.match(text) else text


def formula_unescape(text: str) -> str:
    """Inverse of ``formula_escape``."""
    if text.startswith("'") and _NEEDS_ESCAPE.match(text, 1):
        return text[1:]
    return text


# ---------------------------------------------------------------------------------------------
# Reading


def _error(
    row: int | None, template: str, column: str = "", header: str = "", /, **params: object
) -> RowError:
    return RowError(row, column, template, params, header)


def parse_table(
    filename: str,
    data: bytes,
    *,
    schema: Schema = ORGANISATION_SCHEMA,
    limits: Limits = Limits(),
) -> ParsedTable:
    """Read a CSV or XLSX file (chosen by its content, then its name) into canonical columns."""
    parsed = ParsedTable(kind=schema.kind)
    if not data:
        parsed.errors.append(_error(None, EMPTY_FILE))
        return parsed
    if len(data) > limits.max_bytes:
        parsed.errors.append(_error(None, FILE_TOO_LARGE, size=len(data), limit=limits.max_bytes))
        return parsed
    lower = filename.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        parsed.errors.append(_error(None, OLD_OR_ENCRYPTED))
        return parsed
    if data.startswith(b"PK") or lower.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        problem = check_ooxml(data, limits)
        if problem is not None:
            parsed.errors.append(problem)
            return parsed
        _read_xlsx(parsed, data, schema, limits)
    else:
        _read_csv(parsed, data, schema, limits)
    return parsed


def check_ooxml(data: bytes, limits: Limits = Limits()) -> RowError | None:
    """Why ``data`` is not a safe Excel workbook to open, or ``None`` if it is."""
    if not data.startswith(b"PK\x03\x04"):
        return _error(None, NOT_A_ZIP)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return _error(None, CORRUPT_ZIP)
    if len(infos) > limits.max_entries:
        return _error(None, TOO_MANY_ENTRIES, count=len(infos), limit=limits.max_entries)
    total = 0
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        mode = info.external_attr >> 16
        if (
            name.startswith(("/", "\\"))
            or ".." in parts
            or re.match(r"[A-Za-z]:", name)
            or stat.S_ISLNK(mode)
        ):
            return _error(None, UNSAFE_ENTRY, name=shown(name))
        if info.flag_bits & 0x1:
            return _error(None, ENCRYPTED_ENTRY)
        if info.file_size:
            ratio = info.file_size / info.compress_size if info.compress_size else float("inf")
            if ratio > limits.max_ratio:
                return _error(
                    None,
                    ZIP_BOMB_RATIO,
                    ratio=_ratio_text(ratio),
                    limit=_ratio_text(limits.max_ratio),
                )
        total += info.file_size
        if total > limits.max_unpacked:
            return _error(None, ZIP_BOMB_SIZE, size=total, limit=limits.max_unpacked)
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        return _error(None, ODS_FILE if "mimetype" in names else NOT_A_WORKBOOK)
    if "word/document.xml" in names:
        return _error(None, WORD_FILE)
    if "ppt/presentation.xml" in names:
        return _error(None, POWERPOINT_FILE)
    if "xl/workbook.xml" not in names:
        return _error(None, NOT_A_WORKBOOK)
    return None


def _ratio_text(ratio: float) -> str:
    return "∞" if ratio == float("inf") else f"{ratio:.0f}"


def _cell_text(value: object) -> str:
    """Text of an XLSX cell as a user would type it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return formula_unescape(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _read_xlsx(parsed: ParsedTable, data: bytes, schema: Schema, limits: Limits) -> None:
    from openpyxl import load_workbook  # imported here: CSV-only callers do not pay for it

    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = workbook.worksheets
        if not sheets:
            parsed.errors.append(_error(None, NO_SHEET))
            return
        sheet = sheets[0]
        parsed.sheet = sheet.title
        if len(sheets) > 1:
            parsed.warnings.append(_error(None, OTHER_SHEETS_IGNORED, sheet=sheet.title))
        sheet.reset_dimensions()  # never trust a declared A1:XFD1048576 dimension
        rows = (
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        _collect(parsed, rows, schema, limits)
    except Exception:  # any parser failure on untrusted input is a user message
        parsed.columns.clear()
        parsed.rows.clear()
        parsed.errors.append(_error(None, UNREADABLE_WORKBOOK))
    finally:
        if workbook is not None:
            workbook.close()


def _decode(data: bytes) -> tuple[str, str] | None:
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    else:
        candidates = ("utf-8", "cp1252")
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


_DELIMITERS = (",", ";", "\t")


def _first_record(text: str, delimiter: str) -> list[str]:
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if any(cell.strip() for cell in record):
                return record
    except csv.Error:
        return []
    return []


def _choose_delimiter(text: str, schema: Schema) -> str:
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None

    def score(delimiter: str) -> tuple[int, int]:
        header = _first_record(sample, delimiter)
        known = sum(1 for cell in header if header_key(cell) in schema.aliases)
        return known, len(header)

    scores = {d: score(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: scores[d])  # first wins ties: ',' then ';' then tab
    if sniffed in scores and scores[sniffed][0] >= scores[best][0]:
        return sniffed
    return best


def _read_csv(parsed: ParsedTable, data: bytes, schema: Schema, limits: Limits) -> None:
    decoded = _decode(data)
    if decoded is None:
        parsed.errors.append(_error(None, BAD_ENCODING))
        return
    text, parsed.encoding = decoded
    parsed.delimiter = _choose_delimiter(text, schema)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=parsed.delimiter)

    def records() -> Iterator[tuple[int, list[str]]]:
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                yield number, [formula_unescape(cell) for cell in record]
        except csv.Error:
            parsed.errors.append(_error(number + 1, MALFORMED_CSV, row=number + 1))

    _collect(parsed, records(), schema, limits)


def _collect(
    parsed: ParsedTable,
    records: Iterable[tuple[int, Sequence[str]]],
    schema: Schema,
    limits: Limits,
) -> None:
    """Map the header, then gather non-empty rows as canonical column -> text."""
    header: list[tuple[int, str]] | None = None
    header_row = 0
    unnamed: dict[int, str] = {}
    width = 0
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header_row = number
            header = _map_header(parsed, cells, schema, limits, number)
            if header is None:
                return
            width = len(cells)
            unnamed = {i: "" for i, text in enumerate(cells) if not text.strip()}
            continue
        if len(parsed.rows) >= limits.max_rows:
            parsed.rows.clear()
            parsed.errors.append(_error(None, TOO_MANY_ROWS, limit=limits.max_rows))
            return
        row: dict[str, str] = {}
        for index, canonical in header:
            if index < len(cells):
                row[canonical] = _replace_control_characters(
                    parsed, number, canonical, cells[index]
                )
        for index in list(unnamed):
            if index < len(cells) and cells[index].strip():
                parsed.errors.append(_error(header_row, UNNAMED_COLUMN, index=index + 1))
                del unnamed[index]
        if any(cell.strip() for cell in cells[width:]):
            parsed.errors.append(_error(number, EXTRA_CELLS))
        parsed.rows.append((number, row))
    if header is None:
        parsed.errors.append(_error(None, NO_HEADER))


def _replace_control_characters(parsed: ParsedTable, row: int, column: str, text: str) -> str:
    """A corrupted letter often arrives as a control character: a space and a warning, so
    the row is not lost."""
    found = CONTROL_CHARACTERS.search(text)
    if found is None:
        return text
    header = parsed.headers.get(column, "")
    parsed.warnings.append(
        _error(row, CONTROL_CHARACTER_REPLACED, column, header, code=f"{ord(found.group()):04X}")
    )
    return CONTROL_CHARACTERS.sub(" ", text)


def _map_header(
    parsed: ParsedTable, cells: Sequence[str], schema: Schema, limits: Limits, number: int
) -> list[tuple[int, str]] | None:
    if len(cells) > limits.max_columns and any(c.strip() for c in cells[limits.max_columns :]):
        parsed.errors.append(_error(number, TOO_MANY_COLUMNS, limit=limits.max_columns))
        return None
    mapping: list[tuple[int, str]] = []
    first: dict[str, str] = {}
    for index, cell in enumerate(cells):
        text = cell.strip()
        if not text:
            continue
        canonical = schema.aliases.get(header_key(text))
        if canonical is None:
            parsed.errors.append(_error(number, UNKNOWN_COLUMN, header=shown(text)))
        elif canonical in first:
            parsed.errors.append(
                _error(
                    number,
                    DUPLICATE_COLUMN,
                    canonical,
                    text,
                    header=shown(text),
                    first=first[canonical],
                    column=canonical,
                )
            )
        else:
            first[canonical] = text
            parsed.columns[text] = canonical
            mapping.append((index, canonical))
    for column in schema.required:
        if column not in first:
            parsed.errors.append(_error(number, MISSING_COLUMN, column, column=column))
    return mapping


# ---------------------------------------------------------------------------------------------
# Validation


def validate_rows(parsed: ParsedTable) -> ImportReport:
    """Validate every parsed row; errors carry the spreadsheet row and the canonical column.

    File and header problems of ``parsed`` come first. Two rows with the same PIC, or the same
    normalised name in the same city, give warnings on the later row.
    """
    headers = parsed.headers
    report = ImportReport(
        errors=list(parsed.errors), warnings=list(parsed.warnings), rows_read=len(parsed.rows)
    )
    seen_pic: dict[str, int] = {}
    seen_name: dict[tuple[str, str], int] = {}
    for number, raw in parsed.rows:
        record, errors = validate_record(raw)
        for error in errors:
            report.errors.append(
                RowError(
                    number,
                    error.column,
                    error.template,
                    dict(error.params),
                    headers.get(error.column, ""),
                )
            )
        if record is None:
            continue
        if record.pic:
            if record.pic in seen_pic:
                report.warnings.append(
                    _error(
                        number,
                        DUPLICATE_PIC_IN_FILE,
                        "pic",
                        headers.get("pic", ""),
                        row=seen_pic[record.pic],
                    )
                )
            else:
                seen_pic[record.pic] = number
        key = (normalise_name(record.name), " ".join(words(record.city)))
        if key in seen_name:
            report.warnings.append(
                _error(
                    number,
                    DUPLICATE_NAME_IN_FILE,
                    "name",
                    headers.get("name", ""),
                    row=seen_name[key],
                )
            )
        else:
            seen_name[key] = number
        report.valid.append((number, record))
    return report


# ---------------------------------------------------------------------------------------------
# Ties

TIE_KINDS: dict[str, tuple[str, ...]] = {
    "past_project": (
        "past project",
        "past project together",
        "projet commun",
        "projet commun passé",
        "projet passé",
        "joint project",
        "projet",
    ),
    "formal_agreement": (
        "formal agreement",
        "accord formel",
        "convention",
        "accord",
        "agreement",
        "partenariat",
        "partnership",
    ),
    "supplier_client": (
        "supplier client",
        "supplier/client",
        "fournisseur/client",
        "fournisseur",
        "client",
        "supplier",
        "customer",
        "prestataire",
    ),
    "same_network": (
        "same network",
        "same federation or network",
        "same federation",
        "même fédération ou réseau",
        "même fédération",
        "même réseau",
        "réseau",
        "fédération",
        "network",
        "federation",
    ),
    "informal": ("informel", "informal", "informelle"),
    "other": ("autre", "other", "other kind", "autre type", "divers"),
}


def _kind_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for kind, aliases in TIE_KINDS.items():
        for alias in (kind, *aliases):
            index.setdefault(" ".join(words(alias)), kind)
    return index


_KINDS = _kind_index()


def resolve_tie_kind(text: str) -> str | None:
    """Tie kind code for a code or an English/French label; ``None`` if unknown."""
    return _KINDS.get(" ".join(words(text)))


@dataclass(frozen=True, slots=True)
class TieRecord:
    """A declared cooperation tie between two organisations (ids from the index)."""

    org_a: Hashable
    org_b: Hashable
    kind: str
    year: int | None = None
    note: str = ""

    @property
    def evidence(self) -> str:
        """What this declaration adds to a tie's evidence: ``"declared: 2021 · LIFE Re-Build"``."""
        detail = " · ".join(filter(None, (str(self.year) if self.year else "", self.note)))
        return f"{DECLARED}: {detail}"[:300] if detail else DECLARED


@dataclass
class TieReport:
    """Validated ties, and every error with its row and column."""

    valid: list[tuple[int, TieRecord]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


def validate_ties(parsed: ParsedTable, index: OrgIndex, *, current_year: int) -> TieReport:
    """Validate tie rows ``org_a, org_b, kind, year, note`` against the organisations in ``index``.

    Organisations are named by PIC, registry number, acronym or name, with ``city_a`` and
    ``city_b`` to settle between namesakes (``resolve_org_reference``). An unknown kind is kept
    as ``other`` with the wording in the note and a warning. Rows repeating the same two
    organisations and kind are all valid: the service adds them up into one weighted tie.
    """
    headers = parsed.headers
    report = TieReport(errors=list(parsed.errors), warnings=list(parsed.warnings))
    for number, raw in parsed.rows:
        col = FieldCollector()
        warnings: list[tuple[str, str, dict[str, object]]] = []
        ids: dict[str, Hashable] = {}
        for column, city_column in (("org_a", "city_a"), ("org_b", "city_b")):
            text = col.clean(column, raw.get(column))
            if text == "":
                col.add(column, REQUIRED)
            elif text is not None:
                ref = resolve_org_reference(
                    text, index, city=col.clean(city_column, raw.get(city_column)) or None
                )
                if ref.id is None:
                    col.add(column, ref.template or "", **ref.params)
                else:
                    ids[column] = ref.id
        kind = None
        kind_text = col.clean("kind", raw.get("kind"))
        if kind_text == "":
            col.add("kind", REQUIRED)
        elif kind_text is not None:
            kind = resolve_tie_kind(kind_text)
            if kind is None:
                kind = "other"
                warnings.append(("kind", UNKNOWN_KIND_KEPT, {"value": shown(kind_text)}))
        year = None
        year_text = col.clean("year", raw.get("year"))
        if year_text:
            if not re.fullmatch(r"[+-]?\d{1,6}", year_text):
                col.add("year", NOT_A_YEAR, value=shown(year_text))
            elif int(year_text) > current_year:
                col.add("year", YEAR_IN_FUTURE, value=int(year_text), current=current_year)
            elif int(year_text) < MIN_TIE_YEAR:
                col.add("year", YEAR_TOO_EARLY, value=int(year_text), min=MIN_TIE_YEAR)
            else:
                year = int(year_text)
        note = col.clean("note", raw.get("note")) or ""
        if kind_text and resolve_tie_kind(kind_text) is None:
            note = f"{kind_text}. {note}".strip() if note else kind_text
        if len(note) > MAX_NOTE:
            col.add("note", TOO_LONG, length=len(note), limit=MAX_NOTE)
        if len(ids) == 2 and ids["org_a"] == ids["org_b"]:
            col.add("org_b", SELF_TIE)
        if not col.errors and kind is not None:
            report.valid.append((number, TieRecord(ids["org_a"], ids["org_b"], kind, year, note)))
            for column, template, params in warnings:
                report.warnings.append(
                    RowError(number, column, template, params, headers.get(column, ""))
                )
        for error in col.errors:
            report.errors.append(
                RowError(
                    number,
                    error.column,
                    error.template,
                    dict(error.params),
                    headers.get(error.column, ""),
                )
            )
    return report


# ---------------------------------------------------------------------------------------------
# Export


def export_columns(*, include_contacts: bool = False) -> tuple[str, ...]:
    """Columns of an export, in order (contacts are personal data: only on request)."""
    return COLUMNS if include_contacts else tuple(c for c in COLUMNS if c != "contacts")


def export_csv(records: Iterable[OrganisationRecord], *, include_contacts: bool = False) -> bytes:
    """UTF-8 CSV with a BOM (Excel reads it as UTF-8), ``,``-separated, formula-safe."""
    columns = export_columns(include_contacts=include_contacts)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=",", lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        raw = record_to_raw(record, include_contacts=include_contacts)
        writer.writerow([formula_escape(raw[c]) for c in columns])
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(records: Iterable[OrganisationRecord], *, include_contacts: bool = False) -> bytes:
    """XLSX with the same columns; PIC as text, staff and budget as numbers, no live formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    columns = export_columns(include_contacts=include_contacts)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organisations")
    sheet.freeze_panes = "A2"
    widths = {
        "name": 40,
        "description": 60,
        "past_projects": 50,
        "themes": 30,
        "pic": 12,
        "registry_number": 18,
    }
    for position, column in enumerate(columns, start=1):
        letter = _column_letter(position)
        sheet.column_dimensions[letter].width = widths.get(column, 16)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for record in records:
        raw = record_to_raw(record, include_contacts=include_contacts)
        row: list[object] = []
        for column in columns:
            if column == "staff" and record.staff is not None:
                row.append(record.staff)
            elif column == "annual_budget_eur" and record.annual_budget_eur is not None:
                cell = WriteOnlyCell(sheet, value=float(record.annual_budget_eur))
                cell.number_format = "#,##0.00"
                row.append(cell)
            elif column in ("pic", "registry_number"):
                cell = WriteOnlyCell(sheet, value=raw[column])
                cell.data_type = "s"
                cell.number_format = "@"  # text: leading zeros survive editing in Excel
                row.append(cell)
            else:
                # An escaped text never starts with "=", so openpyxl stores it as a string.
                row.append(formula_escape(raw[column]))
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _column_letter(position: int) -> str:
    letters = ""
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


__all__ = [
    "ORGANISATION_SCHEMA",
    "TIE_SCHEMA",
    "ImportReport",
    "Limits",
    "ParsedTable",
    "RowError",
    "Schema",
    "TieRecord",
    "TieReport",
    "check_ooxml",
    "export_csv",
    "export_xlsx",
    "formula_escape",
    "formula_unescape",
    "parse_table",
    "resolve_tie_kind",
    "validate_rows",
    "validate_ties",
]

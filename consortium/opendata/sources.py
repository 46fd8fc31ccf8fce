"""Readers of the files the EU publishes about funded projects (pure).

Layouts, recognised by their header (``detect_layout``):

* ``cordis_organisations``: CORDIS ``organization.csv`` of Horizon 2020 and Horizon Europe
  (``projectID``, ``organisationID`` = PIC, ``vatNumber``, ``name``, ``shortName``,
  ``activityType``, ``city``, ``country``, ``role``, ``ecContribution``...);
* ``cordis_projects``: CORDIS ``project.csv`` (``id``, ``acronym``, ``title``, ``startDate``,
  ``frameworkProgramme``, ``topics``, ``objective``...);
* ``cordis_project_list``: the older H2020 project file that still lists the consortium by
  name (``coordinator``, ``coordinatorCountry``, ``participants``; ``participantCountries``
  is a set, not aligned with the names, so participants have no country);
* ``life_projects``: the LIFE project list (``reference``, ``title``, ``year_of_finance``...).

Each comes as CSV (``;`` or ``,``, UTF-8 with or without BOM, else Windows-1252), XLSX (first
sheet, after the directory importer's zip checks: entries, sizes, compression ratio, paths)
or JSON (a list of objects with the same keys, as CORDIS publishes them). Headers match
case- and punctuation-insensitively. Rows are read one at a time so that a 250,000-row file
never sits in memory as text.

Control characters (a corrupted "ł" often arrives as one) are replaced by a space and counted
in ``Batch.warnings``; a row is never lost for them. CORDIS project ids form one namespace
across programmes, so a project is keyed ``("cordis", id)``; LIFE references ``("life", ref)``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from consortium import characters
from consortium.directory.dedupe import normalise_name
from consortium.directory.records import compact_registry_number
from consortium.directory.spreadsheet import Limits, check_ooxml
from consortium.errors import N_
from consortium.folding import words
from consortium.identifiers import parse_id

UNKNOWN_LAYOUT = N_(
    "This file is not a CORDIS organisation or project file, nor a LIFE project list"
    " (columns found: %(columns)s)."
)
UNREADABLE = N_("The file could not be read: %(reason)s.")
CONTROL_CHARACTERS = N_(
    "%(count)s rows contained control characters; they were replaced by spaces."
)
ROWS_WITHOUT_ORGANISATION = N_("%(count)s rows name no organisation and were skipped.")
ROWS_WITHOUT_PROJECT = N_("%(count)s rows name no project and were skipped.")

#: Project ids from this one on are Horizon Europe grants; earlier ones Horizon 2020.
FIRST_HORIZON_EUROPE_ID = 101_039_000
_PIC = re.compile(r"\d{9}")
_YEAR = re.compile(r"(19|20)\d\d")

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Message:
    template: str
    params: dict[str, object]

    @property
    def text(self) -> str:
        return self.template % self.params


@dataclass(slots=True)
class OrgRow:
    """An organisation as the file names it."""

    key: str
    name: str
    pic: str | None = None
    registry_number: str | None = None
    short_name: str | None = None
    activity_type: str | None = None
    country: str = ""
    city: str | None = None
    website: str | None = None


@dataclass(slots=True)
class ProjectRow:
    source: str
    reference: str
    acronym: str | None = None
    title: str = ""
    objective: str = ""
    programme: str = ""
    topic: str | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class ParticipationRow:
    project: tuple[str, str]  # (source, reference)
    org_key: str
    role: str
    ec_contribution: Decimal | None = None


@dataclass
class Batch:
    """What one file gave: its layout, rows and the problems met (never an exception)."""

    layout: str = ""
    rows_read: int = 0
    organisations: dict[str, OrgRow] = field(default_factory=dict)
    projects: dict[tuple[str, str], ProjectRow] = field(default_factory=dict)
    participations: list[ParticipationRow] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)


# --------------------------------------------------------------------------------- keys


def header_key(text: str) -> str:
    return "".join(words(text))


def compact_registry(text: str | None) -> str | None:
    """``"FR 12 345 678 901"`` -> ``"FR12345678901"``; ``None`` when nothing is left."""
    return compact_registry_number(text or "")[:40] or None


def organisation_key(pic: str | None, name: str, country: str) -> str:
    """What recognises an organisation again in a newer file: its PIC, else name + country."""
    if pic:
        return f"pic:{pic}"
    return f"name:{normalise_name(name)}|{country.upper()}"[:400]


def programme_of_grant(reference: str) -> str:
    """Horizon Europe or Horizon 2020, from the grant id (when no project file says)."""
    return "Horizon Europe" if (parse_id(reference) or 0) >= FIRST_HORIZON_EUROPE_ID else "H2020"


def _programme_label(framework: str, reference: str) -> str:
    text = framework.strip().upper()
    if text.startswith("HORIZON"):
        return "Horizon Europe"
    if text.startswith("H2020"):
        return "H2020"
    if text.startswith("FP7"):
        return "FP7"
    return programme_of_grant(reference) if not text else framework.strip()[:60]


# --------------------------------------------------------------------------------- layouts

_LAYOUTS: dict[str, frozenset[str]] = {
    "cordis_organisations": frozenset({"projectid", "organisationid", "name", "country"}),
    "cordis_project_list": frozenset({"id", "title", "coordinator", "participants"}),
    "cordis_projects": frozenset({"id", "title", "frameworkprogramme"}),
    "life_projects": frozenset({"reference", "title", "yearoffinance"}),
}


def detect_layout(headers: list[str]) -> str | None:
    """The layout whose required columns the header holds (first match in ``_LAYOUTS``)."""
    keys = {header_key(h) for h in headers}
    for layout, needed in _LAYOUTS.items():
        if needed <= keys:
            return layout
    return None


# --------------------------------------------------------------------------------- reading


def _decode_stream(path: Path) -> io.TextIOBase:
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # a cut multi-byte letter at the end is not proof
            encoding = "cp1252"
    return path.open(encoding=encoding, errors="replace", newline="")


def _csv_rows(path: Path) -> Iterator[dict[str, str]]:
    stream = _decode_stream(path)
    with stream:
        first = stream.readline()
        delimiter = max((";", ",", "\t"), key=first.count)
        header = next(csv.reader([first], delimiter=delimiter))
        reader = csv.reader(stream, delimiter=delimiter)
        keys = [header_key(h) for h in header]
        for record in reader:
            if any(cell.strip() for cell in record):
                yield dict(zip(keys, record, strict=False))


class UnsafeWorkbook(ValueError):
    """The zip check of the directory's importer refused the workbook."""


#: Published CORDIS workbooks are large: a generous unpacked size, the same other checks.
XLSX_LIMITS = Limits(max_bytes=500_000_000, max_unpacked=2_000_000_000, max_entries=500)


def _xlsx_rows(path: Path) -> Iterator[dict[str, str]]:
    from openpyxl import load_workbook

    problem = check_ooxml(path.read_bytes(), XLSX_LIMITS)
    if problem is not None:
        raise UnsafeWorkbook(problem.message)
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        keys = [header_key(str(h or "")) for h in header]
        for values in rows:
            cells = ["" if v is None else _cell(v) for v in values]
            if any(c.strip() for c in cells):
                yield dict(zip(keys, cells, strict=False))
    finally:
        workbook.close()


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _json_rows(path: Path) -> Iterator[dict[str, str]]:
    data = json.loads(path.read_bytes())
    if isinstance(data, dict):  # {"data": [...]} or {"projects": [...]} wrappers
        data = next((v for v in data.values() if isinstance(v, list)), [])
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict):
            yield {
                header_key(str(k)): "" if v is None else (v if isinstance(v, str) else _cell(v))
                for k, v in item.items()
            }


def iter_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV, XLSX or JSON file as folded header -> text."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic.startswith(b"PK"):
        return _xlsx_rows(path)
    if path.suffix.lower() == ".json" or magic.lstrip()[:1] in (b"[", b"{"):
        return _json_rows(path)
    return _csv_rows(path)


# --------------------------------------------------------------------------------- parsing


class _Cleaner:
    """Replaces control characters, counting the rows that had some."""

    def __init__(self) -> None:
        self.rows = 0

    def row(self, raw: dict[str, str]) -> dict[str, str]:
        dirty = False
        for key, value in raw.items():
            if characters.has_control_characters(value):
                raw[key] = characters.CONTROL_CHARACTERS.sub(" ", value)
                dirty = True
        self.rows += dirty
        return raw


def _text(raw: dict[str, str], key: str, limit: int) -> str:
    return " ".join(raw.get(key, "").split())[:limit]


def _optional(raw: dict[str, str], key: str, limit: int) -> str | None:
    return _text(raw, key, limit) or None


def _web_address(text: str) -> str | None:
    """An http(s) address, else nothing: the page links it."""
    value = " ".join((text or "").split())[:500]
    return value if value.lower().startswith(("http://", "https://")) else None


def _year(text: str) -> int | None:
    match = _YEAR.search(text or "")
    return int(match.group()) if match else None


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() and value >= 0 else None


def read_file(path: Path, *, progress: Progress | None = None, every: int = 5000) -> Batch:
    """Read one file; ``progress(rows_read)`` is called every ``every`` rows."""
    batch = Batch()
    try:
        rows = iter_rows(path)
        first = next(rows, None)
    # RecursionError: json.loads of a deeply nested array (untrusted input)
    except (OSError, ValueError, KeyError, csv.Error, zipfile.BadZipFile, RecursionError) as error:
        batch.errors.append(Message(UNREADABLE, {"reason": str(error)[:200].rstrip(".")}))
        return batch
    if first is None:
        batch.errors.append(Message(UNREADABLE, {"reason": "no rows"}))
        return batch
    layout = detect_layout(list(first))
    if layout is None:
        batch.errors.append(Message(UNKNOWN_LAYOUT, {"columns": ", ".join(list(first)[:12])}))
        return batch
    batch.layout = layout
    cleaner = _Cleaner()
    handle = _HANDLERS[layout]
    skipped = 0
    try:
        for raw in _chain(first, rows):
            batch.rows_read += 1
            if not handle(batch, cleaner.row(raw)):
                skipped += 1
            if progress is not None and batch.rows_read % every == 0:
                progress(batch.rows_read)
    except (OSError, ValueError, csv.Error) as error:
        batch.errors.append(Message(UNREADABLE, {"reason": str(error)[:200].rstrip(".")}))
    if cleaner.rows:
        batch.warnings.append(Message(CONTROL_CHARACTERS, {"count": cleaner.rows}))
    if skipped:
        template = (
            ROWS_WITHOUT_ORGANISATION if layout == "cordis_organisations" else ROWS_WITHOUT_PROJECT
        )
        batch.warnings.append(Message(template, {"count": skipped}))
    if progress is not None:
        progress(batch.rows_read)
    return batch


def _chain(first: dict[str, str], rest: Iterator[dict[str, str]]) -> Iterator[dict[str, str]]:
    yield first
    yield from rest


def _organisation(
    batch: Batch, name: str, country: str, pic: str | None = None, **extra: str | None
) -> OrgRow:
    key = organisation_key(pic, name, country)
    org = batch.organisations.get(key)
    if org is None:
        org = OrgRow(key=key, name=name, pic=pic, country=country)
        batch.organisations[key] = org
    for attribute, value in extra.items():
        if value and not getattr(org, attribute):
            setattr(org, attribute, value)
    return org


def _cordis_organisation_row(batch: Batch, raw: dict[str, str]) -> bool:
    reference = _text(raw, "projectid", 80)
    name = _text(raw, "name", 300)
    if not reference or not name:
        return False
    pic_text = _text(raw, "organisationid", 20)
    pic = pic_text if _PIC.fullmatch(pic_text) else None
    country = _text(raw, "country", 2).upper()
    org = _organisation(
        batch,
        name,
        country,
        pic,
        registry_number=compact_registry(raw.get("vatnumber")),
        short_name=_optional(raw, "shortname", 60),
        activity_type=_optional(raw, "activitytype", 10),
        city=_optional(raw, "city", 120),
        website=_web_address(raw.get("organizationurl", "")),
    )
    project = ("cordis", reference)
    if project not in batch.projects:
        batch.projects[project] = ProjectRow(
            "cordis",
            reference,
            acronym=_optional(raw, "projectacronym", 60),
            programme=programme_of_grant(reference),
        )
    role = _text(raw, "role", 30).lower() or "participant"
    batch.participations.append(
        ParticipationRow(project, org.key, role, _amount(raw.get("eccontribution", "")))
    )
    return True


def _cordis_project_row(batch: Batch, raw: dict[str, str]) -> bool:
    reference = _text(raw, "id", 80)
    if not reference:
        return False
    batch.projects[("cordis", reference)] = ProjectRow(
        "cordis",
        reference,
        acronym=_optional(raw, "acronym", 60),
        title=_text(raw, "title", 500),
        objective=(raw.get("objective") or "").strip()[:20_000],
        programme=_programme_label(raw.get("frameworkprogramme", ""), reference),
        topic=_optional(raw, "topics", 120),
        year=_year(raw.get("startdate", "")) or _year(raw.get("ecsignaturedate", "")),
    )
    return True


def _cordis_project_list_row(batch: Batch, raw: dict[str, str]) -> bool:
    if not _cordis_project_row(batch, raw):
        return False
    project = ("cordis", _text(raw, "id", 80))
    coordinator = _text(raw, "coordinator", 300)
    if coordinator:
        country = _text(raw, "coordinatorcountry", 2).upper()
        org = _organisation(batch, coordinator, country)
        batch.participations.append(ParticipationRow(project, org.key, "coordinator"))
    # participantCountries is the set of the participants' countries, not aligned with the
    # names: a participant's country is unknown here (so it is never matched by name alone).
    for name in (" ".join(n.split())[:300] for n in (raw.get("participants") or "").split(";")):
        if name:
            org = _organisation(batch, name, "")
            batch.participations.append(ParticipationRow(project, org.key, "participant"))
    return True


def _life_project_row(batch: Batch, raw: dict[str, str]) -> bool:
    reference = _text(raw, "reference", 80)
    if not reference:
        return False
    themes = "; ".join(filter(None, (_text(raw, "themes", 200), _text(raw, "keywords", 300))))
    batch.projects[("life", reference)] = ProjectRow(
        "life",
        reference,
        title=_text(raw, "title", 500),
        objective=themes,
        programme="LIFE",
        topic=_optional(raw, "strand", 120),
        year=_year(raw.get("yearoffinance", "")),
    )
    return True


_HANDLERS: dict[str, Callable[[Batch, dict[str, str]], bool]] = {
    "cordis_organisations": _cordis_organisation_row,
    "cordis_projects": _cordis_project_row,
    "cordis_project_list": _cordis_project_list_row,
    "life_projects": _life_project_row,
}

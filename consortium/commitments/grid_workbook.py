"""The budget grid as an XLSX workbook in the layout of the LIFE detailed budget table (pure).

Layout (the EU detailed budget table puts one beneficiary per sheet, cost categories as rows):

* sheet "Summary": one row per participant, the cost categories A, B, C.1, C.2, C.3, D, E as
  columns, then total eligible costs, EU contribution, funding rate, own co-financing, other
  funding, person-months; a total row; below, the totals by action and by reporting period.
* one sheet per participant ("P1 ACRONYM", ...): label in column A, value in column B, and in
  column C a key the import reads (``monthly_rate``, ``pm:A1``, ``cost_travel``...) so rows
  may be moved.  Rows: participant, participation id, version, monthly rate, person-months per
  action, A..D, E (computed), total (computed), EU contribution, own co-financing, other funding.

The import reads back only the white cells (rate, person-months, amounts, funding); computed
cells (grey) are ignored.  Errors name their cell, ``'P1 ACRONYM'!B7``, so a user finds them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from consortium.commitments.budget import MAX_AMOUNT
from consortium.commitments.grid import RATE_MAXIMUM
from consortium.directory.spreadsheet import formula_escape
from consortium.errors import N_
from consortium.formatting import AmountError, parse_amount

SUMMARY = "Summary"
MONEY_FORMAT = "#,##0.00"
COMPUTED = PatternFill("solid", fgColor="E6E6E6")
BOLD = Font(bold=True)
MAX_PERSON_MONTHS = Decimal("9999")
AMOUNT_KEYS = (
    "cost_personnel",
    "cost_subcontracting",
    "cost_travel",
    "cost_equipment",
    "cost_other_goods",
    "cost_other",
)
FUNDING_KEYS = ("eu_requested", "own_cofinancing", "other_funding")
LABELS = {
    "participant": N_("Participant"),
    "participation_id": N_("Participation id (do not change)"),
    "version": N_("Version (do not change)"),
    "category": N_("Cost category"),
    "amount": N_("Amount (EUR)"),
    "monthly_rate": N_("Monthly personnel rate (EUR per person-month)"),
    "pm": N_("Person-months %(action)s"),
    "cost_personnel": N_("A. Personnel costs"),
    "cost_subcontracting": N_("B. Subcontracting costs"),
    "cost_travel": N_("C.1 Travel and subsistence"),
    "cost_equipment": N_("C.2 Equipment"),
    "cost_other_goods": N_("C.3 Other goods, works and services"),
    "cost_other": N_("D. Other cost categories"),
    "indirect": N_("E. Indirect costs"),
    "total": N_("Total eligible costs"),
    "eu_requested": N_("EU contribution requested (empty: the funding rate)"),
    "eu": N_("EU contribution"),
    "funding_rate": N_("Funding rate"),
    "own_cofinancing": N_("Own co-financing"),
    "other_funding": N_("Other funding (not from EU funds)"),
    "person_months": N_("Person-months"),
    "role": N_("Role"),
    "all": N_("Total"),
    "by_action": N_("By action"),
    "by_period": N_("By reporting period"),
    "no_action": N_("Not assigned to an action"),
    "period": N_("Period %(number)s (months %(start)s-%(end)s)"),
}
ERRORS = {
    "not_grid": N_(
        "This workbook is not a budget grid of this proposal: no participant sheet was found."
    ),
    "unknown_participation": N_("Participation %(value)s is not in this proposal."),
    "twice": N_("Participation %(value)s has two sheets."),
    "stale": N_(
        "This sheet was exported at version %(exported)s; the commitment is now at "
        "version %(current)s. Export the grid again and redo the change."
    ),
    "not_a_number": N_("“%(value)s” is not a number."),
    "person_months": N_("Enter person-months between 0 and 9999, at most two decimals."),
    "rate": N_("Enter a monthly rate between 0 and 1,000,000."),
    "unknown_action": N_("No action has the code “%(value)s”."),
    "unreadable": N_("This workbook could not be read; open it in Excel and save it again."),
}


@dataclass(frozen=True, slots=True)
class PartnerSheet:
    """One participant's figures for its sheet (amounts in EUR, Decimal)."""

    participation_id: int
    version: int
    name: str
    role: str
    monthly_rate: Decimal | None
    person_months: Mapping[str, Decimal | None]  # every action code, in order
    amounts: Mapping[str, Decimal | None]  # AMOUNT_KEYS and FUNDING_KEYS
    indirect: Decimal
    total: Decimal
    eu: Decimal
    funding_rate: Decimal | None


@dataclass(frozen=True, slots=True)
class GridTotals:
    by_action: Mapping[str, Decimal]  # action code ("" unassigned) -> amount
    periods: Sequence[tuple[int, int, int, Decimal]]  # number, start, end, amount


@dataclass(frozen=True, slots=True)
class CellError:
    cell: str  # "'P1 ACRO'!B7"
    template: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SheetValues:
    """What one participant sheet says, read back."""

    participation_id: int
    version: str
    values: dict[str, Decimal | None]
    person_months: dict[str, Decimal | None]
    sheet: str = ""
    id_cell: str = ""
    version_cell: str = ""


def sheet_title(index: int, name: str) -> str:
    """ "P3 Name": Excel allows 31 characters and refuses []:*?/\\ in titles."""
    cleaned = "".join(c for c in name if c not in "[]:*?/\\'")
    return f"P{index} {cleaned}"[:31].strip()


def write(
    partners: Sequence[PartnerSheet], totals: GridTotals, translate: Callable[..., str]
) -> bytes:
    """The workbook; ``translate(template, **params)`` puts the labels in the reader's
    language (the import reads keys, never labels)."""
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY
    _write_summary(summary, partners, totals, translate)
    for index, partner in enumerate(partners, start=1):
        _write_partner(book.create_sheet(sheet_title(index, partner.name)), partner, translate)
    for sheet in book.worksheets:
        _print_on_one_page_wide(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _print_on_one_page_wide(sheet) -> None:
    """Printed or converted to PDF, a sheet keeps its columns on one page (landscape)."""
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def _safe(value):
    """Text a spreadsheet must never run: names and codes typed by users (``'=...``)."""
    return formula_escape(value) if isinstance(value, str) else value


def _money_cell(sheet, row: int, column: int, value, computed: bool = False) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = MONEY_FORMAT
    if computed:
        cell.fill = COMPUTED


def _write_summary(sheet, partners, totals, t) -> None:
    heads = (
        [t(LABELS["participant"]), t(LABELS["role"])]
        + [t(LABELS[k]) for k in AMOUNT_KEYS]
        + [
            t(LABELS["indirect"]),
            t(LABELS["total"]),
            t(LABELS["eu"]),
            t(LABELS["funding_rate"]),
            t(LABELS["own_cofinancing"]),
            t(LABELS["other_funding"]),
            t(LABELS["person_months"]),
        ]
    )
    sheet.append([_safe(h) for h in heads])
    for cell in sheet[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for partner in partners:
        sheet.append(
            [_safe(partner.name), _safe(partner.role)]
            + [partner.amounts.get(k) or Decimal(0) for k in AMOUNT_KEYS]
            + [
                partner.indirect,
                partner.total,
                partner.eu,
                partner.funding_rate,
                partner.amounts.get("own_cofinancing") or Decimal(0),
                partner.amounts.get("other_funding") or Decimal(0),
                sum((v or Decimal(0) for v in partner.person_months.values()), Decimal(0)),
            ]
        )
    last = len(partners) + 1
    total_row = last + 1
    sheet.cell(row=total_row, column=1, value=t(LABELS["all"])).font = BOLD
    for column in range(3, len(heads) + 1):
        if column == 12:  # funding rate: not a sum
            continue
        values = [sheet.cell(row=r, column=column).value or Decimal(0) for r in range(2, last + 1)]
        sheet.cell(row=total_row, column=column, value=sum(values, Decimal(0))).font = BOLD
    for row in sheet.iter_rows(min_row=2, max_row=total_row, min_col=3, max_col=len(heads)):
        for cell in row:
            cell.number_format = "0.00%" if cell.column == 12 else MONEY_FORMAT
    row = total_row + 2
    sheet.cell(row=row, column=1, value=t(LABELS["by_action"])).font = BOLD
    for code, amount in totals.by_action.items():
        row += 1
        sheet.cell(row=row, column=1, value=_safe(code or t(LABELS["no_action"])))
        _money_cell(sheet, row, 2, amount)
    row += 2
    sheet.cell(row=row, column=1, value=t(LABELS["by_period"])).font = BOLD
    for number, start, end, amount in totals.periods:
        row += 1
        sheet.cell(
            row=row, column=1, value=t(LABELS["period"], number=number, start=start, end=end)
        )
        _money_cell(sheet, row, 2, amount)
    sheet.column_dimensions["A"].width = 34
    for letter in "BCDEFGHIJKLMNO":
        sheet.column_dimensions[letter].width = 15


def _write_partner(sheet, partner: PartnerSheet, t) -> None:
    rows: list[tuple[str, object, str, bool]] = [
        (t(LABELS["participant"]), partner.name, "participant", True),
        (t(LABELS["participation_id"]), partner.participation_id, "participation_id", True),
        (t(LABELS["version"]), partner.version, "version", True),
        (t(LABELS["category"]), t(LABELS["amount"]), "", True),
        (t(LABELS["monthly_rate"]), partner.monthly_rate, "monthly_rate", False),
    ]
    for code, months in partner.person_months.items():
        rows.append((t(LABELS["pm"], action=code), months, f"pm:{code}", False))
    for key in AMOUNT_KEYS:
        computed = key == "cost_personnel" and partner.monthly_rate is not None
        rows.append((t(LABELS[key]), partner.amounts.get(key), key, computed))
    rows += [
        (t(LABELS["indirect"]), partner.indirect, "indirect", True),
        (t(LABELS["total"]), partner.total, "total", True),
    ]
    for key in FUNDING_KEYS:
        rows.append((t(LABELS[key]), partner.amounts.get(key), key, False))
    for number, (label, value, key, computed) in enumerate(rows, start=1):
        sheet.cell(row=number, column=1, value=_safe(label))
        if key.startswith("pm:"):
            sheet.cell(row=number, column=2, value=value).number_format = "0.00"
        elif isinstance(value, Decimal) or (value is None and key):
            _money_cell(sheet, number, 2, value, computed)
        else:
            sheet.cell(row=number, column=2, value=_safe(value))
        if computed:
            sheet.cell(row=number, column=2).fill = COMPUTED
        sheet.cell(row=number, column=3, value=_safe(key) or None)
    for number in (1, 4):
        sheet.cell(row=number, column=1).font = BOLD
        sheet.cell(row=number, column=2).font = BOLD
    sheet.column_dimensions["A"].width = 52
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].hidden = True


# --------------------------------------------------------------------------------------
# Reading back


def _ref(sheet_name: str, row: int) -> str:
    return f"'{sheet_name}'!B{row}"


def _decimal(value) -> Decimal:
    """A cell's number; floats through their shortest text (0.1 stays 0.1)."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    raise InvalidOperation


def _amount(value, maximum: Decimal) -> Decimal:
    if isinstance(value, str):
        return parse_amount(value, maximum=maximum)
    number = _decimal(value)
    if not number.is_finite():
        raise AmountError("invalid", value=str(value)[:40])
    return parse_amount(format(number, "f"), maximum=maximum)


def _months(value) -> Decimal:
    text = value.strip().replace(",", ".") if isinstance(value, str) else None
    number = Decimal(text) if text is not None else _decimal(value)
    if (
        not number.is_finite()
        or number < 0
        or number > MAX_PERSON_MONTHS
        or number != number.quantize(Decimal("0.01"))
    ):
        raise ValueError
    return number.quantize(Decimal("0.01"))


def _labelled_cells(sheet) -> dict[str, tuple[int, object]]:
    """Field key (third column) -> (row number, value in the second column)."""
    cells = {}
    for number, row in enumerate(
        sheet.iter_rows(min_row=1, max_row=500, max_col=3, values_only=True), start=1
    ):
        if len(row) >= 3 and isinstance(row[2], str) and row[2]:
            cells[row[2]] = (number, row[1])
    return cells


def _read_cell(key: str, value, ref: str, codes: set[str], values, months) -> CellError | None:
    """Read one editable cell into ``values`` or ``months``; the error when it cannot be."""
    empty = value is None or (isinstance(value, str) and not value.strip())
    if key.startswith("pm:"):
        code = key[3:]
        if code not in codes:
            return CellError(ref, ERRORS["unknown_action"], {"value": code[:20]})
        try:
            months[code] = None if empty else _months(value)
        except (InvalidOperation, ValueError, TypeError):
            return CellError(ref, ERRORS["person_months"])
        return None
    if key not in AMOUNT_KEYS and key not in FUNDING_KEYS and key != "monthly_rate":
        return None
    if empty:
        values[key] = None if key in ("monthly_rate", "eu_requested") else Decimal("0.00")
        return None
    try:
        values[key] = _amount(value, RATE_MAXIMUM if key == "monthly_rate" else MAX_AMOUNT)
    except AmountError as error:
        if key == "monthly_rate":
            return CellError(ref, ERRORS["rate"])
        return CellError(ref, error.template, dict(error.params))
    except (InvalidOperation, ValueError, TypeError):
        return CellError(ref, ERRORS["not_a_number"], {"value": str(value)[:40]})
    return None


def _read_sheet(sheet, codes: set[str], errors: list[CellError]) -> SheetValues | None:
    """One participant sheet's values (its errors appended), or None for another sheet."""
    cells = _labelled_cells(sheet)
    if "participation_id" not in cells:
        return None
    number, ident = cells["participation_id"]
    try:
        participation_id = int(_decimal(ident))
    except (InvalidOperation, ValueError, TypeError):
        errors.append(
            CellError(_ref(sheet.title, number), ERRORS["not_a_number"], {"value": str(ident)[:40]})
        )
        return None
    version_row, version = cells.get("version", (0, ""))
    if isinstance(version, float) and version.is_integer():
        version = int(version)
    values: dict[str, Decimal | None] = {}
    months: dict[str, Decimal | None] = {}
    for key, (row_number, value) in cells.items():
        error = _read_cell(key, value, _ref(sheet.title, row_number), codes, values, months)
        if error is not None:
            errors.append(error)
    return SheetValues(
        participation_id,
        str(version if version is not None else ""),
        values,
        months,
        sheet.title,
        _ref(sheet.title, number),
        _ref(sheet.title, version_row),
    )


def read(data: bytes, action_codes: Sequence[str]) -> tuple[list[SheetValues], list[CellError]]:
    """Every participant sheet's editable values, and every cell that could not be read.

    ``data`` must have passed ``directory.spreadsheet.check_ooxml`` (zip bomb, macros...).
    An empty cell is an empty value (0 for amounts, none for the rate, the EU request and
    person-months)."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError):
        return [], [CellError("", ERRORS["unreadable"])]
    sheets, errors = [], []
    codes = set(action_codes)
    for sheet in book.worksheets:
        if sheet.title == SUMMARY:
            continue
        values = _read_sheet(sheet, codes, errors)
        if values is not None:
            sheets.append(values)
    if not sheets and not errors:
        errors.append(CellError("", ERRORS["not_grid"]))
    return sheets, errors

"""CSV/XLSX import with per-row errors, upload hardening and the lossless export round trip."""

from __future__ import annotations

import io
import random
import stat
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consortium.directory.records import (
    BAD_PIC,
    NEGATIVE,
    REQUIRED,
    UNKNOWN_COUNTRY,
    UNKNOWN_THEME,
    OrganisationRecord,
    PastProjectRecord,
    join_list,
    validate_record,
)
from consortium.directory.spreadsheet import (
    BAD_ENCODING,
    CORRUPT_ZIP,
    DUPLICATE_COLUMN,
    DUPLICATE_NAME_IN_FILE,
    DUPLICATE_PIC_IN_FILE,
    EMPTY_FILE,
    ENCRYPTED_ENTRY,
    EXTRA_CELLS,
    FILE_TOO_LARGE,
    MISSING_COLUMN,
    NO_HEADER,
    NOT_A_WORKBOOK,
    NOT_A_ZIP,
    ODS_FILE,
    OLD_OR_ENCRYPTED,
    OTHER_SHEETS_IGNORED,
    TOO_MANY_ENTRIES,
    TOO_MANY_ROWS,
    UNKNOWN_COLUMN,
    UNNAMED_COLUMN,
    UNREADABLE_WORKBOOK,
    UNSAFE_ENTRY,
    WORD_FILE,
    ZIP_BOMB_RATIO,
    ZIP_BOMB_SIZE,
    Limits,
    RowError,
    check_ooxml,
    export_csv,
    export_xlsx,
    formula_escape,
    formula_unescape,
    parse_table,
    validate_rows,
)
from tests.directory.test_records import raw_records

FR_HEADER = (
    "Raison sociale;Sigle;Catégorie;Pays;Commune;Région;N° PIC;Site web;Courriel;"
    "Description;Thématiques;Mots clés;Effectif;Budget annuel;Projets passés;Personne physique"
)
FR_ROW = (
    "Cité des transitions;LCDT;asso;France;Marseille;PACA;012345678;"
    "https://cite.example.org;contact@cite.example.org;Réemploi, BTP et « nature en ville »;"
    "Eau;réemploi;12;1 234,56;LIFE|LIFE20 ENV/FR/1|Re-Build|2021|partner;non"
)
EXPECTED = OrganisationRecord(
    name="Cité des transitions",
    country="FR",
    acronym="LCDT",
    org_type="ngo",
    region="PACA",
    city="Marseille",
    pic="012345678",
    website="https://cite.example.org",
    email="contact@cite.example.org",
    description="Réemploi, BTP et « nature en ville »",
    themes=("water",),
    keywords=("réemploi",),
    staff=12,
    annual_budget_eur=Decimal("1234.56"),
    past_projects=(PastProjectRecord("LIFE", "LIFE20 ENV/FR/1", "Re-Build", 2021, "partner"),),
)


def fr_csv(encoding: str, delimiter: str = ";") -> bytes:
    text = f"{FR_HEADER}\r\n{FR_ROW}\r\n".replace(";", delimiter)
    return text.encode(encoding)


# ---------------------------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("cp1252", "cp1252"), ("utf-8-sig", "utf-8-sig"), ("utf-8", "utf-8"), ("utf-16", "utf-16")],
)
def test_csv_encodings_with_french_headers(encoding: str, detected: str) -> None:
    parsed = parse_table("annuaire.csv", fr_csv(encoding))
    assert (parsed.encoding, parsed.delimiter, parsed.errors) == (detected, ";", [])
    assert parsed.columns["Raison sociale"] == "name"
    assert parsed.columns["N° PIC"] == "pic"
    report = validate_rows(parsed)
    assert report.errors == []
    assert report.valid == [(2, EXPECTED)]


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_other_delimiters(delimiter: str) -> None:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(FR_HEADER.split(";"))
    writer.writerow(FR_ROW.split(";"))
    parsed = parse_table("a.csv", out.getvalue().encode())
    assert parsed.delimiter == delimiter
    assert validate_rows(parsed).valid == [(2, EXPECTED)]


def test_semicolon_file_with_many_commas_in_cells() -> None:
    rows = ["nom;pays;description"] + [f"Org {i};FR;a, b, c, d, e, f, g" for i in range(30)]
    parsed = parse_table("x.csv", "\n".join(rows).encode())
    assert parsed.delimiter == ";"
    assert len(validate_rows(parsed).valid) == 30


def test_header_aliases_ignore_case_accents_spaces_underscores() -> None:
    data = b"NAME;PAYS;mots_cles;Mots-Cl\xc3\xa9s  ;Site_Web;chiffre d'affaires;ANNUAL BUDGET EUR\n"
    parsed = parse_table("x.csv", data)
    assert parsed.columns == {
        "NAME": "name",
        "PAYS": "country",
        "mots_cles": "keywords",
        "Site_Web": "website",
        "chiffre d'affaires": "annual_budget_eur",
    }
    assert parsed.errors == [
        RowError(
            1,
            "keywords",
            DUPLICATE_COLUMN,
            {"header": "Mots-Clés", "first": "mots_cles", "column": "keywords"},
            "Mots-Clés",
        ),
        RowError(
            1,
            "annual_budget_eur",
            DUPLICATE_COLUMN,
            {
                "header": "ANNUAL BUDGET EUR",
                "first": "chiffre d'affaires",
                "column": "annual_budget_eur",
            },
            "ANNUAL BUDGET EUR",
        ),
    ]


def test_unknown_and_missing_columns() -> None:
    parsed = parse_table("x.csv", b"nom,couleur,ville\nA,bleu,Marseille\n")
    assert parsed.errors == [
        RowError(1, "", UNKNOWN_COLUMN, {"header": "couleur"}),
        RowError(1, "country", MISSING_COLUMN, {"column": "country"}),
    ]
    assert parsed.errors[0].message == "Unknown column “couleur”."


def test_row_numbers_errors_and_headers_as_written() -> None:
    data = (
        "Nom;Pays;PIC;Effectif;Thèmes\n"
        "\n"
        "Bon;FR;123456789;3;eau\n"
        ";Atlantis;12345;-2;zzz\n"
        '"Multi\nligne";FR;;;\n'
        "Bis;FR;123456789;;\n"
        "bon;France;;;\n"
    ).encode()
    parsed = parse_table("x.csv", data)
    report = validate_rows(parsed)
    assert [row for row, _ in report.valid] == [3, 6, 7]
    assert report.errors == [
        RowError(4, "name", REQUIRED, {}, "Nom"),
        RowError(4, "country", UNKNOWN_COUNTRY, {"value": "Atlantis"}, "Pays"),
        RowError(4, "pic", BAD_PIC, {"value": "12345"}, "PIC"),
        RowError(4, "themes", UNKNOWN_THEME, {"value": "zzz"}, "Thèmes"),
        RowError(4, "staff", NEGATIVE, {"value": -2}, "Effectif"),
        RowError(5, "name", "Line breaks are not allowed in this field.", {}, "Nom"),
    ]
    assert report.warnings == [
        RowError(6, "pic", DUPLICATE_PIC_IN_FILE, {"row": 3}, "PIC"),
        RowError(7, "name", DUPLICATE_NAME_IN_FILE, {"row": 3}, "Nom"),
    ]
    assert report.rows_read == 5


def test_unnamed_column_and_extra_cells() -> None:
    data = b"name,country,\nA,FR,\nB,FR,x\nC,FR,,y\n"
    parsed = parse_table("x.csv", data)
    assert parsed.errors == [
        RowError(1, "", UNNAMED_COLUMN, {"index": 3}),
        RowError(4, "", EXTRA_CELLS, {}),
    ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (b"", [RowError(None, "", EMPTY_FILE, {})]),
        (b"\n\n ,, \n", [RowError(None, "", NO_HEADER, {})]),
        (b"\xef\xbb\xbf", [RowError(None, "", NO_HEADER, {})]),
    ],
)
def test_empty_files(data: bytes, errors: list[RowError]) -> None:
    assert parse_table("x.csv", data).errors == errors


def test_undecodable_bytes() -> None:
    assert parse_table("x.csv", b"name,country\n\x81\x8d,FR\n").errors == [
        RowError(None, "", BAD_ENCODING, {})
    ]


def test_row_and_size_caps() -> None:
    data = b"name,country\n" + b"".join(b"Org %d,FR\n" % i for i in range(4))
    parsed = parse_table("x.csv", data, limits=Limits(max_rows=3))
    assert parsed.rows == []
    assert parsed.errors == [RowError(None, "", TOO_MANY_ROWS, {"limit": 3})]
    assert len(parse_table("x.csv", data, limits=Limits(max_rows=4)).rows) == 4
    assert parse_table("x.csv", data, limits=Limits(max_bytes=10)).errors == [
        RowError(None, "", FILE_TOO_LARGE, {"size": len(data), "limit": 10})
    ]


def test_control_character_in_a_file_is_replaced_with_a_warning_never_a_lost_row() -> None:
    report = validate_rows(parse_table("x.csv", b"name,country\nA\x00B,FR\n"))
    assert report.errors == []
    assert [record.name for _row, record in report.valid] == ["A B"]
    assert report.warnings == [
        RowError(
            2,
            "name",
            "Invisible control character U+%(code)s replaced by a space; check the text.",
            {"code": "0000"},
            "name",
        )
    ]


# ---------------------------------------------------------------------------------------------
# XLSX


def make_xlsx(rows: list[list[object]], *, extra_sheet: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Annuaire"
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        workbook.create_sheet("Notes")["A1"] = "ignored"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_made_by_openpyxl() -> None:
    data = make_xlsx(
        [
            ["Nom", "Pays", "PIC", "Effectif", "Budget annuel", "Personne physique", "Année?"],
            ["Cité", "France", "012345678", 12, 1234.56, False, None],
            [None, None, None, None, None, None, None],
            ["Labo", "Allemagne", 123456789, 3.0, 10, "oui", None],
            ["Bad", "FR", 12345678, -1, "x", None, None],
        ],
        extra_sheet=True,
    )
    parsed = parse_table("annuaire.xlsx", data)
    assert (parsed.sheet, parsed.encoding, parsed.delimiter) == ("Annuaire", None, None)
    assert parsed.errors == [RowError(1, "", UNKNOWN_COLUMN, {"header": "Année?"})]
    assert parsed.warnings == [RowError(None, "", OTHER_SHEETS_IGNORED, {"sheet": "Annuaire"})]
    report = validate_rows(parsed)
    assert report.valid == [
        (
            2,
            OrganisationRecord(
                name="Cité",
                country="FR",
                pic="012345678",
                staff=12,
                annual_budget_eur=Decimal("1234.56"),
            ),
        ),
        (
            4,
            OrganisationRecord(
                name="Labo",
                country="DE",
                pic="123456789",
                staff=3,
                annual_budget_eur=Decimal("10.00"),
                natural_person=True,
            ),
        ),
    ]
    assert [(e.row, e.column, e.template) for e in report.errors[1:]] == [
        (5, "pic", BAD_PIC),
        (5, "staff", NEGATIVE),
        (5, "annual_budget_eur", "“%(value)s” is not an amount: write 1234.56 or 1 234,56."),
    ]


def _zip(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


OOXML = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


@pytest.fixture
def no_openpyxl(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if openpyxl is asked to open the workbook."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("load_workbook must not be reached")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_streamed_200_mb_zip_bomb_is_refused_before_parsing(no_openpyxl: None) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in OOXML.items():
            archive.writestr(name, content)
        chunk = b"\0" * (1 << 20)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            for _ in range(200):
                entry.write(chunk)
    data = out.getvalue()
    assert len(data) < 300_000
    (error,) = parse_table("bomb.xlsx", data).errors
    assert (error.row, error.template, error.params["limit"]) == (None, ZIP_BOMB_RATIO, "100")
    assert int(error.params["ratio"]) > 900


def test_ratio_and_total_size_limits(no_openpyxl: None) -> None:
    data = _zip({**OOXML, "xl/worksheets/sheet1.xml": b"a" * 5000})
    assert check_ooxml(data, Limits(max_ratio=10)).template == ZIP_BOMB_RATIO
    stored = _zip(
        {**OOXML, "xl/worksheets/sheet1.xml": b"a" * 5000}, compression=zipfile.ZIP_STORED
    )
    assert check_ooxml(stored, Limits(max_unpacked=4000)) == RowError(
        None, "", ZIP_BOMB_SIZE, {"size": 5019, "limit": 4000}
    )
    many = _zip({**OOXML, **{f"xl/media/{i}.bin": b"x" for i in range(10)}})
    assert check_ooxml(many, Limits(max_entries=5)) == RowError(
        None, "", TOO_MANY_ENTRIES, {"count": 12, "limit": 5}
    )


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/passwd", "xl/../../x", "C:/x", "..\\x"])
def test_unsafe_paths(name: str, no_openpyxl: None) -> None:
    assert parse_table("x.xlsx", _zip({**OOXML, name: b"x"})).errors == [
        RowError(None, "", UNSAFE_ENTRY, {"name": name})
    ]


def test_symlink_and_encrypted_entries(no_openpyxl: None) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in OOXML.items():
            archive.writestr(name, content)
        link = zipfile.ZipInfo("xl/link")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    assert parse_table("x.xlsx", out.getvalue()).errors[0].template == UNSAFE_ENTRY
    data = bytearray(_zip(OOXML, compression=zipfile.ZIP_STORED))
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1  # general purpose flag bit 0: encrypted
    assert parse_table("x.xlsx", bytes(data)).errors == [RowError(None, "", ENCRYPTED_ENTRY, {})]


def test_random_bytes_named_xlsx(no_openpyxl: None) -> None:
    data = random.Random(7).randbytes(4096)
    assert parse_table("annuaire.xlsx", data).errors == [RowError(None, "", NOT_A_ZIP, {})]


def test_docx_renamed_xlsx(no_openpyxl: None) -> None:
    docx = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
    )
    assert parse_table("annuaire.xlsx", docx).errors == [RowError(None, "", WORD_FILE, {})]


@pytest.mark.parametrize(
    ("data", "template"),
    [
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), ODS_FILE),
        (_zip({"[Content_Types].xml": b"<Types/>"}), NOT_A_WORKBOOK),
        (_zip({"hello.txt": b"hi"}), NOT_A_WORKBOOK),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, OLD_OR_ENCRYPTED),
        (b"PK\x03\x04 truncated", CORRUPT_ZIP),
    ],
    ids=["ods", "content-types-only", "text-in-zip", "old-or-encrypted", "truncated"],
)
def test_not_a_workbook(data: bytes, template: str, no_openpyxl: None) -> None:
    assert parse_table("x.xlsx", data).errors == [RowError(None, "", template, {})]


def test_truncated_xlsx() -> None:
    data = make_xlsx([["name", "country"], ["A", "FR"]])
    assert parse_table("x.xlsx", data[: len(data) // 2]).errors == [
        RowError(None, "", CORRUPT_ZIP, {})
    ]


def _rewrite(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(
                info.filename, content if info.filename == name else source.read(info.filename)
            )
    return out.getvalue()


def test_xxe_does_not_leak_local_files(tmp_path: object) -> None:
    secret = tmp_path / "secret.txt"  # type: ignore[operator]
    secret.write_text("TOP-SECRET-42")
    data = make_xlsx([["name", "country"], ["A", "FR"]])
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    sheet = "xl/worksheets/sheet1.xml"
    assert sheet in names
    evil = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>country</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>FR</t></is></c></row></sheetData></worksheet>'
    ).encode()
    parsed = parse_table("x.xlsx", _rewrite(data, sheet, evil))
    assert "TOP-SECRET-42" not in repr(parsed)
    assert parsed.errors == [RowError(None, "", UNREADABLE_WORKBOOK, {})] or parsed.rows


def test_billion_laughs_is_a_message() -> None:
    data = make_xlsx([["name", "country"], ["A", "FR"]])
    entities = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    evil = (
        f'<?xml version="1.0"?><!DOCTYPE x [{entities}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    parsed = parse_table("x.xlsx", _rewrite(data, "xl/worksheets/sheet1.xml", evil))
    assert parsed.errors == [RowError(None, "", UNREADABLE_WORKBOOK, {})]


# ---------------------------------------------------------------------------------------------
# Export and round trip

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "|calc",
    "%0A",
    "'=already",
    "''=twice",
    "'plain",
    "\u00a0=1",
]


def _record(**fields: object) -> OrganisationRecord:
    record, errors = validate_record({"name": "N", "country": "FR", **fields})
    assert errors == [], errors
    assert record is not None
    return record


def test_csv_export_is_formula_safe() -> None:
    records = [
        _record(name=value, description=value + "\n=2", keywords=[value]) for value in HOSTILE
    ]
    text = export_csv(records).decode("utf-8-sig")
    import csv

    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][:4] == ["name", "acronym", "type", "country"]
    for row, record in zip(rows[1:], records, strict=True):
        assert row[0] == formula_escape(record.name)
        columns = dict(zip(rows[0], row, strict=True))
        assert columns["keywords"] == formula_escape(join_list(record.keywords))
        assert columns["description"] == formula_escape(record.description)
        assert (row[0] == "'" + record.name) is (record.name != "'plain")
    assert [row[0] for row in rows[1:4]] == ['\'=HYPERLINK("http://x","y")', "'+1+1", "'-2+3"]
    assert export_csv([]).startswith(b"\xef\xbb\xbfname,acronym,type,country,region,city,pic,")


def test_xlsx_export_has_no_live_formula_and_keeps_numbers_and_pic_as_text() -> None:
    records = [
        _record(name=v, pic="012345678", staff="5", annual_budget_eur="1 234,5") for v in HOSTILE
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(export_xlsx(records)))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    pic, staff, budget = (header.index(c) + 1 for c in ("pic", "staff", "annual_budget_eur"))
    for row in sheet.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)
        assert row[0].value.startswith("'")
    cell = sheet.cell(row=2, column=pic)
    assert (cell.value, cell.data_type, cell.number_format) == ("012345678", "s", "@")
    assert sheet.cell(row=2, column=staff).value == 5
    assert sheet.cell(row=2, column=budget).value == 1234.5


@pytest.mark.parametrize("value", [*HOSTILE, "", "'", "''", " =x", "\t=x", "\u00a0-1", "plain"])
def test_formula_escape_cases(value: str) -> None:
    escaped = formula_escape(value)
    assert formula_unescape(escaped) == value
    assert escaped[:1] not in ("=", "+", "-", "@", "\t", "\r", "|", "%")


@given(st.text())
def test_formula_escape_is_inverted_by_unescape(value: str) -> None:
    assert formula_unescape(formula_escape(value)) == value


TRICKY_RECORDS = [
    _record(
        name="Association « L'Étoile » 😀",
        acronym="=A1",
        type="ngo",
        country="GR",
        pic="012345678",
        city="Saint-Étienne-du-Grès",
        description='Ligne 1; "quoted" | pipe\nLigne 2 \\ back\n=cmd\n\'apostrophe',
        keywords=["a;b", "c|d", "e\\f", "'x", "-5", "+33", "@home", "0123"],
        themes="Eau;nature_in_city",
        staff=0,
        annual_budget_eur="0.1",
        past_projects=[("LIFE;x", "R|1", "T\\", 2021, "=role")],
        languages="fr;el",
    ),
    _record(
        name="'=still text",
        description="'",
        natural_person="oui",
        staff="10000000",
        annual_budget_eur="999999999999.99",
        website="https://x.org/?a=1;b|c",
    ),
    _record(name="12345", acronym="007", pic="000000001", keywords=["3.14", "1e5"]),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_tricky_values(fmt: str) -> None:
    data = export_csv(TRICKY_RECORDS) if fmt == "csv" else export_xlsx(TRICKY_RECORDS)
    report = validate_rows(parse_table(f"export.{fmt}", data))
    assert report.errors == [] and report.warnings == []
    assert [record for _, record in report.valid] == TRICKY_RECORDS
    assert [row for row, _ in report.valid] == [2, 3, 4]


def test_round_trip_with_contacts() -> None:
    record = _record(contacts="Anne|dir|anne@example.org|+33 4 91;Jo")
    for data, name in (
        (export_csv([record], include_contacts=True), "x.csv"),
        (export_xlsx([record], include_contacts=True), "x.xlsx"),
    ):
        assert validate_rows(parse_table(name, data)).valid == [(2, record)]
    assert b"Anne" not in export_csv([record])


def _valid(raws: list[dict[str, object]]) -> list[OrganisationRecord]:
    out = []
    for raw in raws:
        record, _ = validate_record(raw)
        if record is not None:
            out.append(record)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_records(), min_size=1, max_size=4))
def test_csv_round_trip_property(raws: list[dict[str, object]]) -> None:
    records = _valid(raws)
    data = export_csv(records, include_contacts=True)
    report = validate_rows(parse_table("export.csv", data))
    assert report.errors == []
    assert [record for _, record in report.valid] == records


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_records(), min_size=1, max_size=4))
def test_xlsx_round_trip_property(raws: list[dict[str, object]]) -> None:
    records = _valid(raws)
    data = export_xlsx(records, include_contacts=True)
    report = validate_rows(parse_table("export.xlsx", data))
    assert report.errors == []
    assert [record for _, record in report.valid] == records

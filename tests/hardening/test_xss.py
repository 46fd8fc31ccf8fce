"""Stored and reflected XSS across every page, JSON endpoint and export.

A corpus of payloads is written straight into every free-text String/Text column (and every
JSON list of free text) of every row of the Marseille demo, through SQLAlchemy Core so that
no form validation stands in the way. Code-like columns are left alone (length <= 30, emails,
hashes, PIC, languages, identifiers used in URLs...); unique columns get a row suffix.
Then every page of ``app.url_map`` whose arguments can be filled from demo rows is fetched as
admin, lead, writer, viewer and partner, with and without reflected query parameters, and:

- HTML has no inline <script>, no on* attribute, no <iframe>/<object>/<embed>, no
  ``javascript:`` URL in href/src/action/formaction, no raw payload and no evaluated
  ``{{7*'7'}}`` (7777777); at least some pages must show the escaped payloads (a guard
  against a sweep that checks nothing);
- JSON answers parse and say application/json;
- CSV cells never start with = + - @ tab or CR (unless a plain number), XLSX cells are
  never formulas, DOCX documents open and carry payloads only as text.

Exports are found by the mimetype of the answer, so areas merged later are covered.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
import sqlalchemy as sa
from lxml import html as lxml_html
from sqlalchemy import select

from tests.hardening.conftest import (
    ROLE_EMAILS,
    build_demo_app,
    dispose,
    fill_rule,
    get_rules,
    log_in,
)

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
    "{{7*'7'}}",
    '\'><iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "</title><script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    '=HYPERLINK("http://evil.example/","x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "]]><w:p/>&amp;<!-- x",
    "${7*7} #{7*7} <%= 7*7 %>",
]
RAW_MARKERS = [
    "<script>alert(1)",
    "<img src=x onerror",
    "<svg onload",
    "<iframe srcdoc",
    '<a href="javascript:',
    "<w:p/>",
    "7777777",
]
ESCAPED_GUARD = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Columns holding codes, keys, hashes, addresses or values used in URLs.
SKIPPED_NAMES = {
    "email",
    "recipient",
    "token_hash",
    "nonce_hash",
    "password_hash",
    "sha256",
    "stored_name",
    "content_type",
    "pic",
    "merged_pic",
    "identifier",
    "portal_id",
    "drafting_key",
    "prefix",
    "address",
    "user_agent",
    "language",
    "languages",
    "subtopics",
    "defaulted_fields",
}
SKIPPED_SUFFIXES = ("_type", "_email", "_language", "_code", "_hash", "_key", "_id")
URL_COLUMNS = re.compile(r"url|website|link", re.I)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "data")
CSV_MIMETYPES = {"text/csv"}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REFLECTED_QUERY = {
    "q": XSS[1],
    "search": XSS[0],
    "next": "javascript:alert(1)",
    "page": XSS[3],
    "sort": XSS[4],
    "lang": XSS[5],
}


def free_text_columns(table):
    for column in table.columns:
        if column.primary_key or column.foreign_keys:
            continue
        name = column.name
        if name in SKIPPED_NAMES or name.endswith(SKIPPED_SUFFIXES):
            continue
        if isinstance(column.type, sa.JSON):
            yield column, "json"
        elif isinstance(column.type, sa.String):
            length = column.type.length
            if length is not None and length <= 30:
                continue
            yield column, "text"


def payload_for(column, index: int, suffix: str) -> str | None:
    length = column.type.length if isinstance(column.type, sa.String) else None
    order = list(range(len(XSS)))
    start = 2 if URL_COLUMNS.search(column.name) else index % len(XSS)  # javascript: in URLs
    for offset in order:
        candidate = XSS[(start + offset) % len(XSS)] + suffix
        if length is None or len(candidate) <= length:
            return candidate
    return None


def poison_database(app) -> int:
    """Write payloads into every free-text column of every row; returns the cells written."""
    from consortium.extensions import db

    written = 0
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = list(free_text_columns(table))
            if not columns:
                continue
            key = list(table.primary_key.columns)
            rows = db.session.execute(select(*key, *(c for c, _ in columns))).all()
            for row_number, row in enumerate(rows):
                suffix = " #" + "-".join(str(row[i]) for i in range(len(key)))
                values = {}
                for col_number, (column, kind) in enumerate(columns):
                    current = row[len(key) + col_number]
                    if kind == "json":
                        if isinstance(current, list) and all(isinstance(v, str) for v in current):
                            values[column.name] = [
                                XSS[(row_number + n) % len(XSS)] for n in range(len(current))
                            ]
                        continue
                    if current is None and not column.nullable:
                        continue
                    value = payload_for(column, row_number + col_number, suffix)
                    if value is not None:
                        values[column.name] = value
                if values:
                    condition = sa.and_(*(k == row[i] for i, k in enumerate(key)))
                    db.session.execute(table.update().where(condition).values(**values))
                    written += len(values)
        db.session.commit()
    return written


# --- checkers -------------------------------------------------------------------------------


def html_faults(body: str) -> list[str]:
    faults = [f"raw {marker!r}" for marker in RAW_MARKERS if marker in body]
    if not body.strip():
        return faults
    document = lxml_html.fromstring(body)
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script" and element.get("src") is None:
            faults.append("inline <script>")
        if tag in ("iframe", "object", "embed"):
            faults.append(f"<{tag}>")
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                faults.append(f"<{tag} {name}=...>")
            if name.lower() in URL_ATTRIBUTES and re.sub(r"\s", "", value).lower().startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                faults.append(f"<{tag} {name}={value[:40]!r}>")
    return faults


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?$")


def csv_faults(data: bytes) -> list[str]:
    text = data.decode("utf-8-sig", errors="replace")
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    faults = []
    for row in csv.reader(io.StringIO(text), dialect):
        for cell in row:
            if cell.startswith(FORMULA_START) and not NUMBER.match(cell):
                faults.append(f"formula cell {cell[:40]!r}")
    return faults


def xlsx_faults(data: bytes) -> list[str]:
    import openpyxl

    faults = []
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    isinstance(cell.value, str)
                    and cell.value.startswith(FORMULA_START)
                    and not NUMBER.match(cell.value)
                ):
                    faults.append(f"{sheet.title}!{cell.coordinate} {str(cell.value)[:40]!r}")
    return faults


def docx_faults(data: bytes) -> list[str]:
    import docx

    docx.Document(io.BytesIO(data))  # raises on malformed XML
    faults = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                xml = archive.read(name).decode("utf-8", errors="replace")
                for marker in ("<script", "<w:p/>&amp;", 'HYPERLINK "http://evil'):
                    if marker in xml:
                        faults.append(f"{name}: {marker!r}")
    return faults


def svg_faults(data: bytes) -> list[str]:
    """An SVG opened on its own runs its scripts: none, no handlers, no foreign HTML."""
    import defusedxml.ElementTree as SafeET

    faults = []
    for element in SafeET.fromstring(data).iter():
        tag = str(element.tag).rsplit("}", 1)[-1].lower()
        if tag in ("script", "foreignobject", "iframe"):
            faults.append(f"<{tag}>")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                faults.append(f"<{tag} {local}=...>")
            if local == "href" and re.sub(r"\s", "", value).lower().startswith("javascript:"):
                faults.append(f"<{tag} href={value[:40]!r}>")
    return faults


def response_faults(response) -> list[str]:
    mimetype = response.mimetype
    data = response.get_data()
    if mimetype == "text/html":
        return html_faults(data.decode("utf-8"))
    if mimetype == "application/json" or mimetype.endswith("+json"):
        try:
            json.loads(data)
        except ValueError as error:
            return [f"invalid JSON: {error}"]
        return []
    if mimetype in CSV_MIMETYPES:
        return csv_faults(data)
    if mimetype == XLSX_MIMETYPE:
        return xlsx_faults(data)
    if mimetype == DOCX_MIMETYPE:
        return docx_faults(data)
    if mimetype == "image/svg+xml":
        return svg_faults(data)
    return []


# --- the sweep ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def poisoned_app(tmp_path_factory):
    app = build_demo_app(tmp_path_factory.mktemp("xss"))
    written = poison_database(app)
    assert written > 500
    yield app
    dispose(app)


def api_token(app, email: str) -> str:
    from consortium.auth import services as auth_services
    from consortium.auth.models import User
    from consortium.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token = auth_services.create_api_token(user, name="xss sweep")
        db.session.commit()
    return token


@pytest.mark.parametrize("role", sorted(ROLE_EMAILS))
def test_no_page_or_export_carries_a_live_payload(poisoned_app, role):
    app = poisoned_app
    client = app.test_client()
    log_in(app, client, ROLE_EMAILS[role])
    headers = {"Authorization": f"Bearer {api_token(app, ROLE_EMAILS[role])}"}  # for /api/
    faults = {}
    escaped_on = []
    json_answers = 0
    fetched = 0
    for rule in get_rules(app):
        url = fill_rule(app, rule, user_email=ROLE_EMAILS[role])
        assert url is not None, (
            f"no row fills {rule.rule}: map its argument in ARGUMENT_TABLES, ARGUMENT_VALUES or ARGUMENT_CONFIG (tests/hardening/conftest.py) or seed a row in seed_rows_the_demo_lacks"
        )
        for query in (None, REFLECTED_QUERY):
            response = client.get(url, query_string=query, headers=headers)
            fetched += 1
            assert response.status_code < 500, url
            if response.status_code != 200:
                continue
            json_answers += response.mimetype == "application/json"
            found = response_faults(response)
            if found:
                faults[f"{url} {'reflected' if query else ''}".strip()] = found
            if response.mimetype == "text/html" and ESCAPED_GUARD in response.get_data(
                as_text=True
            ):
                escaped_on.append(url)
    assert faults == {}
    assert fetched >= 20
    assert json_answers >= 4  # the API really answered, with the role's bearer token
    assert len(escaped_on) >= 3, escaped_on  # the payloads really are on the pages


def test_login_page_does_not_reflect_a_payload(poisoned_app):
    client = poisoned_app.test_client()
    response = client.get("/login", query_string=REFLECTED_QUERY)
    assert response.status_code == 200
    assert html_faults(response.get_data(as_text=True)) == []
    response = client.post(
        "/login", data={"email": XSS[1], "password": XSS[0]}, query_string=REFLECTED_QUERY
    )
    assert response.status_code == 200
    assert html_faults(response.get_data(as_text=True)) == []


# --- the checkers themselves ----------------------------------------------------------------


def test_html_checker_finds_each_kind_of_live_payload():
    body = (
        "<html><body><script>alert(1)</script><img src=x onerror=alert(1)>"
        '<a href=" javascript:alert(1)">x</a><iframe srcdoc="x"></iframe><p>7777777</p>'
        '<script src="/static/js/app.js"></script></body></html>'
    )
    assert html_faults(body) == [
        "raw '<script>alert(1)'",
        "raw '<img src=x onerror'",
        "raw '<iframe srcdoc'",
        "raw '7777777'",
        "inline <script>",
        "<img onerror=...>",
        "<a href=' javascript:alert(1)'>",
        "<iframe>",
    ]
    assert html_faults("<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)</p>") == []


def test_spreadsheet_checkers_flag_formulas_and_accept_neutralised_cells():
    import openpyxl

    assert csv_faults(b"name,budget\r\n=HYPERLINK(1),-12.5\r\n'=SUM(1),@x\r\n") == [
        "formula cell '=HYPERLINK(1)'",
        "formula cell '@x'",
    ]
    workbook = openpyxl.Workbook()
    workbook.active.append(["=1+1", "'=1+1", -3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert xlsx_faults(buffer.getvalue()) == ["Sheet!A1 '=1+1'"]


def test_docx_checker_accepts_payloads_as_text():
    import docx

    document = docx.Document()
    document.add_paragraph(XSS[0] + XSS[8])
    buffer = io.BytesIO()
    document.save(buffer)
    assert docx_faults(buffer.getvalue()) == []


def test_svg_checker_finds_scripts_handlers_and_foreign_html():
    clean = b'<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;script&gt;</text></svg>'
    assert svg_faults(clean) == []
    live = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        b'<script>alert(1)</script><g onload="x()"/><a xlink:href="javascript:x()"/>'
        b"<foreignObject/></svg>"
    )
    assert svg_faults(live) == [
        "<script>",
        "<g onload=...>",
        "<a href='javascript:x()'>",
        "<foreignobject>",
    ]

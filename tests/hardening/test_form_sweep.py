"""Property-based sweep of every POST form of the application with bad input.

The Marseille demo is loaded once per module; the admin (also lead of both demo proposals)
walks ``app.url_map``, GETs every page whose URL arguments can be filled from demo rows,
parses every ``<form method=post>`` of the page and posts hypothesis-generated values into
its fields: full Unicode, NUL and C0 controls, right-to-left marks, emoji, 100 000-character
strings, numbers out of range (``1e309``, NaN, 10**30, non-numeric), dates that do not
exist, select values outside the options, fields missing or repeated. File fields (imports)
also get a fixed corpus: random bytes, an empty file, a zip bomb, a renamed .docx, a
Windows-1252 CSV with NUL bytes, deeply nested JSON.

Every response must be below 500 (TESTING stays on, so an exception fails the test with its
traceback), and a refused POST (400/403/404/405/409/413/422/429, a 200 page showing field
errors, or a redirect that flashes only an error) must leave every table exactly as it was:
row counts and a hash of all rows are compared. An accepted POST may change things; the
snapshot is then taken again.

Forms are found from the pages, so areas merged later are covered without editing this file.
A form reached from several pages is swept once (per endpoint and set of field names).

Examples per form: 6 by default; set ``CONSORTIUM_SWEEP_EXAMPLES=200`` (for instance) for a
long run. ``CONSORTIUM_TEST_DATABASE_URL`` runs it on PostgreSQL like the rest of the suite.
"""

from __future__ import annotations

import io
import os
import re
import zipfile

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.hardening.conftest import (
    ADMIN,
    ROLE_EMAILS,
    changed_tables,
    default_data,
    endpoint_for,
    ensure_admin_is_lead,
    fill_rule,
    get_rules,
    log_in,
    parse_forms,
    snapshot,
)

EXAMPLES = int(os.environ.get("CONSORTIUM_SWEEP_EXAMPLES", "6"))
# Posting to these would end the sweep's own session; they carry no user input.
NOT_SWEPT = {"auth.logout"}
REFUSED_STATUSES = {400, 403, 404, 405, 409, 413, 422, 429}
ERROR_MARKERS = re.compile(r'class="(?:error|form-errors|flash flash-error)"|aria-invalid="true"')

# --- value strategies -----------------------------------------------------------------------

ANY_CHARACTER = st.characters(blacklist_categories=("Cs",))  # UTF-8 cannot carry surrogates
SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x02\x03\x1b[31m\x1f\x7f",
    "line\r\nbreak\ttab",
    "\u202eevil\u202c",
    "\u200f\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f1eb\U0001f1f7",
    "\ufeff\ufffe\uffff\U0010ffff",
    "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357" * 20,
    "' OR 1=1 --",
    "%s%n%x{0}{}",
    "../../../../etc/passwd",
    "${jndi:ldap://x}",
    '=HYPERLINK("http://evil")',
    "<script>alert(1)</script>",
    "-1",
    "1e309",
]
HUGE_TEXT = st.builds(
    lambda ch, n: ch * n,
    st.sampled_from(["x", "é", "\U0001f600", "\x00", "\u202e"]),
    st.sampled_from([255, 256, 1001, 10_001, 100_000]),
)
BAD_TEXT = st.one_of(st.text(ANY_CHARACTER, max_size=60), st.sampled_from(SPECIAL_TEXT), HUGE_TEXT)
BAD_NUMBER = st.one_of(
    st.sampled_from(
        [
            "1e309",
            "-1e309",
            "NaN",
            "nan",
            "inf",
            "-Infinity",
            "-1",
            "-0",
            "0",
            "1e-400",
            "99999999999999999999999999999",
            "-9223372036854775809",
            "9" * 400,
            "1,5",
            "1.5",
            " 12 ",
            "0x10",
            "\u0661\u0662",
            "12abc",
            "",
            "\x00",
        ]
    ),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    BAD_TEXT,
)
BAD_DATE = st.one_of(
    st.sampled_from(
        [
            "2024-02-30",
            "2023-13-01",
            "0000-00-00",
            "0001-01-01",
            "9999-12-31",
            "10000-01-01",
            "-2024-01-01",
            "2024/01/01",
            "01/02/2024",
            "yesterday",
            "2024-01-01T25:61",
            "",
        ]
    ),
    BAD_TEXT,
)
BAD_CHOICE = st.one_of(
    st.sampled_from(["", "-1", "0", "999999999", "99999999999999999999", "None", "null"]),
    BAD_TEXT,
)
TEXT_KINDS = {"text", "textarea", "search", "email", "url", "tel", "password", "color"}
NUMBER_KINDS = {"number", "range"}
DATE_KINDS = {"date", "datetime-local", "month", "week", "time"}


def _zip_bomb() -> bytes:
    """About 100 kB on disk, 100 MB once inflated, laid out like an .xlsx/.docx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(100):
                member.write(chunk)
        archive.writestr("word/document.xml", b"<" * 200_000)
    return buffer.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Not the file you expected \x01".replace("\x01", ""))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def file_corpus() -> list[tuple[str, bytes, str]]:
    docx_bytes = _docx()
    return [
        ("empty", b"", "empty.csv"),
        ("random", os.urandom(4096), "random.xlsx"),
        ("zip bomb", _zip_bomb(), "bomb.xlsx"),
        ("docx as xlsx", docx_bytes, "organisations.xlsx"),
        ("docx as json", docx_bytes, "catalogue.json"),
        ("docx as csv", docx_bytes, "organisations.csv"),
        (
            "cp1252 csv with NUL",
            "name;city;pic\r\nR\xe9emploi \x00B\xe2timent;Marseille;9\x00\r\n\x00;\x00;\x00\r\n".encode(
                "cp1252"
            ),
            "organisations.csv",
        ),
        ("utf-16 csv", "name,city\r\nCaf\xe9,Marseille\r\n".encode("utf-16"), "orgs.csv"),
        ("deep json", b"[" * 100_000 + b"]" * 100_000, "catalogue.json"),
        ("json with NUL", b'[{"identifier": "LIFE\\u0000X", "title": "\x00"}]', "c.json"),
        ("json wrong types", b'{"topics": [1, null, [], {"identifier": 5}]}', "c.json"),
        ("bad filename", b"a,b\r\n1,2\r\n", "../../\x00evil.csv"),
        ("long filename", b"a,b\r\n", "x" * 5000 + ".csv"),
    ]


FILE_VALUE = st.tuples(
    st.one_of(st.binary(max_size=2048), st.sampled_from([b"", b"\x00" * 64, b"\xff\xfe\x00"])),
    st.sampled_from(["data.csv", "data.xlsx", "data.json", "data.docx", "", "\x00.csv"]),
)
MODES = st.sampled_from(["default", "bad", "bad", "missing", "repeated"])


def bad_value(kind: str, field) -> st.SearchStrategy:
    if kind in NUMBER_KINDS:
        return BAD_NUMBER
    if kind in DATE_KINDS:
        return BAD_DATE
    if kind in ("select", "radio", "checkbox"):
        return BAD_CHOICE
    if kind == "hidden":
        return st.one_of(BAD_NUMBER, BAD_CHOICE)
    return BAD_TEXT


def draw_form_data(data, form) -> MultiDict:
    """Each field keeps its value, gets a bad one, is left out or is sent twice."""
    sent = MultiDict()
    defaults = MultiDict(default_data(form))
    seen = set()
    for f in form.fields:
        if f.name in seen or f.kind in ("submit", "image", "reset", "button"):
            continue
        seen.add(f.name)
        if f.kind == "file":
            if data.draw(st.booleans(), label=f"{f.name} sent"):
                content, filename = data.draw(FILE_VALUE, label=f.name)
                sent.add(f.name, (io.BytesIO(content), filename))
            continue
        if f.name == "csrf_token":
            sent.setlist(f.name, defaults.getlist(f.name))
            continue
        mode = data.draw(MODES, label=f"{f.name} mode")
        if mode == "default":
            sent.setlist(f.name, defaults.getlist(f.name))
        elif mode == "missing":
            continue
        else:
            value = data.draw(bad_value(f.kind, f), label=f.name)
            sent.add(f.name, value)
            if mode == "repeated":
                sent.add(f.name, data.draw(bad_value(f.kind, f), label=f"{f.name} again"))
    for f in form.fields:  # the submit button that was pressed
        if f.kind == "submit" and f.name not in sent:
            sent.add(f.name, f.value)
            break
    return sent


# --- the sweep ------------------------------------------------------------------------------


def _collection_app():
    from consortium import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "collection-only-" * 3,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )


GET_ENDPOINTS = [rule.endpoint for rule in get_rules(_collection_app())]
SWEPT: set = set()
SWEEP_ROLES = {"admin": ADMIN, "partner": ROLE_EMAILS["partner"]}


def flashed_categories(client) -> set[str]:
    with client.session_transaction() as session:
        return {category for category, _message in session.get("_flashes", [])}


def is_refusal(response, flashes: set[str]) -> bool:
    if response.status_code in REFUSED_STATUSES:
        return True
    if response.status_code == 200 and response.mimetype == "text/html":
        return bool(ERROR_MARKERS.search(response.get_data(as_text=True)))
    if 300 <= response.status_code < 400:
        return "error" in flashes and not flashes & {"success", "info", "warning"}
    return False


def post_and_check(app, client, form, payload: MultiDict, state: dict) -> None:
    """POST, demand < 500, and for a refusal demand an unchanged database."""
    before = state["snapshot"]
    response = client.post(form.action, data=payload, content_type=form.enctype)
    described = f"POST {form.action} (from {form.page}) -> {response.status_code}"
    assert response.status_code < 500, described
    flashes = flashed_categories(client)
    after = snapshot(app)
    if is_refusal(response, flashes):
        assert changed_tables(before, after) == [], f"half-saved: {described}"
    state["snapshot"] = after
    # Flashes are consumed by the next page view; drop them so they do not leak.
    with client.session_transaction() as session:
        session.pop("_flashes", None)
    # A sweep may log the admin out (deactivation, password change): log in again.
    state["logged_out"] = response.status_code in (301, 302, 303) and response.headers.get(
        "Location", ""
    ).startswith("/login")


# One field at a time gets a value that passes the form's type check but is extreme, so
# that it reaches the service and the database (lengths are enforced on PostgreSQL only).
EXTREME = {
    "text": [
        "\u00e9" * 100_000,
        "\u202e\U0001f600 \u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd " * 40,
    ],
    "number": ["99999999999999999999", "9" * 400, "1e309", "NaN", "-1"],
    "date": ["9999-12-31", "0001-01-01"],
    "select": ["999999999"],
    "hidden": ["99999999999999999999", "abc"],
}


def one_field_payloads(form):
    defaults = default_data(form)
    for f in form.fields:
        if f.name == "csrf_token" or f.kind in ("submit", "image", "reset", "button", "file"):
            continue
        kind = (
            "number"
            if f.kind in NUMBER_KINDS
            else "date"
            if f.kind in DATE_KINDS
            else "select"
            if f.kind in ("select", "radio", "checkbox")
            else "hidden"
            if f.kind == "hidden"
            else "text"
        )
        for value in EXTREME[kind]:
            payload = MultiDict([(k, v) for k, v in defaults if k != f.name])
            payload.add(f.name, value)
            for other in form.fields:
                if other.kind == "submit":
                    payload.add(other.name, other.value)
                    break
            yield f"{f.name}={value[:20]!r}", payload


def sweep_form(app, form, email: str = ADMIN) -> None:
    state = {"snapshot": None, "logged_out": True}
    client = app.test_client()

    def ready():
        if state["logged_out"]:
            ensure_admin_is_lead(app)
            log_in(app, client, email)
            state["logged_out"] = False
            state["snapshot"] = snapshot(app)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        ready()
        post_and_check(app, client, form, draw_form_data(data, form), state)

    run()

    for label, payload in one_field_payloads(form):
        ready()
        try:
            post_and_check(app, client, form, payload, state)
        except AssertionError as error:
            raise AssertionError(f"{label}: {error}") from error

    if form.has_file:
        for label, content, filename in file_corpus():
            ready()
            payload = MultiDict(default_data(form))
            for f in form.fields:
                if f.kind == "file":
                    payload.add(f.name, (io.BytesIO(content), filename))
            try:
                post_and_check(app, client, form, payload, state)
            except AssertionError as error:
                raise AssertionError(f"import corpus {label!r}: {error}") from error


@pytest.mark.parametrize(
    ("role", "endpoint"), [(role, ep) for role in SWEEP_ROLES for ep in GET_ENDPOINTS]
)
def test_every_post_form_survives_bad_input(demo_app, role, endpoint):
    """The admin-lead sees nearly every form; the partner then sweeps the forms only a
    partner is shown (a form already swept is not swept again)."""
    app = demo_app
    email = SWEEP_ROLES[role]
    rule = next(
        r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "GET" in r.methods
    )
    ensure_admin_is_lead(app)
    url = fill_rule(app, rule, user_email=email)
    assert url is not None, (
        f"no row fills {rule.rule}: map its argument in ARGUMENT_TABLES, ARGUMENT_VALUES or ARGUMENT_CONFIG (tests/hardening/conftest.py) or seed a row in seed_rows_the_demo_lacks"
    )
    client = app.test_client()
    log_in(app, client, email)
    response = client.get(url)
    assert response.status_code < 500, url
    if response.status_code != 200 or response.mimetype != "text/html":
        return
    for form in parse_forms(url, response.get_data(as_text=True)):
        target = endpoint_for(app, form.action)
        if target is None or target in NOT_SWEPT:
            continue
        key = (target, tuple(sorted({re.sub(r"\d+", "N", f.name) for f in form.fields})))
        if key in SWEPT:
            continue
        SWEPT.add(key)
        sweep_form(app, form, email)


def test_login_form_survives_bad_input_anonymously(demo_app):
    """The one form an anonymous visitor reaches."""
    app = demo_app
    page = app.test_client().get("/login")
    forms = [
        f
        for f in parse_forms("/login", page.get_data(as_text=True))
        if endpoint_for(app, f.action) == "auth.login"
    ]
    assert len(forms) == 1
    state = {"snapshot": snapshot(app)}

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        client = app.test_client()
        state["snapshot"] = snapshot(app)
        post_and_check(app, client, forms[0], draw_form_data(data, forms[0]), state)

    run()


def test_the_sweep_reaches_forms_of_several_areas(demo_app):
    """A guard against the sweep silently finding nothing (parsing or URL filling broken)."""
    app = demo_app
    found = set()
    client = app.test_client()
    ensure_admin_is_lead(app)
    log_in(app, client, ADMIN)
    for rule in get_rules(app):
        url = fill_rule(app, rule)
        assert url is not None, (
            f"no row fills {rule.rule}: map its argument in ARGUMENT_TABLES, ARGUMENT_VALUES or ARGUMENT_CONFIG (tests/hardening/conftest.py) or seed a row in seed_rows_the_demo_lacks"
        )
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            for form in parse_forms(url, response.get_data(as_text=True)):
                found.add(endpoint_for(app, form.action))
    assert {
        "proposals.edit",
        "proposals.members",
        "workshops.create",
        "calls.import_catalogue",
        "auth.account",
    } <= found, sorted(filter(None, found))


# Query parameters list pages commonly read, fuzzed on every page besides its GET forms' own.
COMMON_QUERY = ("q", "page", "sort", "order", "per_page", "next", "lang", "tab", "filter")


def test_every_page_survives_bad_query_parameters(demo_app):
    """GET forms (search, filters) and common list parameters get the same bad values."""
    app = demo_app
    client = app.test_client()
    ensure_admin_is_lead(app)
    log_in(app, client, ADMIN)
    targets = []
    for rule in get_rules(app):
        url = fill_rule(app, rule)
        assert url is not None, (
            f"no row fills {rule.rule}: map its argument in ARGUMENT_TABLES, ARGUMENT_VALUES or ARGUMENT_CONFIG (tests/hardening/conftest.py) or seed a row in seed_rows_the_demo_lacks"
        )
        response = client.get(url)
        assert response.status_code < 500, url
        names = set(COMMON_QUERY)
        if response.status_code == 200 and response.mimetype == "text/html":
            for form in parse_forms(url, response.get_data(as_text=True), method="get"):
                names |= {f.name for f in form.fields if f.kind not in ("submit", "file")}
        targets.append((url, sorted(names)))
    assert len(targets) >= 15

    @settings(
        max_examples=EXAMPLES * 3,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        url, names = data.draw(st.sampled_from(targets), label="page")
        chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
        query = MultiDict()
        for name in chosen:
            query.add(name, data.draw(st.one_of(BAD_NUMBER, BAD_CHOICE), label=name))
        response = client.get(url, query_string=query)
        assert response.status_code < 500, (url, query)

    run()
    for url, names in targets:  # every page once with every name at its worst
        for value in ("\x00", "-1", "99999999999999999999", "1e309", "NaN", "\u00e9" * 2_000):
            response = client.get(url, query_string=dict.fromkeys(names, value))
            assert response.status_code < 500, (url, value[:20])

"""The budget grid: every partner at once, its workbook round trip, permissions and input."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from consortium.extensions import db
from consortium.proposals.models import AuditEvent, Participation
from tests import factories
from tests.commitments.helpers import log_in
from tests.commitments.test_access import EMAILS, _client
from tests.conftest import PASSWORD


def grid_url(world, tail=""):
    return f"/proposals/{world['proposal']}/commitments/grid{tail}"


def fill(world, rows):
    """The grid's form data: ``rows`` maps a participation key to its typed cells."""
    data = {}
    with db.session.no_autoflush:
        for key, cells in rows.items():
            p = db.session.get(Participation, world[key])
            data[f"r{p.id}-version"] = str(p.version)
            for name, text in cells.items():
                name = {"pm_a1": f"pm_{world['a1']}", "pm_a2": f"pm_{world['a2']}"}.get(name, name)
                data[f"r{p.id}-{name}"] = text
    return data


THREE = {
    "part_a": {
        "monthly_rate": "5 000",
        "pm_a2": "12",
        "cost_travel": "5000",
        "own_cofinancing": "30 000",
    },
    "part_b": {
        "monthly_rate": "4000",
        "pm_a1": "24",
        "cost_equipment": "10 000",
        "own_cofinancing": "50000",
    },
    "part_c": {"cost_personnel": "40000", "pm_a1": "6", "cost_other_goods": "2 000,50"},
}


def _post_grid(app, client, world, rows):
    with app.app_context():
        data = fill(world, rows)
    return client.post(grid_url(world), data=data)


def test_fill_export_change_import_finds_totals_and_audit(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    response = _post_grid(app, lead, cworld, THREE)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        pa = db.session.get(Participation, cworld["part_a"])
        pb = db.session.get(Participation, cworld["part_b"])
        pc = db.session.get(Participation, cworld["part_c"])
        # personnel = person-months x rate when a rate is given
        assert pa.cost_personnel == Decimal("60000.00")  # 12 x 5000
        assert pb.cost_personnel == Decimal("96000.00")  # 24 x 4000
        assert pc.cost_personnel == Decimal("40000.00")  # typed, no rate
        assert pc.cost_other_goods == Decimal("2000.50")
    workbook = lead.get(grid_url(cworld, ".xlsx"))
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.data))
    assert book.sheetnames[0] == "Summary"
    assert len(book.sheetnames) == 4  # summary + three partners
    sheet_a = next(
        book[n]
        for n in book.sheetnames[1:]
        if _value(book[n], "participation_id") == cworld["part_a"]
    )
    sheet_c = next(
        book[n]
        for n in book.sheetnames[1:]
        if _value(book[n], "participation_id") == cworld["part_c"]
    )
    assert _value(sheet_a, "monthly_rate") == 5000
    _set(sheet_a, "monthly_rate", 5500)  # 12 x 5500 = 66 000
    _set(sheet_c, "cost_travel", 3000)
    changed = io.BytesIO()
    book.save(changed)
    response = lead.post(
        grid_url(cworld, "/import"),
        data={"file": (io.BytesIO(changed.getvalue()), "grid.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        pa = db.session.get(Participation, cworld["part_a"])
        pc = db.session.get(Participation, cworld["part_c"])
        assert pa.monthly_rate == Decimal("5500.00")
        assert pa.cost_personnel == Decimal("66000.00")
        assert pc.cost_travel == Decimal("3000.00")
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.entity == "participation")
        ).all()
        imported = {
            (e.entity_id, e.field, e.before, e.after)
            for e in events
            if (e.details or {}).get("source") == "xlsx"
        }
        assert imported == {
            (pa.id, "monthly_rate", "5000.00", "5500.00"),
            (pa.id, "cost_personnel", "60000.00", "66000.00"),
            (pc.id, "cost_travel", "0.00", "3000.00"),
        }
    page = lead.get(grid_url(cworld)).get_data(as_text=True)
    # A 66 000 + C1 5 000 -> E 7% of 71 000 = 4 970 -> 75 970; B 96 000 + C2 10 000 -> 106 000
    # + 7 420 = 113 420; C 40 000 + 3 000 + 2 000.50 = 45 000.50 + 3 150.04 = 48 150.54
    assert "€237,540.54" in page


def _value(sheet, key):
    for row in sheet.iter_rows():
        if row[2].value == key:
            return row[1].value
    raise KeyError(key)


def _set(sheet, key, value):
    for row in sheet.iter_rows():
        if row[2].value == key:
            row[1].value = value
            return
    raise KeyError(key)


def test_libreoffice_opens_the_workbook(app, cworld, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice is not installed")
    lead = log_in(app.test_client(), "lead@example.org")
    _post_grid(app, lead, cworld, THREE)
    source = tmp_path / "grid.xlsx"
    source.write_bytes(lead.get(grid_url(cworld, ".xlsx")).data)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "grid.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 4


def test_import_errors_name_their_cells_and_save_nothing(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    book = load_workbook(io.BytesIO(lead.get(grid_url(cworld, ".xlsx")).data))
    sheet = book[book.sheetnames[1]]
    _set(sheet, "cost_travel", "abc")
    _set(sheet, "monthly_rate", -3)
    out = io.BytesIO()
    book.save(out)
    response = lead.post(
        grid_url(cworld, "/import"),
        data={"file": (io.BytesIO(out.getvalue()), "grid.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    title = sheet.title
    assert f"&#39;{title}&#39;!B" in page
    assert "“abc” is not an amount" in page
    with app.app_context():
        assert db.session.scalars(select(AuditEvent)).all() == []


def test_import_refuses_a_stale_sheet(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    data = lead.get(grid_url(cworld, ".xlsx")).data
    _post_grid(app, lead, cworld, {"part_a": {"cost_travel": "1"}})
    response = lead.post(
        grid_url(cworld, "/import"),
        data={"file": (io.BytesIO(data), "grid.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "was exported at version" in response.get_data(as_text=True)


def test_import_refuses_a_word_file(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w/>")
    response = lead.post(
        grid_url(cworld, "/import"),
        data={"file": (io.BytesIO(out.getvalue()), "grid.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Word document" in response.get_data(as_text=True)


def test_conflict_keeps_the_input_and_saves_nothing(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    with app.app_context():
        data = fill(cworld, {"part_a": {"cost_travel": "7777"}})
    _post_grid(app, lead, cworld, {"part_a": {"cost_travel": "1234"}})  # someone else
    response = lead.post(grid_url(cworld), data=data)
    assert response.status_code == 409
    assert 'value="7777"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Participation, cworld["part_a"]).cost_travel == Decimal("1234.00")


def test_bad_amount_is_marked_and_nothing_is_saved(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    response = _post_grid(
        app, lead, cworld, {"part_a": {"cost_travel": "12,500", "monthly_rate": "4000"}}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "is ambiguous" in page
    with app.app_context():
        assert db.session.get(Participation, cworld["part_a"]).monthly_rate is None


def test_implausible_rate_warns_but_saves(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    response = _post_grid(app, lead, cworld, {"part_a": {"monthly_rate": "250", "pm_a2": "12"}})
    assert response.status_code == 302
    page = lead.get(grid_url(cworld)).get_data(as_text=True)
    assert 'data-code="RATE_IMPLAUSIBLE"' in page
    with app.app_context():
        assert db.session.get(Participation, cworld["part_a"]).cost_personnel == Decimal("3000")


def test_periods_are_set_and_split_the_budget(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    with app.app_context():
        version = ""
    response = lead.post(grid_url(cworld, "/periods"), data={"ends": "18, 36", "version": version})
    assert response.status_code == 302
    page = lead.get(grid_url(cworld)).get_data(as_text=True)
    assert "Period 2 (months 19-36)" in page
    assert "Period 3 (months 37-48)" in page
    bad = lead.post(grid_url(cworld, "/periods"), data={"ends": "36, 18", "version": "1"})
    assert bad.status_code == 400
    assert "must end after the previous one" in bad.get_data(as_text=True)


GRID_GET = {
    "admin": 200,
    "lead": 200,
    "writer": 200,
    "viewer": 200,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}
GRID_POST = {
    "admin": 302,
    "lead": 302,
    "writer": 403,
    "viewer": 403,
    "partner": 403,
    "other_partner": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("who", [*EMAILS, "anonymous"])
def test_grid_routes_by_role(app, cworld, who):
    client = _client(app, who)
    for url in (grid_url(cworld), grid_url(cworld, ".xlsx")):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location
        else:
            assert response.status_code == GRID_GET[who], (url, who)
    posts = [
        (grid_url(cworld), {}),
        (grid_url(cworld, "/periods"), {"ends": "24"}),
        (grid_url(cworld, "/import"), {}),
    ]
    for url, data in posts:
        response = client.post(url, data=data)
        if who == "anonymous":
            assert response.status_code == 302 and "/login" in response.location
        else:
            assert response.status_code == GRID_POST[who], (url, who)


def test_read_only_grid_has_no_inputs_and_no_private_notes(app, cworld):
    page = _client(app, "writer").get(grid_url(cworld)).get_data(as_text=True)
    assert '<input type="text"' not in page
    assert "private note" not in page


def test_csrf_is_enforced_on_grid_posts(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        world = factories.standard_world()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": "lead@example.org", "password": PASSWORD, "csrf_token": token}
    )
    pid = world["proposal"]
    for tail in ("", "/periods", "/import"):
        assert client.post(f"/proposals/{pid}/commitments/grid{tail}", data={}).status_code == 400


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rate=st.text(max_size=30), amount=st.text(max_size=30), months=st.text(max_size=15))
def test_any_typed_cell_is_saved_or_refused_with_a_message(app, cworld, rate, amount, months):
    lead = log_in(app.test_client(), "lead@example.org")
    response = _post_grid(
        app,
        lead,
        cworld,
        {"part_a": {"monthly_rate": rate, "cost_travel": amount, "pm_a2": months}},
    )
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert 'class="error"' in response.get_data(
            as_text=True
        ) or "Nothing was saved" in response.get_data(as_text=True)


def test_partner_enters_its_rate_on_its_own_page_and_sees_the_warning(app, cworld):
    partner = log_in(app.test_client(), "partner@example.org")
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        version = p.version
    response = partner.post(
        f"/proposals/{cworld['proposal']}/commitments/mine",
        data={
            "version": version,
            "monthly_rate": "20 000",
            f"pm_{cworld['a2']}": "10",
            "cost_travel": "5000",
            "own_cofinancing": "20000",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        assert p.monthly_rate == Decimal("20000.00")
        assert p.cost_personnel == Decimal("200000.00")
    page = partner.get(f"/proposals/{cworld['proposal']}/commitments/mine").get_data(as_text=True)
    assert 'data-code="RATE_IMPLAUSIBLE"' in page
    assert "A monthly rate of €20,000.00 is high for personnel costs." in page


def test_clearing_the_rate_keeps_the_computed_personnel_costs(app, cworld):
    lead = log_in(app.test_client(), "lead@example.org")
    _post_grid(app, lead, cworld, {"part_a": {"monthly_rate": "5000", "pm_a2": "12"}})
    # the page shows no personnel input while a rate is set; the lead then clears the rate
    response = _post_grid(app, lead, cworld, {"part_a": {"monthly_rate": "", "pm_a2": "12"}})
    assert response.status_code == 302
    with app.app_context():
        p = db.session.get(Participation, cworld["part_a"])
        assert p.monthly_rate is None
        assert p.cost_personnel == Decimal("60000.00")

"""Import through the real routes and CLI: preview, row errors, modes, round trip."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import delete, func, select

from consortium.directory.models import Organisation, Tie
from consortium.directory.services import org_to_record
from consortium.extensions import db
from tests import factories

HEADER = "name,type,country,city,pic,staff\n"
GOOD_AND_BAD = (
    HEADER
    + "Réemploi Bâtiment Nord,ngo,France,Lille,111111111,4\n"
    + "Broken Row,ngo,Atlantis,Paris,12345,-2\n"
    + "Atelier Vélo,association,FR,Lyon,,3\n"
).encode()


def _count(app, model=Organisation):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, data: bytes, name="orgs.csv"):
    return client.post(
        "/directory/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_preview_reports_each_row_error_and_commits_nothing(app, as_role):
    page = _upload(as_role("lead"), GOOD_AND_BAD).get_data(as_text=True)
    assert "2 valid rows, 1 rows with errors, out of 3 rows read." in page
    assert "Dry run: nothing has been imported yet." in page
    cells = re.findall(
        r"<tr><td class=\"num\">(\d+)</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>", page
    )
    assert cells == [
        (
            "3",
            "country",
            "Unknown country “Atlantis”: use its English or French name or its two-letter ISO code.",
        ),
        ("3", "pic", "PIC “12345” is invalid: a PIC is exactly 9 digits."),
        ("3", "staff", "Must not be negative (got -2)."),
    ]
    assert _count(app) == 3


def test_valid_rows_only(app, as_role):
    client = as_role("lead")
    token = _token(_upload(client, GOOD_AND_BAD).get_data(as_text=True))
    response = client.post(
        "/directory/import", data={"token": token, "confirm": "1", "mode": "valid"}
    )
    assert response.status_code == 302
    with app.app_context():
        names = db.session.scalars(select(Organisation.name).order_by(Organisation.id)).all()
        assert names[3:] == ["Réemploi Bâtiment Nord", "Atelier Vélo"]
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Atelier Vélo"))
        assert (org.org_type, org.country, org.staff, org.search_text, org.name_key) == (
            "ngo",
            "FR",
            3,
            "atelier velo lyon",
            "atelier velo",
        )
        assert org.created_by.email == "lead@example.org"
    # The stored file is gone after the import: confirming again fails cleanly.
    again = client.post(
        "/directory/import",
        data={"token": token, "confirm": "1", "mode": "valid"},
        follow_redirects=True,
    )
    assert "The uploaded file has expired; upload it again." in again.get_data(as_text=True)
    assert _count(app) == 5


def test_all_or_nothing_imports_nothing_when_a_row_fails(app, as_role):
    client = as_role("lead")
    token = _token(_upload(client, GOOD_AND_BAD).get_data(as_text=True))
    page = client.post("/directory/import", data={"token": token, "confirm": "1", "mode": "all"})
    assert (
        "Nothing was imported: correct the errors or import the valid rows only."
        in page.get_data(as_text=True)
    )
    assert _count(app) == 3


def test_token_from_another_session_is_refused(app, as_role):
    token = _token(_upload(as_role("lead"), GOOD_AND_BAD).get_data(as_text=True))
    other = as_role("admin")
    page = other.post(
        "/directory/import",
        data={"token": token, "confirm": "1", "mode": "valid"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The uploaded file has expired; upload it again." in page
    assert _count(app) == 3


def test_tampered_stored_file_is_refused(app, as_role):
    client = as_role("lead")
    token = _token(_upload(client, GOOD_AND_BAD).get_data(as_text=True))
    from pathlib import Path

    (Path(app.config["UPLOAD_FOLDER"]) / "imports" / token).write_bytes(
        HEADER.encode() + b"Evil,ngo,FR,X,,1\n"
    )
    page = client.post(
        "/directory/import",
        data={"token": token, "confirm": "1", "mode": "valid"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The uploaded file has expired" in page
    assert _count(app) == 3


def test_rows_clashing_with_the_directory_are_errors(app, as_role):
    data = (
        HEADER + "Autre nom,ngo,FR,Paris,123456789,\nAssociation Réemploi Sud,ngo,FR,Marseille,,\n"
    ).encode()
    page = _upload(as_role("lead"), data).get_data(as_text=True)
    assert (
        "PIC 123456789 is already used by the existing organisation “Association Réemploi Sud”."
        in page
    )
    assert (
        "Looks like the existing organisation “Association Réemploi Sud” (same name and city)"
        in page
    )


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (
            "name;pays;ville\nCafé Réemploi;France;Marseille\n".encode("cp1252"),
            "w.csv",
            "1 valid rows",
        ),
        ("\ufeffnom,pays\nÉcole Verte,Belgique\n".encode(), "bom.csv", "1 valid rows"),
        (b"", "empty.csv", "The file is empty."),
        (b"%PDF-1.4 not a spreadsheet", "x.xlsx", "This file is not an Excel workbook (.xlsx)."),
    ],
)
def test_encodings_separators_and_bad_files(as_role, data, name, expected):
    page = _upload(as_role("lead"), data, name).get_data(as_text=True)
    assert expected in page


def test_zip_bomb_is_refused_with_a_message(app, as_role):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)
    page = _upload(as_role("lead"), buffer.getvalue(), "bomb.xlsx").get_data(as_text=True)
    assert "This .xlsx file was refused" in page
    assert 'name="confirm"' not in page
    assert _count(app) == 3


TRICKY = {
    "name": '=HYPERLINK("http://evil") Société d\'Économie; "quoted"',
    "acronym": "+A|B",
    "type": "social_economy",
    "country": "BE",
    "region": "Bruxelles-Capitale",
    "city": "Bruxelles",
    "pic": "000000042",
    "website": "https://example.org/a?b=c;d",
    "email": "x@example.org",
    "description": "Ligne 1\nLigne 2, avec ; et | et \\ backslash\n\t-tab  spaces  ",
    "themes": "water;circular_economy_waste",
    "keywords": "a\\;b;@mention;-minus",
    "languages": "fr;nl",
    "staff": "0",
    "annual_budget_eur": "1234567.89",
    "past_projects": "LIFE|LIFE20 ENV/FR/000123|Title \\| pipe|2020|coordinator;Interreg||Other|",
    "natural_person": "no",
    "contacts": "Émile Zola|Président|e@example.org|+32 2 000 00 00",
}


def _tricky_csv() -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TRICKY.keys())
    writer.writerow(TRICKY.values())
    return out.getvalue().encode()


def _records(app):
    with app.app_context():
        return sorted(
            (org_to_record(o) for o in db.session.scalars(select(Organisation))),
            key=lambda r: r.name,
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_reimport_through_the_routes_is_lossless(make_app, fmt):
    source = make_app()
    with source.app_context():
        factories.standard_world()
    lead = source.test_client()
    lead.post(
        "/login", data={"email": "lead@example.org", "password": "correct horse battery staple"}
    )
    token = _token(_upload(lead, _tricky_csv()).get_data(as_text=True))
    assert (
        lead.post(
            "/directory/import", data={"token": token, "confirm": "1", "mode": "all"}
        ).status_code
        == 302
    )
    exported = lead.get(f"/directory/export?format={fmt}&contacts=1").data
    before = _records(source)

    target = make_app()
    with target.app_context():
        factories.make_user("lead@example.org", name="Lea")
        factories.add_role(
            factories.make_proposal(acronym="X"),
            db.session.scalar(
                select(factories.User).where(factories.User.email == "lead@example.org")
            ),
            "lead",
        )
        db.session.commit()
    client = target.test_client()
    client.post(
        "/login", data={"email": "lead@example.org", "password": "correct horse battery staple"}
    )
    page = _upload(client, exported, f"export.{fmt}").get_data(as_text=True)
    assert "4 valid rows, 0 rows with errors, out of 4 rows read." in page, page
    token = _token(page)
    assert (
        client.post(
            "/directory/import", data={"token": token, "confirm": "1", "mode": "all"}
        ).status_code
        == 302
    )
    assert _records(target) == before
    tricky = next(r for r in before if r.pic == "000000042")
    assert tricky.name == TRICKY["name"] and tricky.description == TRICKY["description"].strip()


# --- CLI -------------------------------------------------------------------------------------


def test_cli_import_all_or_nothing_exits_1_with_the_report(app, runner, tmp_path, world):
    path = tmp_path / "orgs.csv"
    path.write_bytes(GOOD_AND_BAD)
    result = runner.invoke(args=["orgs", "import", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        "3 rows read: 2 valid, 1 with errors.\n"
        "Errors:\n"
        "  row 3, country: Unknown country “Atlantis”: use its English or French name or its "
        "two-letter ISO code.\n"
        "  row 3, pic: PIC “12345” is invalid: a PIC is exactly 9 digits.\n"
        "  row 3, staff: Must not be negative (got -2).\n"
        "Nothing imported.\n"
    )
    assert _count(app) == 3


def test_cli_dry_run_and_valid_only(app, runner, tmp_path, world):
    path = tmp_path / "orgs.csv"
    path.write_bytes(GOOD_AND_BAD)
    dry = runner.invoke(args=["orgs", "import", str(path), "--dry-run", "--valid-only"])
    assert dry.exit_code == 0 and dry.output.endswith("Dry run: nothing imported.\n")
    assert _count(app) == 3
    result = runner.invoke(args=["orgs", "import", str(path), "--valid-only"])
    assert result.exit_code == 0 and result.output.endswith("2 organisations imported.\n")
    assert _count(app) == 5


def test_cli_export_then_import_is_lossless(make_app, tmp_path):
    source = make_app()
    runner = source.test_cli_runner()
    path = tmp_path / "tricky.csv"
    path.write_bytes(_tricky_csv())
    assert runner.invoke(args=["orgs", "import", str(path)]).exit_code == 0
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["orgs", "export", str(out), "--with-contacts"])
    assert result.output == f"1 organisations exported to {out}.\n"
    before = _records(source)
    target = make_app()
    result = target.test_cli_runner().invoke(args=["orgs", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert _records(target) == before
    bad = source.test_cli_runner().invoke(args=["orgs", "export", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2


def _this_year() -> int:
    import datetime as dt

    return dt.datetime.now(dt.UTC).year


def test_cli_ties_import(app, runner, tmp_path, world):
    path = tmp_path / "ties.csv"
    path.write_text(
        "org_a,org_b,kind,year,note\n"
        "123456789,VDM,convention,2019,Charte\n"
        "ARS,ARS,informal,,\n"
        "Nobody,VDM,informal,,\n"
        "BV,Ville de Marseille,réseau,2999,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["ties", "import", str(path)])
    assert result.exit_code == 1
    assert result.output == (
        "1 valid ties, 3 errors.\n"
        "Errors:\n"
        "  row 3, org_b: An organisation cannot have a tie with itself.\n"
        "  row 4, org_a: No organisation matches “Nobody” (give its PIC, registry number, "
        "acronym or name).\n"
        f"  row 5, year: Year 2999 is in the future (this year is {_this_year()}).\n"
        "Nothing imported.\n"
    )
    valid_only = runner.invoke(args=["ties", "import", str(path), "--valid-only"])
    assert valid_only.exit_code == 0
    assert valid_only.output.endswith("1 ties imported, 0 strengthened.\n")
    assert _count(app, Tie) == 1
    with app.app_context():
        db.session.execute(delete(Tie))
        db.session.commit()
    path.write_text(
        "org_a,org_b,kind,year,note\n123456789,VDM,convention,2019,Charte\n", encoding="utf-8"
    )
    dry = runner.invoke(args=["ties", "import", str(path), "--dry-run"])
    assert dry.output.endswith("Dry run: nothing imported.\n") and _count(app, Tie) == 0
    done = runner.invoke(args=["ties", "import", str(path)])
    assert done.exit_code == 0 and done.output.endswith("1 ties imported, 0 strengthened.\n")
    again = runner.invoke(args=["ties", "import", str(path)])
    assert "already have this tie with this year and note; nothing is added" in again.output
    assert again.exit_code == 0
    assert _count(app, Tie) == 1


def test_repeated_ties_add_weight_and_keep_their_evidence(app, runner, tmp_path, world):
    """The issue's real-data file: the same pair meets in several projects, a person's wording
    of a kind, the product's own label, a control character in a name."""
    path = tmp_path / "ties.csv"
    path.write_text(
        "org_a,org_b,kind,year,note\n"
        "ARS,VDM,Past project together,2019,H2020 SCARABEUS\n"
        "VDM,ARS,projet commun passé,2021,LIFE Re-Build\n"
        "ARS,VDM,Past project together,2019,H2020 SCARABEUS\n"
        "ARS,BV,cousins,,\n"
        "A\x01RS,BV,same federation or network,2020,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["ties", "import", str(path)])
    assert result.exit_code == 0, result.output
    # "A RS" still names ARS: acronyms compare without spaces
    assert "row 6, org_a: Invisible control character U+0001 replaced by a space" in result.output
    assert (
        "row 3: Same organisations and kind as row 2: adds to that tie's weight." in result.output
    )
    assert (
        "row 4: “Association Réemploi Sud” and “Ville de Marseille” already have this tie"
        in result.output
    )
    assert "row 5, kind: Unknown kind of tie “cousins”: kept as “Other”" in result.output
    assert result.output.endswith("3 ties imported, 1 strengthened.\n")
    with app.app_context():
        ties = {t.kind: t for t in db.session.scalars(select(Tie))}
        assert ties["past_project"].weight == 2.0
        assert ties["past_project"].evidence == [
            "declared: 2019 · H2020 SCARABEUS",
            "declared: 2021 · LIFE Re-Build",
        ]
        assert ties["past_project"].year == 2021
        assert (ties["other"].note, ties["other"].weight) == ("cousins", 1.0)
        assert ties["same_network"].evidence == ["declared: 2020"]
    again = runner.invoke(args=["ties", "import", str(path)])
    assert again.output.endswith("0 ties imported, 0 strengthened.\n")


def test_ties_import_page(app, as_role, world):
    data = b"org_a,org_b,kind,year,note\nARS,BV,past project,2018,LIFE\n"
    page = (
        as_role("lead")
        .post(
            "/directory/ties/import",
            data={"file": (io.BytesIO(data), "t.csv")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "1 ties imported." in page
    assert _count(app, Tie) == 1

"""The VAT or national registry number: one field of an organisation wherever a user meets it,
stored compact, and a way to name an organisation in a tie file."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consortium.auth.services import create_api_token
from consortium.directory.models import Organisation, Tie
from consortium.directory.records import (
    BAD_REGISTRY,
    compact_registry_number,
    record_to_raw,
    validate_record,
)
from consortium.directory.spreadsheet import export_csv
from consortium.extensions import db
from tests import factories

from .test_views import VALID, _org, _set


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("FR 12.345.678-901", "FR12345678901"),
        ("nl 8529/1234", "NL85291234"),
        ("362 521 879 00034", "36252187900034"),
        ("", None),
    ],
)
def test_a_registry_number_is_stored_compact_and_upper_case(typed, stored):
    record, errors = validate_record({"name": "X", "country": "FR", "registry_number": typed})
    assert errors == []
    assert record.registry_number == stored
    again, _ = validate_record(record_to_raw(record))
    assert again == record


@pytest.mark.parametrize("typed", ["n/a", "12#45", "ABCDEF", "1" * 41, "FR 12 (siège)"])
def test_a_bad_registry_number_is_refused_with_its_text(typed):
    record, errors = validate_record({"name": "X", "country": "FR", "registry_number": typed})
    assert record is None
    assert [(e.column, e.template) for e in errors] == [("registry_number", BAD_REGISTRY)]


def test_the_one_compaction_is_shared_by_directory_and_open_data():
    from consortium.opendata.sources import compact_registry

    assert compact_registry_number("fr 12.345-678") == "FR12345678"
    assert compact_registry(" fr 12.345-678 ") == "FR12345678"
    assert compact_registry("—") is None


def test_the_form_saves_it_and_the_page_shows_it(app, as_role, world):
    client = as_role("lead")
    version = _org(app, world["org_c"]).version
    data = dict(VALID, version=str(version), registry_number="NL 8529.1234")
    assert client.post(f"/directory/{world['org_c']}/edit", data=data).status_code == 302
    assert _org(app, world["org_c"]).registry_number == "NL85291234"
    page = client.get(f"/directory/{world['org_c']}").get_data(as_text=True)
    assert 'data-testid="registry-number">NL85291234<' in page
    form = client.get(f"/directory/{world['org_c']}/edit").get_data(as_text=True)
    assert 'value="NL85291234"' in form and "VAT or national registry number" in form
    bad = dict(data, version=str(_org(app, world["org_c"]).version), registry_number="n/a")
    refused = client.post(f"/directory/{world['org_c']}/edit", data=bad)
    assert refused.status_code in (200, 400)
    assert "Registry number “n/a” is invalid" in refused.get_data(as_text=True)
    assert _org(app, world["org_c"]).registry_number == "NL85291234"


def test_import_reads_a_siret_column_and_export_writes_it(app, runner, tmp_path, world):
    path = tmp_path / "orgs.csv"
    path.write_text(
        "Raison sociale,Pays,Ville,SIRET\nAtelier Bois Sud,France,Marseille,362 521 879 00034\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["orgs", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Atelier Bois Sud"))
        assert org.registry_number == "36252187900034"
    record, _ = validate_record({"name": "Y", "country": "FR", "registry_number": "0123 4567"})
    header, row = export_csv([record]).decode("utf-8-sig").splitlines()
    assert dict(zip(header.split(","), row.split(","), strict=True))["registry_number"] == (
        "01234567"
    )


def test_a_tie_file_names_an_organisation_by_its_registry_number(app, runner, tmp_path, world):
    _set(app, world["org_c"], registry_number="FR12345678901")
    path = tmp_path / "ties.csv"
    path.write_text(
        "org_a,org_b,kind\nfr 12 345 678 901,VDM,convention\n12345678901,ARS,réseau\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["ties", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        pairs = {
            (t.organisation_a_id, t.organisation_b_id, t.kind)
            for t in db.session.scalars(select(Tie))
        }
    c, b, a = world["org_c"], world["org_b"], world["org_a"]
    assert pairs == {
        (min(c, b), max(c, b), "formal_agreement"),
        (min(c, a), max(c, a), "same_network"),
    }
    # Two organisations sharing a number: the file says so instead of guessing.
    _set(app, world["org_b"], registry_number="FR12345678901")
    path.write_text("org_a,org_b,kind\nFR12345678901,ARS,informal\n", encoding="utf-8")
    result = runner.invoke(args=["ties", "import", str(path)])
    assert result.exit_code == 1
    assert (
        "“FR12345678901” is ambiguous: matches Bureau Vert (Marseille), Ville de Marseille"
        " (Marseille). Give its PIC, registry number or city." in result.output
    )


def test_the_api_reads_and_writes_it(app, client, world):
    with app.app_context():
        lead = db.session.get(factories.User, world["lead"])
        headers = {"Authorization": f"Bearer {create_api_token(lead, name='t')}"}
        db.session.commit()
    created = client.post(
        "/api/v1/organisations",
        json={"name": "Chantier Bleu", "country": "FR", "registry_number": "FR 98 765 432 101"},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["registry_number"] == "FR98765432101"
    shown = client.get(f"/api/v1/organisations/{created.get_json()['id']}", headers=headers)
    assert shown.get_json()["registry_number"] == "FR98765432101"
    refused = client.post(
        "/api/v1/organisations",
        json={"name": "Chantier Gris", "country": "FR", "registry_number": "??"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert "registry_number" in refused.get_json()["error"]["details"]["fields"]


def test_a_merge_keeps_the_merged_entrys_number_when_the_kept_one_has_none(app, world):
    from consortium.directory.services import merge_organisations

    with app.app_context():
        twin = factories.make_org("Bureau Vert SARL", acronym="BVS", org_type="sme")
        twin.registry_number = "FR12345678901"
        db.session.commit()
        keep = db.session.get(Organisation, world["org_c"])
        merged = merge_organisations(keep, twin, actor=None)
        db.session.commit()
        assert keep.registry_number == "FR12345678901"
        assert "registry_number" in merged.details["filled"]

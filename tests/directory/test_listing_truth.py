"""The directory tells the truth: reader's order, countries that exist, money, LIFE countries
at import, a template to start from (issue #14, point 8)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from consortium.directory.models import Organisation
from consortium.extensions import db
from consortium.folding import collation_key
from tests import factories
from tests.directory.conftest import EMAILS


def _names(page: str) -> list[str]:
    return re.findall(r'<a href="/directory/\d+">([^<]+)</a>', page)


def test_collation_key_orders_accented_names_as_readers_do():
    names = ["Ville de Marseille", "École de la 2e chance", "ecole du Panier", "Zoo", "Ángel"]
    assert sorted(names, key=collation_key) == [
        "Ángel",
        "École de la 2e chance",
        "ecole du Panier",
        "Ville de Marseille",
        "Zoo",
    ]


def test_directory_sorts_ecole_before_ville_in_both_languages(app, as_role):
    with app.app_context():
        factories.make_org("École de la 2e chance")
        factories.make_org("Ébéniste Solidaire")
        db.session.commit()
    for lang in ("en", "fr"):
        client = as_role("lead")
        client.post(f"/language/{lang}")
        names = _names(client.get("/directory?q=&sort=").get_data(as_text=True))
        assert names.index("École de la 2e chance") < names.index("Ville de Marseille")
        assert names.index("Ébéniste Solidaire") < names.index("École de la 2e chance")


def test_sort_key_follows_a_renamed_organisation(app, world):
    with app.app_context():
        org = db.session.get(Organisation, world["org_b"])
        org.name = "Écomusée"
        db.session.commit()
        assert db.session.get(Organisation, world["org_b"]).sort_key == collation_key("Écomusée")


def test_country_filter_lists_only_countries_in_the_directory(app, as_role):
    with app.app_context():
        factories.make_org("Comune di Genova", country="IT")
        db.session.commit()
        present = sorted(set(db.session.scalars(select(Organisation.country))))
    page = as_role("lead").get("/directory").get_data(as_text=True)
    select_html = page[
        page.index('id="f-country"') : page.index("</select>", page.index('id="f-country"'))
    ]
    assert re.findall(r'<option value="([A-Z]{2})"', select_html) == present == ["FR", "IT"]
    fr = as_role("lead")
    fr.post("/language/fr")
    page = fr.get("/directory").get_data(as_text=True)
    assert ">France</option>" in page and ">Italie</option>" in page


@pytest.mark.parametrize(("lang", "shown"), [("en", "€400,000"), ("fr", "400\u202f000\xa0€")])
def test_organisation_page_formats_money(app, as_role, world, lang, shown):
    with app.app_context():
        db.session.get(Organisation, world["org_a"]).annual_budget_eur = Decimal("400000")
        db.session.commit()
    client = as_role("lead")
    client.post(f"/language/{lang}")
    page = client.get(f"/directory/{world['org_a']}").get_data(as_text=True)
    budget = re.search(r'data-testid="annual-budget">([^<]*)<', page).group(1)
    assert budget == shown and "400000.00" not in page


def test_import_warns_about_a_country_that_cannot_be_a_life_beneficiary(app, as_role):
    data = (
        b"name,country,city\nHarvard Green Lab,United States,Boston\n"
        b"Comune di Genova,Italy,Genova\n"
    )
    page = (
        as_role("lead")
        .post(
            "/directory/import",
            data={"file": (io.BytesIO(data), "o.csv")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "2 valid rows, 0 rows with errors, out of 2 rows read." in page
    assert (
        "Harvard Green Lab is established in US, a country not associated to LIFE: it can "
        "take part only as an associated partner, at its own cost."
    ) in page
    assert "Comune di Genova is established" not in page


@pytest.mark.parametrize("who", [*EMAILS, "anonymous"])
def test_import_template_by_role(app, as_role, who):
    response = as_role(who).get("/directory/import/template.xlsx")
    expected = {"admin": 200, "lead": 200}.get(who, 403)
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        return
    assert response.status_code == expected


def test_import_template_can_be_imported_back(app, as_role):
    client = as_role("lead")
    sheet = load_workbook(io.BytesIO(client.get("/directory/import/template.xlsx").data)).active
    assert [c.value for c in sheet[1]][:4] == ["name", "acronym", "type", "country"]
    data = client.get("/directory/import/template.csv").data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["name"] == "Association Exemple"
    page = client.post(
        "/directory/import",
        data={"file": (io.BytesIO(data), "t.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "1 valid rows, 0 rows with errors, out of 1 rows read." in page
    assert client.get("/directory/import/template.pdf").status_code == 404


def test_favicon_is_served_and_linked(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)

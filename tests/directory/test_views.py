"""Directory pages: per-role access, search, forms, duplicates, delete, ties, export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from consortium.directory.models import Contact, Organisation, Tie
from consortium.extensions import db
from tests import factories


def _org(app, org_id):
    with app.app_context():
        return db.session.get(Organisation, org_id)


def _set(app, org_id, **values):
    with app.app_context():
        org = db.session.get(Organisation, org_id)
        for key, value in values.items():
            setattr(org, key, value)
        db.session.commit()


def _count(app, model=Organisation):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


VALID = {
    "name": "Réemploi Bâtiment Sud",
    "acronym": "RBS2",
    "org_type": "social_economy",
    "country": "France",
    "region": "Provence-Alpes-Côte d'Azur",
    "city": "Aix-en-Provence",
    "pic": "987654321",
    "website": "https://rbs.example.org",
    "email": "contact@rbs.example.org",
    "description": "Réemploi des matériaux du bâtiment.",
    "themes": ["circular_economy_waste"],
    "keywords": "réemploi; BTP",
    "languages": ["fr", "en"],
    "staff": "12",
    "annual_budget_eur": "450 000,50",
    "eu_experience": "participant",
    "past_projects": "LIFE | LIFE20 ENV/FR/000123 | Reuse hub | 2021 | partner",
    "contacts": "Nadia Benali | Directrice | nadia@rbs.example.org | +33 4 91 00 00 00",
    "shared_with_partners": "y",
    "notes": "Très fiable.",
}


# --- access per role -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("lead", 200),
        ("writer", 200),
        ("viewer", 200),
        ("partner", 200),
        ("other_partner", 200),
        ("outsider", 403),
    ],
)
def test_directory_index_per_role(as_role, role, status):
    assert as_role(role).get("/directory").status_code == status


def test_anonymous_is_sent_to_login(as_role, world):
    client = as_role("anonymous")
    for url in (
        "/directory",
        f"/directory/{world['org_a']}",
        "/directory/new",
        "/directory/import",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_partner_sees_shared_entries_and_its_own_only(app, as_role, world):
    _set(app, world["org_b"], shared_with_partners=True)
    page = as_role("partner").get("/directory").get_data(as_text=True)
    assert "Association Réemploi Sud" in page  # its own
    assert "Ville de Marseille" in page  # shared by a lead
    assert "Bureau Vert" not in page  # another partner's organisation, not shared
    assert "2 organisations" in page


@pytest.mark.parametrize(
    ("role", "org_key", "status"),
    [
        ("admin", "org_c", 200),
        ("lead", "org_c", 200),
        ("writer", "org_c", 200),
        ("viewer", "org_c", 200),
        ("partner", "org_a", 200),
        ("partner", "org_c", 404),
        ("other_partner", "org_a", 404),
        ("other_partner", "org_c", 200),
        ("outsider", "org_a", 403),
    ],
)
def test_detail_per_role(as_role, world, role, org_key, status):
    assert as_role(role).get(f"/directory/{world[org_key]}").status_code == status


def test_partner_never_sees_private_fields_of_other_organisations(app, as_role, world):
    _set(
        app,
        world["org_b"],
        shared_with_partners=True,
        notes="SECRET-NOTE",
        annual_budget_eur=Decimal("777000"),
    )
    with app.app_context():
        db.session.add(Contact(organisation_id=world["org_b"], name="Secret Person"))
        db.session.add(Contact(organisation_id=world["org_a"], name="Own Person"))
        db.session.commit()
    other = as_role("partner").get(f"/directory/{world['org_b']}").get_data(as_text=True)
    assert "Ville de Marseille" in other
    for private in (
        "SECRET-NOTE",
        "777000",
        "777,000",
        "777\u202f000",
        "Secret Person",
        "Contact people",
    ):
        assert private not in other
    own = as_role("partner").get(f"/directory/{world['org_a']}").get_data(as_text=True)
    assert "Own Person" in own
    lead = as_role("lead").get(f"/directory/{world['org_b']}").get_data(as_text=True)
    assert "SECRET-NOTE" in lead and "Secret Person" in lead and "€777,000" in lead


@pytest.mark.parametrize(
    ("role", "org_key", "status"),
    [
        ("admin", "org_a", 200),
        ("lead", "org_a", 200),
        ("writer", "org_a", 403),
        ("viewer", "org_a", 403),
        ("partner", "org_a", 200),
        ("partner", "org_c", 404),
        ("other_partner", "org_a", 404),
        ("outsider", "org_a", 403),
    ],
)
def test_edit_page_per_role(as_role, world, role, org_key, status):
    assert as_role(role).get(f"/directory/{world[org_key]}/edit").status_code == status


def test_partner_cannot_edit_a_shared_organisation_of_someone_else(app, as_role, world):
    _set(app, world["org_b"], shared_with_partners=True)
    assert as_role("partner").get(f"/directory/{world['org_b']}/edit").status_code == 403
    response = as_role("partner").post(f"/directory/{world['org_b']}/edit", data={"name": "X"})
    assert response.status_code == 403
    assert _org(app, world["org_b"]).name == "Ville de Marseille"


def test_partner_edits_its_own_organisation_but_not_sharing_or_notes(app, as_role, world):
    _set(app, world["org_a"], notes="lead note")
    client = as_role("partner")
    page = client.get(f"/directory/{world['org_a']}/edit").get_data(as_text=True)
    assert "shared_with_partners" not in page and "lead note" not in page
    version = _org(app, world["org_a"]).version
    data = dict(VALID, version=str(version), pic="123456789", acronym="ARS")
    response = client.post(f"/directory/{world['org_a']}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    org = _org(app, world["org_a"])
    assert (org.name, org.notes, org.shared_with_partners) == (
        "Réemploi Bâtiment Sud",
        "lead note",
        False,
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("lead", 200),
        ("writer", 403),
        ("viewer", 403),
        ("partner", 403),
        ("other_partner", 403),
        ("outsider", 403),
    ],
)
def test_lead_only_pages(as_role, world, role, status):
    client = as_role(role)
    assert client.get("/directory/new").status_code == status
    assert client.get("/directory/import").status_code == status
    assert client.get("/directory/ties/import").status_code == status
    assert client.get(f"/directory/{world['org_c']}/merge").status_code == status


@pytest.mark.parametrize("role", ["writer", "viewer", "partner", "outsider"])
def test_lead_only_posts_are_refused(app, as_role, world, role):
    client = as_role(role)
    assert client.post(f"/directory/{world['org_c']}/delete").status_code in (403, 404)
    assert client.post(
        f"/directory/{world['org_a']}/ties", data={"other": world["org_b"], "kind": "informal"}
    ).status_code in (403, 404)
    assert _count(app) == 3
    assert _count(app, Tie) == 0


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["reemploi", "RÉEMPLOI", "Réemploi sud", "ars sud", "marseille reemploi"]
)
def test_search_ignores_case_and_accents(as_role, query):
    page = as_role("lead").get("/directory", query_string={"q": query}).get_data(as_text=True)
    assert "Association Réemploi Sud" in page
    assert "Bureau Vert" not in page


def test_search_by_keyword_and_description(app, as_role, world):
    with app.app_context():
        client = as_role("lead")
        client.post(
            "/directory/new",
            data=dict(
                VALID,
                pic="",
                keywords="Déconstruction sélective",
                description="Ateliers de réparation",
            ),
        )
    for query in ("deconstruction", "reparation"):
        page = as_role("lead").get("/directory", query_string={"q": query}).get_data(as_text=True)
        assert "Réemploi Bâtiment Sud" in page, query
        assert "1 organisation" in page


def test_search_treats_like_wildcards_literally(as_role):
    page = as_role("lead").get("/directory", query_string={"q": "%"}).get_data(as_text=True)
    assert "0 organisations" in page


def test_filters_type_country_theme_pic_and_status(app, as_role, world):
    with app.app_context():
        factories.make_org("Ente Italiano", country="IT", city="Roma", themes=("water",))
        db.session.commit()
    lead = as_role("lead")

    def names(**args):
        page = lead.get("/directory", query_string=args).get_data(as_text=True)
        return [
            n
            for n in (
                "Association Réemploi Sud",
                "Ville de Marseille",
                "Bureau Vert",
                "Ente Italiano",
            )
            if n in page
        ]

    assert names(type="sme") == ["Bureau Vert"]
    assert names(country="Italie") == ["Ente Italiano"]
    assert names(country="IT") == ["Ente Italiano"]
    assert names(theme="water") == ["Ente Italiano"]
    assert names(pic="present") == ["Association Réemploi Sud"]
    assert names(pic="missing") == ["Ville de Marseille", "Bureau Vert", "Ente Italiano"]
    assert names(proposal=world["proposal"], status="confirmed") == ["Ville de Marseille"]
    assert names(proposal=world["proposal"], status="none") == ["Ente Italiano"]
    assert names(type="bogus", sort="bogus", page="x") == [
        "Association Réemploi Sud",
        "Ville de Marseille",
        "Bureau Vert",
        "Ente Italiano",
    ]


def test_proposal_filter_of_someone_elses_proposal_is_404(app, as_role, world):
    with app.app_context():
        other = factories.make_proposal(acronym="OTHER")
        db.session.commit()
        other_id = other.id
    assert as_role("lead").get(f"/directory?proposal={other_id}").status_code == 404
    assert as_role("partner").get(f"/directory?proposal={world['proposal']}").status_code == 404
    assert as_role("admin").get(f"/directory?proposal={other_id}").status_code == 200


def test_pagination_uses_page_size(make_app):
    app = make_app(PAGE_SIZE=2)
    with app.app_context():
        factories.standard_world()
    client = app.test_client()
    client.post(
        "/login", data={"email": "lead@example.org", "password": "correct horse battery staple"}
    )
    first = client.get("/directory").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Association Réemploi Sud" in first
    assert "Ville de Marseille" not in first
    second = client.get("/directory?page=2").get_data(as_text=True)
    assert "Ville de Marseille" in second
    assert client.get("/directory?page=99").status_code == 200


# --- create, edit, conflicts, bad input ------------------------------------------------------


def test_lead_creates_an_organisation_with_every_field(app, as_role):
    response = as_role("lead").post("/directory/new", data=VALID)
    assert response.status_code == 302
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.pic == "987654321"))
        assert (org.name, org.acronym, org.org_type, org.country, org.city) == (
            "Réemploi Bâtiment Sud",
            "RBS2",
            "social_economy",
            "FR",
            "Aix-en-Provence",
        )
        assert org.theme_codes == ["circular_economy_waste"]
        assert org.keywords == ["réemploi", "BTP"]
        assert org.languages == ["fr", "en"]
        assert (org.staff, org.annual_budget_eur) == (12, Decimal("450000.50"))
        assert [(p.programme, p.reference, p.title, p.year, p.role) for p in org.past_projects] == [
            ("LIFE", "LIFE20 ENV/FR/000123", "Reuse hub", 2021, "partner")
        ]
        assert [(c.name, c.function, c.email, c.phone) for c in org.contacts] == [
            ("Nadia Benali", "Directrice", "nadia@rbs.example.org", "+33 4 91 00 00 00")
        ]
        assert org.shared_with_partners is True and org.notes == "Très fiable."
        assert org.search_text == (
            "reemploi batiment sud rbs2 aix-en-provence reemploi des materiaux du batiment. "
            "reemploi btp"
        )
        assert org.name_key == "reemploi batiment sud"
        assert org.created_by.email == "lead@example.org"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pic", "12345", "PIC “12345” is invalid: a PIC is exactly 9 digits."),
        ("country", "Atlantis", "Unknown country “Atlantis”"),
        ("staff", "-3", "Must not be negative (got -3)."),
        ("description", "x" * 20_001, "Too long: 20001 characters, the limit is 20000."),
        ("name", "Bad\x00name", "Remove the control characters from this text."),
        ("name", "", "This field is required."),
        ("annual_budget_eur", "lots", "“lots” is not an amount"),
        (
            "contacts",
            "Anne | Chef | not-an-email",
            "Contact 1: “not-an-email” is not a valid e-mail address.",
        ),
    ],
)
def test_bad_input_gets_a_precise_message_and_saves_nothing(app, as_role, field, value, message):
    response = as_role("lead").post("/directory/new", data=dict(VALID, **{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(app) == 3


def test_a_10_mb_description_is_refused_with_a_message(app, as_role):
    response = as_role("lead").post(
        "/directory/new", data=dict(VALID, description="x" * 10_000_000)
    )
    assert response.status_code == 200
    assert "Too long: 10000000 characters, the limit is 20000." in response.get_data(as_text=True)
    assert _count(app) == 3


def test_stale_edit_gets_409_and_keeps_the_text(app, as_role, world):
    org = _org(app, world["org_c"])
    data = dict(VALID, pic="", version=str(org.version), description="Mon texte précieux")
    _set(app, world["org_c"], city="Aubagne")  # someone else saved meanwhile
    response = as_role("lead").post(f"/directory/{world['org_c']}/edit", data=data)
    assert response.status_code == 409
    assert "Mon texte précieux" in response.get_data(as_text=True)
    assert _org(app, world["org_c"]).name == "Bureau Vert"


def test_edit_refuses_a_pic_used_by_another_organisation(app, as_role, world):
    version = _org(app, world["org_c"]).version
    data = dict(VALID, pic="123 456 789", version=str(version))
    response = as_role("lead").post(f"/directory/{world['org_c']}/edit", data=data)
    assert "PIC 123456789 is already used by “Association Réemploi Sud”." in response.get_data(
        as_text=True
    )
    assert _org(app, world["org_c"]).pic is None


# --- duplicates ------------------------------------------------------------------------------


def test_same_name_in_same_city_offers_the_existing_record(app, as_role, world):
    client = as_role("lead")
    data = dict(VALID, name="Réemploi Sud (association)", city="Marseille", pic="")
    page = client.post("/directory/new", data=data).get_data(as_text=True)
    assert "This looks like an organisation already in the directory" in page
    assert f"/directory/{world['org_a']}" in page and "Create anyway" in page
    assert _count(app) == 3
    response = client.post("/directory/new", data=dict(data, create_anyway="1"))
    assert response.status_code == 302
    assert _count(app) == 4


def test_same_pic_offers_the_existing_record_and_merge_into_it(app, as_role, world):
    client = as_role("lead")
    data = dict(VALID, name="Totally different", pic="123456789")
    page = client.post("/directory/new", data=data).get_data(as_text=True)
    assert "same PIC" in page
    response = client.post(
        "/directory/new", data=dict(data, pic="", merge_into=str(world["org_a"]))
    )
    assert response.headers["Location"].endswith(f"/directory/{world['org_a']}")
    org = _org(app, world["org_a"])
    assert _count(app) == 3
    assert org.name == "Association Réemploi Sud" and org.website == "https://rbs.example.org"


# --- delete ----------------------------------------------------------------------------------


def test_delete_is_refused_while_the_organisation_takes_part_in_a_proposal(app, as_role, world):
    response = as_role("lead").post(f"/directory/{world['org_a']}/delete", follow_redirects=True)
    assert (
        "“Association Réemploi Sud” takes part in REUSE and cannot be deleted; "
        "merge it into another organisation instead."
    ) in response.get_data(as_text=True)
    assert _count(app) == 3


def test_delete_an_organisation_outside_proposals(app, as_role, world):
    with app.app_context():
        org = factories.make_org("Éphémère")
        db.session.add(
            Tie(organisation_a_id=world["org_a"], organisation_b_id=org.id, kind="informal")
        )
        db.session.commit()
        org_id = org.id
    response = as_role("lead").post(f"/directory/{org_id}/delete")
    assert response.status_code == 302
    assert _org(app, org_id) is None and _count(app, Tie) == 0


# --- ties ------------------------------------------------------------------------------------


def test_add_and_delete_a_tie(app, as_role, world):
    client = as_role("lead")
    response = client.post(
        f"/directory/{world['org_c']}/ties",
        data={
            "other": world["org_a"],
            "kind": "formal_agreement",
            "year": "2020",
            "note": "Convention",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        tie = db.session.scalar(select(Tie))
        assert (tie.organisation_a_id, tie.organisation_b_id, tie.kind, tie.year, tie.note) == (
            world["org_a"],
            world["org_c"],
            "formal_agreement",
            2020,
            "Convention",
        )
        tie_id = tie.id
    page = client.get(f"/directory/{world['org_a']}").get_data(as_text=True)
    assert "Bureau Vert" in page and "Formal agreement" in page
    # IDOR canary: the tie does not belong to org_b.
    assert client.post(f"/directory/{world['org_b']}/ties/{tie_id}/delete").status_code == 404
    assert client.post(f"/directory/{world['org_a']}/ties/{tie_id}/delete").status_code == 302
    assert _count(app, Tie) == 0


def test_a_tie_of_another_kind_is_declared_and_shown_as_other(app, as_role, world):
    client = as_role("lead")
    response = client.post(
        f"/directory/{world['org_c']}/ties",
        data={"other": world["org_a"], "kind": "other", "note": "Même club de voile"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Tie.kind)) == "other"
    page = client.get(f"/directory/{world['org_a']}").get_data(as_text=True)
    assert "Other" in page and "Même club de voile" in page
    french = client.get(f"/directory/{world['org_a']}", headers={"Accept-Language": "fr"})
    assert "Autre" in french.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"other": "self", "kind": "informal"}, "An organisation cannot have a tie with itself."),
        ({"other": "", "kind": "informal"}, "Choose an organisation from the directory."),
        ({"other": "999999", "kind": "informal"}, "Choose an organisation from the directory."),
        (
            {"other": "b", "kind": "informal", "year": "2999"},
            "Year: Number must be between 1900 and 2100.",
        ),
        ({"other": "b", "kind": "informal", "year": "2099"}, "Year 2099 is in the future"),
        ({"other": "b", "kind": "bogus"}, "Kind of tie: Not a valid choice."),
        ({"other": "b", "kind": "informal", "note": "x" * 1001}, "Too long: 1001 characters"),
    ],
)
def test_bad_ties_are_rejected_with_a_message(app, as_role, world, data, message):
    data = dict(data)
    data["other"] = {"self": str(world["org_a"]), "b": str(world["org_b"])}.get(
        data["other"], data["other"]
    )
    page = (
        as_role("lead")
        .post(f"/directory/{world['org_a']}/ties", data=data, follow_redirects=True)
        .get_data(as_text=True)
    )
    assert message in page
    assert _count(app, Tie) == 0


def test_duplicate_tie_is_rejected(app, as_role, world):
    client = as_role("lead")
    data = {"other": world["org_b"], "kind": "informal"}
    client.post(f"/directory/{world['org_a']}/ties", data=data)
    page = client.post(
        f"/directory/{world['org_b']}/ties",
        data={"other": world["org_a"], "kind": "informal"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "This tie already exists." in page
    assert _count(app, Tie) == 1


# --- export ----------------------------------------------------------------------------------


def _rows(data: bytes):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_honours_filters(as_role):
    data = as_role("lead").get("/directory/export?format=csv&type=sme").data
    assert [r["name"] for r in _rows(data)] == ["Bureau Vert"]


def test_partner_export_has_only_visible_entries_without_private_fields(app, as_role, world):
    _set(app, world["org_b"], shared_with_partners=True, annual_budget_eur=Decimal("5"))
    response = as_role("partner").get("/directory/export?format=csv&contacts=1")
    rows = _rows(response.data)
    assert [r["name"] for r in rows] == ["Association Réemploi Sud", "Ville de Marseille"]
    assert "contacts" not in rows[0] and {r["annual_budget_eur"] for r in rows} == {""}


def test_export_xlsx_is_a_workbook(as_role):
    response = as_role("viewer").get("/directory/export?format=xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert as_role("viewer").get("/directory/export?format=pdf").status_code == 404

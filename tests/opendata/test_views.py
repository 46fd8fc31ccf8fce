"""Open-data pages: who may do what, CSRF, the Europe-wide search and adding in one click."""

import io

import pytest
from sqlalchemy import select

from consortium.extensions import db
from consortium.opendata.models import ImportJob, OpenOrganisation

from .conftest import DATA, HE_SAMPLE, import_file

ROLES = {
    "admin": "admin@example.org",
    "lead": "lead@example.org",
    "writer": "writer@example.org",
    "viewer": "viewer@example.org",
    "partner": "partner@example.org",
    "outsider": "outsider@example.org",
}


@pytest.fixture
def app(make_app):
    return make_app(OPENDATA_JOBS="inline")


@pytest.fixture
def loaded(app, opendata_world):
    import_file(app, HE_SAMPLE)
    import_file(app, DATA / "cordis_h2020_project_list_sample.csv")
    with app.app_context():
        review = db.session.scalar(
            select(OpenOrganisation.id).where(OpenOrganisation.match_status == "review")
        )
        other = db.session.scalar(
            select(OpenOrganisation.id).where(OpenOrganisation.name == "RISINGSUD")
        )
        job = ImportJob(filename="x.csv", stored_path="opendata/none.csv", status="done")
        db.session.add(job)
        db.session.commit()
        return {**opendata_world, "review": review, "other": other, "job": job.id}


def _as(client, login, role):
    if role != "anonymous":
        login(ROLES[role])
    return client


EDITOR_ONLY = {
    "admin": 200,
    "lead": 200,
    "writer": 403,
    "viewer": 403,
    "partner": 403,
    "outsider": 403,
    "anonymous": 302,
}
READERS = {
    "admin": 200,
    "lead": 200,
    "writer": 200,
    "viewer": 200,
    "partner": 403,
    "outsider": 403,
    "anonymous": 302,
}
PROPOSAL_READERS = {
    "admin": 200,
    "lead": 200,
    "writer": 200,
    "viewer": 200,
    "partner": 403,
    "outsider": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("role", list(EDITOR_ONLY))
def test_pages_per_role(client, login, loaded, role):
    _as(client, login, role)
    pages = [
        ("/opendata/", EDITOR_ONLY),
        ("/opendata/review", EDITOR_ONLY),
        (f"/opendata/jobs/{loaded['job']}", EDITOR_ONLY),
        (f"/opendata/jobs/{loaded['job']}/progress", EDITOR_ONLY),
        (f"/opendata/organisations/{loaded['other']}", READERS),
        (f"/opendata/proposals/{loaded['proposal']}/partners?q=battery", PROPOSAL_READERS),
        (f"/opendata/proposals/{loaded['proposal']}/europe", PROPOSAL_READERS),
    ]
    got = {url: client.get(url).status_code for url, _expected in pages}
    assert got == {url: expected[role] for url, expected in pages}


@pytest.mark.parametrize("role", list(EDITOR_ONLY))
def test_changes_per_role(client, login, loaded, app, role):
    _as(client, login, role)
    expected = {"admin": 302, "lead": 302}.get(role, 302 if role == "anonymous" else 403)
    assert client.post(f"/opendata/review/{loaded['review']}/reject").status_code == expected
    assert client.post(f"/opendata/organisations/{loaded['other']}/add").status_code == expected
    assert client.post("/opendata/rematch").status_code == expected
    with app.app_context():
        status = db.session.get(OpenOrganisation, loaded["review"]).match_status
        added = db.session.get(OpenOrganisation, loaded["other"]).organisation_id
    assert (status == "rejected", added is not None) == (
        (True, True) if expected == 302 and role != "anonymous" else (False, False)
    )


def test_missing_ids_are_404(client, login, loaded):
    login(ROLES["lead"])
    assert client.get("/opendata/jobs/999999").status_code == 404
    assert client.get("/opendata/organisations/999999").status_code == 404
    assert client.post("/opendata/review/999999/confirm").status_code == 404
    # an organisation that is not in the review queue cannot be confirmed
    assert client.post(f"/opendata/review/{loaded['other']}/confirm").status_code == 404
    assert client.get("/opendata/proposals/999999/partners").status_code == 404


def test_csrf_is_enforced(make_app, opendata_world):
    from tests import factories  # noqa: F401

    app = make_app(WTF_CSRF_ENABLED=True, OPENDATA_JOBS="inline")
    with app.app_context():
        from tests.factories import standard_world

        standard_world()
    client = app.test_client()
    page = client.get("/login")
    token = (
        page.get_data(as_text=True)
        .split('name="csrf_token" type="hidden" value="')[1]
        .split('"')[0]
    )
    client.post(
        "/login",
        data={
            "email": ROLES["lead"],
            "password": "correct horse battery staple",
            "csrf_token": token,
        },
    )
    assert client.get("/opendata/").status_code == 200
    for url in (
        "/opendata/",
        "/opendata/review/1/confirm",
        "/opendata/organisations/1/add",
        "/opendata/jobs/1/cancel",
        "/opendata/rematch",
    ):
        assert client.post(url, data={}).status_code == 400, url


def test_upload_runs_the_import_and_shows_the_summary(client, login, opendata_world, app):
    login(ROLES["lead"])
    response = client.post(
        "/opendata/",
        data={"file": (io.BytesIO(HE_SAMPLE.read_bytes()), "organization.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "217 rows read." in page
    assert "Organisations: 174 new, 0 updated." in page
    assert "Directory: 2 organisations matched, 1 to review." in page
    progress = client.get(response.headers["Location"] + "/progress").get_json()
    assert (progress["status"], progress["percent"], progress["finished"]) == ("done", 100.0, True)


def test_upload_without_a_file_is_a_message(client, login, opendata_world):
    login(ROLES["lead"])
    response = client.post("/opendata/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a file to import." in response.get_data(as_text=True)


def test_europe_search_ranks_open_data_organisations_not_in_the_directory(client, login, loaded):
    login(ROLES["lead"])
    page = client.get(f"/opendata/proposals/{loaded['proposal']}/partners?q=battery")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "TIAMAT" in text  # coordinator of NAIMA (Na-ion battery cells)
    assert "COMMISSARIAT A L ENERGIE ATOMIQUE" in text  # ASTRABAT, a solid-state battery
    assert "IRD" not in text.split('data-testid="europe-results"')[1]  # in the directory
    # each score says why, and the page says which organisations are ranked
    assert text.count("<summary>Why</summary>") == text.count('data-testid="europe-row-')
    assert "the 300 with the most projects are ranked" in text


def test_partners_page_in_french(client, login, loaded):
    login(ROLES["lead"])
    client.post("/language/fr", data={"next": "/"})
    text = client.get(f"/opendata/proposals/{loaded['proposal']}/partners").get_data(as_text=True)
    assert "Partenaires de toute l’Europe" in text


def test_review_page_lists_the_candidate_and_confirming_moves_projects(client, login, loaded, app):
    login(ROLES["lead"])
    text = client.get("/opendata/review").get_data(as_text=True)
    assert "PROTISVALOR MEDITERRANEE SAS" in text and "Protisvalor" in text
    assert client.post(f"/opendata/review/{loaded['review']}/confirm").status_code == 302
    assert "Nothing to review." in client.get("/opendata/review").get_data(as_text=True)


def test_open_data_organisation_pages_its_projects(client, login, loaded, app):
    login(ROLES["lead"])
    with app.app_context():
        ird = db.session.scalar(
            select(OpenOrganisation.id).where(OpenOrganisation.pic == "999513803")
        )
    text = client.get(f"/opendata/organisations/{ird}").get_data(as_text=True)
    assert "13 projects" in text
    assert "In the directory as" in text


def test_a_website_that_is_not_http_is_shown_as_text_never_linked(client, login, loaded, app):
    login(ROLES["lead"])
    with app.app_context():
        org = db.session.get(OpenOrganisation, loaded["other"])
        org.website = "javascript:alert(1)"
        db.session.commit()
    text = client.get(f"/opendata/organisations/{loaded['other']}").get_data(as_text=True)
    assert "javascript:alert(1)" in text
    assert 'href="javascript:' not in text


def test_a_file_name_with_control_characters_is_kept_readable(client, login, opendata_world, app):
    login(ROLES["lead"])
    response = client.post(
        "/opendata/",
        data={"file": (io.BytesIO(b""), "\x00bad.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
        assert (job.filename, job.status) == ("bad.csv", "failed")


def test_matching_again_finds_an_organisation_added_since_the_import(client, login, loaded, app):
    """The lead adds an organisation the open data knows, then asks for a new matching from
    the open-data page: a background job (inline here) links it and fills its projects."""
    from tests import factories

    with app.app_context():
        open_org = db.session.get(OpenOrganisation, loaded["other"])
        assert open_org.organisation_id is None
        added = factories.make_org(
            open_org.name.title(), country=open_org.country, city=open_org.city or "Marseille"
        )
        db.session.commit()
        added_id = added.id
    login(ROLES["lead"])
    assert client.post(f"/opendata/review/{loaded['review']}/reject").status_code == 302
    page = client.get("/opendata/").get_data(as_text=True)
    assert 'data-testid="rematch-form"' in page and "Match again with the directory" in page
    response = client.post("/opendata/rematch")
    assert response.status_code == 302
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Matching again with the directory</h1>" in job_page
    assert "rows read" not in job_page
    progress = client.get(response.headers["Location"] + "/progress").get_json()
    assert (progress["status"], progress["percent"]) == ("done", 100.0)
    with app.app_context():
        open_org = db.session.get(OpenOrganisation, loaded["other"])
        assert (open_org.organisation_id, open_org.match_status) == (added_id, "auto")
        job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
        assert (job.kind, job.status, job.filename) == ("rematch", "done", "")
        # the decision the lead took in the review queue is kept
        assert db.session.get(OpenOrganisation, loaded["review"]).match_status == "rejected"


def test_europe_search_scores_against_the_consortium_and_its_needs(app, loaded):
    """Found in Europe, an organisation is weighed as the fit page weighs the directory: what
    it adds to the consortium as it stands, and the workshops' needs as part of the query."""
    from consortium.fit.scoring import Component
    from consortium.opendata import services
    from consortium.proposals.models import Proposal
    from tests import factories

    with app.app_context():
        proposal = db.session.get(Proposal, loaded["proposal"])
        workshop = factories.make_workshop(proposal)
        factories.make_output(workshop, "Recycle the sodium-ion battery cells of the buses")
        db.session.commit()
        ranked = services.rank_for_proposal(proposal, services.SearchQuery(text="battery"))
        rows = {row.org.short_name or row.org.name: row.fit for row in ranked}

        def said(fit, component):
            return [r.text("en") for r in fit.component(component).reasons]

        tiamat = rows["TIAMAT"]
        assert tiamat.org_id < 0  # open-data ids never meet the directory's
        assert any(
            text.startswith("Matches this proposal's actions and needs on:")
            for text in said(tiamat, Component.RELEVANCE)
        )
        # the consortium lacks what the needs name and no member covers: the battery cells
        brings = said(tiamat, Component.COMPLEMENTARITY)[0]
        assert brings.startswith("Brings what the consortium lacks:") and "battery" in brings


def test_europe_search_says_who_can_only_be_an_associated_partner(client, login, loaded):
    login(ROLES["lead"])
    text = client.get(f"/opendata/proposals/{loaded['proposal']}/partners?country=US").get_data(
        as_text=True
    )
    rows = text.count('data-testid="europe-row-')
    assert rows == text.count(">Associated partner only<") > 0
    assert text.count("Established in US, a country not associated to LIFE") == rows

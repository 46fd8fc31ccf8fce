"""Importing open data: matching, past projects, ties, idempotence, review, jobs."""

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select

from consortium.directory.models import Organisation, PastProject, Tie
from consortium.extensions import db
from consortium.opendata import jobs, services
from consortium.opendata.models import ImportJob, OpenOrganisation, OpenParticipation, OpenProject

from .conftest import DATA, HE_SAMPLE, import_file

TODAY = dt.date(2026, 12, 4)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_matches_fills_past_projects_and_queues_the_uncertain(app, opendata_world):
    summary = import_file(app, HE_SAMPLE, today=TODAY)
    assert (summary.organisations_new, summary.projects_new, summary.participations_new) == (
        174,
        27,
        217,
    )
    assert (summary.matched, summary.to_review) == (2, 1)
    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(OpenOrganisation.organisation_id, OpenOrganisation.match_reason).where(
                    OpenOrganisation.match_status == "auto"
                )
            ).all()
        )
        assert statuses == {opendata_world["ird"]: "pic", opendata_world["amu"]: "name"}
        review = db.session.scalar(
            select(OpenOrganisation).where(OpenOrganisation.match_status == "review")
        )
        assert (review.name, review.candidate_id) == (
            "PROTISVALOR MEDITERRANEE SAS",
            opendata_world["protisvalor"],
        )
        ird_projects = db.session.scalars(
            select(PastProject).where(PastProject.organisation_id == opendata_world["ird"])
        ).all()
        assert len(ird_projects) == 13
        assert {p.programme for p in ird_projects} == {"Horizon Europe"}
        amu = db.session.get(Organisation, opendata_world["amu"])
        assert amu.pic == "955518483"  # the open data's PIC fills the empty one


def test_reimport_is_idempotent(app, opendata_world):
    import_file(app, HE_SAMPLE, today=TODAY)
    with app.app_context():
        before = (
            _count(OpenOrganisation),
            _count(OpenProject),
            _count(OpenParticipation),
            _count(PastProject),
            _count(Tie),
        )
    again = import_file(app, HE_SAMPLE, today=TODAY)
    assert (
        again.organisations_new,
        again.organisations_updated,
        again.projects_new,
        again.participations_new,
        again.past_projects_added,
        again.ties_created,
    ) == (0, 0, 0, 0, 0, 0)
    with app.app_context():
        after = (
            _count(OpenOrganisation),
            _count(OpenProject),
            _count(OpenParticipation),
            _count(PastProject),
            _count(Tie),
        )
    assert after == before


def test_project_file_completes_titles_and_years_of_an_organisation_file(
    app, opendata_world, tmp_path
):
    project = tmp_path / "project.csv"
    project.write_text(
        "id;acronym;title;startDate;frameworkProgramme;topics;objective\n"
        "101059915;BIOVALUE;Valorising biodiversity;2022-09-01;HORIZON;HORIZON-CL6-2021;Text\n",
        encoding="utf-8",
    )
    import_file(app, HE_SAMPLE, today=TODAY)
    summary = import_file(app, project, today=TODAY)
    assert (summary.projects_new, summary.projects_updated) == (1, 0)
    with app.app_context():
        stored = db.session.scalar(select(OpenProject).where(OpenProject.reference == "101059915"))
        assert (stored.title, stored.year, stored.programme) == (
            "Valorising biodiversity",
            2022,
            "Horizon Europe",
        )


def test_shared_projects_become_weighted_ties_with_their_evidence(app, opendata_world, tmp_path):
    rows = [
        "projectID;organisationID;name;country;city;role",
        "101000100;999513803;IRD;FR;Marseille;coordinator",
        "101000100;955518483;UNIVERSITE D'AIX MARSEILLE;FR;Marseille;participant",
        "101000200;999513803;IRD;FR;Marseille;participant",
        "101000200;955518483;UNIVERSITE D'AIX MARSEILLE;FR;Marseille;coordinator",
    ]
    path = tmp_path / "organization.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    summary = import_file(app, path, today=TODAY)
    assert summary.ties_created == 1
    with app.app_context():
        tie = db.session.scalar(select(Tie))
        a, b = sorted((opendata_world["ird"], opendata_world["amu"]))
        assert (tie.organisation_a_id, tie.organisation_b_id, tie.kind) == (a, b, "past_project")
        assert tie.evidence == ["cordis:101000100", "cordis:101000200"]
        assert tie.weight == 1.0  # two projects without a year: 0.5 each


def test_the_network_counts_shared_projects_once_through_the_ties_strength(
    app, opendata_world, tmp_path
):
    """Open data fills both the tie (weighted by recency) and each side's past projects; the
    network counts each shared project once, through the tie's strength, and still counts a
    project the open data does not know."""
    from consortium.network.analysis import build_graph
    from consortium.network.services import load_evidence, load_nodes

    rows = [
        "projectID;organisationID;name;country;city;role",
        "101000100;999513803;IRD;FR;Marseille;coordinator",
        "101000100;955518483;UNIVERSITE D'AIX MARSEILLE;FR;Marseille;participant",
        "101000200;999513803;IRD;FR;Marseille;participant",
        "101000200;955518483;UNIVERSITE D'AIX MARSEILLE;FR;Marseille;coordinator",
    ]
    path = tmp_path / "organization.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_file(app, path, today=TODAY)
    ird, amu = opendata_world["ird"], opendata_world["amu"]
    with app.app_context():
        graph = build_graph(load_nodes(), load_evidence())
        edge = graph.edges[ird, amu]
        # tie strength 1.0 (two undated projects, 0.5 each) x 3 points for a past project
        assert (edge["points"], edge["weight"], edge["sources"]) == (3.0, 2.0, ("declared",))
        for org in (ird, amu):
            db.session.add(
                PastProject(organisation_id=org, programme="LIFE", reference="LIFE-9", title="x")
            )
        db.session.commit()
        graph = build_graph(load_nodes(), load_evidence())
        edge = graph.edges[ird, amu]
        assert (edge["points"], edge["sources"]) == (6.0, ("declared", "past_project"))
        assert edge["refs"] == ("LIFE-9",)


def test_confirming_a_review_links_the_organisation_and_rejecting_is_final(app, opendata_world):
    import_file(app, HE_SAMPLE, today=TODAY)
    with app.app_context():
        item = db.session.scalar(
            select(OpenOrganisation).where(OpenOrganisation.match_status == "review")
        )
        services.confirm_match(item, actor=None)
        db.session.commit()
        assert item.organisation_id == opendata_world["protisvalor"]
        assert _count(PastProject) > 0
        projects = db.session.scalars(
            select(PastProject.reference).where(
                PastProject.organisation_id == opendata_world["protisvalor"]
            )
        ).all()
        assert len(projects) == 3
    import_file(app, HE_SAMPLE, today=TODAY)
    with app.app_context():
        assert db.session.get(OpenOrganisation, item.id).match_status == "confirmed"


def test_add_to_directory_creates_the_organisation_with_its_projects(app, opendata_world):
    import_file(app, HE_SAMPLE, today=TODAY)
    with app.app_context():
        belspo = db.session.scalar(
            select(OpenOrganisation).where(OpenOrganisation.name.like("%RISINGSUD%"))
        )
        org = services.add_to_directory(belspo, actor=None)
        db.session.commit()
        assert (org.name, org.country, org.pic, org.city) == (
            "RISINGSUD",
            "FR",
            belspo.pic,
            belspo.city,
        )
        assert len(org.past_projects) == 1
        with pytest.raises(services.ValidationFailed):
            services.add_to_directory(belspo, actor=None)


@pytest.fixture
def queued_job(app, opendata_world):
    def make(source=HE_SAMPLE):
        with app.app_context():
            folder = app.config["UPLOAD_FOLDER"]
            from pathlib import Path

            target = Path(folder) / "opendata"
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / "x.csv")
            job = jobs.create_job("x.csv", "opendata/x.csv", actor=None)
            db.session.commit()
            return job.id

    return make


def test_a_job_runs_and_records_its_summary(app, queued_job):
    job_id = queued_job()
    with app.app_context():
        seen = []
        job = jobs.run_job(job_id, echo=lambda stage, fraction: seen.append((stage, fraction)))
        assert job.status == "done"
        assert job.summary["organisations_new"] == 174
        assert next(s for s, _f in seen) == "read" and seen[-1] == ("directory", 1.0)
        fractions = [f for _s, f in seen]
        assert fractions == sorted(fractions)
        assert jobs.store().read(job_id).fraction == 1.0


def test_a_cancelled_job_leaves_the_database_as_it_was(app, queued_job):
    job_id = queued_job()
    with app.app_context():
        jobs.store().request_cancel(job_id)
        job = jobs.run_job(job_id)
        assert job.status == "cancelled"
        assert _count(OpenOrganisation) == 0
        assert _count(PastProject) == 0


def test_a_failed_job_leaves_the_database_as_it_was(app, queued_job, monkeypatch):
    job_id = queued_job()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "refresh_directory", broken)
    with app.app_context():
        job = jobs.run_job(job_id)
        assert (job.status, job.message) == ("failed", "RuntimeError: disk full")
        assert _count(OpenOrganisation) == 0
        assert _count(OpenProject) == 0


def test_an_unreadable_file_fails_the_job_with_a_message(app, queued_job, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n")
    job_id = queued_job(bad)
    with app.app_context():
        job = jobs.run_job(job_id)
        assert job.status == "failed"
        assert job.message.startswith("This file is not a CORDIS organisation")
        assert db.session.get(ImportJob, job_id).finished_at is not None


def test_cli_import_prints_the_summary_and_is_repeatable(app, opendata_world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["opendata", "import", "--quiet", str(HE_SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "217 rows read (cordis_organisations): 174 new organisations" in result.output
    assert "2 matched organisations, 1 to review" in result.output
    again = runner.invoke(args=["opendata", "import", "--quiet", str(HE_SAMPLE)])
    assert "0 new organisations, 0 updated" in again.output
    life = runner.invoke(
        args=["opendata", "import", "--quiet", str(DATA / "life_projects_fr_sample.csv")]
    )
    assert "40 new projects" in life.output


def test_cli_dry_run_changes_nothing(app, opendata_world):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["opendata", "import", "--quiet", "--dry-run", str(HE_SAMPLE)])
    assert "Dry run: nothing imported." in result.output
    with app.app_context():
        assert _count(OpenOrganisation) == 0


def _redis_or_skip(url):
    import redis

    connection = redis.Redis.from_url(url, socket_connect_timeout=0.3)
    try:
        connection.ping()
    except (redis.exceptions.ConnectionError, OSError):
        pytest.skip("no Redis at 127.0.0.1:6379")
    return connection


def test_a_job_queued_on_redis_is_run_by_the_rq_worker(make_app, tmp_path):
    """The production path: RQ on Redis (database 15, emptied first), a burst worker."""
    url = "redis://127.0.0.1:6379/15"
    connection = _redis_or_skip(url)
    connection.flushdb()
    from rq import Queue, SimpleWorker

    from tests import factories

    app = make_app(REDIS_URL=url, OPENDATA_JOBS="rq")
    with app.app_context():
        factories.standard_world()
        target = tmp_path / "uploads" / "opendata"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(HE_SAMPLE, target / "x.csv")
        job = jobs.create_job("x.csv", "opendata/x.csv", actor=None)
        db.session.commit()
        assert jobs.start(job.id) == "rq"
        assert db.session.get(ImportJob, job.id).status == "queued"
        worker = SimpleWorker([Queue(jobs.QUEUE, connection=connection)], connection=connection)
        worker.work(burst=True)
        db.session.expire_all()
        done = db.session.get(ImportJob, job.id)
        assert (done.status, done.summary["organisations_new"]) == ("done", 174)
        progress = jobs.store().read(job.id)
        assert (progress.fraction, progress.stage) == (1.0, "done")
    connection.flushdb()


def test_a_decision_refreshes_only_its_organisation_and_agrees_with_a_full_refresh(
    app, opendata_world, tmp_path
):
    rows = [
        "projectID;organisationID;name;country;city;role",
        "101000300;999513803;IRD;FR;Marseille;coordinator",
        "101000300;966696472;PROTISVALOR MEDITERRANEE SAS;FR;Marseille;participant",
    ]
    path = tmp_path / "organization.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    import_file(app, HE_SAMPLE, today=TODAY)
    import_file(app, path, today=TODAY)
    with app.app_context():
        item = db.session.scalar(
            select(OpenOrganisation).where(OpenOrganisation.match_status == "review")
        )
        services.confirm_match(item, actor=None)
        db.session.commit()
        a, b = sorted((opendata_world["ird"], opendata_world["protisvalor"]))
        tie = db.session.scalar(
            select(Tie).where(Tie.organisation_a_id == a, Tie.organisation_b_id == b)
        )
        assert tie.evidence == ["cordis:101000300"]
        summary = services.ImportSummary()
        services.refresh_directory(actor=None, summary=summary, today=TODAY)
        assert (summary.past_projects_added, summary.ties_created, summary.ties_updated) == (
            0,
            0,
            0,
        )


def test_a_job_keeps_the_upload_name_on_one_line_without_control_characters(app):
    """A NUL in an uploaded file's name made PostgreSQL refuse the job row (a 500 the
    form sweep found on PostgreSQL)."""
    with app.app_context():
        job = jobs.create_job("\x00cordis\n2024\x1f.csv", "opendata/x.csv", actor=None)
        db.session.commit()
        assert db.session.get(ImportJob, job.id).filename == "cordis2024.csv"

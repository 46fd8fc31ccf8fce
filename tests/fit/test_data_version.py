"""The directory's data version: the fit keeps profiles and index per version, and every way
of writing organisations, themes or past projects gives the directory a new version."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.orm import Session

from consortium.directory.models import (
    LISTED_LIMIT,
    DirectoryRevision,
    Organisation,
    OrganisationTheme,
    PastProject,
    Tie,
    current_revision,
)
from consortium.extensions import db
from consortium.fit import services
from tests import factories
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def directory(app):
    """Two organisations, one with a past project; returns their ids."""
    with app.app_context():
        first = factories.make_org("Atelier du réemploi", description="Réemploi des matériaux")
        second = factories.make_org("Jardins partagés", description="Jardins et compost")
        first.past_projects = [
            PastProject(
                programme="LIFE", reference="LIFE20 ENV/FR/001", title="Réemploi", year=2021
            )
        ]
        db.session.commit()
        return {"first": first.id, "second": second.id}


def _snapshot(app) -> services.DirectorySnapshot:
    with app.app_context():
        snapshot = services.directory_snapshot()
        db.session.commit()
        return snapshot


def test_an_unchanged_directory_reuses_its_profiles_and_index(app, directory):
    first = _snapshot(app)
    again = _snapshot(app)
    assert again is first
    assert first.revision is not None and len(first.revision) == 32
    assert sorted(first.profiles) == [directory["first"], directory["second"]]


def test_a_write_elsewhere_keeps_the_version(app, directory):
    before = _snapshot(app)
    with app.app_context():
        factories.make_proposal(acronym="AUTRE")  # a proposal and its topic
        db.session.commit()
    assert _snapshot(app) is before


def _edit_description(ids):
    db.session.get(Organisation, ids["first"]).description = "Toitures végétalisées"


def _add_theme(ids):
    org = db.session.get(Organisation, ids["second"])
    org.themes.append(OrganisationTheme(theme="water"))


def _bulk_insert_project(ids):  # as the open-data import does
    db.session.execute(
        insert(PastProject.__table__),
        [
            {
                "organisation_id": ids["second"],
                "programme": "H2020",
                "title": "Compost",
                "role": "partner",
            }
        ],
    )


def _repoint_projects(ids):  # as a merge moves the other organisation's projects
    db.session.execute(
        update(PastProject)
        .where(PastProject.organisation_id == ids["first"])
        .values(organisation_id=ids["second"])
    )


def _bulk_delete_themes(ids):
    db.session.execute(delete(OrganisationTheme))


def _delete_organisation(ids):
    db.session.delete(db.session.get(Organisation, ids["second"]))


def _declare_tie(ids):
    db.session.add(
        Tie(organisation_a_id=ids["first"], organisation_b_id=ids["second"], kind="informal")
    )


def _bulk_insert_organisation(ids):  # as the directory's spreadsheet import does
    db.session.execute(
        insert(Organisation),
        [{"name": "Nouvelle structure", "country": "FR", "org_type": "sme"}],
    )


@pytest.mark.parametrize(
    ("write", "seen"),
    [
        (
            _edit_description,
            lambda snap, ids: snap.profiles[ids["first"]].text.endswith("Toitures végétalisées"),
        ),
        (_add_theme, lambda snap, ids: snap.profiles[ids["second"]].themes == frozenset({"water"})),
        (
            _bulk_insert_project,
            lambda snap, ids: (
                [x.title for x in snap.profiles[ids["second"]].past_projects] == ["Compost"]
            ),
        ),
        (
            _repoint_projects,
            lambda snap, ids: (
                snap.profiles[ids["first"]].past_projects == ()
                and [x.reference for x in snap.profiles[ids["second"]].past_projects]
                == ["LIFE20 ENV/FR/001"]
            ),
        ),
        (_bulk_delete_themes, lambda snap, ids: all(not x.themes for x in snap.profiles.values())),
        (_delete_organisation, lambda snap, ids: ids["second"] not in snap.profiles),
        (
            _bulk_insert_organisation,
            lambda snap, ids: "Nouvelle structure" in {x.name for x in snap.profiles.values()},
        ),
        (
            _declare_tie,
            lambda snap, ids: snap.ties.get(ids["first"]) == frozenset({ids["second"]}),
        ),
    ],
    ids=[
        "form edit",
        "theme added",
        "bulk project insert",
        "bulk project update",
        "bulk theme delete",
        "organisation deleted",
        "bulk organisation insert",
        "tie declared",
    ],
)
def test_every_way_of_writing_the_directory_gives_it_a_new_version(app, directory, write, seen):
    with app.app_context():
        factories.make_org("Thème à retirer", themes=("energy",))  # something for the bulk delete
        db.session.commit()
    before = _snapshot(app)
    with app.app_context():
        write(directory)
        db.session.commit()
    after = _snapshot(app)
    assert after.revision != before.revision
    assert seen(after, directory)
    assert not seen(before, directory)


def test_a_rolled_back_edit_is_never_served(app, directory):
    before = _snapshot(app)
    with app.app_context():
        _edit_description(directory)
        inside = services.directory_snapshot()  # the transaction sees its own edit
        assert inside.profiles[directory["first"]].text.endswith("Toitures végétalisées")
        db.session.rollback()
    after = _snapshot(app)
    assert after.revision == before.revision
    assert after.profiles[directory["first"]].text.endswith("Réemploi des matériaux")


def test_the_version_row_is_written_at_commit_only(app, directory):
    """A long transaction (an open-data import) must not hold the version row from its first
    write: concurrent edits would queue behind it."""
    before = _snapshot(app)
    with app.app_context():
        _edit_description(directory)
        db.session.flush()
        stored = db.session.scalar(select(DirectoryRevision.token))
        assert stored == before.revision  # not yet written
        assert current_revision(db.session) is None  # but nothing kept fits this transaction
        db.session.commit()
        assert db.session.scalar(select(DirectoryRevision.token)) not in (None, before.revision)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="two writers at once: PostgreSQL")
def test_a_long_transaction_writing_the_directory_does_not_block_another_edit(app, directory):
    """Two sessions at once, as an open-data import running beside a lead's edit."""
    before = _snapshot(app)
    with app.app_context(), Session(db.engine) as importing, Session(db.engine) as editing:
        importing.get(Organisation, directory["first"]).description = "Import en cours"
        importing.flush()  # holds its organisation's row, not the version's
        editing.execute(text("SET LOCAL lock_timeout = '2s'"))  # fail rather than hang
        editing.get(Organisation, directory["second"]).description = "Édition"
        editing.commit()
        edited = current_revision(editing)
        importing.commit()
        imported = current_revision(importing)
        # each names the version it really replaced: the import, committed last, the edit's
        row = importing.execute(select(DirectoryRevision.previous, DirectoryRevision.changed))
        assert tuple(row.one()) == (edited, [directory["first"]])
    assert len({before.revision, edited, imported}) == 3
    assert _snapshot(app).profiles[directory["first"]].text.endswith("Import en cours")


def test_the_index_reads_an_edited_organisation_afresh(app, directory):
    before = _snapshot(app)
    with app.app_context():
        _edit_description(directory)
        db.session.commit()
    after = _snapshot(app)
    assert after.index is not before.index
    first = after.profiles[directory["first"]]
    assert after.index.row_of(first) is not None
    terms = after.index.org_terms(first)
    assert terms["vegetalis"] == 1 and terms["#green_roofs"] == 1


def test_an_emptied_version_table_is_rebuilt_by_the_next_write_and_nothing_is_kept_meanwhile(
    app, directory
):
    with app.app_context():
        db.session.execute(delete(DirectoryRevision))
        db.session.commit()
    first = _snapshot(app)
    assert first.revision is None
    assert _snapshot(app) is not first  # no version: read every time
    with app.app_context():
        _edit_description(directory)
        db.session.commit()
        assert current_revision(db.session) is not None
    versioned = _snapshot(app)
    assert versioned.revision is not None
    assert _snapshot(app) is versioned


def _afresh(app) -> services.DirectorySnapshot:
    """The snapshot read from scratch, leaving the kept one in place."""
    with app.app_context():
        store = app.extensions["fit"]
        kept = store.pop("directory")
        fresh = services.directory_snapshot()
        store["directory"] = kept
        db.session.commit()
        return fresh


def _share_project(ids):  # the third records the first's project: a tie through it
    org = db.session.get(Organisation, ids["third"])
    org.past_projects.append(
        PastProject(programme="LIFE", reference="LIFE20 ENV/FR/001", title="Réemploi", year=2021)
    )


def _move_project(ids):  # the first's project is now the second's
    project = db.session.scalars(
        select(PastProject).where(PastProject.organisation_id == ids["first"])
    ).first()
    project.organisation_id = ids["second"]


def _delete_projects(ids):
    org = db.session.get(Organisation, ids["third"])
    org.past_projects.clear()


def _delete_tie(ids):
    db.session.delete(db.session.scalars(select(Tie)).one())


def _add_organisation(ids):
    ids["fourth"] = factories.make_org("Quatrième", description="Énergie solaire").id


@pytest.fixture
def reads(monkeypatch) -> list[frozenset[int] | None]:
    """What each snapshot read of the profiles: the organisations, or None for all."""
    seen: list[frozenset[int] | None] = []
    load_profiles = services.load_profiles

    def counted(ids=None):
        seen.append(None if ids is None else frozenset(ids))
        return load_profiles(ids)

    monkeypatch.setattr(services, "load_profiles", counted)
    return seen


def test_a_snapshot_patched_after_each_edit_equals_one_read_afresh(app, directory, reads):
    with app.app_context():
        ids = {**directory, "third": factories.make_org("Compost Provence").id}
        db.session.commit()
    _snapshot(app)
    steps = [
        (_edit_description, {"first"}),
        (_add_theme, {"second"}),
        (_share_project, {"third"}),
        (_move_project, {"first", "second"}),
        (_delete_projects, {"third"}),
        (_declare_tie, {"first", "second"}),
        (_delete_tie, {"first", "second"}),
        (_add_organisation, {"fourth"}),
        (_delete_organisation, {"second"}),
    ]
    ties_seen = set()
    for write, changed in steps:
        with app.app_context():
            write(ids)
            db.session.commit()
        reads.clear()
        patched = _snapshot(app)
        assert reads == [{ids[name] for name in changed}]  # only what the version changed
        fresh = _afresh(app)
        assert dict(patched.profiles) == dict(fresh.profiles)
        assert dict(patched.ties) == dict(fresh.ties)
        assert list(patched.profiles) == sorted(patched.profiles)
        ties_seen.add(tuple(sorted((k, tuple(sorted(v))) for k, v in patched.ties.items())))
    assert len(ties_seen) >= 4  # the steps did make and unmake ties


@pytest.mark.parametrize(
    "writes",
    [[_edit_description, _add_theme], [_repoint_projects], [_bulk_insert_organisation]],
    ids=["two versions behind", "bulk update", "bulk insert"],
)
def test_a_snapshot_further_behind_or_after_a_bulk_statement_reads_everything(
    app, directory, reads, writes
):
    _snapshot(app)
    for write in writes:
        with app.app_context():
            write(directory)
            db.session.commit()
    reads.clear()
    snapshot = _snapshot(app)
    assert reads == [None]
    fresh = _afresh(app)
    assert dict(snapshot.profiles) == dict(fresh.profiles)
    assert dict(snapshot.ties) == dict(fresh.ties)


def test_a_version_changing_many_organisations_records_any(app, directory, reads):
    _snapshot(app)
    with app.app_context():
        for number in range(LISTED_LIMIT + 1):
            factories.make_org(f"Organisation {number}")
        db.session.commit()
        assert db.session.scalar(select(DirectoryRevision.changed)) is None
    reads.clear()
    snapshot = _snapshot(app)
    assert reads == [None] and len(snapshot.profiles) == LISTED_LIMIT + 3


def test_the_version_row_names_the_version_it_replaced_and_what_it_changed(app, directory):
    before = _snapshot(app)
    with app.app_context():
        _edit_description(directory)
        db.session.commit()
        row = db.session.execute(select(DirectoryRevision)).scalar_one()
        assert (row.previous, row.changed) == (before.revision, [directory["first"]])
        edited = row.token
        _declare_tie(directory)
        _repoint_projects(directory)  # a bulk statement: which rows, unknown
        db.session.commit()
        assert (row.previous, row.changed) == (edited, None)

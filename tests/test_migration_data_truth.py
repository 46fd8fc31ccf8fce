"""The data steps of the truth migrations on existing rows: placeholder sections for every
proposal (truth_02) and the organisations' sort keys (truth_03)."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from consortium import create_app
from consortium.dossier.models import Section
from consortium.dossier.structure import load_structure
from consortium.extensions import db
from consortium.folding import collation_key
from tests import factories
from tests.conftest import TEST_DATABASE_URL


def test_existing_proposals_get_placeholder_sections_and_organisations_a_sort_key(tmp_path):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'data.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url})
    directory = app.config["MIGRATIONS_DIRECTORY"]
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(directory=directory)
        ids = factories.standard_world()  # a proposal without sections, as before truth_02
        # end the session's transaction: its table locks would hold the downgrade's DROP TABLE
        # (of later migrations' tables) until PostgreSQL's statement timeout
        db.session.commit()
        db.session.remove()
        downgrade(directory=directory, revision="truth_01")
        upgrade(directory=directory)
        db.session.expire_all()
        rows = db.session.execute(
            select(Section.code, Section.language, Section.body, Section.generated_body)
            .where(Section.proposal_id == ids["proposal"])
            .order_by(Section.id)
        ).all()
        expected = [s.code for s in load_structure("SAP") if s.drafting_key != "heading"]
        assert [r.code for r in rows] == expected
        assert {(r.language, r.body, r.generated_body) for r in rows} == {("en", "", None)}
        names = db.session.execute(
            select(factories.Organisation.name, factories.Organisation.sort_key)
        ).all()
        assert all(key == collation_key(name) and key for name, key in names)
        db.session.rollback()  # the reads' transaction would hold the downgrade's DDL
        downgrade(directory=directory, revision="truth_01")  # placeholders go, nothing else
        assert db.session.scalar(select(Section.id).limit(1)) is None
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()

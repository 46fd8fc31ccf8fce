"""Upgrading an empty database yields exactly the models' schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from consortium import create_app
from consortium.extensions import db
from tests.conftest import TEST_DATABASE_URL


def _app(tmp_path):
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    return create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url})


def _empty(app):
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_upgrade_from_empty_matches_models(tmp_path):
    app = _app(tmp_path)
    _empty(app)
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIRECTORY"])
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        tables = set(inspect(db.engine).get_table_names())
    _empty(app)
    with app.app_context():
        db.engine.dispose()

    assert diff == []
    assert set(db.metadata.tables) <= tables


def test_downgrade_to_base_removes_every_table(tmp_path):
    app = _app(tmp_path)
    _empty(app)
    with app.app_context():
        upgrade(directory=app.config["MIGRATIONS_DIRECTORY"])
        downgrade(directory=app.config["MIGRATIONS_DIRECTORY"], revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        db.engine.dispose()

    assert remaining == set()

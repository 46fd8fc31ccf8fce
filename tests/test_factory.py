from pathlib import Path

import pytest

from consortium import create_app


def test_factory_honours_test_config(app):
    assert app.testing is True
    assert app.config["SECRET_KEY"] == "test-secret-key-not-for-production"


def test_default_config_reads_environment_and_generates_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSORTIUM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CONSORTIUM_DATABASE_URL", "sqlite:///from-env.sqlite")

    app = create_app()

    assert app.testing is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-env.sqlite"
    key = (Path(tmp_path) / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == key
    assert len(key) == 64
    assert create_app().config["SECRET_KEY"] == key  # kept across restarts


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSORTIUM_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text("PAGE_SIZE = 7\nSECRET_KEY = 'from-instance-file'\n")

    app = create_app()

    assert app.config["PAGE_SIZE"] == 7
    assert app.config["SECRET_KEY"] == "from-instance-file"


@pytest.mark.parametrize("key", [None, "dev", "short-key"])
def test_production_refuses_missing_or_development_key(tmp_path, monkeypatch, key):
    monkeypatch.setenv("CONSORTIUM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CONSORTIUM_ENV_NAME", "production")
    if key:
        monkeypatch.setenv("CONSORTIUM_SECRET_KEY", key)

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_sets_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("CONSORTIUM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CONSORTIUM_ENV_NAME", "production")
    monkeypatch.setenv("CONSORTIUM_SECRET_KEY", "9f2c4e7a1b3d5f8e0a6c2b4d7e9f1a3c5b7d9e2f4a6c8e0b")

    app = create_app()

    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_sqlite_connections_enforce_foreign_keys_and_wal(tmp_path):
    from sqlalchemy import text

    from consortium.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}",
        }
    )
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        db.engine.dispose()

"""Extension singletons, created unbound and attached to the app in ``init_extensions``."""

from __future__ import annotations

import math
import sqlite3
import time
from datetime import UTC, datetime

from flask import Flask, request, session
from flask_babel import Babel, lazy_gettext
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Stores UTC without zone (same on SQLite and PostgreSQL), returns aware datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


def select_locale() -> str:
    """The language chosen with the switcher, else the browser's preference, else English."""
    chosen = session.get("lang")
    if chosen in ("en", "fr"):
        return chosen
    return request.accept_languages.best_match(["en", "fr"]) or "en"


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def engine_options(
    url: str, options: dict, *, connect_timeout: int, statement_timeout_ms: int
) -> dict:
    """PostgreSQL connections give up connecting after ``connect_timeout`` seconds and
    cancel any statement (lock waits included) after ``statement_timeout_ms``: a hung
    database yields a 503, not a worker held until it is killed. 0 turns a limit off."""
    if not url.startswith("postgresql"):
        return dict(options)
    connect_args = dict(options.get("connect_args", {}))
    if connect_timeout:
        connect_args["connect_timeout"] = connect_timeout
    if statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    return {**options, "connect_args": connect_args}


def _sqlite_statement_deadline(engine, timeout_ms: int) -> None:
    """SQLite has no statement timeout: a progress handler interrupts a statement still
    running ``timeout_ms`` after it started (``sqlite3.OperationalError: interrupted``).
    Lock waits are bounded by the busy timeout already."""

    @event.listens_for(engine, "connect")
    def watch(dbapi_connection, record) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        deadline = [math.inf]
        record.info["statement_deadline"] = deadline
        dbapi_connection.set_progress_handler(lambda: time.monotonic() > deadline[0], 10_000)

    @event.listens_for(engine, "before_cursor_execute")
    def start(connection, *_args) -> None:
        deadline = connection.info.get("statement_deadline")
        if deadline is not None:
            deadline[0] = time.monotonic() + timeout_ms / 1000

    def clear(connection) -> None:
        deadline = connection.info.get("statement_deadline")
        if deadline is not None:
            deadline[0] = math.inf  # raw uses (the online backup) are never interrupted

    event.listen(engine, "after_cursor_execute", lambda connection, *_args: clear(connection))
    event.listen(
        engine,
        "handle_error",
        lambda context: clear(context.connection) if context.connection is not None else None,
    )


def init_extensions(app: Flask, translation_directories: list[str]) -> None:
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        connect_timeout=app.config["DATABASE_CONNECT_TIMEOUT"],
        statement_timeout_ms=app.config["DATABASE_STATEMENT_TIMEOUT_MS"],
    )
    db.init_app(app)
    with app.app_context():
        event.listen(db.engine, "connect", _sqlite_pragmas(app.config["SQLITE_BUSY_TIMEOUT_MS"]))
        if db.engine.dialect.name == "sqlite" and app.config["DATABASE_STATEMENT_TIMEOUT_MS"]:
            _sqlite_statement_deadline(db.engine, app.config["DATABASE_STATEMENT_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIRECTORY"])
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories)
    babel.init_app(app, locale_selector=select_locale)

"""consortium: assemble a consortium for an EU LIFE grant."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent
AREAS = (
    "archive",
    "auth",
    "calls",
    "proposals",
    "directory",
    "workshops",
    "fit",
    "network",
    "commitments",
    "dossier",
    "tasks",
    "api",
    "opendata",
)
DEVELOPMENT_KEYS = {"dev", "development", "changeme", "secret", "test"}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=ROOT / "templates",
        static_folder=ROOT / "static",
        instance_path=str(Path(os.environ.get("CONSORTIUM_INSTANCE_PATH", ROOT / "instance"))),
        instance_relative_config=True,
    )
    _configure(app, test_config)

    from .web.routing import BoundedIntegerConverter

    # Ids in URLs must fit the databases' integer columns; larger ones are simply not found.
    app.url_map.converters["int"] = BoundedIntegerConverter
    from .extensions import init_extensions

    init_extensions(app, _translation_directories())
    _import_models()

    from .web import assets, errors, finding_filters, locale, logs, security

    logs.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    locale.init_app(app)
    finding_filters.init_app(app)
    assets.init_app(app)

    from .api import views as api
    from .auth import views as auth
    from .calls import views as calls
    from .commitments import views as commitments
    from .directory import views as directory
    from .dossier import views as dossier
    from .fit import views as fit
    from .network import views as network
    from .opendata import views as opendata
    from .proposals import views as proposals
    from .tasks import views as tasks
    from .workshops import views as workshops

    for area in (
        auth,
        calls,
        proposals,
        directory,
        workshops,
        fit,
        network,
        commitments,
        dossier,
        opendata,
        tasks,
        api,
    ):
        app.register_blueprint(area.bp)

    app.jinja_env.add_extension("jinja2.ext.do")
    endpoints = frozenset(app.view_functions)
    app.context_processor(lambda: {"nav_endpoints": endpoints})

    from . import cli

    cli.init_app(app)
    return app


def _configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    from .config import Defaults

    app.config.from_object(Defaults)
    app.config["MIGRATIONS_DIRECTORY"] = str(PACKAGE / "migrations")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CONSORTIUM")
        if "DATABASE_URL" in app.config:
            app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    else:
        app.config.from_mapping(test_config)
    production = app.config["ENV_NAME"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("SECRET_KEY must be set in production (CONSORTIUM_SECRET_KEY).")
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    if production:
        key = str(app.config["SECRET_KEY"])
        # Long is not enough: "k" * 32 is long. A generated key has many different characters.
        if key.lower() in DEVELOPMENT_KEYS or len(key) < 32 or len(set(key)) < 12:
            raise RuntimeError("Refusing to start in production with a development SECRET_KEY.")
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    upload = Path(app.config["UPLOAD_FOLDER"])
    app.config["UPLOAD_FOLDER"] = str(
        upload if upload.is_absolute() else Path(app.instance_path) / upload
    )
    if any(
        app.config.get(name)
        for name in ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST")
    ):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
            x_host=app.config["PROXY_FIX_X_HOST"],
        )


def _instance_secret_key(instance: Path) -> str:
    """A random key kept in instance/secret_key so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker won the race
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _import_models() -> None:
    """Every table is known to the metadata (migrations, create_all) whatever views import."""
    import importlib
    import importlib.util

    for area in AREAS:
        if importlib.util.find_spec(f"{__name__}.{area}.models") is not None:
            importlib.import_module(f"{__name__}.{area}.models")


def _translation_directories() -> list[str]:
    found = [PACKAGE / "translations"]
    found += sorted(
        PACKAGE / area / "translations"
        for area in AREAS
        if (PACKAGE / area / "translations").is_dir()
    )
    return [str(path) for path in found]

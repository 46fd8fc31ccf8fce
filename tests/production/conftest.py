"""A deployed instance (gunicorn on a prepared database) shared by a module's tests."""

from __future__ import annotations

import contextlib

import pytest

from tests.production import server as srv


@contextlib.contextmanager
def deployed(tmp_path_factory, name: str, *, workers: int = 2, **extra: str):
    base = tmp_path_factory.mktemp(name)
    with contextlib.ExitStack() as stack:
        if srv.TEST_DATABASE_URL:
            url = stack.enter_context(srv.postgres_database(f"_{name}"))
        else:
            url = f"sqlite:///{base / 'consortium.sqlite'}"
        env = srv.prepared_environment(base / "instance", url, **extra)
        srv.prepare_database(env)
        server = stack.enter_context(srv.gunicorn(env, base / "gunicorn.log", workers=workers))
        server.env = env
        server.database_url = url
        server.instance = base / "instance"
        yield server


@pytest.fixture(scope="module")
def proxied_server(tmp_path_factory):
    """Behind one proxy: ProxyFix trusts one X-Forwarded-For/-Proto/-Host."""
    with deployed(
        tmp_path_factory,
        "deploy",
        CONSORTIUM_PROXY_FIX_X_FOR="1",
        CONSORTIUM_PROXY_FIX_X_PROTO="1",
        CONSORTIUM_PROXY_FIX_X_HOST="1",
    ) as server:
        yield server

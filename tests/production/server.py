"""Start the real thing for production tests: a prepared database (SQLite file, or a
dedicated PostgreSQL database next to CONSORTIUM_TEST_DATABASE_URL) and gunicorn with the
deploy/gunicorn.conf.py settings, plus a tiny HTTP client that parses CSRF tokens and keeps
cookies (even Secure ones: the proxy is simulated with X-Forwarded-Proto)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"|value="([^"]+)" name="csrf_token"'
)
TEST_DATABASE_URL = os.environ.get("CONSORTIUM_TEST_DATABASE_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token in the form"
    return next(group for group in match.groups() if group)


# ---------------------------------------------------------------------------------------
# Databases


@contextlib.contextmanager
def postgres_database(suffix: str):
    """A fresh database named after the test database plus ``suffix``; dropped afterwards."""
    import psycopg

    url = urllib.parse.urlsplit(TEST_DATABASE_URL.replace("postgresql+psycopg", "postgresql"))
    name = url.path.lstrip("/") + suffix
    admin = url._replace(path="/postgres").geturl()

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    try:
        yield (
            url._replace(path="/" + name).geturl().replace("postgresql:", "postgresql+psycopg:", 1)
        )
    finally:
        run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepared_environment(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CONSORTIUM_", "GUNICORN_"))
    }
    env.update(
        {
            "CONSORTIUM_INSTANCE_PATH": str(instance),
            "CONSORTIUM_DATABASE_URL": database_url,
            "CONSORTIUM_ENV_NAME": "production",
            "CONSORTIUM_SECRET_KEY": "k" * 16 + "production-test-key-0123456789",
            # Fast hashes for the demo accounts: the tests measure the server, not scrypt.
            "CONSORTIUM_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "consortium", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def prepare_database(env: dict[str, str]) -> None:
    """What the README says: db upgrade, setup, and here the demo data."""
    flask(env, "db", "upgrade")
    flask(env, "setup")
    flask(env, "demo", "load")


# ---------------------------------------------------------------------------------------
# gunicorn


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def client(self, **headers: str) -> Client:
        return Client(self.port, dict(headers))

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "gunicorn exited:\n" + self.log
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.client().get("/api/v1/health").status == 200:
                    return
            time.sleep(0.2)
        raise AssertionError("gunicorn did not become healthy:\n" + self.log)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log_path: Path, *, workers: int = 2, timeout: int = 60):
    port = free_port()
    command = [
        str(VENV_BIN / "gunicorn"),
        "--config",
        str(ROOT / "deploy/gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(timeout),
        "consortium:create_app()",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, port, log_path)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


# ---------------------------------------------------------------------------------------
# Client


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Client:
    port: int
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        sent = {"Host": f"127.0.0.1:{self.port}", **self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie = pair.partition("=")
                if cookie and "Max-Age=0" not in value and "expires=Thu, 01 Jan 1970" not in value:
                    self.cookies[key.strip()] = cookie
                else:
                    self.cookies.pop(key.strip(), None)
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def post_form(
        self,
        path: str,
        fields: dict[str, str] | list[tuple[str, str]],
        headers: dict[str, str] | None = None,
    ) -> Reply:
        body = urllib.parse.urlencode(fields).encode()
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.referer(path),
                **(headers or {}),
            },
        )

    def referer(self, path: str) -> str:
        scheme = self.headers.get("X-Forwarded-Proto", "http")
        host = self.headers.get("X-Forwarded-Host", f"127.0.0.1:{self.port}")
        return f"{scheme}://{host}{path}"

    def log_in(self, email: str, password: str = "marseille2030") -> Reply:
        form = self.get("/login")
        assert form.status == 200, form.text[:500]
        reply = self.post_form(
            "/login", {"csrf_token": csrf_token(form.text), "email": email, "password": password}
        )
        assert reply.status == 302, reply.text[:1000]
        return reply

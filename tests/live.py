"""A real threaded HTTP server on loopback around a test app, for concurrency tests: each
request gets its own thread, database session and connection, as in production."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from werkzeug.serving import make_server

from tests.production.server import Client


@contextlib.contextmanager
def serving(app) -> Iterator[Callable[[], Client]]:
    """Yields a factory of cookie-keeping clients for the running server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lambda: Client(server.server_port)
    finally:
        server.shutdown()
        thread.join(timeout=10)


def at_once(count: int, action: Callable[[int], object], *, timeout: float = 60) -> list:
    """Run ``action(i)`` in ``count`` threads released together; their results in order.
    Bounded: a thread still running after ``timeout`` seconds fails the test."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        barrier.wait(timeout=timeout)
        try:
            results[index] = action(index)
        except Exception as error:  # reported as a result so the test shows every failure
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results

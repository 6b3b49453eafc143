"""Requests released together from many threads, as from separate gunicorn workers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from flask import Flask
from flask.testing import FlaskClient

T = TypeVar("T")


def in_parallel(app: Flask, count: int, prepare: Callable[[FlaskClient, int], Callable[[], T]]) -> list[T]:
    """Send ``count`` requests at once, each from a thread and a test client of its own.

    ``prepare(client, n)`` does what comes before the request (fetch a form,
    sign in) and returns the request itself; every thread then waits at a
    barrier, so the requests reach the app together, as from separate gunicorn
    workers (each has its own app context, session and pooled connection).
    """
    barrier = threading.Barrier(count)

    def run(n: int) -> T:
        send = prepare(app.test_client(), n)
        barrier.wait()
        return send()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))

"""The SQL statements a request runs, captured with SQLAlchemy events.

Enumeration tests compare two request paths (a number that is not ours, and a
subscriber with a wrong answer) by the statements they send, not by the clock:
the same statement texts in the same order do the same work, and a timing test
that fails under load is a flaky test. Timing comparisons are reported by
``make bench`` instead.

Usage::

    with captured_statements(app) as first:
        client.post(...)
    with captured_statements(app) as second:
        client.post(...)
    assert first == second

Parameters are left out (they differ: the numbers, the ids); the texts are
compared with whitespace tidied. ``SAVEPOINT`` names carry a counter that is
the same for the same sequence, so they stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from recovery.extensions import db

_SPACE = re.compile(r"\s+")


def _tidy(statement: str) -> str:
    return _SPACE.sub(" ", statement).strip()


class Statements(list):
    """The statements seen, in order (tidied SQL texts)."""

    def kinds(self) -> list[str]:
        """The first word of each statement (``SELECT``, ``INSERT`` …), for readable failures."""
        return [text.split(" ", 1)[0].upper() for text in self]


def engine_of(app: Flask) -> Engine:
    """The app's engine (read in an app context)."""
    with app.app_context():
        return db.engine


@contextmanager
def captured_statements(app: Flask) -> Iterator[Statements]:
    """Collect every statement sent on ``app``'s engine while the block runs."""
    engine = engine_of(app)
    seen = Statements()

    def before(_conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        seen.append(_tidy(statement))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)

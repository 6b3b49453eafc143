"""Waking an idle worker as soon as a provisioning row is committed (PostgreSQL ``LISTEN``/``NOTIFY``).

``provisioning.enqueue`` sends ``NOTIFY provisioning`` in the row's own
transaction: PostgreSQL delivers it only on commit (and never on rollback), so
a listening worker starts on the row at once instead of at its next poll.
SQLite has no such thing; there, and whenever the listening connection fails,
the worker just sleeps its poll interval. A lost notification costs one poll
interval, never a row: the table, not the notification, is the queue.
"""

from __future__ import annotations

import logging
import threading

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

CHANNEL = "provisioning"

logger = logging.getLogger(__name__)


def notify(session: Session) -> None:
    """Tell listening workers that a row is coming (on PostgreSQL; delivered at commit)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


class Waiter:
    """Sleeps up to a timeout, or until a notification (PostgreSQL) or a stop request."""

    def __init__(self, url: URL, stopping: threading.Event) -> None:
        self.stopping = stopping
        self.conninfo = (
            url.set(drivername="postgresql").render_as_string(hide_password=False)
            if url.get_backend_name() == "postgresql"
            else None
        )
        self.connection: psycopg.Connection | None = None

    def wait(self, timeout: float) -> None:
        """Return after ``timeout`` seconds, or sooner when a row was committed."""
        if self.conninfo is None:
            self.stopping.wait(timeout)
            return
        try:
            if self.connection is None:
                self.connection = psycopg.connect(self.conninfo, autocommit=True)
                self.connection.execute(f"LISTEN {CHANNEL}")
            for _ in self.connection.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.Error as exc:
            logger.warning("provisioning LISTEN failed (%s); polling", type(exc).__name__)
            self.close()
            self.stopping.wait(timeout)

    def close(self) -> None:
        """Close the listening connection."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None

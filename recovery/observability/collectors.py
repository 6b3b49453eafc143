"""Figures read at scrape time: the outboxes' depth and age, this worker's pool size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from recovery.observability.outboxes import OUTBOXES


class OutboxCollector:
    """``recovery_outbox_depth`` and ``recovery_outbox_oldest_age_seconds`` per outbox."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One query per outbox, at scrape time (not per request)."""
        depth = GaugeMetricFamily("recovery_outbox_depth", "Rows waiting in each outbox.", labels=["outbox"])
        age = GaugeMetricFamily(
            "recovery_outbox_oldest_age_seconds",
            "Age of the oldest waiting row in each outbox (0 when empty).",
            labels=["outbox"],
        )
        for outbox in OUTBOXES.values():
            try:
                count, oldest = outbox.backlog(self.session)
            except SQLAlchemyError:
                self.session.rollback()
                continue
            depth.add_metric([outbox.name], count)
            age.add_metric([outbox.name], (self.now - oldest).total_seconds() if oldest else 0.0)
        yield depth
        yield age


class PoolCollector:
    """``recovery_db_pool_size``: the connections this worker's pool keeps (beside the in-use gauge)."""

    def __init__(self, pool: object) -> None:
        self.pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The pool's configured size, where the pool has one (0 otherwise)."""
        size = GaugeMetricFamily("recovery_db_pool_size", "Connections the database pool keeps, per worker.")
        size.add_metric([], float(getattr(self.pool, "size", lambda: 0)()))
        yield size

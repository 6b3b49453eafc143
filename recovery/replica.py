"""Partner read traffic from a PostgreSQL streaming replica (``DATABASE_REPLICA_URL``).

Banks ask SIM Swap, KYC Match, Number Recycling and KYC Tenure on every login
and payment; those answers only read. With ``DATABASE_REPLICA_URL`` set, the
subscriber look-up behind them goes to a hot-standby replica while everything
they write — the per-number budget, the audit row — still goes to the primary
in the request's own session.

A replica is used only while it is fit: it answers, it is still replaying
(``pg_is_in_recovery``), its WAL receiver is streaming, and what it has
received is replayed to within ``REPLICA_MAX_LAG_SECONDS``. Fitness is asked
at most once per ``REPLICA_CHECK_SECONDS`` in each process (one statement, on
the replica). A replica that is down, lags, or fails a read is left alone for
``REPLICA_RETRY_SECONDS`` and the primary answers: never a 500 for a replica.

The lag bound matters: a SIM swap committed on the primary reaches a bank
asking the replica only when it is replayed, so the bound is the longest a
fresh swap can be answered "not swapped" (docs/SCALING.md).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, g
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from recovery.extensions import db

T = TypeVar("T")
logger = logging.getLogger(__name__)

EXTENSION = "recovery.replica"
#: One statement on the replica: in recovery, streaming, and how far replay trails what it received.
FITNESS = text(
    "SELECT pg_is_in_recovery(),"
    " COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false),"
    " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 'Infinity')"
    " END"
)


class Replica:
    """The replica's engine and this process's view of whether it may be read."""

    def __init__(self, url: str, *, max_lag: float, check_every: float, retry_after: float) -> None:
        self.engine: Engine = create_engine(
            url,
            pool_pre_ping=True,
            hide_parameters=True,
            # A replica that does not answer must not hold the bank's request for long.
            connect_args={"connect_timeout": 2},
        )
        self.max_lag = max_lag
        self.check_every = check_every
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._fit_until = 0.0
        self._unfit_until = 0.0

    def fit(self) -> bool:
        """True when the replica may answer now (asked at most once per ``check_every``)."""
        now = time.monotonic()
        if now < self._fit_until:
            return True
        if now < self._unfit_until:
            return False
        with self._lock:
            now = time.monotonic()
            if now < self._fit_until or now < self._unfit_until:
                return now < self._fit_until
            reason = self._unfitness()
            if reason is None:
                self._fit_until = now + self.check_every
                return True
            self.set_aside(reason)
            return False

    def _unfitness(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                in_recovery, streaming, lag = connection.execute(FITNESS).one()
        except DBAPIError as error:
            return f"unreachable ({type(error.orig).__name__})"
        if not in_recovery:
            return "not a standby (promoted?)"
        if not streaming:
            return "its WAL receiver is not streaming"
        if float(lag) > self.max_lag:
            return f"replay {float(lag):.1f} s behind"
        return None

    def set_aside(self, reason: str) -> None:
        """Read from the primary for ``retry_after`` seconds."""
        self._fit_until = 0.0
        self._unfit_until = time.monotonic() + self.retry_after
        logger.warning("read replica set aside for %s s: %s", self.retry_after, reason)


def init_replica(app: Flask) -> None:
    """Make the replica engine of ``app`` when ``DATABASE_REPLICA_URL`` names a PostgreSQL replica."""
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return
    if not make_url(url).get_backend_name().startswith("postgresql"):
        raise RuntimeError("DATABASE_REPLICA_URL must name a PostgreSQL streaming replica")
    app.extensions[EXTENSION] = Replica(
        url,
        max_lag=float(app.config["REPLICA_MAX_LAG_SECONDS"]),
        check_every=float(app.config["REPLICA_CHECK_SECONDS"]),
        retry_after=float(app.config["REPLICA_RETRY_SECONDS"]),
    )

    @app.teardown_appcontext
    def close_replica_session(_error: BaseException | None) -> None:
        session = g.pop("replica_session", None)
        if session is not None:
            session.close()


def read_only(lookup: Callable[[Session], T]) -> T:
    """``lookup(session)`` on the replica when it is fit, else (or when the replica fails) on the primary.

    The replica session is the request's (closed at teardown), so what the
    look-up returns can still load its relations there. Exceptions of the look-up's own
    (a number that is not ours) pass through unchanged.
    """
    replica: Replica | None = current_app.extensions.get(EXTENSION)
    if replica is None or not replica.fit():
        return lookup(db.session)
    session = g.get("replica_session")
    if session is None:
        session = g.replica_session = Session(replica.engine, expire_on_commit=False)
    try:
        return lookup(session)  # its read transaction ends at teardown, when the session closes
    except DBAPIError as error:
        session.rollback()
        replica.set_aside(f"a read failed ({type(error.orig).__name__})")
        return lookup(db.session)

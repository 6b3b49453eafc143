"""A pooled connection is checked before a request gets it, without a round trip when it can be.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` on every checkout: one more
round trip per request, a quarter of ``/healthz`` (issue 16). A database that
restarts, or an administrator's ``pg_terminate_backend``, tells the client
first: the server sends a FATAL message and closes the socket. So on
PostgreSQL (psycopg) a pooled connection is asked, at no cost, whether libpq
still calls it good and whether anything is waiting on its socket; an idle
connection has nothing to read unless the server said something, and then
(or when the connection sat unused longer than ``DATABASE_PING_AFTER_IDLE_SECONDS``,
where a silent death — a dropped route, a host gone — is likelier) the real
ping is made. A connection that fails it is replaced before the request sees
it (``DisconnectionError``: the pool opens a new one). Other databases
(SQLite in tests and development) get the real ping on every checkout, as
``pool_pre_ping`` gave them.
"""

from __future__ import annotations

import select
import time
import weakref
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

#: Where a pooled connection's record keeps when it was last given back (``time.monotonic``).
_CHECKED_IN_AT = "recovery_checked_in_at"
#: The engines already checked here (an app built twice on one engine installs once).
_CHECKED_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def _ping(engine: Engine, dbapi_connection: Any) -> None:
    try:
        engine.dialect.do_ping(dbapi_connection)
    except engine.dialect.loaded_dbapi.Error as error:
        raise exc.DisconnectionError(
            f"the pooled connection failed its ping ({type(error).__name__})"
        ) from error


def _looks_alive(dbapi_connection: Any) -> bool:
    """libpq's status is good and nothing unasked waits on the socket (psycopg 3)."""
    from psycopg import pq

    pgconn = dbapi_connection.pgconn
    if dbapi_connection.closed or pgconn.status != pq.ConnStatus.OK:
        return False
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        poller = select.poll()  # not select(): it refuses descriptors above 1023
        poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        events = poller.poll(0)
    except Exception:  # psycopg's OperationalError, OSError: the socket is already gone
        return False
    return not events


def install_connection_check(engine: Engine, ping_after_idle: float) -> None:
    """Check ``engine``'s connections at checkout (instead of ``pool_pre_ping``), once per engine."""
    if engine in _CHECKED_ENGINES:
        return
    _CHECKED_ENGINES.add(engine)
    cheap = engine.dialect.driver == "psycopg"

    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if not cheap:
            _ping(engine, dbapi_connection)
            return
        since = record.info.get(_CHECKED_IN_AT)
        idle_long = since is not None and time.monotonic() - since > ping_after_idle
        if idle_long or not _looks_alive(dbapi_connection):
            _ping(engine, dbapi_connection)

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checkout)

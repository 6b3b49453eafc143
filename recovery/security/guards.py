"""Guard rows: a row lock that makes "count, then act" one step under concurrency.

A counter read and the insert it decides on (failed claims and the claim, failed
logins and the next password check) race when two requests read before either
writes: parallel requests would get more tries than serial ones (DESIGN 2.3).
Taking the guard row of what is counted first, and holding it until the
transaction ends, serialises exactly the requests that share a counter.

Flask-free: a function over a session.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from recovery.models import ClaimGuard


def take_guard(session: Session, key: str) -> None:
    """Lock the guard row ``key`` until the transaction ends, creating it on first use.

    On PostgreSQL a second transaction waits here until the first commits or
    rolls back (a concurrent first insert waits on the unique key likewise).
    SQLite serialises writers anyway and ignores ``FOR UPDATE``.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(ClaimGuard).values(key=key).on_conflict_do_nothing(index_elements=["key"]))
    session.execute(select(ClaimGuard.key).where(ClaimGuard.key == key).with_for_update())

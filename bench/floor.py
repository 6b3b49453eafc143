"""The floor of the call check: one hand-written statement on an unpartitioned copy of the ledger.

``make bench`` copies the application's ledger (the same rows) into a plain
table, ``call_events_floor``, with the indexes the question needs and nothing
else, and answers each check with the one statement below: the post-loss
count and the reference set together. What the application takes beyond
this (partitions, SQLAlchemy, the rules in Python) is its overhead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

import psycopg

from recovery.verification.settings import CallSettings

SETTINGS = CallSettings()
TABLE = "call_events_floor"

#: The copy and its indexes: the window (voice calls by caller and time, the callee
#: alongside), the "first seen" seeks either way, and the post-loss count.
CREATE = (
    f"DROP TABLE IF EXISTS {TABLE}",
    f"CREATE TABLE {TABLE} AS SELECT caller, callee, started_at, kind FROM call_events",
    f"CREATE INDEX ON {TABLE} (caller, kind, started_at DESC) INCLUDE (callee)",
    f"CREATE INDEX ON {TABLE} (caller, callee, started_at)",
    f"CREATE INDEX ON {TABLE} (caller, started_at DESC)",
    f"VACUUM ANALYZE {TABLE}",
)

# Full numbers only (service numbers are stored as typed, without "+"), support lines out;
# a number proven by the window itself needs no probe, the others one seek each way.
STATEMENT = """
SELECT
  (SELECT count(*) FROM (
     SELECT 1 FROM {table} WHERE caller = %(me)s AND started_at >= %(lost_at)s LIMIT %(cap)s) AS p),
  ARRAY(
    SELECT w.callee FROM (
      SELECT callee, max(started_at) AS last_at, min(started_at) AS first_at
      FROM {table}
      WHERE caller = %(me)s AND kind = 'voice' AND started_at >= %(start)s AND started_at < %(lost_at)s
        AND callee LIKE '+%%' AND callee <> ALL(%(support)s)
      GROUP BY callee) AS w
    WHERE w.first_at <= %(cutoff)s
       OR (SELECT 1 FROM {table} e
           WHERE e.caller = %(me)s AND e.callee = w.callee AND e.started_at <= %(cutoff)s LIMIT 1) IS NOT NULL
       OR (SELECT 1 FROM {table} e
           WHERE e.caller = w.callee AND e.callee = %(me)s AND e.started_at <= %(cutoff)s LIMIT 1) IS NOT NULL
    ORDER BY w.last_at DESC
    LIMIT %(limit)s)
"""


def create_floor(libpq_url: str) -> int:
    """Copy the ledger into the floor's table with its indexes; return its size in bytes."""
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        for statement in CREATE:
            conn.execute(statement)
        return conn.execute(f"SELECT pg_total_relation_size('{TABLE}')").fetchone()[0]


@cache
def _sql(table: str) -> str:
    return STATEMENT.format(table=table)


def floor_call_check(
    cursor: psycopg.Cursor,
    msisdn: str,
    lost_at: datetime,
    support: tuple[str, ...],
    table: str = TABLE,
) -> tuple[tuple[str, ...], int]:
    """The reference set and the post-loss count in one statement on ``table``."""
    cursor.execute(
        _sql(table),
        {
            "me": msisdn,
            "start": lost_at - timedelta(days=SETTINGS.window_days),
            "lost_at": lost_at,
            "cutoff": lost_at - timedelta(days=SETTINGS.min_known_days),
            "support": list(support),
            "cap": SETTINGS.post_loss_count_cap,
            "limit": SETTINGS.max_reference_numbers,
        },
    )
    post_loss, reference = cursor.fetchone()
    return tuple(reference), post_loss

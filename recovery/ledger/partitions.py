"""Monthly partitions of the call ledger on PostgreSQL (DESIGN 4).

Migration 0005 makes ``call_events`` a table range-partitioned by month of
``started_at``, with a DEFAULT partition that takes any row whose month has
no partition yet. This module creates the months ahead of billing and, when a
month's rows already sit in the DEFAULT partition (an import of old or future
events), moves them into their own partition in the same transaction, since
PostgreSQL refuses a new partition whose rows the DEFAULT one holds.

Plain functions over a SQLAlchemy connection; months are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

SCHEMA = "ledger_partitions"
TABLE = "call_events"
DEFAULT_PARTITION = f"{SCHEMA}.{TABLE}_default"
#: Months created ahead of the current one unless told otherwise.
DEFAULT_MONTHS_AHEAD = 3


@dataclass(frozen=True)
class MonthPartition:
    """One month of the ledger: its partition's name and the rows it received."""

    month: date
    name: str
    created: bool
    moved_rows: int = 0


def month_of(instant: datetime) -> date:
    """The first day of ``instant``'s month in UTC."""
    return instant.astimezone(UTC).date().replace(day=1)


def add_months(month: date, count: int) -> date:
    """``month`` moved by ``count`` months (either way); always the first day."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    """The schema-qualified name of ``month``'s partition, e.g. ``ledger_partitions.call_events_2026_11``."""
    return f"{SCHEMA}.{TABLE}_{month:%Y_%m}"


def is_partitioned(connection: Connection) -> bool:
    """True where the ledger is a partitioned table (PostgreSQL after migration 0005)."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:table)"), {"table": TABLE}
    ).scalar()
    return kind == "p"


def existing_months(connection: Connection) -> set[date]:
    """The months that have a partition of their own."""
    names = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass(:table)"
        ),
        {"table": TABLE},
    ).scalars()
    months = set()
    for name in names:
        suffix = name.removeprefix(f"{TABLE}_")
        if suffix != "default":
            year, month = suffix.split("_")
            months.add(date(int(year), int(month), 1))
    return months


def months_in_default(connection: Connection) -> list[date]:
    """The months of the rows waiting in the DEFAULT partition."""
    rows = connection.execute(
        text(
            "SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'UTC')::date"  # noqa: S608
            f" FROM {DEFAULT_PARTITION} ORDER BY 1"
        )
    ).scalars()
    return list(rows)


def _bound(month: date) -> str:
    return f"{month.isoformat()} 00:00+00"


def create_month_partition(connection: Connection, month: date) -> MonthPartition:
    """Create ``month``'s partition, moving its rows out of the DEFAULT partition.

    The new table is filled first and attached afterwards, so the check that
    the DEFAULT partition holds none of the month's rows passes, and readers
    see every row throughout (the caller's transaction covers all of it).
    """
    name = partition_name(month)
    upper = add_months(month, 1)
    window = {"lower": _bound(month), "upper": _bound(upper)}
    connection.execute(text(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    moved = connection.execute(
        text(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION}"  # noqa: S608
            " WHERE started_at >= CAST(:lower AS timestamptz) AND started_at < CAST(:upper AS timestamptz)"
            " RETURNING *)"
            f" INSERT INTO {name} SELECT * FROM moved"
        ),
        window,
    ).rowcount
    connection.execute(
        text(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name}"
            f" FOR VALUES FROM ('{window['lower']}') TO ('{window['upper']}')"
        )
    )
    return MonthPartition(month=month, name=name, created=True, moved_rows=max(moved, 0))


def ensure_partitions(connection: Connection, months: Iterable[date]) -> list[MonthPartition]:
    """Make sure each of ``months`` has a partition; return what was done for each."""
    have = existing_months(connection)
    done = []
    for month in sorted(set(months)):
        if month in have:
            done.append(MonthPartition(month=month, name=partition_name(month), created=False))
        else:
            done.append(create_month_partition(connection, month))
            have.add(month)
    return done


def plan_months(now: datetime, ahead: int, back: int = 0) -> list[date]:
    """This month, ``back`` months before it and ``ahead`` months after it."""
    current = month_of(now)
    return [add_months(current, offset) for offset in range(-back, ahead + 1)]

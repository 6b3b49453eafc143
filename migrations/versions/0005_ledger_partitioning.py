"""ledger partitioned by month on PostgreSQL

On PostgreSQL the call ledger becomes a table range-partitioned by month of
``started_at`` (declarative partitioning). The partitions live in their own
schema, ``ledger_partitions``, so that the application schema (``public``)
holds exactly the models' tables. A DEFAULT partition takes any row whose
month has no partition yet, so an import never fails for want of one;
``flask --app wsgi ledger-partitions`` creates months ahead and moves rows out
of the DEFAULT partition into their month.

A partitioned table's keys must contain the partition column: the primary
key becomes (id, started_at); the natural key already holds started_at. The
call check's index carries callee and kind (INCLUDE), so the check reads the
index alone. SQLite keeps the plain table: nothing changes there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

"""
from datetime import UTC, date, datetime

from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "ledger_partitions"
MONTHS_AHEAD = 3
COLUMNS = "id, caller, callee, started_at, duration_s, kind, region"
KIND_CHECK = "CHECK (kind IN ('voice', 'sms', 'ussd'))"


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _create_month(month: date) -> None:
    op.execute(
        f"CREATE TABLE {SCHEMA}.call_events_{month:%Y_%m} PARTITION OF call_events"
        f" FOR VALUES FROM ('{month.isoformat()} 00:00+00') TO ('{_next_month(month).isoformat()} 00:00+00')"
    )


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Keep the old table (and the id sequence) aside until its rows are copied.
    op.execute("ALTER TABLE call_events RENAME TO call_events_unpartitioned")
    op.execute("ALTER TABLE call_events_unpartitioned RENAME CONSTRAINT pk_call_events TO pk_call_events_old")
    op.execute(
        "ALTER TABLE call_events_unpartitioned RENAME CONSTRAINT uq_call_events_natural"
        " TO uq_call_events_natural_old"
    )
    op.execute("ALTER INDEX ix_call_events_caller_started_at RENAME TO ix_call_events_caller_started_at_old")
    op.execute("ALTER SEQUENCE call_events_id_seq OWNED BY NONE")
    op.execute(
        f"""CREATE TABLE call_events (
            id bigint NOT NULL DEFAULT nextval('call_events_id_seq'),
            caller varchar(20) NOT NULL,
            callee varchar(20) NOT NULL,
            started_at timestamptz NOT NULL,
            duration_s integer NOT NULL,
            kind varchar(16) NOT NULL,
            region varchar(6) NOT NULL,
            CONSTRAINT pk_call_events PRIMARY KEY (id, started_at),
            CONSTRAINT uq_call_events_natural UNIQUE (caller, callee, started_at, kind),
            CONSTRAINT ck_call_events_call_kind {KIND_CHECK}
        ) PARTITION BY RANGE (started_at)"""
    )
    op.execute("ALTER SEQUENCE call_events_id_seq OWNED BY call_events.id")
    op.execute(
        "CREATE INDEX ix_call_events_caller_started_at ON call_events (caller, started_at DESC)"
        " INCLUDE (callee, kind)"
    )
    op.execute(f"CREATE SCHEMA {SCHEMA}")
    op.execute(f"CREATE TABLE {SCHEMA}.call_events_default PARTITION OF call_events DEFAULT")

    # Months of the rows already held, then this month and a few ahead.
    today = datetime.now(UTC).date().replace(day=1)
    first = op.get_bind().exec_driver_sql(
        "SELECT min(started_at) AT TIME ZONE 'UTC' FROM call_events_unpartitioned"
    ).scalar()
    month = min(first.date().replace(day=1), today) if first is not None else today
    last = today
    for _ in range(MONTHS_AHEAD):
        last = _next_month(last)
    while month <= last:
        _create_month(month)
        month = _next_month(month)
    op.execute(f"INSERT INTO call_events ({COLUMNS}) SELECT {COLUMNS} FROM call_events_unpartitioned")
    op.execute("DROP TABLE call_events_unpartitioned")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER SEQUENCE call_events_id_seq OWNED BY NONE")
    op.execute(
        """CREATE TABLE call_events_plain (
            id bigint NOT NULL DEFAULT nextval('call_events_id_seq'),
            caller varchar(20) NOT NULL,
            callee varchar(20) NOT NULL,
            started_at timestamptz NOT NULL,
            duration_s integer NOT NULL,
            kind varchar(16) NOT NULL,
            region varchar(6) NOT NULL
        )"""
    )
    op.execute(f"INSERT INTO call_events_plain ({COLUMNS}) SELECT {COLUMNS} FROM call_events")
    op.execute("DROP TABLE call_events")
    op.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    op.execute("ALTER TABLE call_events_plain RENAME TO call_events")
    op.execute("ALTER TABLE call_events ADD CONSTRAINT pk_call_events PRIMARY KEY (id)")
    op.execute(
        "ALTER TABLE call_events ADD CONSTRAINT uq_call_events_natural UNIQUE (caller, callee, started_at, kind)"
    )
    op.execute(f"ALTER TABLE call_events ADD CONSTRAINT ck_call_events_call_kind {KIND_CHECK}")
    op.execute("CREATE INDEX ix_call_events_caller_started_at ON call_events (caller, started_at DESC)")
    op.execute("ALTER SEQUENCE call_events_id_seq OWNED BY call_events.id")

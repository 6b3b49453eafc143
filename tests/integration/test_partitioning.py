"""The ledger's monthly partitions (PostgreSQL) and the chunked calls import (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from recovery.ledger import imports, writers
from recovery.ledger.imports import CALL_HEADER
from recovery.ledger.partitions import (
    DEFAULT_PARTITION,
    SCHEMA,
    add_months,
    existing_months,
    month_of,
    partition_name,
)
from recovery.models import AuditEvent, CallEvent
from recovery.verification.repository import known_query, post_loss_query, reference_calls, window_query
from tests.helpers.databases import ON_POSTGRES

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="partitioning exists on PostgreSQL only")
NOW = datetime.now(UTC)
THIS_MONTH = month_of(NOW)


def write_calls(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([",".join(CALL_HEADER), *rows]) + "\n")
    return path


def call_row(caller: str, callee: str, at: datetime, kind: str = "voice") -> str:
    return f"{caller},{callee},{at.isoformat()},60,{kind},RU-MOW"


def partition_of(session: Session, caller: str) -> list[str]:
    return list(
        session.scalars(
            text("SELECT tableoid::regclass::text FROM call_events WHERE caller = :c ORDER BY started_at"),
            {"c": caller},
        )
    )


def test_ledger_partitions_has_nothing_to_do_on_sqlite(runner):
    if ON_POSTGRES:
        pytest.skip("SQLite only")
    result = runner.invoke(args=["ledger-partitions", "--ahead", "3"])
    assert result.exit_code == 0, result.output
    assert "not partitioned" in result.output


@postgres_only
def test_the_ledger_is_partitioned_by_month_with_a_default_partition(session):
    kind = session.scalar(text("SELECT relkind FROM pg_class WHERE oid = 'call_events'::regclass"))
    assert kind == "p"
    partitions = set(
        session.scalars(
            text(
                "SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = 'call_events'::regclass"
            )
        )
    )
    # The migration creates this month and three ahead; keys hold the partition column.
    expected = {partition_name(add_months(THIS_MONTH, n)) for n in range(4)} | {DEFAULT_PARTITION}
    assert expected <= partitions
    assert all(name.startswith(f"{SCHEMA}.") for name in partitions)


@postgres_only
def test_keys_hold_the_month_and_the_call_check_index_covers_the_check(session):
    primary_key = session.scalars(
        text(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'call_events'::regclass AND i.indisprimary"
            " ORDER BY array_position(i.indkey, a.attnum)"
        )
    ).all()
    assert primary_key == ["id", "started_at"]
    definition = session.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_call_events_caller_started_at'")
    )
    # Alembic's comparison does not look at INCLUDE, so the model's postgresql_include is checked here.
    include = CallEvent.__table__.indexes
    (index,) = [i for i in include if i.name == "ix_call_events_caller_started_at"]
    assert index.dialect_options["postgresql"]["include"] == ["callee", "kind"]
    assert definition.endswith("(caller, started_at DESC) INCLUDE (callee, kind)")


@postgres_only
def test_an_import_lands_in_each_events_month_and_a_reimport_adds_nothing(runner, session, tmp_path):
    old = datetime(2019, 3, 10, 12, 0, tzinfo=UTC)  # no partition for it: the DEFAULT one takes it
    rows = [
        call_row("+79161234567", "+79031112233", NOW - timedelta(minutes=5)),
        call_row(
            "+79161234567",
            "+79031112233",
            datetime.combine(add_months(THIS_MONTH, 1), datetime.min.time(), UTC),
        ),
        call_row("+79161234567", "+79254445566", old),
    ]
    path = write_calls(tmp_path / "calls.csv", rows)
    result = runner.invoke(args=["import-calls", str(path)])
    assert result.exit_code == 0, result.output
    assert partition_of(session, "+79161234567") == [
        DEFAULT_PARTITION,
        partition_name(THIS_MONTH),
        partition_name(add_months(THIS_MONTH, 1)),
    ]
    again = runner.invoke(args=["import-calls", str(path)])
    assert "0 added" in again.output and "3 already present" in again.output
    assert session.scalar(select(func.count()).select_from(CallEvent)) == 3


@postgres_only
def test_ledger_partitions_creates_months_ahead_and_empties_the_default_partition(runner, session, tmp_path):
    old = datetime(2019, 3, 10, 12, 0, tzinfo=UTC)
    path = write_calls(
        tmp_path / "calls.csv",
        [
            call_row("+79161234567", "+79031112233", old),
            call_row("+79161234567", "0890", old + timedelta(days=1)),
        ],
    )
    assert runner.invoke(args=["import-calls", str(path)]).exit_code == 0

    result = runner.invoke(args=["ledger-partitions", "--ahead", "5"])
    assert result.exit_code == 0, result.output
    assert f"created {partition_name(old.date().replace(day=1))} (2 rows moved" in result.output
    assert f"created {partition_name(add_months(THIS_MONTH, 5))} (0 rows moved" in result.output
    assert partition_of(session, "+79161234567") == [partition_name(old.date().replace(day=1))] * 2
    assert session.scalar(text(f"SELECT count(*) FROM {DEFAULT_PARTITION}")) == 0
    assert add_months(THIS_MONTH, 5) in existing_months(session.connection())
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.partitions")).one()
    assert audit.details == {"created": 3, "moved_rows": 2}  # 2019-03, and months +4 and +5

    repeat = runner.invoke(args=["ledger-partitions", "--ahead", "5"])
    assert "0 partition(s) created" in repeat.output


def _plan(session: Session, statement) -> dict:
    compiled = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True})
    sql = compiled.string % {name: f"%({name})s" for name in compiled.params}
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, compiled.params)
        return cursor.fetchone()[0][0]["Plan"]


def _nodes(plan: dict) -> list[dict]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


@postgres_only
def test_the_call_check_reads_only_the_partitions_of_its_window(runner, session):
    assert runner.invoke(args=["ledger-partitions", "--back", "12", "--ahead", "3"]).exit_code == 0
    lost_at = datetime.combine(add_months(THIS_MONTH, -4), datetime.min.time(), UTC) + timedelta(days=20)
    window_months = {month_of(lost_at - timedelta(days=30)), month_of(lost_at)}

    window = _nodes(_plan(session, window_query("+79161234567", lost_at)))
    scanned = {node["Relation Name"] for node in window if "Relation Name" in node}
    assert scanned == {partition_name(month).split(".")[1] for month in window_months}
    assert {node["Node Type"] for node in window if "Relation Name" in node} == {"Index Only Scan"}

    # Post-loss activity reads from the loss on: none of the months before it.
    after = _nodes(_plan(session, post_loss_query("+79161234567", lost_at)))
    scanned_after = {node["Relation Name"] for node in after if "Relation Name" in node}
    before = {partition_name(add_months(THIS_MONTH, -n)).split(".")[1] for n in range(5, 13)}
    assert scanned_after and not scanned_after & before

    # A "first seen" probe is one index-only seek per partition and direction.
    probe = _nodes(_plan(session, known_query("+79161234567", "+79031112233", lost_at - timedelta(days=7))))
    assert {node["Node Type"] for node in probe if "Relation Name" in node} <= {"Index Only Scan", "Seq Scan"}
    assert all(
        node["Relation Name"] == DEFAULT_PARTITION.split(".")[1]
        for node in probe
        if node.get("Node Type") == "Seq Scan"
    )


@postgres_only
def test_the_voice_call_index_is_on_every_partition(runner, session):
    assert runner.invoke(args=["ledger-partitions", "--back", "2", "--ahead", "1"]).exit_code == 0
    definitions = session.scalars(
        text(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = :schema AND indexdef LIKE"
            " '%(caller, kind, started_at DESC) INCLUDE (callee)'"
        ),
        {"schema": SCHEMA},
    ).all()
    partitions = session.scalar(
        text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'call_events'::regclass")
    )
    assert len(definitions) == partitions


def test_a_subscriber_who_sent_many_sms_keeps_the_calls_on_the_partitioned_ledger(runner, session):
    # Issue 16, on the migrated schema (partitioned on PostgreSQL): the window spans two months.
    owner, mum, dad = "+79161234567", "+79031112233", "+79254445566"
    lost_at = datetime.combine(THIS_MONTH, datetime.min.time(), UTC) + timedelta(days=5)
    if ON_POSTGRES:
        assert runner.invoke(args=["ledger-partitions", "--back", "3", "--ahead", "1"]).exit_code == 0

    def row(caller: str, callee: str, at: datetime, kind: str = "voice") -> dict:
        return {
            "caller": caller,
            "callee": callee,
            "started_at": at,
            "duration_s": 60,
            "kind": kind,
            "region": "RU-MOW",
        }

    rows = [
        row(owner, mum, lost_at - timedelta(days=70)),
        row(owner, dad, lost_at - timedelta(days=71)),
        row(owner, mum, lost_at - timedelta(days=12)),
        row(owner, dad, lost_at - timedelta(days=18)),
    ]
    rows += [
        row(owner, f"+7900555{i % 30:04d}", lost_at - timedelta(minutes=5 * i + 1), "sms") for i in range(400)
    ]
    session.execute(insert(CallEvent), rows)
    session.commit()
    assert reference_calls(session, owner, lost_at) == (mum, dad)


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Batches of one row and COPY chunks of two, so a small file crosses every boundary."""
    monkeypatch.setattr(imports, "QUEUE_BATCH", 1)
    monkeypatch.setattr(imports, "QUEUE_DEPTH", 2)
    monkeypatch.setattr(writers.PostgresCallWriter, "CHUNK_ROWS", 2)


def test_a_chunked_import_keeps_every_row_once(tiny_chunks, runner, session, tmp_path):
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    rows = [call_row("+79161234567", f"+7903111{n:04d}", start + timedelta(minutes=n)) for n in range(9)]
    rows.insert(4, rows[1])  # a repeat inside the file, in a later chunk
    result = runner.invoke(args=["import-calls", str(write_calls(tmp_path / "calls.csv", rows))])
    assert result.exit_code == 0, result.output
    assert "10 rows read, 9 added" in result.output and "1 already present" in result.output
    assert session.scalar(select(func.count()).select_from(CallEvent)) == 9


def test_a_bad_row_after_many_chunks_still_writes_nothing(tiny_chunks, runner, session, tmp_path):
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    rows = [call_row("+79161234567", f"+7903111{n:04d}", start + timedelta(minutes=n)) for n in range(9)]
    rows.append(call_row("+79161234567", "+79031119999", start, kind="fax"))
    result = runner.invoke(args=["import-calls", str(write_calls(tmp_path / "calls.csv", rows))])
    assert result.exit_code != 0
    assert "line 11: kind" in result.output and "nothing imported" in result.output
    assert session.scalar(select(func.count()).select_from(CallEvent)) == 0


def test_partition_months_are_counted_in_utc():
    assert month_of(datetime.fromisoformat("2026-12-01T01:00:00+03:00")).isoformat() == "2026-11-01"
    assert add_months(month_of(NOW), 0) == THIS_MONTH
    assert add_months(datetime(2026, 11, 1).date(), 2).isoformat() == "2027-01-01"
    assert add_months(datetime(2026, 1, 1).date(), -1).isoformat() == "2025-12-01"
    assert partition_name(datetime(2026, 3, 1).date()) == f"{SCHEMA}.call_events_2026_03"

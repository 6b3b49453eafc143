"""The reference calls read from the ledger: time-window edges, zones, the call-back
rule, post-loss activity, and query plans that stay on the indexes.

A plain SQLAlchemy engine, no Flask app: SQLite in a temporary file, or a fresh
PostgreSQL database when ``TEST_DATABASE_URL`` names a server.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, Select, create_engine, insert, make_url, text
from sqlalchemy.orm import Session

import recovery.models  # noqa: F401  (registers every table on the metadata)
from recovery.extensions import db
from recovery.models.ledger import CallEvent, CallKind
from recovery.verification.calls import check_calls
from recovery.verification.repository import (
    call_evidence,
    check_query,
    known_query,
    post_loss_events,
    post_loss_query,
    reference_calls,
    window_query,
)
from recovery.verification.results import MatchStatus
from recovery.verification.settings import CallSettings

MSK = timezone(timedelta(hours=3), "MSK")
LOST = datetime(2026, 11, 20, 18, 0, tzinfo=MSK)
SUPPORT = ("+78002500890",)

OWNER = "+79161234567"
MUM, DAD, WORK, GYM = "+79031112233", "+79254445566", "+74951234567", "+79160000001"
SCAM, SCAM2 = "+79990001122", "+79990003344"
STRANGER = "+79167654321"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh database holding only the ledger table, dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    if not url.startswith("postgresql"):
        engine = create_engine(url)
        db.metadata.create_all(engine, tables=[CallEvent.__table__])
        yield engine
        engine.dispose()
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"reference_calls_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(url).set(database=name))
    try:
        db.metadata.create_all(engine, tables=[CallEvent.__table__])
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def event(caller: str, callee: str, started_at: datetime, kind: CallKind = CallKind.VOICE) -> dict:
    return {
        "caller": caller,
        "callee": callee,
        "started_at": started_at,
        "duration_s": 60 if kind is CallKind.VOICE else 0,
        "kind": kind,
        "region": "RU-MOW",
    }


def add(session: Session, *events: dict) -> None:
    if events:
        session.execute(insert(CallEvent), list(events))
    session.commit()


def before(**delta: float) -> datetime:
    return LOST - timedelta(**delta)


def after(**delta: float) -> datetime:
    return LOST + timedelta(**delta)


def known_long_ago(*numbers: str) -> list[dict]:
    """A first contact with each number two months before the loss."""
    return [event(OWNER, number, before(days=60, minutes=i)) for i, number in enumerate(numbers)]


def test_reference_set_most_recent_first(session):
    add(
        session,
        *known_long_ago(MUM, DAD, WORK),
        event(OWNER, MUM, before(days=3)),
        event(OWNER, DAD, before(days=1)),
        event(OWNER, WORK, before(days=2)),
        event(OWNER, MUM, before(hours=5)),
    )
    assert reference_calls(session, OWNER, LOST) == (MUM, DAD, WORK)


@pytest.mark.parametrize(
    ("started_at", "counts"),
    [
        (before(days=30), True),
        (before(days=30, seconds=-1), True),
        (before(days=30, seconds=1), False),
        (before(seconds=1), True),
        (LOST, False),
        (after(seconds=1), False),
    ],
)
def test_window_edges(session, started_at, counts):
    add(session, *known_long_ago(MUM), event(OWNER, MUM, started_at))
    assert reference_calls(session, OWNER, LOST) == ((MUM,) if counts else ())


@pytest.mark.parametrize(
    ("lost_at", "counts"),
    [
        # lost at 23:45 Moscow time: a call at 23:30 the same evening is before the loss
        (datetime(2026, 11, 20, 23, 45, tzinfo=MSK), True),
        (datetime(2026, 11, 20, 20, 45, tzinfo=UTC), True),
        # lost at 18:00 Moscow time: the 23:30 call was the finder's
        (datetime(2026, 11, 20, 18, 0, tzinfo=MSK), False),
        # lost at 23:00 UTC (02:00 Moscow, the next day): still before
        (datetime(2026, 11, 20, 23, 0, tzinfo=UTC), True),
    ],
)
def test_call_at_2330_moscow_time_on_the_day_of_loss(session, lost_at, counts):
    late_call = datetime(2026, 11, 20, 23, 30, tzinfo=MSK)
    add(session, *known_long_ago(MUM), event(OWNER, MUM, late_call))
    assert reference_calls(session, OWNER, lost_at) == ((MUM,) if counts else ())
    assert post_loss_events(session, OWNER, lost_at) == (0 if counts else 1)


def test_rows_come_back_as_the_same_instants(session):
    add(session, event(OWNER, MUM, datetime(2026, 11, 20, 23, 30, tzinfo=MSK)))
    ((callee, last_at, first_at),) = session.execute(window_query(OWNER, after(days=1))).all()
    assert callee == MUM
    assert last_at == first_at == datetime(2026, 11, 20, 20, 30, tzinfo=UTC)


def test_service_numbers_only(session):
    add(
        session,
        event(OWNER, "0890", before(days=1)),
        event(OWNER, "0500", before(days=2)),
        event(OWNER, "*100#", before(days=3), CallKind.USSD),
        event(OWNER, "+78002500890", before(days=4)),
        event(OWNER, "0890", before(days=50)),
        event(OWNER, "+78002500890", before(days=50)),
    )
    assert reference_calls(session, OWNER, LOST, support_numbers=SUPPORT) == ()
    assert check_calls(["0890", "*100#", "8 800 250 08 90"], ()).status is MatchStatus.NOT_AVAILABLE


def test_the_call_to_report_the_loss_is_not_the_last_call(session):
    add(
        session,
        *known_long_ago(MUM),
        event(OWNER, MUM, before(days=1)),
        event(OWNER, "0890", before(minutes=5)),
    )
    assert reference_calls(session, OWNER, LOST, support_numbers=SUPPORT) == (MUM,)


def test_calls_only_after_the_loss(session):
    add(
        session,
        *known_long_ago(MUM, DAD),
        event(OWNER, MUM, after(hours=1)),
        event(OWNER, DAD, after(days=1)),
    )
    assert reference_calls(session, OWNER, LOST) == ()
    assert post_loss_events(session, OWNER, LOST) == 2


def test_sms_and_ussd_are_not_calls(session):
    add(
        session,
        *known_long_ago(MUM, DAD),
        event(OWNER, MUM, before(days=1), CallKind.SMS),
        event(OWNER, DAD, before(days=1), CallKind.USSD),
    )
    assert reference_calls(session, OWNER, LOST) == ()


@pytest.mark.parametrize(
    ("first_contact", "counts"),
    [
        # the call-back scam: the scammer rang 3 days before the loss
        (event(SCAM, OWNER, before(days=3)), False),
        (event(OWNER, SCAM, before(days=3)), False),
        (event(SCAM, OWNER, before(days=6, hours=23)), False),
        # exactly seven days is not "fewer than seven"
        (event(SCAM, OWNER, before(days=7)), True),
        # known from an incoming SMS, or an outgoing one, long ago
        (event(SCAM, OWNER, before(days=20), CallKind.SMS), True),
        (event(OWNER, SCAM, before(days=200), CallKind.SMS), True),
    ],
)
def test_numbers_first_seen_fewer_than_seven_days_before_never_count(session, first_contact, counts):
    add(
        session,
        *known_long_ago(MUM),
        first_contact,
        event(OWNER, SCAM, before(days=2)),
        event(OWNER, MUM, before(days=5)),
    )
    assert reference_calls(session, OWNER, LOST) == ((SCAM, MUM) if counts else (MUM,))


def test_call_back_numbers_do_not_pass_the_check(session):
    add(
        session,
        *known_long_ago(MUM),
        event(OWNER, MUM, before(days=10)),
        event(SCAM, OWNER, before(days=3)),
        event(SCAM2, OWNER, before(days=3, hours=1)),
        event(OWNER, SCAM, before(days=2)),
        event(OWNER, SCAM2, before(days=2, hours=1)),
    )
    reference = reference_calls(session, OWNER, LOST)
    assert reference == (MUM,)
    assert check_calls([SCAM, SCAM2, "+79990000000"], reference).status is MatchStatus.NO_MATCH


def test_at_most_ten_distinct_numbers(session):
    numbers = [f"+7916555{i:04d}" for i in range(14)]
    add(
        session,
        *known_long_ago(*numbers),
        *[event(OWNER, n, before(days=1, minutes=i)) for i, n in enumerate(numbers)],
        *[event(OWNER, n, before(days=2, minutes=i)) for i, n in enumerate(numbers)],
    )
    assert reference_calls(session, OWNER, LOST) == tuple(numbers[:10])


def sms_flood(count: int, *, days: float = 2) -> list[dict]:
    """``count`` SMS the subscriber sent in the ``days`` before the loss (a bank, a chat, a bot)."""
    step = days * 86_400 / (count + 1)
    return [
        event(OWNER, f"+7903777{i % 50:04d}", before(seconds=step * (i + 1)), CallKind.SMS)
        for i in range(count)
    ]


def test_many_sms_before_the_loss_do_not_hide_the_calls(session):
    # Issue 16: 150 SMS in the last two days used to fill a 100-row read of "any kind".
    add(
        session,
        *known_long_ago(MUM, DAD, WORK),
        event(OWNER, MUM, before(days=10)),
        event(OWNER, DAD, before(days=15)),
        event(OWNER, WORK, before(days=20)),
        *sms_flood(150),
        *[event(OWNER, "*100#", before(hours=3, minutes=i), CallKind.USSD) for i in range(40)],
    )
    reference = reference_calls(session, OWNER, LOST)
    assert reference == (MUM, DAD, WORK)
    assert check_calls([MUM, WORK], reference).status is MatchStatus.MATCH


def test_every_voice_call_of_the_window_counts_however_many_there_are(session):
    # Two hundred calls to MUM are the latest: DAD, called before all of them, is still found.
    add(
        session,
        *known_long_ago(MUM, DAD),
        event(OWNER, DAD, before(days=25)),
        *[event(OWNER, MUM, before(days=1, minutes=i)) for i in range(200)],
        *sms_flood(300, days=20),
    )
    assert reference_calls(session, OWNER, LOST) == (MUM, DAD)


def test_a_number_called_only_in_the_last_week_is_proven_by_the_ledger_not_the_window(session):
    # WORK is first called in the window two days before the loss, but was an SMS contact long ago.
    add(
        session,
        event(OWNER, WORK, before(days=90), CallKind.SMS),
        event(OWNER, WORK, before(days=2)),
        event(OWNER, SCAM, before(days=1)),
        *sms_flood(150),
    )
    assert reference_calls(session, OWNER, LOST) == (WORK,)


def test_other_subscribers_calls_do_not_leak(session):
    add(
        session, *known_long_ago(MUM), event(STRANGER, DAD, before(days=1)), event(DAD, OWNER, before(days=1))
    )
    assert reference_calls(session, OWNER, LOST) == ()


def test_the_msisdn_in_any_format(session):
    add(session, *known_long_ago(MUM), event(OWNER, MUM, before(days=1)))
    assert reference_calls(session, "8 (916) 123-45-67", LOST) == (MUM,)


def test_unknown_number_has_nothing(session):
    add(session, *known_long_ago(MUM), event(OWNER, MUM, before(days=1)))
    assert reference_calls(session, STRANGER, LOST) == ()
    assert post_loss_events(session, STRANGER, LOST) == 0


def test_post_loss_activity_counts_what_the_sim_made(session):
    add(
        session,
        event(OWNER, MUM, LOST),
        event(OWNER, DAD, after(minutes=5)),
        event(OWNER, MUM, after(minutes=6), CallKind.SMS),
        event(OWNER, "*100#", after(minutes=7), CallKind.USSD),
        # incoming calls and SMS arrive whoever holds the SIM: not counted
        event(MUM, OWNER, after(minutes=8)),
        event(DAD, OWNER, after(minutes=9), CallKind.SMS),
        # before the loss: not counted
        event(OWNER, MUM, before(seconds=1)),
    )
    assert post_loss_events(session, OWNER, LOST) == 4


def test_post_loss_count_is_capped(session):
    add(session, *[event(OWNER, MUM, after(minutes=i)) for i in range(12)])
    assert post_loss_events(session, OWNER, LOST, settings=CallSettings(post_loss_count_cap=10)) == 10


def test_naive_times_are_refused(session):
    with pytest.raises(ValueError, match="timezone-aware"):
        reference_calls(session, OWNER, datetime(2026, 11, 20, 18, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        post_loss_events(session, OWNER, datetime(2026, 11, 20, 18, 0))


# --- Query plans --------------------------------------------------------------

WINDOW_INDEX = "ix_call_events_caller_kind_started_at"
CALLER_INDEX = "ix_call_events_caller_started_at"
#: The unique constraint's index: named on PostgreSQL, an autoindex on SQLite.
NATURAL_KEY = ("uq_call_events_natural", "sqlite_autoindex_call_events_1")
HEAVY_ROWS = 600
HEAVY_SMS = 2_000


@pytest.fixture
def big_ledger(session: Session) -> Session:
    """Many subscribers, one of them heavy, and fresh planner statistics."""
    rows = [
        event(f"+7926{c:07d}", f"+7903{(c * 7 + i) % 10_000_000:07d}", before(days=i % 90, minutes=c))
        for c in range(300)
        for i in range(60)
    ]
    rows += [event(OWNER, f"+7903555{i % 40:04d}", before(minutes=10 * i + 1)) for i in range(HEAVY_ROWS)]
    # The heavy subscriber's SMS, interleaved with the calls: the window must not read them.
    rows += [
        event(OWNER, f"+7903666{i % 40:04d}", before(minutes=10 * i + 3), CallKind.SMS)
        for i in range(HEAVY_SMS)
    ]
    add(session, *rows)
    # VACUUM as autovacuum would after an import: it marks the pages all-visible for index-only reads.
    with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
    return session


def plan(session: Session, query: Select) -> str:
    """The database's plan for a query, as text."""
    sql = str(query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    if session.get_bind().dialect.name == "sqlite":
        return "\n".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    return "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))


def assert_no_scan(query_plan: str) -> None:
    # SQLite says "SCAN call_events" for a full table or index walk, "SEARCH" for a seek.
    assert "Seq Scan" not in query_plan, query_plan
    assert "SCAN call_events" not in query_plan, query_plan


def test_window_query_uses_the_voice_call_index(big_ledger):
    query_plan = plan(big_ledger, window_query(OWNER, LOST))
    assert WINDOW_INDEX in query_plan, query_plan
    assert_no_scan(query_plan)


def test_first_seen_probes_use_the_natural_key(big_ledger):
    query_plan = plan(big_ledger, known_query(OWNER, MUM, LOST - timedelta(days=7)))
    # One seek per direction.
    assert sum(query_plan.count(name) for name in NATURAL_KEY) >= 2, query_plan
    assert_no_scan(query_plan)


def test_the_check_is_one_statement_of_seeks(big_ledger):
    query_plan = plan(big_ledger, check_query(OWNER, LOST))
    assert WINDOW_INDEX in query_plan and CALLER_INDEX in query_plan, query_plan
    # The "first seen" probes: one seek per direction, run for each number the window leaves unproven.
    assert sum(query_plan.count(name) for name in NATURAL_KEY) >= 2, query_plan
    assert_no_scan(query_plan)


def test_the_check_is_the_same_statement_for_a_known_and_an_unknown_number(big_ledger):
    dialect = big_ledger.get_bind().dialect
    texts = {str(check_query(number, LOST).compile(dialect=dialect)) for number in (OWNER, STRANGER)}
    assert len(texts) == 1
    add(big_ledger, event(OWNER, MUM, before(days=20)), event(OWNER, MUM, before(days=2)))
    assert call_evidence(big_ledger, OWNER, LOST) == ((MUM,), 0)
    assert call_evidence(big_ledger, STRANGER, LOST) == ((), 0)


def test_post_loss_count_uses_the_caller_started_at_index(big_ledger):
    query_plan = plan(big_ledger, post_loss_query(OWNER, before(days=3)))
    assert CALLER_INDEX in query_plan, query_plan
    assert_no_scan(query_plan)


def test_window_query_reads_the_voice_calls_of_the_window_and_nothing_else(big_ledger):
    if big_ledger.get_bind().dialect.name != "postgresql":
        pytest.skip("row counts of a plan node are measured on PostgreSQL")
    query = window_query(OWNER, LOST)
    sql = str(query.compile(dialect=big_ledger.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    (analysed,) = big_ledger.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")).one()
    analysed = json.loads(analysed) if isinstance(analysed, str) else analysed
    scan = _find_node(analysed[0]["Plan"], "Index Name")
    assert scan["Index Name"] == WINDOW_INDEX
    # Index-only once VACUUM has marked the pages all-visible; a bitmap scan of the same index when
    # another connection of the cluster (a parallel test worker) holds the horizon back. Either way
    # the index hands over exactly the window's voice calls.
    assert scan["Node Type"] in ("Index Only Scan", "Bitmap Index Scan")
    # The heavy subscriber's calls of the 30 days (one every ten minutes): not one of their SMS.
    calls_in_window = sum(1 for i in range(HEAVY_ROWS) if 10 * i + 1 <= 30 * 24 * 60)
    assert scan["Actual Rows"] == calls_in_window
    if scan["Node Type"] == "Index Only Scan":
        assert scan.get("Heap Fetches", 0) == 0


def _find_node(node: dict, key: str) -> dict:
    if key in node:
        return node
    for child in node.get("Plans", []):
        found = _find_node(child, key)
        if found:
            return found
    return {}


def test_reference_calls_on_a_big_ledger(big_ledger):
    numbers = tuple(f"+7903555{i:04d}" for i in range(10))
    add(big_ledger, *known_long_ago(*numbers))
    assert reference_calls(big_ledger, OWNER, LOST) == numbers

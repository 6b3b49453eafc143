"""The call check timed three ways on the same rows, in the same run.

* **app**: the verification engine's own read, ``call_evidence`` (one
  statement through SQLAlchemy on the partitioned ledger, then the rules of
  ``recovery.verification.calls`` in Python);
* **raw**: the application's very statement, compiled once from
  ``check_query``, on a bare psycopg cursor with the least Python a
  hand-written client needs (what SQLAlchemy and the rules add);
* **floor**: one hand-written statement per check (``bench.floor``) on an
  unpartitioned copy of the same rows with indexes made for it: what
  PostgreSQL itself needs to answer the question.

All three must find the same reference set and post-loss count (checked), so
each ratio is what the application adds on top of the floor.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from bench.floor import floor_call_check
from recovery.verification.repository import call_evidence, check_query
from recovery.verification.settings import CallSettings

SETTINGS = CallSettings()
SUPPORT_NUMBERS = ("+78002500890",)
# Distinctive stand-ins, so each compiled parameter can be told by its value.
_ME = "+79169999901"
_LOST = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)

Evidence = tuple[tuple[str, ...], int]


class _Template:
    """A statement compiled once: SQL with psycopg placeholders and how to fill them."""

    def __init__(self, statement: Select, roles: dict[object, str]) -> None:
        compiled = statement.compile(
            dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True}
        )
        self.sql = compiled.string % {name: f"%({name})s" for name in compiled.params}
        self.roles = {name: roles.get(value, value) for name, value in compiled.params.items()}

    def params(self, **values: object) -> dict[str, object]:
        """The parameters for one execution: roles replaced by ``values``, constants kept."""
        return {
            name: values.get(role, role) if isinstance(role, str) else role
            for name, role in self.roles.items()
        }


def _template() -> _Template:
    start = _LOST - timedelta(days=SETTINGS.window_days)
    cutoff = _LOST - timedelta(days=SETTINGS.min_known_days)
    roles = {_ME: "me", start: "start", _LOST: "lost_at", cutoff: "cutoff"}
    return _Template(check_query(_ME, _LOST, SETTINGS), roles)


CHECK = _template()


def app_call_check(session: Session, msisdn: str, lost_at: datetime) -> Evidence:
    """The application's read: the reference set and the post-loss count."""
    return tuple(call_evidence(session, msisdn, lost_at, support_numbers=SUPPORT_NUMBERS, settings=SETTINGS))


def raw_call_check(cursor: psycopg.Cursor, msisdn: str, lost_at: datetime) -> Evidence:
    """The application's statement on a bare psycopg cursor."""
    start = lost_at - timedelta(days=SETTINGS.window_days)
    cutoff = lost_at - timedelta(days=SETTINGS.min_known_days)
    cursor.execute(CHECK.sql, CHECK.params(me=msisdn, start=start, lost_at=lost_at, cutoff=cutoff))
    rows = cursor.fetchall()
    numbers = [
        callee
        for _, callee, _, known in rows
        if known and callee.startswith("+") and callee not in SUPPORT_NUMBERS
    ]
    return tuple(numbers[: SETTINGS.max_reference_numbers]), rows[0][0]


def known_numbers(libpq_url: str, msisdn: str, lost_at: datetime) -> tuple[str, ...]:
    """The reference set of ``msisdn`` (for building claims with the right answers)."""
    with psycopg.connect(libpq_url) as conn, conn.cursor() as cursor:
        return raw_call_check(cursor, msisdn, lost_at)[0]


@dataclass(frozen=True)
class Latency:
    """Percentiles of one series of timings, in milliseconds."""

    p50_ms: float
    p99_ms: float
    mean_ms: float
    samples: int

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        """Summarise timings given in seconds."""
        ordered = sorted(seconds)
        p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
        return cls(
            p50_ms=statistics.median(ordered) * 1000,
            p99_ms=p99 * 1000,
            mean_ms=statistics.fmean(ordered) * 1000,
            samples=len(ordered),
        )


def sample_checks(subscribers: list[str], end: datetime, count: int, seed: int) -> list[tuple[str, datetime]]:
    """``count`` (number, lost_at) pairs: random subscribers, losses in the last 20 days of history."""
    rng = random.Random(seed)
    return [
        (rng.choice(subscribers), end - timedelta(seconds=rng.randrange(20 * 86_400))) for _ in range(count)
    ]


def measure(session: Session, raw: psycopg.Connection, checks: list[tuple[str, datetime]]) -> dict:
    """Time every check all three ways, rotating which goes first; return the latencies."""
    with raw.cursor() as cursor:
        ways: dict[str, Callable[[str, datetime], Evidence]] = {
            "app": lambda msisdn, lost_at: app_call_check(session, msisdn, lost_at),
            "raw": lambda msisdn, lost_at: raw_call_check(cursor, msisdn, lost_at),
            "floor": lambda msisdn, lost_at: floor_call_check(cursor, msisdn, lost_at, SUPPORT_NUMBERS),
            "floor_partitioned": lambda msisdn, lost_at: floor_call_check(
                cursor, msisdn, lost_at, SUPPORT_NUMBERS, table="call_events"
            ),
        }
        names = list(ways)
        for msisdn, lost_at in checks[:200]:  # warm-up: the same pages and prepared plans for all
            for name in names:
                ways[name](msisdn, lost_at)
            session.rollback()
            raw.rollback()
        times: dict[str, list[float]] = {name: [] for name in names}
        found = 0
        for i, (msisdn, lost_at) in enumerate(checks):
            results = {}
            for name in names[i % len(names) :] + names[: i % len(names)]:
                start = time.perf_counter()
                results[name] = ways[name](msisdn, lost_at)
                times[name].append(time.perf_counter() - start)
            session.rollback()
            raw.rollback()
            if len(set(results.values())) != 1:
                raise SystemExit(f"the baselines disagree with the application for {msisdn}: {results}")
            found += len(results["app"][0])
    return {
        **{name: Latency.of(series) for name, series in times.items()},
        "reference_numbers_mean": found / len(checks),
    }

"""The call check's query, timed through the application and raw through psycopg.

The application path is the verification engine's repository function when
it is present (``recovery.verification.repository``); until then it is the
statement below, built with SQLAlchemy Core the way the engine builds it. The
baseline is the very same SQL text, compiled once, run raw on a psycopg
cursor: the ratio is what the application adds on top of PostgreSQL.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from recovery.models import CallEvent, CallKind

WINDOW = timedelta(days=30)
NEW_NUMBER_AGE = timedelta(days=7)
MAX_REFERENCE_NUMBERS = 10
SUPPORT_NUMBERS = ("+78002500890",)


def reference_statement(msisdn: str, lost_at: datetime) -> Select:
    """Distinct numbers called (voice, outgoing) in the 30 days before ``lost_at``, newest first,
    with a probe of whether each was seen before the last 7 days, and the post-loss count."""
    since = lost_at - WINDOW
    recent = (
        select(CallEvent.callee.label("number"), func.max(CallEvent.started_at).label("last_at"))
        .where(
            CallEvent.caller == msisdn,
            CallEvent.kind == CallKind.VOICE,
            CallEvent.started_at >= since,
            CallEvent.started_at < lost_at,
            CallEvent.callee.like("+%"),
            CallEvent.callee.not_in(SUPPORT_NUMBERS),
        )
        .group_by(CallEvent.callee)
        .order_by(func.max(CallEvent.started_at).desc())
        .limit(MAX_REFERENCE_NUMBERS)
        .cte("recent")
    )
    older = select(literal(1)).where(
        or_(
            and_(CallEvent.caller == msisdn, CallEvent.callee == recent.c.number),
            and_(CallEvent.caller == recent.c.number, CallEvent.callee == msisdn),
        ),
        CallEvent.started_at < lost_at - NEW_NUMBER_AGE,
    )
    post_loss = (
        select(func.count())
        .select_from(CallEvent)
        .where(CallEvent.caller == msisdn, CallEvent.started_at >= lost_at)
        .scalar_subquery()
    )
    return select(
        recent.c.number, recent.c.last_at, exists(older).label("seen_before"), post_loss.label("post_loss")
    ).order_by(recent.c.last_at.desc())


def app_call_check(session: Session, msisdn: str, lost_at: datetime) -> object:
    """The application's read of the reference calls (the repository's when it exists)."""
    repository = _repository_function()
    if repository is not None:
        return repository(session, msisdn, lost_at)
    return session.execute(reference_statement(msisdn, lost_at)).all()


def _repository_function() -> Callable | None:
    try:
        from recovery.verification import repository  # optional until merged
    except ImportError:
        return None
    return getattr(repository, "BENCH_ENTRY_POINT", None)


def raw_sql(msisdn: str, lost_at: datetime) -> tuple[str, dict]:
    """The statement's SQL text with psycopg placeholders and its parameters."""
    compiled = reference_statement(msisdn, lost_at).compile(
        dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True}
    )
    sql = compiled.string % {name: f"%({name})s" for name in compiled.params}
    return sql, dict(compiled.params)


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
    """Time every check both ways, alternating which goes first; return both latencies."""
    sql, _ = raw_sql(*checks[0])
    with raw.cursor() as cursor:
        for msisdn, lost_at in checks:  # warm-up: the same pages for both paths
            cursor.execute(sql, raw_sql(msisdn, lost_at)[1])
            cursor.fetchall()
    app_times: list[float] = []
    raw_times: list[float] = []
    rows = 0
    with raw.cursor() as cursor:
        for i, (msisdn, lost_at) in enumerate(checks):
            params = raw_sql(msisdn, lost_at)[1]
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                start = time.perf_counter()
                if which == 0:
                    result = app_call_check(session, msisdn, lost_at)
                    app_times.append(time.perf_counter() - start)
                    rows += len(result) if hasattr(result, "__len__") else 1
                else:
                    cursor.execute(sql, params)
                    cursor.fetchall()
                    raw_times.append(time.perf_counter() - start)
            session.rollback()
    return {"app": Latency.of(app_times), "raw": Latency.of(raw_times), "rows": rows}

"""The call check's reads, timed through the application and raw through psycopg.

The application path is the verification engine's repository
(``recovery.verification.repository``): ``reference_calls`` (the window
query, then one "first seen" statement for the candidates the window does not
prove known) and ``post_loss_events``. The baseline sends the very same SQL
statements — compiled once from the repository's own query builders — on a
plain psycopg cursor, with the least Python a hand-written client would need
to pick the numbers to probe (the engine's own ``numbers_to_probe`` for which
of them the window leaves unproven). Both must find the same reference set (checked),
so the ratio is what the application adds on top of PostgreSQL.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from recovery.verification.calls import numbers_to_probe
from recovery.verification.repository import (
    known_numbers_query,
    post_loss_events,
    post_loss_query,
    reference_calls,
    window_query,
)
from recovery.verification.settings import CallSettings

SETTINGS = CallSettings()
SUPPORT_NUMBERS = ("+78002500890",)
# Distinctive stand-ins, so each compiled parameter can be told by its value.
_ME, _OTHER = "+70000000001", "+70000000002"
_LOST = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)


class _Template:
    """A statement compiled once: SQL with psycopg placeholders and how to fill them."""

    def __init__(self, statement: Select, roles: dict[object, str]) -> None:
        compiled = statement.compile(
            dialect=postgresql.dialect(), compile_kwargs={"render_postcompile": True}
        )
        self.sql = compiled.string % {name: f"%({name})s" for name in compiled.params}
        # A list (an array parameter) is filled by its parameter's name.
        self.roles = {
            name: name if isinstance(value, list) else roles.get(value, value)
            for name, value in compiled.params.items()
        }

    def params(self, **values: object) -> dict[str, object]:
        """The parameters for one execution: roles replaced by ``values``, constants kept."""
        return {
            name: values.get(role, role) if isinstance(role, str) else role
            for name, role in self.roles.items()
        }


def _templates() -> dict[str, _Template]:
    start = _LOST - timedelta(days=SETTINGS.window_days)
    cutoff = _LOST - timedelta(days=SETTINGS.min_known_days)
    return {
        "window": _Template(
            window_query(_ME, _LOST, SETTINGS), {_ME: "me", start: "start", _LOST: "lost_at"}
        ),
        "known": _Template(
            known_numbers_query(_ME, [_OTHER], cutoff, dialect="postgresql"), {_ME: "me", cutoff: "cutoff"}
        ),
        "post_loss": _Template(post_loss_query(_ME, _LOST, SETTINGS), {_ME: "me", _LOST: "lost_at"}),
    }


TEMPLATES = _templates()


def app_call_check(session: Session, msisdn: str, lost_at: datetime) -> tuple[tuple[str, ...], int]:
    """The application's reads: the reference set and the post-loss count."""
    numbers = reference_calls(session, msisdn, lost_at, support_numbers=SUPPORT_NUMBERS, settings=SETTINGS)
    return numbers, post_loss_events(session, msisdn, lost_at, settings=SETTINGS)


def raw_call_check(cursor: psycopg.Cursor, msisdn: str, lost_at: datetime) -> tuple[tuple[str, ...], int]:
    """The same statements on a bare psycopg cursor."""
    start = lost_at - timedelta(days=SETTINGS.window_days)
    cutoff = lost_at - timedelta(days=SETTINGS.min_known_days)
    window = TEMPLATES["window"]
    cursor.execute(window.sql, window.params(me=msisdn, start=start, lost_at=lost_at))
    candidates: dict[str, None] = {}
    proven: set[str] = set()
    for callee, started_at, kind in cursor.fetchall():
        if not callee.startswith("+") or callee in SUPPORT_NUMBERS:
            continue
        if kind == "voice":
            candidates.setdefault(callee)
        if started_at <= cutoff:
            proven.add(callee)
    unproven = numbers_to_probe(tuple(candidates), proven, SETTINGS)
    probe = TEMPLATES["known"]
    cursor.execute(probe.sql, probe.params(me=msisdn, numbers=list(unproven), cutoff=cutoff))
    probed = {number for (number,) in cursor.fetchall()}
    known = tuple(n for n in candidates if n in proven or n in probed)[: SETTINGS.max_reference_numbers]
    post = TEMPLATES["post_loss"]
    cursor.execute(post.sql, post.params(me=msisdn, lost_at=lost_at))
    return known, cursor.fetchone()[0]


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
    """Time every check both ways, alternating which goes first; return both latencies."""
    with raw.cursor() as cursor:
        for msisdn, lost_at in checks:  # warm-up: the same pages for both paths
            raw_call_check(cursor, msisdn, lost_at)
    app_times: list[float] = []
    raw_times: list[float] = []
    found = 0
    with raw.cursor() as cursor:
        for i, (msisdn, lost_at) in enumerate(checks):
            results = {}
            for which in ("app", "raw") if i % 2 == 0 else ("raw", "app"):
                start = time.perf_counter()
                if which == "app":
                    results[which] = app_call_check(session, msisdn, lost_at)
                    app_times.append(time.perf_counter() - start)
                else:
                    results[which] = raw_call_check(cursor, msisdn, lost_at)
                    raw_times.append(time.perf_counter() - start)
            session.rollback()
            raw.rollback()
            if results["app"] != results["raw"]:
                raise SystemExit(f"the baseline disagrees with the application for {msisdn}: {results}")
            found += len(results["app"][0])
    return {
        "app": Latency.of(app_times),
        "raw": Latency.of(raw_times),
        "reference_numbers_mean": found / len(checks),
    }

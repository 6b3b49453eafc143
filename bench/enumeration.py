"""Enumeration by the clock, as a reported figure: the median time of paired request paths.

The tests (tests/integration/security/test_enumeration.py) prove the two paths
of each pair run the same SQL statements, which is deterministic; this module
keeps the timing comparison the tests used to make, as a figure for
``make bench`` — no assertion, since a timing that fails under load is not a
test. Each pair runs ``TRIES`` times, interleaved (a slow moment of the
machine falls on both paths), in-process through Flask test clients on a
fresh PostgreSQL database.

Run alone: ``python -m bench.enumeration [--pg postgresql://postgres@127.0.0.1:5432]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.orm import Session

from recovery import create_app
from recovery.extensions import db
from tests.conftest import make_config
from tests.integration.account.conftest import Clock, csrf_token
from tests.integration.claims.conftest import WizardAnswers, fill_wizard
from tests.integration.security.cast import api_claim, make_cast

TRIES = 100
OURS = "+79161234567"  # Иванов of the cast
UNKNOWN = "+79990001122"
WRONG_PASSPORT = "4509 000000"
DATABASE = "bench_enumeration"


def _seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _pair(label: str, first: Callable[[], float], second: Callable[[], float], tries: int) -> dict:
    """Median milliseconds of two paths run alternately ``tries`` times each."""
    a: list[float] = []
    b: list[float] = []
    for n in range(tries):
        if n % 2:
            b.append(second())
            a.append(first())
        else:
            a.append(first())
            b.append(second())
    first_ms, second_ms = statistics.median(a) * 1000, statistics.median(b) * 1000
    return {
        "pair": label,
        "first_ms": round(first_ms, 2),
        "second_ms": round(second_ms, 2),
        "difference_ms": round(abs(first_ms - second_ms), 2),
        "tries": tries,
    }


def _number_step(app: Flask, clock: Clock, start: str, phone: str) -> float:
    client = app.test_client()
    clock.advance(hours=2)  # past the resend wait and the hourly cap of codes
    page = client.get(start).get_data(as_text=True)
    answer = client.get("/dev/captcha-answer").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "phone": phone, "captcha": answer}
    return _seconds(lambda: client.post(start, data=data))


def _wizard(app: Flask, answers: WizardAnswers) -> float:
    client = app.test_client()
    fill_wizard(client, answers)
    token = csrf_token(client.get("/lost/review").get_data(as_text=True))
    return _seconds(lambda: client.post("/lost/submit", data={"csrf_token": token}))


def measure(database_url: str, tries: int = TRIES) -> list[dict]:
    """Every pair's medians on the (migrated, empty) database at ``database_url``."""
    clock = Clock(datetime.now(UTC).replace(microsecond=0) - timedelta(days=30))
    config = make_config(database_url, CLOCK=clock, RATELIMIT_ENABLED=False, MAX_FAILED_CLAIMS=10**9)
    app = create_app(config)
    with app.app_context():
        upgrade()
        engine = db.engine
    with Session(engine, expire_on_commit=False) as session:
        cast = make_cast(app, session, config.PII_KEY)
    results = []
    for start in ("/account/register", "/account/forgot"):
        results.append(
            _pair(
                f"{start} (ours vs unknown)",
                lambda start=start: _number_step(app, clock, start, OURS),
                lambda start=start: _number_step(app, clock, start, UNKNOWN),
                tries,
            )
        )
    results.append(
        _pair(
            "/lost/submit (unknown number vs wrong passport)",
            lambda: _wizard(app, WizardAnswers(msisdn=UNKNOWN)),
            lambda: _wizard(app, WizardAnswers(passport=WRONG_PASSPORT)),
            tries,
        )
    )
    client = cast.client("anonymous")
    wrong = api_claim(
        fullName="Петров Пётр Петрович",
        passport=WRONG_PASSPORT,
        registeredAddress="г. Тверь, ул. Советская, д. 1, кв. 1",
        recentCalls=["+79000000001", "+79000000002", "+79000000003"],
    )
    headers = cast.bearer("agent")
    results.append(
        _pair(
            "POST /api/v1/claims (unknown number vs wrong answers)",
            lambda: _seconds(
                lambda: client.post("/api/v1/claims", json={**wrong, "phoneNumber": UNKNOWN}, headers=headers)
            ),
            lambda: _seconds(lambda: client.post("/api/v1/claims", json=wrong, headers=headers)),
            tries,
        )
    )
    with app.app_context():
        db.engine.dispose()
    return results


def run(pg, tries: int = TRIES) -> list[dict]:
    """``measure`` on a fresh database of ``pg`` (a ``bench.run.Postgres``), dropped afterwards."""
    pg.recreate(DATABASE)
    try:
        return measure(pg.sqlalchemy_url(DATABASE), tries)
    finally:
        pg.drop(DATABASE)


def render(results: list[dict]) -> str:
    """A Markdown table of the pairs' medians."""
    lines = [
        "| Enumeration pair (timing, reported only) | first, median ms | second, median ms | difference ms |",
        "|---|---:|---:|---:|",
    ]
    for row in results:
        lines.append(f"| {row['pair']} | {row['first_ms']} | {row['second_ms']} | {row['difference_ms']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure every pair and print the table."""
    from bench.run import Postgres  # here: bench.run imports this module

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--tries", type=int, default=TRIES)
    args = parser.parse_args()
    print(render(run(Postgres(args.pg), args.tries)))


if __name__ == "__main__":
    main()

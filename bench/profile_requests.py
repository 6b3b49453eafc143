"""Where a request's time goes: cProfile over the application's WSGI callable, in process.

``python -m bench.profile_requests DATABASE_URL [--requests N]`` on a database kept by
``python -m bench.run --keep`` run with ``PII_KEY`` and ``PII_ENCRYPTION_KEYS`` set (the same
two here) serves GET /healthz,
the SIM Swap check and KYC Match (a partner token is created) from the
production config with the rate limits off, as ``make bench`` does, and
prints the functions with the most cumulative time per request kind. The
numbers of a bench database (``--keep``) make the answers realistic.

Per kind it also counts, over a few unprofiled requests after the profile, the
statements SQLAlchemy sends (``before_cursor_execute``) and the round trips to
PostgreSQL (libpq's trace of the frontend's Query and Sync messages: BEGIN,
COMMIT, ROLLBACK and the pool's pings included, which no SQLAlchemy event sees).
``--first`` picks the first number asked about: each run spends from the
numbers' partner budgets (30 look-ups a day), so a repeated run may want others.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import event

#: Unprofiled requests per kind whose statements and round trips are counted.
COUNTED_REQUESTS = 20


def _round_trips(trace: str) -> int:
    """The frontend messages that wait for the server: a simple Query, or a Sync after Parse/Bind."""
    return sum(
        1
        for line in trace.splitlines()
        if line.startswith("F\t") and line.split("\t")[2].split()[0] in {"Query", "Sync"}
    )


def count_per_request(app, call: Callable[[int], object], first: int) -> tuple[float, float]:
    """Statements and PostgreSQL round trips per request of ``call``, over ``COUNTED_REQUESTS`` requests."""
    import psycopg

    from recovery.extensions import db

    with app.app_context():
        engine = db.engine
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace"
        with path.open("w") as sink:

            def traced(dbapi_connection, _record) -> None:
                dbapi_connection.pgconn.trace(sink.fileno())
                dbapi_connection.pgconn.set_trace_flags(
                    psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE
                )

            engine.dispose()  # every connection from now on is a new one, traced from its start
            event.listen(engine, "connect", traced)
            event.listen(engine, "before_cursor_execute", count)
            call(first)  # opens the traced connection; not counted
            path.write_text("")
            sink.seek(0)
            statements = 0
            for i in range(COUNTED_REQUESTS):
                call(first + 1 + i)
            event.remove(engine, "before_cursor_execute", count)
            event.remove(engine, "connect", traced)
            engine.dispose()
        trips = _round_trips(path.read_text())
    return statements / COUNTED_REQUESTS, trips / COUNTED_REQUESTS


def main() -> None:
    """Profile each request kind and print the top of each profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--subscribers", type=int, default=2_000, help="How many the database holds.")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--first", type=int, default=100, help="The first subscriber (index) asked about.")
    args = parser.parse_args()
    os.environ.update(
        {
            "RECOVERY_ENV": "production",
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "PII_KEY": os.environ.get("PII_KEY", secrets.token_urlsafe(32)),
            "PII_ENCRYPTION_KEYS": os.environ.get("PII_ENCRYPTION_KEYS", Fernet.generate_key().decode()),
        }
    )
    from bench.wsgi_bench import app
    from recovery.ledger.generator import subscriber_msisdn

    runner = app.test_cli_runner()
    count = args.subscribers
    token = runner.invoke(args=["create-api-client", f"profile-{time.time_ns()}", "--role", "partner"])
    headers = {"Authorization": f"Bearer {token.output.strip().splitlines()[-1]}"}
    client = app.test_client()
    kinds = {
        "healthz": lambda i: client.get("/healthz"),
        "sim_swap": lambda i: client.post(
            "/camara/sim-swap/v2/check",
            json={"phoneNumber": subscriber_msisdn(i % count), "maxAge": 240},
            headers=headers,
        ),
        "kyc_match": lambda i: client.post(
            "/camara/kyc-match/v0.4/match",
            json={
                "phoneNumber": subscriber_msisdn(i % count),
                "familyName": "Иванов",
                "idDocument": "4509 123456",
            },
            headers=headers,
        ),
    }
    results: dict[str, dict[str, float]] = {}
    for name, call in kinds.items():
        for i in range(20):
            call(args.first + i)  # warm-up
        started = time.perf_counter()
        for i in range(args.requests):
            call(args.first + i)
        plain = (time.perf_counter() - started) / args.requests * 1000
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        statuses = {call(args.first + i).status_code for i in range(args.requests)}
        profile.disable()
        elapsed = time.perf_counter() - started
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        statements, trips = count_per_request(app, call, args.first + args.requests)
        print(
            f"== {name}: {plain:.2f} ms a request ({elapsed / args.requests * 1000:.2f} profiled),"
            f" statuses {statuses};"
            f" {statements:.1f} statements and {trips:.1f} round trips a request"
        )
        print(out.getvalue())
        results[name] = {
            "ms": round(plain, 2),
            "ms_profiled": round(elapsed / args.requests * 1000, 2),
            "statements": statements,
            "round_trips": trips,
        }
    print(json.dumps({"requests": args.requests, **results}))


if __name__ == "__main__":
    main()

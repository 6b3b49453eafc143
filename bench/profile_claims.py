"""Where a claim's time goes: ``POST /api/v1/claims`` in process, timed, counted and profiled.

``python -m bench.profile_claims DATABASE_URL [--first I] [--claims N]`` on a database kept by
``python -m bench.run --keep``, with the ``SECRET_KEY``, ``PII_KEY`` and ``PII_ENCRYPTION_KEYS`` it
was made with in the environment, posts real claims (subscribers ``I`` … ``I + 2N``, their right
answers from the ledger, half blocks and half reissues, as ``bench.http_load`` builds them) from the
production config with the rate limits off, as ``make bench`` serves them. It prints:

* milliseconds a claim with cProfile off (N claims), then with it on (N other claims) and the
  functions with the most cumulative time;
* SQL statements a claim (SQLAlchemy ``before_cursor_execute``), and the statements of one claim.

Every claim records a claim, its ticket and audit rows: a number can be claimed only so often, so
give each run its own ``--first``.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import os
import pstats
import re
import secrets
import time
from datetime import UTC, datetime

from cryptography.fernet import Fernet


def _bodies(app, first: int, count: int, ledger_end: datetime) -> list[dict]:
    """Claim bodies of subscribers ``first`` … ``first + count - 1``: their answers, right."""
    from bench.http_load import claim_body
    from recovery.extensions import db
    from recovery.ledger.generator import synthetic_subscriber
    from recovery.verification.repository import reference_calls

    bodies = []
    with app.app_context():
        for n, index in enumerate(range(first, first + count)):
            person = synthetic_subscriber(index)
            known = reference_calls(db.session, person.msisdn, ledger_end)
            bodies.append(claim_body(person, known, "reissue" if n % 2 else "block", ledger_end))
        db.session.rollback()
    return bodies


def _shape(statement: str) -> str:
    """A statement's first words, enough to tell the statements of a claim apart."""
    text = re.sub(r"\s+", " ", statement).strip()
    return text[:150]


def main() -> None:
    """Time, count and profile claims; print the figures and the top of the profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--first", type=int, default=0, help="First subscriber index claimed.")
    parser.add_argument("--claims", type=int, default=200, help="Claims timed, and as many profiled.")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--save", help="Write the profile here too (pstats format).")
    parser.add_argument(
        "--ledger-end",
        default=datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0).isoformat(),
        help="lostAt of every claim (bench.run's LEDGER_END: today's midnight UTC).",
    )
    args = parser.parse_args()
    os.environ.update(
        {
            "RECOVERY_ENV": "production",
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(32)),
            "PII_KEY": os.environ.get("PII_KEY", secrets.token_urlsafe(32)),
            "PII_ENCRYPTION_KEYS": os.environ.get("PII_ENCRYPTION_KEYS", Fernet.generate_key().decode()),
        }
    )
    from sqlalchemy import event

    from bench.wsgi_bench import app
    from recovery.extensions import db

    ledger_end = datetime.fromisoformat(args.ledger_end)
    warmup = 10
    bodies = _bodies(app, args.first, warmup + 2 * args.claims, ledger_end)
    runner = app.test_cli_runner()
    token = runner.invoke(args=["create-api-client", f"profile-claims-{time.time_ns()}", "--role", "agent"])
    headers = {"Authorization": f"Bearer {token.output.strip().splitlines()[-1]}"}
    client = app.test_client()

    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    def post(body: dict) -> int:
        return client.post("/api/v1/claims", json=body, headers=headers).status_code

    statuses: collections.Counter[int] = collections.Counter()
    for body in bodies[:warmup]:
        statuses[post(body)] += 1

    timed = bodies[warmup : warmup + args.claims]
    statements.clear()
    started, cpu = time.perf_counter(), time.process_time()
    for body in timed:
        statuses[post(body)] += 1
    plain_ms = (time.perf_counter() - started) / len(timed) * 1000
    cpu_ms = (time.process_time() - cpu) / len(timed) * 1000
    per_claim = len(statements) / len(timed)

    shown = []
    for body in bodies[warmup + args.claims : warmup + args.claims + 2]:
        statements.clear()
        shown.append((body["action"], post(body), list(statements)))

    profiled = bodies[warmup + args.claims + 2 :]
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for body in profiled:
        statuses[post(body)] += 1
    profile.disable()
    profiled_ms = (time.perf_counter() - started) / len(profiled) * 1000

    if args.save:
        profile.dump_stats(args.save)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    for action, status, sent in shown:
        print(f"== the statements of one claim ({action}, {status})")
        for n, statement in enumerate(sent, 1):
            print(f"{n:2}. {_shape(statement)}")
    print(
        f"== {len(timed)} claims: {plain_ms:.2f} ms a claim (cProfile off; {cpu_ms:.2f} ms CPU), "
        f"{profiled_ms:.2f} ms profiled ({len(profiled)} claims); "
        f"{per_claim:.1f} SQL statements a claim; statuses {dict(statuses)}"
    )


if __name__ == "__main__":
    main()

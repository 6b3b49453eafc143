"""``make bench`` (network part): how long a block takes from the claim's commit to the HLR.

200 block claims, one after another, through the claim use-case on a fresh
database; a ``flask worker`` loop (default poll) delivers them to a real
osmo-hlr, and each claim's time is measured until CTRL reads ``cs-enabled 0``
for its number. Prints the median and p99 and writes
``bench/results/network.json``. SQLite always; PostgreSQL too when ``BENCH_PG``
(default ``postgresql://postgres@127.0.0.1:5432``) answers.

Run from the project root: ``python -m bench.network [--claims 200]``.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy.orm import Session

from bench.latency import on_both_databases
from recovery import create_app
from recovery.claims.actors import Actor
from recovery.claims.submit import ClaimRequest, submit_claim
from recovery.extensions import db
from recovery.models import Action, Channel, InventorySim
from recovery.network.worker import POLL_SECONDS, Worker
from tests.conftest import make_config
from tests.factories import DEFAULT_PASSPORT, make_subscriber
from tests.integration.network.hlr import TestHlr

RESULTS = Path(__file__).resolve().parent / "results"
NAME = "Иванов Иван Иванович"


def _one_run(database_url: str, claims: int, directory: Path) -> list[float]:
    hlr = TestHlr(directory)
    hlr.start()
    try:
        config = make_config(
            database_url,
            PROVISIONING_BACKEND="recovery.network.backends:OsmoHlr",
            HLR_CTRL_ADDRESS=hlr.address,
            RATELIMIT_ENABLED=False,
        )
        app = create_app(config)
        with app.app_context():
            upgrade()
            engine = db.engine
        session = Session(engine, expire_on_commit=False)
        numbers = []
        for n in range(claims):
            subscriber = make_subscriber(session, config.PII_KEY, msisdn=f"+7916{n:07d}", email=None)
            card = InventorySim(
                iccid=subscriber.current_sim.iccid, imsi=f"25099{n:010d}", ki="0" * 32, opc="1" * 32
            )
            session.add(card)
            session.commit()
            hlr.add_subscriber(card.imsi, subscriber.msisdn)
            numbers.append(subscriber.msisdn)
        worker = Worker(app)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        times = []
        actor = Actor("bench", Channel.CLI)
        try:
            for msisdn in numbers:
                request = ClaimRequest(
                    msisdn=msisdn,
                    full_name=NAME,
                    passport=DEFAULT_PASSPORT,
                    action=Action.BLOCK,
                    current_region="RU-MOW",
                )
                with app.app_context():
                    from recovery import clock

                    submit_claim(session, request, actor=actor, now=clock.now(), pii_key=config.PII_KEY)
                session.commit()
                started = time.perf_counter()
                var = f"subscriber.by-msisdn-{msisdn.lstrip('+')}.cs-enabled"
                while hlr.get(var) != "0":
                    time.sleep(0.002)
                times.append(time.perf_counter() - started)
        finally:
            worker.stop()
            thread.join(timeout=10)
            session.close()
            engine.dispose()
        return times
    finally:
        hlr.stop()


def main() -> None:
    """Measure on SQLite (and PostgreSQL when reachable); print and save the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=200)
    args = parser.parse_args()
    results = on_both_databases(lambda url, scratch: _one_run(url, args.claims, scratch), "claims")
    report = {"poll_seconds": POLL_SECONDS, "results": results}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "network.json").write_text(json.dumps(report, indent=2) + "\n")
    for database, figures in results.items():
        print(
            f"block, claim commit → HLR cs-enabled 0 ({database}, worker poll {POLL_SECONDS} s,"
            f" {figures['claims']} claims):"
            f" median {figures['median_ms']} ms, p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
        )


if __name__ == "__main__":
    main()

"""``make bench`` (SIM Swap Subscriptions): the time from an office hand-over to the partner's sink.

100 hand-overs, one after another, each of another number with its own
subscription, through the office API (``POST /api/v1/tickets/{id}/fulfil``) on
a fresh database; a ``flask worker`` loop (its default poll, and on PostgreSQL
the wake-up on commit) posts the CloudEvents to a real HTTP sink on
127.0.0.1. Each hand-over is timed from the office's answer (the hand-over is
committed) until the sink has the number's ``swapped`` event. Prints the
median and p99 and writes ``bench/results/subscription-events.json``. SQLite
always; PostgreSQL too when ``BENCH_PG`` (default
``postgresql://postgres@127.0.0.1:5432``) answers.

Run from the project root: ``python -m bench.subscription_events [--hand-overs 100]``.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy.orm import Session

from bench.latency import on_both_databases
from recovery.app import create_app
from recovery.extensions import db
from recovery.models import ApiRole
from recovery.network.worker import POLL_SECONDS, Worker
from tests.helpers.claims import open_reissue
from tests.helpers.databases import make_config
from tests.helpers.people import IVANOV, add_regular_calls, iccid, make_api_client, make_subscriber
from tests.helpers.sinks import running_sink

RESULTS = Path(__file__).resolve().parent / "results"
SUBSCRIPTIONS = "/camara/sim-swap-subscriptions/v0.3/subscriptions"
SWAPPED = "org.camaraproject.sim-swap-subscriptions.v0.swapped"


def _one_run(database_url: str, hand_overs: int) -> list[float]:
    config = make_config(database_url, RATELIMIT_ENABLED=False, SUBSCRIPTION_SINKS_ALLOW_PRIVATE=True)
    app = create_app(config)
    with app.app_context():
        upgrade()
        engine = db.engine
    session = Session(engine, expire_on_commit=False)
    client = app.test_client()
    partner = {"Authorization": f"Bearer {make_api_client(session, name='bank')}"}
    office = {"Authorization": f"Bearer {make_api_client(session, ApiRole.OFFICE, region='RU-MOW')}"}
    now = datetime.now(UTC)
    times: list[float] = []
    with running_sink() as sink:
        tickets = []
        for n in range(hand_overs):
            subscriber = make_subscriber(session, config.PII_KEY, msisdn=f"+7916{n:07d}", email=None)
            add_regular_calls(session, subscriber.msisdn, list(IVANOV["calls"]), now)
            with app.app_context():
                tickets.append(open_reissue(session, config.PII_KEY, subscriber, IVANOV["calls"]))
            body = {
                "protocol": "HTTP",
                "sink": sink.url,
                "types": [SWAPPED],
                "config": {"subscriptionDetail": {"phoneNumber": subscriber.msisdn}},
            }
            created = client.post(SUBSCRIPTIONS, json=body, headers=partner)
            assert created.status_code == 201, created.get_data(as_text=True)
        worker = Worker(app)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        try:
            for ticket in tickets:
                seen = len(sink.events("swapped"))
                answer = client.post(
                    f"/api/v1/tickets/{ticket.id}/fulfil",
                    json={"iccid": iccid(), "passport": IVANOV["passport"]},
                    headers=office,
                )
                assert answer.status_code == 200, answer.get_data(as_text=True)
                started = time.perf_counter()
                while len(sink.events("swapped")) == seen:
                    time.sleep(0.001)
                times.append(time.perf_counter() - started)
        finally:
            worker.stop()
            thread.join(timeout=10)
            worker.sinks.close()
            session.close()
            engine.dispose()
    return times


def main() -> None:
    """Measure on SQLite (and PostgreSQL when reachable); print and save the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--hand-overs", type=int, default=100)
    args = parser.parse_args()
    results = on_both_databases(lambda url, _scratch: _one_run(url, args.hand_overs), "hand_overs")
    report = {"poll_seconds": POLL_SECONDS, "results": results}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "subscription-events.json").write_text(json.dumps(report, indent=2) + "\n")
    for database, figures in results.items():
        print(
            f"SIM Swap Subscriptions, hand-over → swapped event at the sink ({database}, worker poll"
            f" {POLL_SECONDS} s, {figures['hand_overs']} hand-overs): median {figures['median_ms']} ms,"
            f" p99 {figures['p99_ms']} ms, max {figures['max_ms']} ms"
        )


if __name__ == "__main__":
    main()

"""Concurrent claims and fulfilments on PostgreSQL: the database decides, one ticket, one winner.

Each thread has its own test client (so its own app context, session and
connection), as separate gunicorn workers would.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from recovery.claims import tickets
from recovery.claims.actors import Actor
from recovery.extensions import db
from recovery.models import ApiRole, Channel, Sim, SimStatus, Subscriber, Ticket, TicketStatus
from tests.helpers.claims import count, open_reissue
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.people import IVANOV, iccid, make_api_client
from tests.helpers.web import bearer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="concurrency needs PostgreSQL (TEST_DATABASE_URL)"),
]
PARALLEL = 6
CLAIM = {
    "phoneNumber": IVANOV["msisdn"],
    "fullName": IVANOV["full_name"],
    "passport": IVANOV["passport"],
    "registeredAddress": IVANOV["address"],
    "recentCalls": list(IVANOV["calls"]),
    "currentRegion": "RU-MOW",
    "action": "reissue",
}


def _in_parallel(app, request) -> list:
    """Run ``request(client)`` in PARALLEL threads released at the same moment."""
    barrier = threading.Barrier(PARALLEL)

    def run(_n: int):
        client = app.test_client()
        barrier.wait()
        return request(client)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(run, range(PARALLEL)))


def test_concurrent_reissue_claims_share_one_ticket(app, session, ivanov):
    token = make_api_client(session, ApiRole.AGENT)
    responses = _in_parallel(
        app, lambda client: client.post("/api/v1/claims", json=CLAIM, headers=bearer(token))
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * (PARALLEL - 1) + [201]
    ticket_ids = {response.get_json()["ticket"]["id"] for response in responses}
    assert len(ticket_ids) == 1
    assert count(session, Ticket, Ticket.type == "reissue", Ticket.status == "open") == 1


def _blocked_backends(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))


def test_a_claim_that_loses_the_insert_race_reads_the_winners_ticket(app, session, ivanov):
    """Deterministic race: B inserts while A's uncommitted ticket holds the unique index."""
    with app.app_context():
        engine = db.engine
    actor = Actor("test", Channel.API)
    first, second = Session(engine), Session(engine)
    try:
        subscriber_a = first.get(Subscriber, ivanov.id)
        ticket_a, created_a = tickets.insert_reissue(
            first, subscriber_a, "RU-MOW", None, datetime.now(UTC), actor
        )
        assert created_a

        outcome: dict[str, object] = {}

        def loser() -> None:
            subscriber_b = second.get(Subscriber, ivanov.id)
            outcome["result"] = tickets.insert_reissue(
                second, subscriber_b, "RU-MOW", None, datetime.now(UTC), actor
            )

        thread = threading.Thread(target=loser)
        thread.start()
        while _blocked_backends(engine) == 0:  # B waits on A's row in the unique index
            assert thread.is_alive(), outcome
            time.sleep(0.01)
        first.commit()
        thread.join()
        ticket_b, created_b = outcome["result"]
        assert created_b is False and ticket_b.id == ticket_a.id
        second.commit()
    finally:
        first.close()
        second.close()
    assert count(session, Ticket) == 1


def test_concurrent_fulfilments_one_wins_the_others_get_409(app, session, config, ivanov):
    ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    token = make_api_client(session, ApiRole.OFFICE, region="RU-MOW")
    cards = [iccid() for _ in range(PARALLEL)]
    lock = threading.Lock()

    def fulfil(client):
        with lock:
            card = cards.pop()
        return client.post(
            f"/api/v1/tickets/{ticket.id}/fulfil",
            json={"iccid": card, "passport": IVANOV["passport"]},
            headers=bearer(token),
        )

    responses = _in_parallel(app, fulfil)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [409] * (PARALLEL - 1)
    session.expire_all()
    assert session.get(Ticket, ticket.id).status is TicketStatus.DONE
    sims = session.scalars(select(Sim).where(Sim.subscriber_id == ivanov.id)).all()
    assert sorted(sim.status for sim in sims) == [SimStatus.ACTIVE, SimStatus.RETIRED]

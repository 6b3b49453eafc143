"""Concurrency on PostgreSQL: requests released together from many threads, the database decides.

SQLite serialises every writer, so these races need PostgreSQL. Rate limits are
off: fifty claims for one number would otherwise meet the per-number limit,
which is not what these tests are about.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recovery.account.payments import PaymentResult
from recovery.models import AuditEvent, Notification, Sim, SimStatus, Subscriber, Ticket, TicketStatus, TopUp
from tests.helpers.cast import api_claim, make_cast
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.parallel import in_parallel
from tests.helpers.people import IVANOV, iccid, make_account, make_subscriber
from tests.helpers.web import csrf_token, log_in_as

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers need PostgreSQL (TEST_DATABASE_URL)"),
]

#: Claims for one number sent at the same moment.
CONCURRENT_CLAIMS = 50


@pytest.fixture
def config(config):
    config.RATELIMIT_ENABLED = False
    return config


def fresh_count(session: Session, model: type, *where: object) -> int:
    """Rows of ``model`` matching ``where``, read in a new transaction (after the threads' commits)."""
    session.rollback()
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_fifty_concurrent_reissue_claims_open_one_ticket_and_every_answer_names_it(app, session, config):
    cast = make_cast(app, session, config.PII_KEY)
    headers = cast.bearer("agent")

    def prepare(client, n) -> Callable:
        return lambda: client.post("/api/v1/claims", json=api_claim(), headers=headers)

    responses = in_parallel(app, CONCURRENT_CLAIMS, prepare)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (CONCURRENT_CLAIMS - 1) + [201], statuses
    bodies = [r.get_json() for r in responses]
    assert {body["outcome"] for body in bodies} == {"reissue"}
    named = {body["ticket"]["id"] for body in bodies}
    assert len(named) == 1
    (ticket_id,) = named
    assert fresh_count(session, Ticket, Ticket.type == "reissue") == 1
    assert fresh_count(session, Ticket, Ticket.status == TicketStatus.OPEN) == 1
    assert str(session.scalar(select(Ticket.id))) == ticket_id
    # One ticket opened, one e-mail about it; every claim on record.
    assert fresh_count(session, AuditEvent, AuditEvent.action == "ticket.opened") == 1
    assert fresh_count(session, Notification, Notification.channel == "email") == 1
    assert fresh_count(session, AuditEvent, AuditEvent.action == "claim.submitted") == CONCURRENT_CLAIMS
    tally = dict(Counter(statuses))
    print(f"\n{CONCURRENT_CLAIMS} concurrent claims: statuses {tally}, tickets named {len(named)}")


def test_two_concurrent_fulfilments_one_wins_the_other_gets_409(app, session, config):
    cast = make_cast(app, session, config.PII_KEY)
    opened = cast.client("anonymous").post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent"))
    ticket_id = opened.get_json()["ticket"]["id"]
    cards = [iccid(), iccid()]
    headers = cast.bearer("office")

    def prepare(client, n) -> Callable:
        return lambda: client.post(
            f"/api/v1/tickets/{ticket_id}/fulfil",
            json={"iccid": cards[n], "passport": IVANOV["passport"]},
            headers=headers,
        )

    responses = in_parallel(app, 2, prepare)

    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.get_json()["code"] == "CONFLICT"
    session.rollback()
    session.expire_all()
    assert session.get(Ticket, uuid.UUID(ticket_id)).status is TicketStatus.DONE
    sims = session.scalars(select(Sim).where(Sim.subscriber_id == cast.subscriber.id)).all()
    assert sorted(sim.status for sim in sims) == [SimStatus.ACTIVE, SimStatus.RETIRED]
    winner = next(n for n, r in enumerate(responses) if r.status_code == 200)
    assert next(sim.iccid for sim in sims if sim.status is SimStatus.ACTIVE) == cards[winner]
    assert fresh_count(session, AuditEvent, AuditEvent.action == "ticket.fulfilled") == 1


class CountingProvider:
    """A payment provider that approves every charge and counts them (threads share it)."""

    def __init__(self) -> None:
        self.charges: list[tuple[int, str]] = []
        self._lock = threading.Lock()

    def charge(self, *, amount_kopecks: int, idempotency_key: str, description: str) -> PaymentResult:
        """Approve and remember the charge."""
        with self._lock:
            self.charges.append((amount_kopecks, idempotency_key))
        return PaymentResult(approved=True, reference=f"test-{len(self.charges)}")


#: One form submitted this many times at once (a double click, a retrying proxy, a second tab).
TOP_UP_SUBMISSIONS = 8


def test_a_top_up_submitted_concurrently_with_one_key_is_charged_once(app, session, config):
    subscriber = make_subscriber(session, config.PII_KEY)
    account = make_account(session, subscriber)
    provider = CountingProvider()
    app.extensions["payment_provider"] = provider
    key = "double-submit-0123456789abcdef"

    def prepare(client, n) -> Callable:
        log_in_as(client, account)
        token = csrf_token(client.get("/account/topup").get_data(as_text=True))
        data = {"csrf_token": token, "amount": "150", "idempotency_key": key}
        return lambda: client.post("/account/topup", data=data)

    responses = in_parallel(app, TOP_UP_SUBMISSIONS, prepare)

    assert [r.status_code for r in responses] == [302] * TOP_UP_SUBMISSIONS
    # Every submission lands on the receipt of the same top-up.
    assert len({r.headers["Location"] for r in responses}) == 1
    assert provider.charges == [(15_000, key)]
    fresh = Session(session.get_bind())
    try:
        assert fresh.scalar(select(func.count()).select_from(TopUp)) == 1
        assert fresh.get(Subscriber, subscriber.id).balance_kopecks == 10_000 + 15_000
        events = fresh.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "account.top_up")
        )
        assert events == 1
    finally:
        fresh.close()

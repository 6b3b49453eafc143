"""Concurrency on PostgreSQL: requests released together from many threads, the database decides.

SQLite serialises every writer, so these races need PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recovery.account.payments import PaymentResult
from recovery.models import AuditEvent, Subscriber, TopUp
from tests.conftest import ON_POSTGRES
from tests.factories import make_subscriber
from tests.integration.account.conftest import csrf_token, log_in_as, make_account
from tests.integration.resilience.conftest import in_parallel

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers need PostgreSQL (TEST_DATABASE_URL)"),
]


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

"""The five-failure lock, the reissue budget and the per-client ceiling under parallel requests (PostgreSQL).

Each thread has its own test client (its own app context, session and pooled
connection), as separate gunicorn workers would. Rate limits are off: twenty
claims for one number would otherwise meet the per-number limit, which is not
what these tests are about — the database's count must hold by itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from recovery.models import ApiRole, Notification, Ticket
from recovery.verification.settings import MAX_FAILED_CLAIMS, MAX_FAILED_NUMBERS_PER_CLIENT
from tests.helpers.cast import api_claim
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.parallel import in_parallel
from tests.helpers.people import IVANOV, make_api_client
from tests.helpers.web import bearer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="concurrent writers need PostgreSQL (TEST_DATABASE_URL)"),
]

#: Wrong claims for one number sent at the same moment (issue 12, item 6).
PARALLEL_WRONG_CLAIMS = 20


@pytest.fixture
def config(config):
    config.RATELIMIT_ENABLED = False
    return config


def _outcomes(responses) -> Counter:
    assert all(r.status_code == 201 for r in responses), [r.status_code for r in responses]
    return Counter(r.get_json()["outcome"] for r in responses)


@pytest.mark.parametrize("known", [True, False], ids=["subscriber", "unknown-number"])
def test_twenty_parallel_wrong_claims_get_at_most_five_rejections(app, session, ivanov, known):
    token = make_api_client(session, ApiRole.AGENT)
    number = IVANOV["msisdn"] if known else "+79990000000"
    body = api_claim(phoneNumber=number, passport="4509 000000", action="block")

    def prepare(client, _n) -> Callable:
        return lambda: client.post("/api/v1/claims", json=body, headers=bearer(token))

    outcomes = _outcomes(in_parallel(app, PARALLEL_WRONG_CLAIMS, prepare))
    print(f"parallel wrong claims: {dict(outcomes)}")  # the figure for the closing note (pytest -s)
    assert outcomes["rejected"] <= MAX_FAILED_CLAIMS, outcomes
    assert outcomes["rejected"] + outcomes["locked"] == PARALLEL_WRONG_CLAIMS, outcomes


def test_parallel_wrong_reissue_proofs_all_count_and_spend_the_budget(app, session, ivanov):
    """Right name and passport, wrong calls, ten at once: every one is counted (none is lost to a
    race), so a right claim afterwards is no remote reissue."""
    token = make_api_client(session, ApiRole.AGENT)
    body = api_claim(phoneNumber=IVANOV["msisdn"], recentCalls=["+79000000001", "+79000000002"])

    def prepare(client, _n) -> Callable:
        return lambda: client.post("/api/v1/claims", json=body, headers=bearer(token))

    responses = in_parallel(app, 10, prepare)
    assert {r.get_json()["outcome"] for r in responses} == {"block"}
    right = app.test_client().post("/api/v1/claims", json=api_claim(), headers=bearer(token)).get_json()
    assert right["outcome"] == "block"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ticket).where(Ticket.type == "reissue")) == 0


def test_parallel_failures_on_many_numbers_stop_at_the_client_ceiling(app, session):
    """One token, thirty numbers at once: at most MAX_FAILED_NUMBERS_PER_CLIENT rejections, the rest 429."""
    token = make_api_client(session, ApiRole.AGENT, name="sweeper")
    numbers = 30

    def prepare(client, n) -> Callable:
        body = api_claim(phoneNumber=f"+7999{n:07d}", action="block")
        return lambda: client.post("/api/v1/claims", json=body, headers=bearer(token))

    responses = in_parallel(app, numbers, prepare)
    statuses = Counter(r.status_code for r in responses)
    assert statuses[201] <= MAX_FAILED_NUMBERS_PER_CLIENT and statuses[201] + statuses[429] == numbers, (
        statuses
    )
    assert statuses[429] >= numbers - MAX_FAILED_NUMBERS_PER_CLIENT
    session.rollback()
    alerts = session.scalar(
        select(func.count()).select_from(Notification).where(Notification.channel == "alert")
    )
    assert alerts == 1

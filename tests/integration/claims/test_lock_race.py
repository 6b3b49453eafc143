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

from recovery.models import ApiRole
from recovery.verification.settings import MAX_FAILED_CLAIMS
from tests.conftest import ON_POSTGRES
from tests.integration.claims.conftest import IVANOV, bearer, make_token
from tests.integration.resilience.conftest import in_parallel
from tests.integration.security.cast import api_claim

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
    token = make_token(session, ApiRole.AGENT)
    number = IVANOV["msisdn"] if known else "+79990000000"
    body = api_claim(phoneNumber=number, passport="4509 000000", action="block")

    def prepare(client, _n) -> Callable:
        return lambda: client.post("/api/v1/claims", json=body, headers=bearer(token))

    outcomes = _outcomes(in_parallel(app, PARALLEL_WRONG_CLAIMS, prepare))
    assert outcomes["rejected"] <= MAX_FAILED_CLAIMS, outcomes
    assert outcomes["rejected"] + outcomes["locked"] == PARALLEL_WRONG_CLAIMS, outcomes

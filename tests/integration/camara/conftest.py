"""Fixtures for the CAMARA partner APIs: a partner token, subscribers and a caller.
Helpers live in ``tests/helpers/camara.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from config import TestingConfig
from recovery.models import Subscriber
from tests.helpers.camara import (  # noqa: F401 — old import path of tests in flight
    CORRELATOR,
    UNKNOWN_NUMBER,
    CamaraCaller,
    assert_error,
    hours_ago,
    reissue,
)
from tests.helpers.databases import ON_POSTGRES, POSTGRES_URL
from tests.helpers.people import make_api_client, make_subscriber
from tests.helpers.replica import ReplicaUnavailable, streaming_replica


@pytest.fixture
def partner_token(session: Session) -> str:
    """A partner client's token with every partner scope."""
    return make_api_client(session, name="bank")


@pytest.fixture
def camara(client: FlaskClient, partner_token: str) -> CamaraCaller:
    """Calls the partner APIs as the bank."""
    return CamaraCaller(client, partner_token)


@pytest.fixture
def subscriber(session: Session, config: TestingConfig) -> Subscriber:
    """Иванов Иван Иванович on +79161234567, SIM active since 2024 and never changed."""
    return make_subscriber(session, config.PII_KEY)


@pytest.fixture(scope="session")
def replica_server(worker_id: str) -> Iterator[str]:
    """A streaming replica of the test PostgreSQL server for the whole run (PostgreSQL only)."""
    if not ON_POSTGRES:
        pytest.skip("a streaming replica needs PostgreSQL (TEST_DATABASE_URL)")
    try:
        with streaming_replica(POSTGRES_URL, worker_id) as url:
            yield url
    except ReplicaUnavailable as reason:
        pytest.skip(str(reason))

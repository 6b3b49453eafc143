"""Fixtures of the personal account's tests: a movable clock and account holders.
Helpers live in ``tests/helpers`` (``account``, ``people``, ``web``)."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from config import TestingConfig
from recovery.models import Account, Subscriber
from tests.helpers.account import OTHER_NUMBER, Clock, Flow, code_in, latest_sms  # noqa: F401 — old import path
from tests.helpers.databases import make_config
from tests.helpers.people import PASSWORD, hashed, make_account, make_subscriber  # noqa: F401 — old import path
from tests.helpers.people import make_staff as make_staff_member  # noqa: F401 — old name
from tests.helpers.web import csrf_token, log_in_as, without_tokens  # noqa: F401 — old import path


@pytest.fixture
def clock(now: datetime) -> Clock:
    """The application's clock, starting at the ``now`` fixture."""
    return Clock(now)


@pytest.fixture
def config(database_url: str, clock: Clock) -> TestingConfig:
    """The testing config with the movable clock."""
    return make_config(database_url, CLOCK=clock)


@pytest.fixture
def subscriber(session: Session, config: TestingConfig) -> Subscriber:
    """The demo owner, +79161234567 in Moscow, with an active SIM and no account yet."""
    return make_subscriber(session, config.PII_KEY)


@pytest.fixture
def other_subscriber(session: Session, config: TestingConfig) -> Subscriber:
    """Another subscriber, in Novosibirsk, with an account of their own."""
    other = make_subscriber(
        session,
        config.PII_KEY,
        msisdn=OTHER_NUMBER,
        full_name="Петрова Анна Сергеевна",
        passport="4010 654321",
        address="г. Новосибирск, ул. Кирова, д. 1, кв. 1",
        region="RU-NVS",
        email="petrova@example.ru",
    )
    make_account(session, other)
    return other


@pytest.fixture
def account(session: Session, subscriber: Subscriber) -> Account:
    """The demo owner's account (password ``PASSWORD``)."""
    return make_account(session, subscriber)


@pytest.fixture
def holder(client: FlaskClient, account: Account) -> FlaskClient:
    """A client logged in as the demo owner."""
    log_in_as(client, account)
    return client


@pytest.fixture
def flow(client: FlaskClient) -> Flow:
    """Registration through the forms."""
    return Flow(client)

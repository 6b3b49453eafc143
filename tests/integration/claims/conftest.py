"""Fixtures of the claim workflow: subscribers with a ledger, staff.

Claims run on the real clock (the app calls ``clock.now()``), so ledgers here are
placed relative to the real now, not to the fixed ``now`` fixture. Helpers live in
``tests/helpers`` (``claims``, ``people``, ``web``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from recovery.models import StaffRole, StaffUser, Subscriber
from tests.helpers.claims import (  # noqa: F401 — old import path of tests in flight
    UNKNOWN_NUMBER,
    WizardAnswers,
    add_post_loss_activity,
    audit_actions,
    count,
    fill_wizard,
    open_reissue,
    outbox,
    submit_wizard,
)
from tests.helpers.people import IVANOV, add_regular_calls, make_ivanov, make_staff, make_subscriber
from tests.helpers.people import make_api_client as make_token  # noqa: F401 — old name
from tests.helpers.web import bearer, csrf_token, login, post_form  # noqa: F401 — old import path
from tests.helpers.web import without_csrf_tokens as without_tokens  # noqa: F401 — old name


@pytest.fixture
def real_now() -> datetime:
    """Now, on the clock the app uses."""
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def ivanov(session: Session, config, real_now: datetime) -> Subscriber:
    """The README's Иванов: every answer passes; home region RU-MOW."""
    return make_ivanov(session, config.PII_KEY, real_now)


@pytest.fixture
def agent(session: Session) -> StaffUser:
    """A call-centre agent."""
    return make_staff(session, StaffRole.AGENT, login="agent-1")


@pytest.fixture
def office_msk(session: Session) -> StaffUser:
    """An office clerk in Moscow."""
    return make_staff(session, StaffRole.OFFICE, login="office-msk", region="RU-MOW")


@pytest.fixture
def office_spb(session: Session) -> StaffUser:
    """An office clerk in Saint Petersburg."""
    return make_staff(session, StaffRole.OFFICE, login="office-spb", region="RU-SPE")


@pytest.fixture
def supervisor(session: Session) -> StaffUser:
    """A supervisor."""
    return make_staff(session, StaffRole.SUPERVISOR, login="supervisor-1")


@pytest.fixture
def petrova(session: Session, config, real_now: datetime) -> Subscriber:
    """A Saint Petersburg subscriber (the same passport as Иванов, for brevity)."""
    calls = ("+79213334455", "+78123456789", "+79119998877")
    subscriber = make_subscriber(
        session,
        config.PII_KEY,
        msisdn="+79217654321",
        full_name="Петрова Анна Сергеевна",
        passport=IVANOV["passport"],
        address="г. Санкт-Петербург, Невский пр-т, д. 28, кв. 7",
        region="RU-SPE",
        email="petrova@example.ru",
    )
    add_regular_calls(session, subscriber.msisdn, list(calls), real_now)
    return subscriber

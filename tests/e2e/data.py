"""The people and claims the flow tests start from, built in each test's own database.

Claims made here go through the same use-case as the web pages
(``recovery.claims.submit.submit_claim``), on the real clock the app uses.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from recovery.claims.actors import Actor
from recovery.claims.submit import ClaimRequest, ClaimResult, submit_claim
from recovery.models import Action, Channel, Office, Subscriber
from tests.helpers.people import DEFAULT_PASSPORT, add_regular_calls, make_subscriber

#: The README's Иванов: every answer below passes; home region Moscow.
NUMBER = "+79161234567"
NAME = "Иванов Иван Иванович"
PASSPORT = DEFAULT_PASSPORT
ADDRESS = "г. Москва, ул. Ленина, д. 5, кв. 12"
CALLS = ("+79031112233", "+79254445566", "+74951234567")
HOME_REGION = "RU-MOW"
OFFICE_ADDRESS = "г. Москва, ул. Тверская, д. 6"
#: A well-formed number that is not ours.
UNKNOWN_NUMBER = "+79990000000"


def make_ivanov(session: Session, pii_key: str) -> Subscriber:
    """Иванов, who called the three numbers weekly for two months, and one Moscow office."""
    subscriber = make_subscriber(session, pii_key, msisdn=NUMBER, full_name=NAME, address=ADDRESS)
    add_regular_calls(session, NUMBER, list(CALLS), datetime.now(UTC))
    session.add(
        Office(
            region=HOME_REGION, name="Салон на Тверской", address=OFFICE_ADDRESS, opening_hours="9:00–21:00"
        )
    )
    session.commit()
    return subscriber


def claim(
    session: Session,
    pii_key: str,
    *,
    action: Action,
    passport: str = PASSPORT,
    calls: tuple[str, ...] = (),
    lost_at: datetime | None = None,
) -> ClaimResult:
    """A claim for Иванов's number made on another channel (as a CRM would), committed."""
    result = submit_claim(
        session,
        ClaimRequest(
            msisdn=NUMBER,
            full_name=NAME,
            passport=passport,
            registered_address=ADDRESS if calls else "",
            recent_calls=calls,
            current_region=HOME_REGION,
            action=action,
            lost_at=lost_at,
        ),
        actor=Actor("e2e-test", Channel.CLI),
        now=datetime.now(UTC),
        pii_key=pii_key,
    )
    session.commit()
    return result

"""Small builders for test data; each returns the saved object."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from recovery.iccid import with_check_digit
from recovery.models import CallEvent, CallKind, Sim, SimStatus, StaffRole, StaffUser, Subscriber
from recovery.passports import passport_digest
from recovery.security.passwords import hash_password

_serial = itertools.count(1)

DEFAULT_PASSPORT = "4509 123456"
STAFF_PASSWORD = "correct-horse-battery"


def iccid() -> str:
    """A fresh Luhn-valid ICCID."""
    return with_check_digit(f"8970199{next(_serial):012d}")


def make_subscriber(
    session: Session,
    pii_key: str,
    *,
    msisdn: str = "+79161234567",
    full_name: str = "Иванов Иван Иванович",
    passport: str = DEFAULT_PASSPORT,
    address: str = "г. Москва, ул. Ленина, д. 5, кв. 12",
    region: str = "RU-MOW",
    email: str | None = "ivanov@example.ru",
    activated_at: datetime | None = None,
) -> Subscriber:
    """A subscriber with one active SIM."""
    last, first, *rest = full_name.split()
    subscriber = Subscriber(
        msisdn=msisdn,
        last_name=last,
        first_name=first,
        patronymic=" ".join(rest) or None,
        passport_hmac=passport_digest(passport, pii_key),
        registered_address=address,
        home_region=region,
        email=email,
        tariff="smart",
        balance_kopecks=10_000,
    )
    subscriber.sims.append(
        Sim(
            iccid=iccid(),
            status=SimStatus.ACTIVE,
            activated_at=activated_at or datetime(2024, 1, 1, tzinfo=UTC),
        )
    )
    session.add(subscriber)
    session.commit()
    return subscriber


def add_call(
    session: Session,
    caller: str,
    callee: str,
    started_at: datetime,
    kind: CallKind = CallKind.VOICE,
    duration_s: int = 60,
    region: str = "RU-MOW",
) -> CallEvent:
    """One ledger event."""
    event = CallEvent(
        caller=caller, callee=callee, started_at=started_at, duration_s=duration_s, kind=kind, region=region
    )
    session.add(event)
    session.commit()
    return event


def add_regular_calls(session: Session, caller: str, callees: list[str], lost_at: datetime) -> None:
    """Calls from ``caller`` to each callee weekly for two months before ``lost_at``."""
    for weeks in range(1, 9):
        for n, callee in enumerate(callees):
            add_call(session, caller, callee, lost_at - timedelta(weeks=weeks, hours=n + 1))


def make_staff(
    session: Session, role: StaffRole, login: str | None = None, region: str | None = None
) -> StaffUser:
    """A staff account whose password is ``STAFF_PASSWORD``."""
    user = StaffUser(
        login=login or f"{role.value}-{next(_serial)}",
        password_hash=hash_password(STAFF_PASSWORD),
        role=role,
        region=region,
    )
    session.add(user)
    session.commit()
    return user

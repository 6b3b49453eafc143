"""The people and data of the tests: the README's Иванов, subscribers and their ledgers,
account holders, staff and API clients. Each builder saves and returns what it made."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.contracts import open_contract
from recovery.iccid import with_check_digit
from recovery.ledger.imports import SUBSCRIBER_HEADER, ImportResult, import_subscribers
from recovery.models import (
    Account,
    ApiClient,
    ApiRole,
    ApiToken,
    CallEvent,
    CallKind,
    Sim,
    SimStatus,
    StaffRole,
    StaffUser,
    Subscriber,
)
from recovery.passports import passport_digest
from recovery.security.passwords import hash_password
from recovery.security.tokens import ROLE_SCOPES, new_token, token_hash

#: The README's subscriber: every answer of a claim for him passes.
IVANOV = {
    "msisdn": "+79161234567",
    "full_name": "Иванов Иван Иванович",
    "passport": "4509 123456",
    "address": "г. Москва, ул. Ленина, д. 5, кв. 12",
    "region": "RU-MOW",
    "email": "ivanov@example.ru",
    "calls": ("+79031112233", "+79254445566", "+74951234567"),
}
DEFAULT_PASSPORT = IVANOV["passport"]
#: The password of every staff member made here.
STAFF_PASSWORD = "correct-horse-battery"
#: The password of every account holder made here (unless given).
PASSWORD = "violet-tram-1987"

_serial = itertools.count(1)


def iccid() -> str:
    """A fresh Luhn-valid ICCID."""
    return with_check_digit(f"8970199{next(_serial):012d}")


@cache
def hashed(password: str) -> str:
    """An argon2 hash of ``password``, computed once per run."""
    return hash_password(password)


def make_subscriber(
    session: Session,
    pii_key: str,
    *,
    msisdn: str = IVANOV["msisdn"],
    full_name: str = IVANOV["full_name"],
    passport: str = IVANOV["passport"],
    address: str = IVANOV["address"],
    region: str = IVANOV["region"],
    email: str | None = IVANOV["email"],
    activated_at: datetime | None = None,
) -> Subscriber:
    """A subscriber (Иванов unless told otherwise) with one active SIM and a contract since its activation."""
    last, first, *rest = full_name.split()
    activated_at = activated_at or datetime(2024, 1, 1, tzinfo=UTC)
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
            activated_at=activated_at,
        )
    )
    open_contract(subscriber, activated_at)
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
    """Calls from ``caller`` to each callee weekly for two months before ``lost_at`` (one commit)."""
    session.add_all(
        CallEvent(
            caller=caller,
            callee=callee,
            started_at=lost_at - timedelta(weeks=weeks, hours=n + 1),
            duration_s=60,
            kind=CallKind.VOICE,
            region="RU-MOW",
        )
        for weeks in range(1, 9)
        for n, callee in enumerate(callees)
    )
    session.commit()


def make_ivanov(session: Session, pii_key: str, now: datetime) -> Subscriber:
    """Иванов with his ledger: calls to his three numbers weekly for two months before ``now``."""
    subscriber = make_subscriber(session, pii_key)
    add_regular_calls(session, IVANOV["msisdn"], list(IVANOV["calls"]), now)
    return subscriber


def make_account(session: Session, subscriber: Subscriber, password: str = PASSWORD) -> Account:
    """An account for ``subscriber`` whose password is ``password``."""
    account = Account(subscriber_id=subscriber.id, password_hash=hashed(password), failed_logins=0)
    session.add(account)
    session.commit()
    return account


def make_staff(
    session: Session, role: StaffRole, login: str | None = None, region: str | None = None
) -> StaffUser:
    """A staff account whose password is ``STAFF_PASSWORD``."""
    user = StaffUser(
        login=login or f"{role.value}-{next(_serial)}",
        password_hash=hashed(STAFF_PASSWORD),
        role=role,
        region=region,
    )
    session.add(user)
    session.commit()
    return user


def make_api_client(
    session: Session,
    role: ApiRole = ApiRole.PARTNER,
    scopes: tuple[str, ...] | None = None,
    *,
    name: str | None = None,
    region: str | None = None,
    enabled: bool = True,
) -> str:
    """Save an API client (all the role's scopes unless given) and return its bearer token."""
    token = new_token()
    client = ApiClient(
        name=name or f"{role.value}-{next(_serial)}",
        role=role,
        region=region,
        scopes=" ".join(ROLE_SCOPES[role.value] if scopes is None else scopes),
        is_enabled=enabled,
    )
    client.tokens.append(ApiToken(token_hash=token_hash(token)))
    session.add(client)
    session.commit()
    return token


def add_token(session: Session, existing_token: str) -> str:
    """Issue another token for the client holding ``existing_token``; return the new token."""
    holder = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(existing_token)))
    assert holder is not None, "no client holds that token"
    token = new_token()
    session.add(ApiToken(client_id=holder.client_id, token_hash=token_hash(token)))
    session.commit()
    return token


def import_new_owner(
    session: Session,
    pii_key: str,
    at: datetime,
    *,
    msisdn: str = IVANOV["msisdn"],
    full_name: str = "Петров Пётр Петрович",
    passport: str = "4011 111111",
    tariff: str = "basic",
) -> ImportResult:
    """Hand ``msisdn`` to another person, as the operator's subscriber file does: a row for the
    number with another passport and a new SIM activated at ``at``. Committed."""
    header = ",".join(SUBSCRIBER_HEADER)
    row = (
        f'{msisdn},{full_name},{passport},"г. Москва, ул. Тверская, д. 1, кв. 2",RU-MOW,{iccid()},'
        f"{at.isoformat()},,{tariff},0"
    )
    result = import_subscribers(session, io.BytesIO(f"{header}\n{row}\n".encode()), pii_key)
    session.commit()
    return result

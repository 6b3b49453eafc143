"""Balance top-ups behind a payment-provider interface (simulated here).

The idempotency key comes from the form the subscriber saw; the database's
unique constraint on (subscriber, key) makes a double submit charge once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import desc, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recovery import audit
from recovery.models import Account, Channel, Subscriber, TopUp, TopUpStatus

_KEY_RE = re.compile(r"^[A-Za-z0-9-]{16,64}$")
HISTORY_LENGTH = 20


class InvalidIdempotencyKey(ValueError):
    """The form's idempotency key is missing or malformed."""


@dataclass(frozen=True)
class PaymentResult:
    """The provider's answer to a charge."""

    approved: bool
    reference: str


class PaymentProvider(Protocol):
    """Charges the subscriber's card; must itself be idempotent on the key."""

    def charge(self, *, amount_kopecks: int, idempotency_key: str, description: str) -> PaymentResult:
        """Charge ``amount_kopecks`` once per ``idempotency_key``."""


class SimulatedPaymentProvider:
    """Approves every charge; stands in for the acquiring bank in development and tests."""

    def charge(self, *, amount_kopecks: int, idempotency_key: str, description: str) -> PaymentResult:
        """Approve, with a reference derived from the key (the same key, the same reference)."""
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        return PaymentResult(approved=True, reference=f"sim-{digest}")


def top_up(
    session: Session,
    account: Account,
    amount_kopecks: int,
    idempotency_key: str,
    *,
    now: datetime,
    provider: PaymentProvider,
    ip: str | None = None,
) -> tuple[TopUp, bool]:
    """Top the balance up once per key; returns the top-up and whether this call made it.

    The insert is the request's first write: when the key was used before, the
    unique constraint refuses it, the transaction is rolled back and the earlier
    top-up is returned without charging again.
    """
    if not isinstance(idempotency_key, str) or not _KEY_RE.match(idempotency_key):
        raise InvalidIdempotencyKey(idempotency_key)
    subscriber_id = account.subscriber_id
    row = TopUp(
        subscriber_id=subscriber_id,
        idempotency_key=idempotency_key,
        amount_kopecks=amount_kopecks,
        status=TopUpStatus.PENDING,
        created_at=now,
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        existing = session.scalars(
            select(TopUp).where(
                TopUp.subscriber_id == subscriber_id, TopUp.idempotency_key == idempotency_key
            )
        ).one()
        return existing, False
    result = provider.charge(
        amount_kopecks=amount_kopecks, idempotency_key=idempotency_key, description=f"top-up {row.id}"
    )
    row.provider_reference = result.reference
    if result.approved:
        row.status = TopUpStatus.SUCCEEDED
        # An SQL increment, so that concurrent top-ups and billing never lose each other's change.
        subscriber = session.get(Subscriber, subscriber_id)
        subscriber.balance_kopecks = Subscriber.balance_kopecks + amount_kopecks
    else:
        row.status = TopUpStatus.DECLINED
    session.flush()
    audit.record(
        session,
        actor=f"account:{account.id}",
        action="account.top_up",
        channel=Channel.ACCOUNT.value,
        subject=account.subscriber.msisdn,
        ip=ip,
        top_up_id=row.id,
        amount_kopecks=amount_kopecks,
        status=row.status.value,
    )
    return row, True


def top_up_history(session: Session, subscriber_id: int, limit: int = HISTORY_LENGTH) -> list[TopUp]:
    """The latest top-ups, newest first."""
    return list(
        session.scalars(
            select(TopUp)
            .where(TopUp.subscriber_id == subscriber_id)
            .order_by(desc(TopUp.created_at), desc(TopUp.id))
            .limit(limit)
        )
    )

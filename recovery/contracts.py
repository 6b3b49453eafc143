"""The contract history's rules: opening, handing a number to a new owner, and reading it back.

Over plain values and a session (no Flask). Who may change a number's owner
is the import's business (``recovery.ledger.writers``); a reissue never comes
here: a new SIM for the same subscriber is no new contract.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.models import Contract, Subscriber


class OwnerChangeBeforeContract(ValueError):
    """A new owner cannot start before the present owner's contract did."""


def open_contract(subscriber: Subscriber, started_at: datetime) -> Contract:
    """Give ``subscriber`` a contract on their number from ``started_at`` (saved with the subscriber)."""
    contract = Contract(msisdn=subscriber.msisdn, started_at=started_at)
    subscriber.contracts.append(contract)
    return contract


def change_owner(session: Session, subscriber: Subscriber, at: datetime) -> Contract:
    """End the contract in force on the number at ``at`` and open the new owner's from ``at``.

    The number's record (``subscriber``) is the line; its identity fields are
    the new owner's once the caller has written them. The old contract is
    flushed closed before the new one is added: a number has one open contract.
    """
    current = subscriber.current_contract
    if current is not None:
        if at <= current.started_at:
            raise OwnerChangeBeforeContract(subscriber.msisdn)
        current.ended_at = at
        session.flush()
    return open_contract(subscriber, at)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instant of ``day`` and of the next one, UTC: CAMARA dates are read as UTC days."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def contract_on(session: Session, msisdn: str, day: date) -> Contract | None:
    """The contract that held ``msisdn`` on ``day``: the last one signed by the end of that day.

    ``None`` when no contract had started by then or the last one had already
    ended before the day began (the number was out of service that day).
    Signing day counts: the owner who signed on ``day`` held it on ``day``.
    """
    start, end = day_bounds(day)
    contract = session.scalar(
        select(Contract)
        .where(Contract.msisdn == msisdn, Contract.started_at < end)
        .order_by(Contract.started_at.desc())
        .limit(1)
    )
    if contract is None or (contract.ended_at is not None and contract.ended_at < start):
        return None
    return contract


def recycled_since(session: Session, msisdn: str, day: date) -> bool:
    """Whether the number's subscriber changed after ``day`` (CAMARA Number Recycling).

    True when no contract held the number on ``day`` or the one that did has
    ended since (another owner, or none, holds it now); false when the owner of
    that day still holds it, whatever SIMs it moved between.
    """
    contract = contract_on(session, msisdn, day)
    return contract is None or contract.ended_at is not None


def tenure_since(subscriber: Subscriber, day: date) -> bool:
    """Whether the number's present owner has held it continuously since ``day`` (KYC Tenure)."""
    contract = subscriber.current_contract
    return contract is not None and contract.started_at < day_bounds(day)[1]

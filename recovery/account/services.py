"""What an account holder changes: the SIM lock, tariff and settings (blocking: ``claims.sims``).

Each use-case audits what it did (never the new e-mail or password, only that
they changed); the request boundary commits. The changes an intruder in a live
session would want (the e-mail, the password, the SIM lock off) need the current
password and are e-mailed to the address on record (``recovery.claims.notifications``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery import audit
from recovery.claims import notifications
from recovery.claims.actors import Actor
from recovery.models import Account, Channel, Tariff, TariffChange
from recovery.security.passwords import (
    check_password_strength,
    guessable_words,
    hash_password,
    verify_password,
)

CHANNEL = Channel.ACCOUNT.value


class WrongPassword(Exception):
    """The password typed to confirm an action is not the account's."""


class UnknownTariff(Exception):
    """No tariff with that code is on offer."""


def actor_of(account: Account) -> str:
    """How an account holder appears in the audit log."""
    return Actor.account_holder(account, None).label


def _record(session: Session, account: Account, action: str, ip: str | None, **details: object) -> None:
    """Audit ``action`` by the account's owner on their own number (the account channel)."""
    audit.record(
        session,
        actor=actor_of(account),
        action=action,
        channel=CHANNEL,
        subject=account.subscriber.msisdn,
        ip=ip,
        **details,
    )


def confirm_password(account: Account, password: str) -> None:
    """Raise ``WrongPassword`` unless ``password`` is the account's (the proof for risky actions)."""
    if not verify_password(account.password_hash, password):
        raise WrongPassword()


def turn_sim_lock_on(session: Session, account: Account, *, now: datetime, ip: str | None = None) -> None:
    """Turn the SIM lock ("reissue only in person at an office") on, at once and without a password.

    Turning it on only protects, so it needs no proof; it also cancels a
    release asked for and not yet due (the owner is e-mailed about that).
    """
    subscriber = account.subscriber
    pending = subscriber.reissue_lock_release_pending(now)
    if subscriber.reissue_lock_effective(now) and pending is None:
        return
    subscriber.reissue_in_person_only = True
    subscriber.reissue_lock_release_at = None
    subscriber.updated_at = now
    _record(session, account, "account.sim_lock_release_cancelled" if pending else "account.sim_lock_on", ip)
    if pending:
        notifications.queue(session, subscriber, notifications.sim_lock_release_cancelled(subscriber.msisdn))


def request_sim_lock_release(
    session: Session,
    account: Account,
    password: str,
    *,
    now: datetime,
    delay: timedelta,
    ip: str | None = None,
) -> datetime | None:
    """Ask to turn the SIM lock off: it stays in force until ``now + delay``. Raises ``WrongPassword``.

    Turning the protection off is what an intruder in the account wants (then a
    remote reissue takes the number), so it needs the password, waits ``delay``
    and e-mails the address on record at once, which leaves the owner time to
    cancel. Returns when the lock goes off (None when it is already off); asking
    again while a release is pending changes nothing.
    """
    confirm_password(account, password)
    subscriber = account.subscriber
    if not subscriber.reissue_lock_effective(now):
        return None
    pending = subscriber.reissue_lock_release_pending(now)
    if pending is not None:
        return pending
    release_at = now + delay
    subscriber.reissue_lock_release_at = release_at
    subscriber.updated_at = now
    _record(session, account, "account.sim_lock_release_requested", ip, release_at=release_at.isoformat())
    notifications.queue(
        session, subscriber, notifications.sim_lock_release_requested(subscriber.msisdn, release_at)
    )
    return release_at


def change_email(
    session: Session,
    account: Account,
    password: str,
    email: str | None,
    *,
    now: datetime,
    ip: str | None = None,
) -> None:
    """Set the e-mail address for notifications (``None`` removes it). Raises ``WrongPassword``.

    The address is where the owner is told of a block, a reissue and of changes
    here, so changing it needs the password, and both the old and the new
    address are told (the message names neither).
    """
    confirm_password(account, password)
    subscriber = account.subscriber
    if subscriber.email == email:
        return
    old = subscriber.email
    subscriber.email = email
    subscriber.updated_at = now
    _record(session, account, "account.email_changed", ip, removed=email is None)
    if old:
        message = notifications.email_changed(subscriber.msisdn, to_new_address=False)
        notifications.queue(session, subscriber, message, to=old)
    if email:
        message = notifications.email_changed(subscriber.msisdn, to_new_address=True)
        notifications.queue(session, subscriber, message, to=email)


def change_language(session: Session, account: Account, language: str, *, ip: str | None = None) -> None:
    """Remember the interface language chosen in the settings."""
    if account.language == language:
        return
    account.language = language
    _record(session, account, "account.language_changed", ip, language=language)


def change_password(
    session: Session, account: Account, current: str, new: str, *, now: datetime, ip: str | None = None
) -> None:
    """Replace the password; raises ``WrongPassword`` or ``WeakPassword``.

    Every session of the account ends and the address on record is told.
    """
    confirm_password(account, current)
    check_password_strength(new, user_inputs=guessable_words(account.subscriber.msisdn))
    # A new hash ends every session of the account (recovery/auth.py); the caller signs this one in again.
    account.password_hash = hash_password(new)
    account.password_changed_at = now
    _record(session, account, "account.password_changed", ip)
    notifications.queue(
        session, account.subscriber, notifications.password_changed(account.subscriber.msisdn)
    )


def available_tariffs(session: Session) -> list[Tariff]:
    """The tariffs on offer, in display order."""
    return list(
        session.scalars(select(Tariff).where(Tariff.is_available).order_by(Tariff.sort_order, Tariff.code))
    )


def change_tariff(
    session: Session, account: Account, code: str, *, now: datetime, ip: str | None = None
) -> Tariff:
    """Move the subscriber to another tariff on offer from ``now`` on; raises ``UnknownTariff``.

    The move is kept in the tariff history, so events before ``now`` keep the
    prices of the tariff they were made under.
    """
    tariff = session.get(Tariff, code)
    if tariff is None or not tariff.is_available:
        raise UnknownTariff(code)
    subscriber = account.subscriber
    if subscriber.tariff != tariff.code:
        previous = subscriber.tariff
        subscriber.tariff = tariff.code
        subscriber.updated_at = now
        change = TariffChange(subscriber_id=subscriber.id, previous=previous, tariff=tariff.code)
        change.effective_from = now
        session.add(change)
        _record(session, account, "account.tariff_changed", ip, previous=previous, tariff=tariff.code)
    return tariff

"""Unblocking at an office: the owner shows the passport, the clerk types the number and the passport.

The passport is compared with the keyed digest on record
(``verification.passport.match_passport``), never shown. A wrong passport and
an unknown number get the same answer and are counted alike: per number,
``MAX_FULFIL_FAILURES`` refusals within ``FULFIL_LOCK_HOURS`` pause office
unblocking of that number (the hand-over's rule). The refusals are counted
from their audit events (``sim.unblock_refused``), so no table of their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recovery.claims.actors import Actor
from recovery.claims.tickets import FULFIL_LOCK_HOURS, MAX_FULFIL_FAILURES
from recovery.models import AuditEvent, Sim, Subscriber
from recovery.network.unblock import unblock_sim
from recovery.security.guards import take_guard
from recovery.verification.passport import match_passport

REFUSED = "sim.unblock_refused"


class PassportMismatch(Exception):
    """The passport does not match the number's record, or the number is not ours (one answer)."""


class UnblockPaused(Exception):
    """Too many refusals for this number lately: office unblocking waits."""


def recent_refusals(session: Session, msisdn: str, now: datetime) -> int:
    """Refused office unblocks of ``msisdn`` within ``FULFIL_LOCK_HOURS``."""
    since = now - timedelta(hours=FULFIL_LOCK_HOURS)
    return session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == REFUSED, AuditEvent.subject == msisdn, AuditEvent.at >= since)
    )


def unblock_at_office(
    session: Session, msisdn: str, passport: str, *, pii_key: str, actor: Actor, now: datetime
) -> Sim:
    """Unblock the number's SIM once the passport matches (the caller commits, also after a refusal).

    Raises :class:`UnblockPaused`, :class:`PassportMismatch` (after counting it),
    or ``unblock``'s ``NotBlocked`` / ``ReissueOpen``.
    """
    # Count, then check, as one step: parallel tries by several clerks wait here in turn.
    take_guard(session, f"office-unblock:{msisdn}")
    if recent_refusals(session, msisdn, now) >= MAX_FULFIL_FAILURES:
        raise UnblockPaused(msisdn)
    subscriber = session.scalar(select(Subscriber).where(Subscriber.msisdn == msisdn))
    stored = subscriber.passport_hmac if subscriber is not None else None
    if not match_passport(passport, stored, pii_key).matched:
        actor.audit(session, REFUSED, msisdn)
        raise PassportMismatch(msisdn)
    return unblock_sim(session, subscriber, now=now, actor=actor)

"""The rules behind the partner APIs, over plain values and a session (no Flask).

Views parse the request, call these, and turn a named exception into a CAMARA error.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from recovery.models import Subscriber

#: SIM Swap ``maxAge``, hours (CAMARA SIM Swap v2).
MIN_MAX_AGE_HOURS = 1
MAX_MAX_AGE_HOURS = 2400
DEFAULT_MAX_AGE_HOURS = 240


class IdentifierNotFound(LookupError):
    """The number is not one of our subscribers."""


class MaxAgeOutOfRange(ValueError):
    """``maxAge`` lies outside 1–2400 hours."""


def find_subscriber(session: Session, phone_number: str) -> Subscriber:
    """The subscriber of an E.164 number, with the SIM history, or ``IdentifierNotFound``."""
    subscriber = session.scalar(
        select(Subscriber).where(Subscriber.msisdn == phone_number).options(selectinload(Subscriber.sims))
    )
    if subscriber is None:
        raise IdentifierNotFound(phone_number)
    return subscriber


def latest_sim_change(subscriber: Subscriber) -> datetime | None:
    """When the number last moved to a new SIM.

    A fulfilled reissue creates a new SIM activated at the hand-over, so the
    current SIM's activation time is the last swap, or, for a number never
    reissued, the activation of its first SIM (a new subscription counts as a
    swap in CAMARA). ``None`` when the number has no current SIM.
    """
    sim = subscriber.current_sim
    return sim.activated_at if sim is not None else None


def check_max_age(max_age_hours: int) -> int:
    """Return ``max_age_hours`` if CAMARA allows it, else raise ``MaxAgeOutOfRange``."""
    if not MIN_MAX_AGE_HOURS <= max_age_hours <= MAX_MAX_AGE_HOURS:
        raise MaxAgeOutOfRange(max_age_hours)
    return max_age_hours


def swapped_within(latest_change: datetime | None, now: datetime, max_age_hours: int) -> bool:
    """True when the last SIM change happened in the ``max_age_hours`` before ``now``."""
    check_max_age(max_age_hours)
    if latest_change is None:
        return False
    return latest_change >= now - timedelta(hours=max_age_hours)

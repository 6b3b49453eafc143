"""The rules behind the partner APIs, over plain values and a session (no Flask).

Views parse the request, call these, and turn a named exception into a CAMARA error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from recovery.models import Subscriber
from recovery.verification import (
    FieldResult,
    MatchSettings,
    PersonName,
    match_address,
    match_family_name,
    match_full_name,
    match_given_name,
    match_middle_names,
    match_passport,
    partner_score,
)
from recovery.verification.text import fold

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


# --- KYC Match ---------------------------------------------------------------------------------------

#: Every registered address (адрес регистрации) is in Russia.
RECORD_COUNTRY = "RU"


@dataclass(frozen=True)
class KycContext:
    """What the KYC matchers need besides the claimed value: the record and the policy."""

    subscriber: Subscriber
    pii_key: str
    settings: MatchSettings

    @property
    def name(self) -> PersonName:
        """The name on record."""
        return PersonName(self.subscriber.last_name, self.subscriber.first_name, self.subscriber.patronymic)


def match_email(claimed: str, recorded: str | None) -> FieldResult:
    """Compare email addresses ignoring case and surrounding spaces, scored like names."""
    if not recorded:
        return FieldResult.not_available()
    left, right = fold(claimed).strip(), fold(recorded).strip()
    return FieldResult.match() if left == right else FieldResult.no_match(partner_score(left, right))


def match_country(claimed: str) -> FieldResult:
    """The country of the registered address, always Russia (ISO 3166-1 alpha-2, any case)."""
    return FieldResult.match(scored=False) if claimed.upper() == RECORD_COUNTRY else FieldResult.no_match()


#: The KYC properties the operator holds, each with its matcher; every other one is not available.
#: Address parts (street, house, postcode, region, locality) are held only inside the one
#: registered-address text, so they are not available on their own: partners send ``address``.
KYC_MATCHERS: Mapping[str, Callable[[Any, KycContext], FieldResult]] = {
    "idDocument": lambda claimed, ctx: match_passport(claimed, ctx.subscriber.passport_hmac, ctx.pii_key),
    "name": lambda claimed, ctx: match_full_name(claimed, ctx.name, ctx.settings),
    "givenName": lambda claimed, ctx: match_given_name(claimed, ctx.subscriber.first_name, ctx.settings),
    "familyName": lambda claimed, ctx: match_family_name(claimed, ctx.subscriber.last_name, ctx.settings),
    "middleNames": lambda claimed, ctx: match_middle_names(claimed, ctx.subscriber.patronymic, ctx.settings),
    "address": lambda claimed, ctx: match_address(claimed, ctx.subscriber.registered_address, ctx.settings),
    "email": lambda claimed, ctx: match_email(claimed, ctx.subscriber.email),
    "country": lambda claimed, ctx: match_country(claimed),
}


def kyc_match(
    claimed: Mapping[str, Any], subscriber: Subscriber, *, pii_key: str, settings: MatchSettings
) -> dict[str, FieldResult]:
    """One result per claimed property, in the order given; never the stored values."""
    context = KycContext(subscriber, pii_key, settings)
    return {
        field: KYC_MATCHERS[field](value, context) if field in KYC_MATCHERS else FieldResult.not_available()
        for field, value in claimed.items()
    }

"""The rules behind the partner APIs, over plain values and a session (no Flask).

Views parse the request, call these, and turn a named exception into a CAMARA error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from recovery.models import Subscriber
from recovery.verification import (
    FieldResult,
    MatchSettings,
    MatchStatus,
    PersonName,
    match_address,
    match_family_name,
    match_full_name,
    match_given_name,
    match_middle_names,
    match_passport,
    partner_score,
)
from recovery.verification.addresses import parse_address
from recovery.verification.names import name_parts, words_match
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
    """The subscriber of an E.164 number, with the SIM history, or ``IdentifierNotFound``.

    One statement (the SIMs joined), the same one whether the number is ours or
    not: a second statement for the SIMs of a known number only would tell the
    two apart.
    """
    subscriber = (
        session.execute(
            select(Subscriber).where(Subscriber.msisdn == phone_number).options(joinedload(Subscriber.sims))
        )
        .unique()
        .scalar_one_or_none()
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


# --- Scores: coarse bands that cannot be climbed --------------------------------------------------
#: The only ``*MatchScore`` values a partner ever sees beside a "false" (CAMARA allows any 0–99 scale).
SCORE_BANDS: tuple[int, ...] = (0, 25, 50, 75)
#: The band is the share of the recorded words that were typed, in quarters, at most the top band.
_QUARTERS = 4


def band(words_typed: int, words_on_record: int) -> int:
    """The score band of a mismatch: the share of the record's words that were typed, in quarters.

    0 when none was, 75 at most (all words right but the answer still "false",
    e.g. an extra word).
    """
    if words_on_record <= 0 or words_typed <= 0:
        return SCORE_BANDS[0]
    quarter = min(len(SCORE_BANDS) - 1, _QUARTERS * words_typed // words_on_record)
    return SCORE_BANDS[quarter]


def _words_typed(typed: Sequence[str], recorded: Sequence[str], settings: MatchSettings) -> int:
    """How many recorded words some typed word matches by the engine's own word rule (one typo)."""
    return sum(1 for word in recorded if any(words_match(t, word, settings) for t in typed))


def _name_band(claimed: str, recorded: str, settings: MatchSettings) -> int:
    record = name_parts(recorded)
    return band(_words_typed(name_parts(claimed), record, settings), len(record))


def _address_band(claimed: str, recorded: str, settings: MatchSettings) -> int:
    # Only the names (city, street …) count: house and flat numbers never move the score, so they
    # cannot be guessed one by one through it.
    record = parse_address(recorded).names
    return band(_words_typed(parse_address(claimed).names, record, settings), len(record))


def _email_band(claimed: str, recorded: str, settings: MatchSettings) -> int:
    record = fold(recorded).strip().split("@")
    typed = fold(claimed).strip().split("@")
    return band(sum(1 for part in record if part in typed), len(record))


#: How each scored property's band is worked out, from the claimed and the recorded text.
_BANDS: Mapping[str, tuple[Callable[[str, str, MatchSettings], int], Callable[[KycContext], str | None]]] = {
    "name": (_name_band, lambda ctx: ctx.name.full),
    "givenName": (_name_band, lambda ctx: ctx.subscriber.first_name),
    "familyName": (_name_band, lambda ctx: ctx.subscriber.last_name),
    "middleNames": (_name_band, lambda ctx: ctx.subscriber.patronymic),
    "address": (_address_band, lambda ctx: ctx.subscriber.registered_address),
    "email": (_email_band, lambda ctx: ctx.subscriber.email),
}


def banded(field: str, claimed: Any, result: FieldResult, context: KycContext) -> FieldResult:
    """``result`` with its score replaced by the coarse band (a "false" only; others unchanged).

    The engine's score is a fine Jaro-Winkler similarity: one letter changed
    moves it, so a partner could climb a stranger's name letter by letter
    (issue 12). The band moves only when a whole word is typed right (within
    the engine's one-typo tolerance), so below the match threshold of a word
    a letter-by-letter climb gets no signal at all.
    """
    if result.status is not MatchStatus.NO_MATCH or result.score is None or field not in _BANDS:
        return result
    scorer, recorded = _BANDS[field]
    return FieldResult.no_match(scorer(str(claimed), recorded(context) or "", context.settings))


def kyc_match(
    claimed: Mapping[str, Any], subscriber: Subscriber, *, pii_key: str, settings: MatchSettings
) -> dict[str, FieldResult]:
    """One result per claimed property, in the order given, scores as bands; never the stored values."""
    context = KycContext(subscriber, pii_key, settings)
    results = {}
    for field, value in claimed.items():
        if field not in KYC_MATCHERS:
            results[field] = FieldResult.not_available()
            continue
        results[field] = banded(field, value, KYC_MATCHERS[field](value, context), context)
    return results

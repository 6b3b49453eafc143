"""One call that checks every answer of a claim against the record.

The wizard, the agent console and the JSON API all verify through
``verify_claim`` and then ``decision.decide``; the CAMARA endpoint uses the
single-field matchers directly. Nobody is shown the stored data: the result
holds only whether each answer matched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from recovery.verification.addresses import match_address
from recovery.verification.calls import CallCheck, check_calls
from recovery.verification.names import PersonName, match_full_name
from recovery.verification.passport import match_passport, match_passport_digest
from recovery.verification.results import FieldResult, MatchStatus
from recovery.verification.settings import DEFAULT_POLICY, Policy


class SubscriberLike(Protocol):
    """The attributes of ``recovery.models.Subscriber`` that verification reads."""

    last_name: str
    first_name: str
    patronymic: str | None
    passport_hmac: str
    registered_address: str
    home_region: str
    reissue_in_person_only: bool


@dataclass(frozen=True)
class SubscriberRecord:
    """What the operator holds for a number, as the matchers and the decision need it."""

    name: PersonName
    passport_digest: str
    registered_address: str
    home_region: str
    #: The owner's "SIM lock": remote claims may block but never reissue.
    reissue_in_person_only: bool = False

    @classmethod
    def of(cls, subscriber: SubscriberLike) -> SubscriberRecord:
        """Copy the fields verification needs from a subscriber row."""
        return cls(
            name=PersonName(subscriber.last_name, subscriber.first_name, subscriber.patronymic),
            passport_digest=subscriber.passport_hmac,
            registered_address=subscriber.registered_address,
            home_region=subscriber.home_region,
            reissue_in_person_only=bool(subscriber.reissue_in_person_only),
        )


@dataclass(frozen=True)
class ClaimAnswers:
    """What the claimant typed.

    The passport is either ``passport`` as typed or, from the wizard, only
    ``passport_digest`` (its keyed HMAC); with a digest ``passport`` is unused.
    """

    full_name: str
    passport: str
    registered_address: str = ""
    recent_calls: tuple[str, ...] = ()
    passport_digest: str | None = None


@dataclass(frozen=True)
class Verification:
    """Which answers matched; never the stored values."""

    name: FieldResult
    passport: FieldResult
    address: FieldResult
    calls: CallCheck
    post_loss_events: int = field(default=0)

    @property
    def identity_proven(self) -> bool:
        """Name and passport matched: enough to block."""
        return self.name.matched and self.passport.matched

    @property
    def ownership_proven(self) -> bool:
        """Everything matched: enough to reissue remotely."""
        return self.identity_proven and self.address.matched and self.calls.passed

    def summary(self) -> dict[str, bool | int]:
        """The API's ``verification`` object, for staff (agents) only.

        Self-service must not show it: per-field results would tell a stranger
        which details belong to the number.
        """
        return {
            "name": self.name.matched,
            "passport": self.passport.matched,
            "address": self.address.matched,
            "callsMatched": self.calls.matched,
            "callsRequired": self.calls.required,
            "postLossActivity": self.post_loss_events,
        }


#: Matched against when the number is not ours, so that the work done (and
#: its time) does not tell an unknown number from a wrong answer.
_DECOY = SubscriberRecord(
    name=PersonName("Иванов", "Иван", "Иванович"),
    passport_digest="0" * 64,
    registered_address="г. Москва, ул. Тверская, д. 1, кв. 1",
    home_region="RU-MOW",
)


def verify_claim(
    answers: ClaimAnswers,
    record: SubscriberRecord | None,
    *,
    reference: Sequence[str],
    post_loss_events: int,
    pii_key: str,
    policy: Policy = DEFAULT_POLICY,
) -> Verification:
    """Check every answer. ``record`` is None for a number that is not ours.

    ``reference`` and ``post_loss_events`` come from
    :mod:`recovery.verification.repository`, queried for unknown numbers too.
    """
    checked = _check(answers, record or _DECOY, reference, post_loss_events, pii_key, policy)
    if record is not None:
        return checked
    return nothing_verified(policy)


def nothing_verified(policy: Policy = DEFAULT_POLICY) -> Verification:
    """Nothing could be checked: the number is not ours, or the claim was refused before
    its answers were looked at (a locked number)."""
    unknown = FieldResult.not_available()
    calls = CallCheck(MatchStatus.NOT_AVAILABLE, matched=0, required=policy.calls.calls_required)
    return Verification(unknown, unknown, unknown, calls, post_loss_events=0)


def _passport_result(answers: ClaimAnswers, record: SubscriberRecord, pii_key: str) -> FieldResult:
    if answers.passport_digest is not None:
        return match_passport_digest(answers.passport_digest, record.passport_digest)
    return match_passport(answers.passport, record.passport_digest, pii_key)


def _check(
    answers: ClaimAnswers,
    record: SubscriberRecord,
    reference: Sequence[str],
    post_loss_events: int,
    pii_key: str,
    policy: Policy,
) -> Verification:
    return Verification(
        name=match_full_name(answers.full_name, record.name, policy.match),
        passport=_passport_result(answers, record, pii_key),
        address=match_address(answers.registered_address, record.registered_address, policy.match),
        calls=check_calls(answers.recent_calls, reference, policy.calls),
        post_loss_events=post_loss_events,
    )

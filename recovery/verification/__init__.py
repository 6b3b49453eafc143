"""Identity verification of a lost-SIM claim: Flask-free rules over plain values.

Layout:

* :mod:`.settings` — policy numbers (named defaults) and ``Policy``;
* :mod:`.text`, :mod:`.translit` — folding and transliteration shared by matchers;
* :mod:`.names`, :mod:`.addresses`, :mod:`.passport` — one matcher per answer,
  each returning a :class:`~.results.FieldResult` (CAMARA-shaped);
* :mod:`.calls` — the call check over fetched rows; :mod:`.repository` — the
  only database access (the reference calls and post-loss activity);
* :mod:`.verify` — all answers of a claim at once; :mod:`.decision` — the
  outcome and what to tell the claimant (:mod:`.messages`).
"""

from recovery.verification.addresses import match_address, normalise_address
from recovery.verification.calls import CallCheck, TooManyClaimedCalls, check_calls
from recovery.verification.decision import UNLOCKED, Decision, LockState, decide, lock_state
from recovery.verification.messages import Message, MessageCode
from recovery.verification.names import (
    PersonName,
    match_family_name,
    match_full_name,
    match_given_name,
    match_middle_names,
    normalise_name,
)
from recovery.verification.passport import match_passport, match_passport_digest
from recovery.verification.results import FieldResult, MatchStatus, partner_score
from recovery.verification.settings import DEFAULT_POLICY, CallSettings, MatchSettings, Policy
from recovery.verification.verify import (
    ClaimAnswers,
    SubscriberRecord,
    Verification,
    nothing_verified,
    verify_claim,
)

__all__ = [
    "DEFAULT_POLICY",
    "UNLOCKED",
    "CallCheck",
    "CallSettings",
    "ClaimAnswers",
    "Decision",
    "FieldResult",
    "LockState",
    "MatchSettings",
    "MatchStatus",
    "Message",
    "MessageCode",
    "PersonName",
    "Policy",
    "SubscriberRecord",
    "TooManyClaimedCalls",
    "Verification",
    "check_calls",
    "decide",
    "lock_state",
    "match_address",
    "match_family_name",
    "match_full_name",
    "match_given_name",
    "match_middle_names",
    "match_passport",
    "match_passport_digest",
    "normalise_address",
    "normalise_name",
    "nothing_verified",
    "partner_score",
    "verify_claim",
]

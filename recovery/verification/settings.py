"""Policy numbers of identity verification, with their defaults.

Every number the rules depend on is a named constant here, reused by the
matchers, the decision, forms and tests. The frozen dataclasses carry them
through the code; ``Policy.from_config`` reads overrides from a mapping such as
``app.config`` under the same names as the constants, so the Flask side does
``Policy.from_config(current_app.config)`` and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# --- Text matching (DESIGN 2.1) ---------------------------------------------
#: Least Jaro-Winkler similarity (rapidfuzz, scaled 0–100, the score partners
#: see) for a name word typed with a typo. Jaro-Winkler forgives a late typo or
#: swapped neighbours (Иавн, Павле) more than a changed first letter, which is
#: how short Russian names differ from each other: at 90, Анна/Инна (83),
#: Ирина/Арина (87) and Елена/Алена (87) fail, Иванов/Иавнов (95) passes.
NAME_THRESHOLD = 90
#: Typos (insertion, deletion, replacement, swap of neighbours) per name word.
MAX_TYPOS_PER_WORD = 1
#: Shorter words must be typed exactly: one letter turns Ян into Яна.
MIN_TYPO_WORD_LENGTH = 4
#: Least rapidfuzz ``token_set_ratio`` (0–100) of the words of two addresses.
#: At 80 a typo in both the city and the street still passes (Мосвка, Леинна:
#: 85) and another city does not (Химки for Москва: 72). The words of the
#: recorded street (or settlement) name must moreover each be typed as a name
#: word is (one typo, ``NAME_THRESHOLD``): Лесная (85) and Ленинская (90) are
#: not Ленина.
ADDRESS_THRESHOLD = 80

# --- The call check (DESIGN 2.2) --------------------------------------------
#: The reference window: outgoing voice calls this many days before ``lostAt``.
CALL_WINDOW_DAYS = 30
#: A number first seen fewer days than this before ``lostAt`` never counts
#: (call-back scam: the fraudster phones the victim, gets called back, quotes it).
MIN_KNOWN_DAYS = 7
#: At most this many distinct numbers, most recent first, form the reference set.
MAX_REFERENCE_NUMBERS = 10
#: Claimed numbers that must be in the reference set.
CALLS_REQUIRED = 2
#: Claimed numbers accepted at most: more would turn the check into guessing.
MAX_CLAIMED_CALLS = 3
#: Post-loss events are counted up to this cap ("100 or more").
POST_LOSS_COUNT_CAP = 100

# --- Decisions (DESIGN 2.3) -------------------------------------------------
#: Rejected claims for one number within ``LOCK_HOURS`` that lock it.
MAX_FAILED_CLAIMS = 5
#: A lock lasts this long after the last failure (or until a supervisor unlocks).
LOCK_HOURS = 24
#: Reissue only in the subscriber's home region (MTS rule); off: any region.
REISSUE_HOME_REGION_ONLY = True
#: A reissued SIM gets no SMS and no mobile data for this long.
REISSUE_COOLING_HOURS = 24

# --- Remote reissue (DESIGN 2.2, 2.3): the claimant chooses lostAt ------------
#: A remote reissue needs a loss at most this long before the claim: an older
#: ``lostAt`` would check the calls against a window the claimant picked.
MAX_REMOTE_LOSS_AGE_HOURS = 72
#: More post-loss events than this (a finder using the SIM) turn a remote
#: reissue into a block and an office visit. ``POST_LOSS_COUNT_CAP`` must stay above it.
MAX_POST_LOSS_FOR_REISSUE = 20
#: Failed reissue proofs (name and passport right, address or calls wrong) for
#: one number within ``REISSUE_PROOF_WINDOW_HOURS``, after which a reissue is
#: only in person: each would otherwise be a free guess at the calls.
MAX_FAILED_REISSUE_PROOFS = 3
REISSUE_PROOF_WINDOW_HOURS = 24

# --- Per-client ceiling (DESIGN 2.3) ------------------------------------------
#: Distinct numbers one API client or one agent may fail on (rejected) within
#: ``CLIENT_FAILURE_WINDOW_HOURS``; beyond it the client gets 429 and the
#: supervisors an alert. Five tries a number, spread over many numbers, is a sweep.
MAX_FAILED_NUMBERS_PER_CLIENT = 20
CLIENT_FAILURE_WINDOW_HOURS = 1


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds of the name and address matchers."""

    name_threshold: int = NAME_THRESHOLD
    max_typos_per_word: int = MAX_TYPOS_PER_WORD
    min_typo_word_length: int = MIN_TYPO_WORD_LENGTH
    address_threshold: int = ADDRESS_THRESHOLD


@dataclass(frozen=True)
class CallSettings:
    """Windows and counts of the call check."""

    window_days: int = CALL_WINDOW_DAYS
    min_known_days: int = MIN_KNOWN_DAYS
    max_reference_numbers: int = MAX_REFERENCE_NUMBERS
    calls_required: int = CALLS_REQUIRED
    max_claimed_calls: int = MAX_CLAIMED_CALLS
    post_loss_count_cap: int = POST_LOSS_COUNT_CAP


@dataclass(frozen=True)
class Policy:
    """Everything the verification and the decision depend on."""

    match: MatchSettings = field(default_factory=MatchSettings)
    calls: CallSettings = field(default_factory=CallSettings)
    max_failed_claims: int = MAX_FAILED_CLAIMS
    lock_hours: int = LOCK_HOURS
    reissue_home_region_only: bool = REISSUE_HOME_REGION_ONLY
    reissue_cooling_hours: int = REISSUE_COOLING_HOURS
    max_remote_loss_age_hours: int = MAX_REMOTE_LOSS_AGE_HOURS
    max_post_loss_for_reissue: int = MAX_POST_LOSS_FOR_REISSUE
    max_failed_reissue_proofs: int = MAX_FAILED_REISSUE_PROOFS
    reissue_proof_window_hours: int = REISSUE_PROOF_WINDOW_HOURS
    max_failed_numbers_per_client: int = MAX_FAILED_NUMBERS_PER_CLIENT
    client_failure_window_hours: int = CLIENT_FAILURE_WINDOW_HOURS

    def __post_init__(self) -> None:
        # A capped count at or below the threshold could never exceed it: heavy
        # post-loss activity would stop turning a reissue into a block.
        if self.calls.post_loss_count_cap <= self.max_post_loss_for_reissue:
            raise ValueError("POST_LOSS_COUNT_CAP must be above MAX_POST_LOSS_FOR_REISSUE")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Policy:
        """Build a policy from a mapping keyed by the constants' names.

        Keys that are absent keep their defaults, so a config may set only the
        numbers an operator changes.
        """
        return cls(
            match=_build(MatchSettings, config, _MATCH_KEYS),
            calls=_build(CallSettings, config, _CALL_KEYS),
            **_overrides(config, _POLICY_KEYS),
        )


#: Config key → dataclass field, per dataclass.
_MATCH_KEYS = {
    "NAME_THRESHOLD": "name_threshold",
    "MAX_TYPOS_PER_WORD": "max_typos_per_word",
    "MIN_TYPO_WORD_LENGTH": "min_typo_word_length",
    "ADDRESS_THRESHOLD": "address_threshold",
}
_CALL_KEYS = {
    "CALL_WINDOW_DAYS": "window_days",
    "MIN_KNOWN_DAYS": "min_known_days",
    "MAX_REFERENCE_NUMBERS": "max_reference_numbers",
    "CALLS_REQUIRED": "calls_required",
    "MAX_CLAIMED_CALLS": "max_claimed_calls",
    "POST_LOSS_COUNT_CAP": "post_loss_count_cap",
}
_POLICY_KEYS = {
    "MAX_FAILED_CLAIMS": "max_failed_claims",
    "LOCK_HOURS": "lock_hours",
    "REISSUE_HOME_REGION_ONLY": "reissue_home_region_only",
    "REISSUE_COOLING_HOURS": "reissue_cooling_hours",
    "MAX_REMOTE_LOSS_AGE_HOURS": "max_remote_loss_age_hours",
    "MAX_POST_LOSS_FOR_REISSUE": "max_post_loss_for_reissue",
    "MAX_FAILED_REISSUE_PROOFS": "max_failed_reissue_proofs",
    "REISSUE_PROOF_WINDOW_HOURS": "reissue_proof_window_hours",
    "MAX_FAILED_NUMBERS_PER_CLIENT": "max_failed_numbers_per_client",
    "CLIENT_FAILURE_WINDOW_HOURS": "client_failure_window_hours",
}

#: Every config key ``Policy.from_config`` reads.
CONFIG_KEYS: tuple[str, ...] = (*_MATCH_KEYS, *_CALL_KEYS, *_POLICY_KEYS)


def _overrides(config: Mapping[str, Any], keys: Mapping[str, str]) -> dict[str, Any]:
    return {name: config[key] for key, name in keys.items() if key in config}


def _build(cls: type, config: Mapping[str, Any], keys: Mapping[str, str]) -> Any:
    return cls(**_overrides(config, keys))


DEFAULT_POLICY = Policy()

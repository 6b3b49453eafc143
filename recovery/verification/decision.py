"""The decision on a claim (DESIGN 2.3), a pure function of what was verified.

=========  ==================================  ================  =====================================
requested  verified                            where             outcome
=========  ==================================  ================  =====================================
block      name and passport                   anywhere          ``block``
reissue    name, passport, address, calls      home region       ``reissue`` (blocked, ticket for home)
reissue    name, passport, address, calls      elsewhere         ``block`` + home region only (named)
reissue    only name and passport              anywhere          ``block`` + visit a home-region office
any        less, or the number is not ours     anywhere          ``rejected``, no ticket
any        ``MAX_FAILED_CLAIMS`` rejected      anywhere          ``locked`` until ``LOCK_HOURS`` after
           within ``LOCK_HOURS``                                 the last failure or a supervisor unlock
=========  ==================================  ================  =====================================

Further rules:

* the lock comes first and applies to unknown numbers too: otherwise five
  tries would tell which numbers are ours. It stops *remote* verification
  only: channels where the owner is already authenticated (the personal
  account, an office seeing the passport) do not call ``decide``;
* an unknown number is rejected exactly like a wrong answer: same outcome,
  same message, no parameters;
* with the home-region rule off (``REISSUE_HOME_REGION_ONLY = False``) a
  reissue ticket is opened for the claimant's current region;
* the subscriber's "reissue only in person" flag turns a would-be remote
  reissue into a block with a message to visit an office;
* an open reissue ticket is reused, never duplicated; its existence is told
  only to a claimant who has proved name and passport;
* post-loss activity is reported to a claimant who proved name and passport
  (the SIM is blocked in every such outcome);
* the claimant chooses ``lostAt``, so it never makes a remote reissue easier
  (DESIGN 2.2): a remote reissue needs at least ``CALLS_REQUIRED`` matched
  numbers whatever the reference set holds, a loss at most
  ``MAX_REMOTE_LOSS_AGE_HOURS`` before the claim, no more than
  ``MAX_POST_LOSS_FOR_REISSUE`` post-loss events, and fewer than
  ``MAX_FAILED_REISSUE_PROOFS`` failed reissue proofs for the number in
  ``REISSUE_PROOF_WINDOW_HOURS``. Any of these failing is a block with the one
  office-visit message, so the answer never tells which of them failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from recovery.verification.calls import require_aware
from recovery.verification.messages import Message, MessageCode
from recovery.verification.settings import DEFAULT_POLICY, Policy
from recovery.verification.verify import Verification
from recovery.vocabulary import Action, Outcome


@dataclass(frozen=True)
class LockState:
    """Whether remote verification of a number is locked, and until when."""

    locked: bool = False
    until: datetime | None = None


UNLOCKED = LockState()


@dataclass(frozen=True)
class Decision:
    """The outcome, what to tell the claimant, and what the use-case must do."""

    outcome: Outcome
    messages: tuple[Message, ...]
    #: Open a reissue ticket for this region (None: open none).
    ticket_region: str | None = None
    #: A reissue ticket is already open: answer with it instead of a new one.
    reuse_open_ticket: bool = False
    locked_until: datetime | None = None
    #: Name and passport were right, a reissue was asked and the address or the
    #: calls were not: counts towards ``MAX_FAILED_REISSUE_PROOFS``.
    failed_reissue_proof: bool = False

    @property
    def blocks_sim(self) -> bool:
        """A block and a reissue both block the SIM at once."""
        return self.outcome in (Outcome.BLOCK, Outcome.REISSUE)

    @property
    def counts_as_failure(self) -> bool:
        """Rejected claims count towards the lock; locked ones do not."""
        return self.outcome is Outcome.REJECTED


def lock_state(
    failures: Iterable[datetime],
    now: datetime,
    *,
    unlocked_at: datetime | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> LockState:
    """Whether ``MAX_FAILED_CLAIMS`` rejections within ``LOCK_HOURS`` lock the number at ``now``.

    ``failures`` are the times of rejected claims for the number (the caller
    may pass only the last ``2 × LOCK_HOURS``); a supervisor's unlock at
    ``unlocked_at`` forgives every failure before it. The lock lasts until
    ``LOCK_HOURS`` after the failure that completed a burst.
    """
    window = timedelta(hours=policy.lock_hours)
    forgiven = require_aware(unlocked_at) if unlocked_at else None
    times = sorted(t for t in map(require_aware, failures) if forgiven is None or t > forgiven)
    burst = policy.max_failed_claims
    ends = [times[i] for i in range(burst - 1, len(times)) if times[i] - times[i - burst + 1] <= window]
    if ends and require_aware(now) < ends[-1] + window:
        return LockState(locked=True, until=ends[-1] + window)
    return UNLOCKED


def decide(
    verification: Verification,
    *,
    action: Action,
    current_region: str,
    home_region: str | None,
    lost_at: datetime,
    claimed_at: datetime,
    lock: LockState = UNLOCKED,
    open_reissue_region: str | None = None,
    reissue_in_person_only: bool = False,
    failed_reissue_proofs: int = 0,
    policy: Policy = DEFAULT_POLICY,
) -> Decision:
    """Decide a claim made at ``claimed_at`` about a loss at ``lost_at`` (both aware).

    ``home_region`` is None when the number is not ours; ``open_reissue_region``
    is the region of the number's open reissue ticket, if it has one;
    ``failed_reissue_proofs`` counts the number's failed reissue proofs within
    ``REISSUE_PROOF_WINDOW_HOURS`` before this claim.
    """
    if lock.locked:
        params = {"until": lock.until} if lock.until else {}
        return Decision(
            Outcome.LOCKED, (Message.of(MessageCode.NUMBER_LOCKED, **params),), locked_until=lock.until
        )
    if home_region is None or not verification.identity_proven:
        return Decision(Outcome.REJECTED, (Message.of(MessageCode.VERIFICATION_FAILED),))
    after = _post_loss(verification)
    if Action(action) is Action.BLOCK:
        return Decision(Outcome.BLOCK, (Message.of(MessageCode.SIM_BLOCKED), *after))
    failed_proof = not _reissue_proven(verification, policy)
    remote = _remote_reissue_allowed(verification, lost_at, claimed_at, failed_reissue_proofs, policy)
    obstacle = _reissue_obstacle(
        failed_proof or not remote, current_region, home_region, reissue_in_person_only, policy
    )
    if obstacle is not None:
        reason = Message.of(obstacle, region=home_region)
        return Decision(
            Outcome.BLOCK,
            (Message.of(MessageCode.SIM_BLOCKED), reason, *after),
            failed_reissue_proof=failed_proof,
        )
    return _reissue(current_region, home_region, open_reissue_region, after, policy)


def _post_loss(verification: Verification) -> tuple[Message, ...]:
    if verification.post_loss_events <= 0:
        return ()
    return (Message.of(MessageCode.POST_LOSS_ACTIVITY, count=verification.post_loss_events),)


def _reissue_proven(verification: Verification, policy: Policy) -> bool:
    """Address and calls proved ownership, with at least ``CALLS_REQUIRED`` matched numbers.

    The call check itself passes on fewer where fewer are on record (DESIGN
    2.2), but a ``lostAt`` moved back to a quiet month would then ask for one
    number: a reissue never needs fewer than ``CALLS_REQUIRED``.
    """
    return verification.ownership_proven and verification.calls.matched >= policy.calls.calls_required


def _remote_reissue_allowed(
    verification: Verification,
    lost_at: datetime,
    claimed_at: datetime,
    failed_reissue_proofs: int,
    policy: Policy,
) -> bool:
    """The limits on a remote reissue that do not depend on the answers (DESIGN 2.2, 2.3)."""
    loss_age = require_aware(claimed_at) - require_aware(lost_at)
    return (
        loss_age <= timedelta(hours=policy.max_remote_loss_age_hours)
        and verification.post_loss_events <= policy.max_post_loss_for_reissue
        and failed_reissue_proofs < policy.max_failed_reissue_proofs
    )


def _reissue_obstacle(
    needs_office: bool,
    current_region: str,
    home_region: str,
    reissue_in_person_only: bool,
    policy: Policy,
) -> MessageCode | None:
    """Why a proven owner is not reissued a SIM remotely, if anything stops it.

    Every reason that concerns the answers, the loss time or the budget gives the
    same office-visit message, so that none tells the claimant which one failed.
    """
    if needs_office:
        return MessageCode.REISSUE_NEEDS_OFFICE_VISIT
    if reissue_in_person_only:
        return MessageCode.REISSUE_IN_PERSON_ONLY
    if policy.reissue_home_region_only and not _same_region(current_region, home_region):
        return MessageCode.REISSUE_HOME_REGION_ONLY
    return None


def _reissue(
    current_region: str, home_region: str, open_region: str | None, after: tuple[Message, ...], policy: Policy
) -> Decision:
    if open_region is not None:
        existing = Message.of(MessageCode.REISSUE_TICKET_EXISTS, region=open_region)
        return Decision(Outcome.REISSUE, (existing, *after), reuse_open_ticket=True)
    region = home_region if policy.reissue_home_region_only else current_region.strip().upper()
    messages = (
        Message.of(MessageCode.REISSUE_TICKET_OPENED, region=region),
        Message.of(MessageCode.COOLING_PERIOD, hours=policy.reissue_cooling_hours),
        *after,
    )
    return Decision(Outcome.REISSUE, messages, ticket_region=region)


def _same_region(left: str, right: str) -> bool:
    return left.strip().upper() == right.strip().upper()

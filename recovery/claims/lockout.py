"""Failed claims per number, the lock they cause, and a supervisor's unlock (DESIGN 2.3).

The rule itself (``MAX_FAILED_CLAIMS`` rejections within ``LOCK_HOURS`` lock
remote verification until ``LOCK_HOURS`` after the last of them) is the
verification engine's :func:`recovery.verification.lock_state`; this module
reads its inputs from the database: the times of rejected claims for the
number, on any channel, and the last unlock, which forgives every failure
before it. Unknown numbers are counted and locked alike, so that five tries
do not tell which numbers are ours.

A lock stops remote verification only (wizard, agent, API). The owner can
still block from the personal account, and an office serves the owner in
person: neither goes through :func:`current_lock`.

Counting and recording are one step (DESIGN 2.3: parallel requests never get
more tries than serial ones). A claim first takes its number's guard row
(:func:`recovery.security.guards.take_guard`: ``INSERT … ON CONFLICT DO NOTHING``, then ``SELECT … FOR
UPDATE``) and holds it until it commits, so the next claim for that number
reads the failures only once this one is recorded. The same statements run for
numbers that are ours and numbers that are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ScalarSelect

from recovery.claims.actors import Actor
from recovery.models import Claim, Outcome, Unlock
from recovery.verification import DEFAULT_POLICY, LockState, Policy, lock_state

#: Longest unlock reason kept.
MAX_REASON_LENGTH = 500


class NotLocked(Exception):
    """The number is not locked: there is nothing to unlock."""


@dataclass(frozen=True)
class LockedNumber:
    """A number whose remote verification is locked, for the supervisor's list."""

    msisdn: str
    failures: int
    until: datetime


@dataclass(frozen=True)
class NumberHistory:
    """What a claim needs to know of its number's earlier claims."""

    lock: LockState
    #: Failed reissue proofs within ``REISSUE_PROOF_WINDOW_HOURS`` (since the last unlock).
    failed_reissue_proofs: int


def number_guard(msisdn: str) -> str:
    """The guard key of a claimed number."""
    return f"number:{msisdn}"


def number_history(
    session: Session, msisdn: str, now: datetime, policy: Policy = DEFAULT_POLICY
) -> NumberHistory:
    """The lock and the failed reissue proofs of ``msisdn`` at ``now``: one statement.

    Call it holding the number's guard (``recovery.security.guards.take_guard``), so that no claim
    for the number is recorded between this read and this claim's insert.
    """
    since = min(_lookback(now, policy), now - timedelta(hours=policy.reissue_proof_window_hours))
    last_unlock = _last_unlock(msisdn)
    rows = session.execute(
        select(Claim.created_at, Claim.outcome, Claim.reissue_proof_failed)
        .where(
            Claim.msisdn == msisdn,
            or_(Claim.outcome == Outcome.REJECTED, Claim.reissue_proof_failed.is_(True)),
            Claim.created_at > since,
            or_(last_unlock.is_(None), Claim.created_at > last_unlock),
        )
        .order_by(Claim.created_at)
    ).all()
    rejected = [
        at for at, outcome, _proof in rows if outcome == Outcome.REJECTED and at > _lookback(now, policy)
    ]
    proofs_since = now - timedelta(hours=policy.reissue_proof_window_hours)
    proofs = sum(1 for at, _outcome, proof in rows if proof and at > proofs_since)
    return NumberHistory(lock_state(rejected, now, policy=policy), proofs)


def _last_unlock(msisdn: str) -> ScalarSelect[datetime]:
    return select(func.max(Unlock.created_at)).where(Unlock.msisdn == msisdn).scalar_subquery()


def _lookback(now: datetime, policy: Policy) -> datetime:
    # A lock at ``now`` needs its last failure within LOCK_HOURS and the burst
    # within LOCK_HOURS before that: older failures cannot matter.
    return now - timedelta(hours=2 * policy.lock_hours)


def unforgiven_failure_times(session: Session, msisdn: str, since: datetime) -> list[datetime]:
    """Times of rejected claims for ``msisdn`` since ``since`` and after its last unlock: one statement."""
    last_unlock = _last_unlock(msisdn)
    return list(
        session.scalars(
            select(Claim.created_at)
            .where(
                Claim.msisdn == msisdn,
                Claim.outcome == Outcome.REJECTED,
                Claim.created_at > since,
                or_(last_unlock.is_(None), Claim.created_at > last_unlock),
            )
            .order_by(Claim.created_at)
        )
    )


def current_lock(session: Session, msisdn: str, now: datetime, policy: Policy = DEFAULT_POLICY) -> LockState:
    """Whether remote verification of ``msisdn`` is locked at ``now``.

    Every claim asks this first, so it is one statement: the failures an
    unlock forgave are left out in SQL, as ``lock_state`` would leave them out.
    """
    return lock_state(unforgiven_failure_times(session, msisdn, _lookback(now, policy)), now, policy=policy)


def recent_failures(session: Session, msisdn: str, now: datetime, policy: Policy = DEFAULT_POLICY) -> int:
    """Rejected claims for ``msisdn`` in the last ``LOCK_HOURS`` since the last unlock."""
    return len(unforgiven_failure_times(session, msisdn, now - timedelta(hours=policy.lock_hours)))


def locked_numbers(session: Session, now: datetime, policy: Policy = DEFAULT_POLICY) -> list[LockedNumber]:
    """Every number locked at ``now``, the longest lock first."""
    candidates = session.execute(
        select(Claim.msisdn, func.count())
        .where(Claim.outcome == Outcome.REJECTED, Claim.created_at > _lookback(now, policy))
        .group_by(Claim.msisdn)
        .having(func.count() >= policy.max_failed_claims)
    ).all()
    locked = []
    for msisdn, _count in candidates:
        state = current_lock(session, msisdn, now, policy)
        if state.locked and state.until is not None:
            locked.append(LockedNumber(msisdn, recent_failures(session, msisdn, now, policy), state.until))
    return sorted(locked, key=lambda item: item.until, reverse=True)


def unlock(
    session: Session,
    msisdn: str,
    reason: str,
    *,
    actor: Actor,
    now: datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Unlock:
    """Lift the lock on ``msisdn``: failures before now no longer count.

    Raises :class:`NotLocked` when the number is not locked, and ``ValueError``
    without a reason or without a staff member to record.
    """
    reason = " ".join(reason.split())[:MAX_REASON_LENGTH]
    if not reason:
        raise ValueError("a reason is required")
    if actor.staff_user_id is None:
        raise ValueError("only a member of staff can unlock")
    if not current_lock(session, msisdn, now, policy).locked:
        raise NotLocked(msisdn)
    record = Unlock(msisdn=msisdn, staff_user_id=actor.staff_user_id, reason=reason, created_at=now)
    session.add(record)
    actor.audit(session, "number.unlocked", msisdn, reason_chars=len(reason))
    return record

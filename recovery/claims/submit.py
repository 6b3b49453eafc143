"""``submit_claim``: one lost-SIM claim from any remote channel (web, agent, API).

The steps, in order:

0. an API client or agent over its ceiling of failed numbers is refused
   (:mod:`.ceiling`, 429); then the number's guard row is locked until the
   claim commits, so that the failures counted next and this claim's insert are
   one step under concurrency (:func:`recovery.security.guards.take_guard`);
1. the lock (:mod:`.lockout`) comes first: a locked number is answered
   ``locked`` without looking at the answers, so a locked number is no oracle;
2. the verification engine checks every answer (``recovery.verification``),
   for unknown numbers too (against a decoy, with the same queries);
3. the engine's ``decide`` gives the outcome and the messages;
4. the claim is recorded with which answers matched, never the answers;
5. for ``block`` and ``reissue`` the SIM is blocked at once, a ticket is
   recorded or opened (or the open one reused) and the subscriber is told
   by email; every change goes to the audit log.

The wizard holds the passport only as its keyed digest (see
``recovery/lost/drafts.py``); agents and the API pass it as typed. Either way
it is compared with the digest on record and never stored or logged.
"""

from __future__ import annotations

import hmac
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery import audit
from recovery.claims import notifications, tickets
from recovery.claims.actors import Actor
from recovery.claims.ceiling import check_client
from recovery.claims.lockout import NumberHistory, number_guard, number_history
from recovery.models import Action, Claim, Outcome, Subscriber, Ticket
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.regions import is_region
from recovery.security.guards import take_guard
from recovery.verification import (
    DEFAULT_POLICY,
    UNLOCKED,
    CallCheck,
    ClaimAnswers,
    Decision,
    FieldResult,
    LockState,
    MatchStatus,
    Message,
    MessageCode,
    PersonName,
    Policy,
    SubscriberRecord,
    TooManyClaimedCalls,
    Verification,
    decide,
    verify_claim,
)
from recovery.verification.repository import post_loss_events, reference_calls

#: A loss is reported within a year; an older time is a typo, not a lost SIM.
MAX_LOSS_AGE_DAYS = 366
#: The subscriber id asked for when the number is not ours (ids start at 1).
NO_SUBSCRIBER = 0
#: E.164 as text: what a number that ``to_e164`` refuses may still look like.
_E164_SHAPE = re.compile(r"^\+[1-9][0-9]{7,14}$")


class InvalidClaim(ValueError):
    """The claim is malformed (forms and API schemas catch these first)."""


class LossTimeOutOfRange(InvalidClaim):
    """``lostAt`` is in the future or more than ``MAX_LOSS_AGE_DAYS`` ago."""


@dataclass(frozen=True)
class ClaimRequest:
    """What the claimant says, as typed (the number already in E.164 or any format).

    Exactly one of ``passport`` (as typed) and ``passport_digest`` (the keyed
    HMAC, from the wizard) is given.
    """

    msisdn: str
    full_name: str
    action: Action
    current_region: str
    passport: str | None = None
    passport_digest: str | None = None
    registered_address: str = ""
    recent_calls: tuple[str, ...] = ()
    lost_at: datetime | None = None


@dataclass(frozen=True)
class ClaimResult:
    """The recorded claim, its decision and its ticket.

    ``ticket_created`` is False when an open reissue was returned instead of
    a new one (the API answers 200 rather than 201).
    """

    claim: Claim
    decision: Decision
    verification: Verification
    ticket: Ticket | None
    ticket_created: bool
    home_region: str | None

    @property
    def outcome(self) -> Outcome:
        """The decision's outcome."""
        return self.decision.outcome


def submit_claim(
    session: Session,
    request: ClaimRequest,
    *,
    actor: Actor,
    now: datetime,
    pii_key: str,
    policy: Policy = DEFAULT_POLICY,
    support_numbers: tuple[str, ...] = (),
) -> ClaimResult:
    """Verify, decide and act on one claim. The caller commits.

    Raises :class:`InvalidClaim` for a malformed number, region, time or too
    many recent calls, and :class:`recovery.claims.ceiling.TooManyFailedNumbers`
    when the actor is over its ceiling (the caller commits the audit and alert).
    """
    msisdn, lost_at = _validate(request, now, policy)
    # Client guard before number guard, always in this order: two claims never wait on each other's.
    check_client(session, actor, now, policy)
    take_guard(session, number_guard(msisdn))
    history = number_history(session, msisdn, now, policy)
    lock = history.lock
    subscriber = session.scalar(select(Subscriber).where(Subscriber.msisdn == msisdn))
    if lock.locked:
        verification = nothing_verified(policy)
    else:
        verification = _verify(
            session, request, msisdn, lost_at, subscriber, pii_key, policy, support_numbers
        )
    # Asked for unknown numbers too (it finds nothing): the same queries whether the number is ours.
    # An id no row has, not None: ``= NULL`` would be sent as ``IS NULL``, another statement text.
    open_ticket = tickets.open_reissue_of(session, subscriber.id if subscriber is not None else NO_SUBSCRIBER)
    context = _DecisionContext(lost_at, now, history, policy)
    decision = _decide(
        request.action,
        request.current_region,
        verification,
        subscriber,
        context,
        open_region=open_ticket.region if open_ticket is not None else None,
    )

    claim = Claim(
        id=uuid.uuid4(),
        msisdn=msisdn,
        subscriber_id=subscriber.id if subscriber is not None else None,
        channel=actor.channel,
        staff_user_id=actor.staff_user_id,
        api_client_id=actor.api_client_id,
        requested_action=request.action,
        current_region=request.current_region.strip().upper(),
        lost_at=lost_at,
        outcome=decision.outcome,
        verification={},
        post_loss_events=verification.post_loss_events,
        reissue_proof_failed=decision.failed_reissue_proof,
        ip=actor.ip,
        created_at=now,
    )
    session.add(claim)
    session.flush()

    ticket, created = None, False
    if decision.blocks_sim and subscriber is not None:
        ticket, created, decision = _act(
            session, subscriber, claim, decision, verification, actor, context, open_ticket
        )
    claim.ticket_id = ticket.id if ticket is not None else None
    claim.verification = stored_verification(verification, decision)
    audit.record(
        session,
        actor=actor.label,
        action="claim.submitted",
        channel=actor.channel,
        subject=msisdn,
        ip=actor.ip,
        claim=str(claim.id),
        requested=request.action.value,
        outcome=decision.outcome.value,
        ticket=str(ticket.id) if ticket is not None else None,
    )
    session.flush()
    home = subscriber.home_region if subscriber is not None else None
    return ClaimResult(claim, decision, verification, ticket, created, home)


def claimed_number(raw: str) -> str:
    """The claimed number in E.164.

    Text already in E.164 shape that ``phonenumbers`` does not know as a valid
    number is kept as it is: such a number cannot be ours (imports take valid
    numbers only), so the claim is answered as for any unknown number.
    """
    try:
        return to_e164(raw)
    except InvalidPhoneNumber:
        if isinstance(raw, str) and _E164_SHAPE.match(raw):
            return raw
        raise InvalidClaim("phoneNumber is not a valid phone number") from None


def _validate(request: ClaimRequest, now: datetime, policy: Policy) -> tuple[str, datetime]:
    msisdn = claimed_number(request.msisdn)
    if not is_region(request.current_region):
        raise InvalidClaim("currentRegion is not an ISO 3166-2:RU code")
    if len(request.recent_calls) > policy.calls.max_claimed_calls:
        raise InvalidClaim(f"recentCalls holds at most {policy.calls.max_claimed_calls} numbers")
    if (request.passport is None) == (request.passport_digest is None):
        raise InvalidClaim("give the passport either as typed or as its digest")
    lost_at = request.lost_at or now
    if lost_at.tzinfo is None or lost_at.utcoffset() is None:
        raise InvalidClaim("lostAt must have a time zone")
    if lost_at > now:
        raise LossTimeOutOfRange("lostAt must not be in the future")
    if lost_at < now - timedelta(days=MAX_LOSS_AGE_DAYS):
        raise LossTimeOutOfRange(f"lostAt must be within the last {MAX_LOSS_AGE_DAYS} days")
    return msisdn, lost_at


def nothing_verified(policy: Policy = DEFAULT_POLICY) -> Verification:
    """The verification of a claim refused before its answers were looked at (a locked number)."""
    unknown = FieldResult.not_available()
    calls = CallCheck(MatchStatus.NOT_AVAILABLE, matched=0, required=policy.calls.calls_required)
    return Verification(unknown, unknown, unknown, calls, post_loss_events=0)


def _record_of(subscriber: Subscriber | None) -> SubscriberRecord | None:
    if subscriber is None:
        return None
    return SubscriberRecord(
        name=PersonName(subscriber.last_name, subscriber.first_name, subscriber.patronymic),
        passport_digest=subscriber.passport_hmac,
        registered_address=subscriber.registered_address,
        home_region=subscriber.home_region,
    )


def _verify(
    session: Session,
    request: ClaimRequest,
    msisdn: str,
    lost_at: datetime,
    subscriber: Subscriber | None,
    pii_key: str,
    policy: Policy,
    support_numbers: tuple[str, ...],
) -> Verification:
    # The ledger is read for unknown numbers as well: the same queries either way.
    try:
        reference = reference_calls(
            session, msisdn, lost_at, support_numbers=support_numbers, settings=policy.calls
        )
        post_loss = post_loss_events(session, msisdn, lost_at, settings=policy.calls)
    except InvalidPhoneNumber:  # well-formed but not a valid number (claimed_number): never ours
        reference, post_loss = (), 0
    answers = ClaimAnswers(
        full_name=request.full_name,
        passport=request.passport or "",
        registered_address=request.registered_address,
        recent_calls=tuple(request.recent_calls),
    )
    record = _record_of(subscriber)
    try:
        verification = verify_claim(
            answers, record, reference=reference, post_loss_events=post_loss, pii_key=pii_key, policy=policy
        )
    except TooManyClaimedCalls as exc:
        raise InvalidClaim(str(exc)) from None
    if request.passport_digest is not None and record is not None:
        verification = replace(verification, passport=_digest_result(request.passport_digest, record))
    return verification


def _digest_result(claimed_digest: str, record: SubscriberRecord) -> FieldResult:
    """The passport result when only the claimant's digest is held (the wizard).

    The same rule as ``recovery.verification.match_passport`` (exact, constant
    time, no score), applied to two digests under the same key.
    """
    if not record.passport_digest:
        return FieldResult.not_available()
    if hmac.compare_digest(claimed_digest, record.passport_digest):
        return FieldResult.match(scored=False)
    return FieldResult.no_match()


@dataclass(frozen=True)
class _DecisionContext:
    """What the decision needs besides the answers: the times, the number's history, the policy."""

    lost_at: datetime
    now: datetime
    history: NumberHistory
    policy: Policy


def _decide(
    action: Action,
    current_region: str,
    verification: Verification,
    subscriber: Subscriber | None,
    context: _DecisionContext,
    *,
    open_region: str | None,
    lock: LockState | None = None,
) -> Decision:
    return decide(
        verification,
        action=action,
        current_region=current_region,
        home_region=subscriber.home_region if subscriber is not None else None,
        lost_at=context.lost_at,
        claimed_at=context.now,
        lock=context.history.lock if lock is None else lock,
        open_reissue_region=open_region,
        # The SIM lock holds until a release asked for in the account is due (SIM_LOCK_RELEASE_HOURS).
        reissue_in_person_only=(
            subscriber.reissue_lock_effective(context.now) if subscriber is not None else False
        ),
        failed_reissue_proofs=context.history.failed_reissue_proofs,
        policy=context.policy,
    )


def _act(
    session: Session,
    subscriber: Subscriber,
    claim: Claim,
    decision: Decision,
    verification: Verification,
    actor: Actor,
    context: _DecisionContext,
    open_ticket: Ticket | None,
) -> tuple[Ticket, bool, Decision]:
    """Block the SIM and record or open the ticket the decision calls for.

    ``open_ticket`` is the open reissue ticket the decision was made with.
    """
    now = context.now
    tickets.block_sim(session, subscriber, now, actor)
    if decision.outcome is Outcome.BLOCK:
        ticket = tickets.record_block(session, subscriber, claim.id, now, actor)
        message = notifications.sim_blocked(subscriber.msisdn, ticket.reference)
        notifications.queue(session, subscriber, message)
        return ticket, True, decision
    region = decision.ticket_region or subscriber.home_region
    if open_ticket is not None:
        ticket, created = open_ticket, False
    else:
        ticket, created = tickets.insert_reissue(session, subscriber, region, claim.id, now, actor)
    if created:
        message = notifications.reissue_opened(subscriber.msisdn, ticket.reference, ticket.region)
        notifications.queue(session, subscriber, message)
    elif not decision.reuse_open_ticket:
        # Another claim opened the ticket a moment ago: tell it as the existing one.
        decision = _decide(
            claim.requested_action,
            claim.current_region,
            verification,
            subscriber,
            context,
            open_region=ticket.region,
            lock=UNLOCKED,
        )
    return ticket, created, decision


# --- What a claim keeps, and how it is read back -------------------------------------------


def stored_verification(verification: Verification, decision: Decision) -> dict[str, Any]:
    """What the claim row keeps: per-answer statuses, counts and message codes, never answers."""
    return {
        "name": verification.name.status.value,
        "passport": verification.passport.status.value,
        "address": verification.address.status.value,
        "calls": verification.calls.status.value,
        "callsMatched": verification.calls.matched,
        "callsRequired": verification.calls.required,
        "postLossActivity": verification.post_loss_events,
        "messages": [
            {
                "code": message.code.value,
                "params": {
                    name: value.isoformat() if isinstance(value, datetime) else value
                    for name, value in message.items
                },
            }
            for message in decision.messages
        ],
    }


#: Message parameters stored as ISO text that are datetimes (see recovery.verification.messages).
_DATETIME_PARAMS = frozenset({"until"})


def stored_messages(claim: Claim) -> tuple[Message, ...]:
    """The decision's messages as recorded on ``claim``."""
    messages = []
    for item in (claim.verification or {}).get("messages", []):
        params = {
            name: datetime.fromisoformat(value) if name in _DATETIME_PARAMS else value
            for name, value in item.get("params", {}).items()
        }
        messages.append(Message.of(MessageCode(item["code"]), **params))
    return tuple(messages)

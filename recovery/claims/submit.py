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

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload

from recovery.claims import notifications, sims, tickets
from recovery.claims.actors import Actor
from recovery.claims.ceiling import check_client
from recovery.claims.lockout import NumberHistory, number_guard, number_history
from recovery.claims.records import stored_verification
from recovery.models import Account, Action, Claim, Outcome, Subscriber, Ticket, TicketStatus, TicketType
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.regions import is_region
from recovery.security.guards import take_guard
from recovery.verification import (
    DEFAULT_POLICY,
    ClaimAnswers,
    Decision,
    Policy,
    SubscriberRecord,
    TooManyClaimedCalls,
    Verification,
    decide,
    nothing_verified,
    verify_claim,
)
from recovery.verification.repository import call_evidence

#: A loss is reported within a year; an older time is a typo, not a lost SIM.
MAX_LOSS_AGE_DAYS = 366
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
    subscriber, open_ticket, language = _subscriber_of(session, msisdn)
    if lock.locked:
        verification = nothing_verified(policy)
    else:
        verification = _verify(
            session, request, msisdn, lost_at, subscriber, pii_key, policy, support_numbers
        )
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
        verification=stored_verification(verification, decision),
        post_loss_events=verification.post_loss_events,
        reissue_proof_failed=decision.failed_reissue_proof,
        ip=actor.ip,
        created_at=now,
    )
    session.add(claim)

    ticket, created = None, False
    if decision.blocks_sim and subscriber is not None:
        session.flush()  # the claim before its ticket (tickets.claim_id); a rejected claim: one flush
        # Flushed where the use-cases flush (the ticket, the savepoint), not before each read.
        with session.no_autoflush:
            ticket, created = _act(
                session, subscriber, claim, decision, actor, context, open_ticket, language
            )
        claim.ticket = ticket  # the relationship, so that the ticket's INSERT comes before this UPDATE
    actor.audit(
        session,
        "claim.submitted",
        msisdn,
        claim=str(claim.id),
        requested=request.action.value,
        outcome=decision.outcome.value,
        ticket=str(ticket.id) if ticket is not None else None,
    )
    session.flush()
    home = subscriber.home_region if subscriber is not None else None
    return ClaimResult(claim, decision, verification, ticket, created, home)


def _subscriber_of(
    session: Session, msisdn: str
) -> tuple[Subscriber | None, Ticket | None, notifications.AccountLanguage]:
    """The number's subscriber (with its SIMs), open reissue ticket and account language: one statement.

    The same statement runs for a number that is not ours (it finds no row), so that the
    statements of a claim do not tell an unknown number from a wrong answer.
    """
    row = (
        session.execute(
            select(Subscriber, Ticket, Account.language)
            .outerjoin(
                Ticket,
                and_(
                    Ticket.subscriber_id == Subscriber.id,
                    Ticket.type == TicketType.REISSUE,
                    Ticket.status == TicketStatus.OPEN,
                ),
            )
            .outerjoin(Account, Account.subscriber_id == Subscriber.id)
            .where(Subscriber.msisdn == msisdn)
            .options(joinedload(Subscriber.sims))
        )
        .unique()
        .first()
    )
    if row is None:
        return None, None, notifications.AccountLanguage(None)
    return row[0], row[1], notifications.AccountLanguage(row[2])


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
        reference, post_loss = call_evidence(
            session, msisdn, lost_at, support_numbers=support_numbers, settings=policy.calls
        )
    except InvalidPhoneNumber:  # well-formed but not a valid number (claimed_number): never ours
        reference, post_loss = (), 0
    answers = ClaimAnswers(
        full_name=request.full_name,
        passport=request.passport or "",
        registered_address=request.registered_address,
        recent_calls=tuple(request.recent_calls),
        passport_digest=request.passport_digest,
    )
    record = SubscriberRecord.of(subscriber) if subscriber is not None else None
    try:
        return verify_claim(
            answers, record, reference=reference, post_loss_events=post_loss, pii_key=pii_key, policy=policy
        )
    except TooManyClaimedCalls as exc:
        raise InvalidClaim(str(exc)) from None


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
) -> Decision:
    return decide(
        verification,
        action=action,
        current_region=current_region,
        home_region=subscriber.home_region if subscriber is not None else None,
        lost_at=context.lost_at,
        claimed_at=context.now,
        lock=context.history.lock,
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
    actor: Actor,
    context: _DecisionContext,
    open_ticket: Ticket | None,
    language: notifications.AccountLanguage,
) -> tuple[Ticket, bool]:
    """Block the SIM and record or open the ticket the decision calls for.

    ``open_ticket`` is the open reissue ticket the decision was made with; ``language``, the account's.
    """
    now = context.now
    if decision.outcome is Outcome.BLOCK:
        blocked = sims.block_sim(
            session, subscriber, actor=actor, now=now, claim_id=claim.id, language=language
        )
        return blocked.ticket, True
    sims.stop_current_sim(session, subscriber, actor=actor, now=now)
    region = decision.ticket_region or subscriber.home_region
    if open_ticket is not None:
        ticket, created = open_ticket, False
    else:
        ticket, created = tickets.insert_reissue(session, subscriber, region, claim.id, now, actor)
    # Under the number guard no other claim can open one meanwhile; should the unique index still
    # find one (a writer outside claims), it is returned as it is and this decision stands.
    if created:
        message = notifications.reissue_opened(subscriber.msisdn, ticket.reference, ticket.region)
        notifications.queue(session, subscriber, message, language=language)
    return ticket, created

"""Reissue tickets: open one, fulfil it at an office, or cancel it (blocking: :mod:`.sims`).

Concurrency is settled by the database, not by checking first:

* one open reissue per subscriber is the partial unique index
  ``uq_tickets_open_reissue_per_subscriber``; the insert is ``ON CONFLICT DO
  NOTHING`` on it, so a second concurrent insert inserts nothing and the
  existing ticket is read back;
* a ticket is closed by a conditional ``UPDATE … WHERE status = 'open'``: of
  two concurrent fulfilments the database lets one update the row and the
  other finds no open ticket (:class:`TicketNotOpen`, a 409 in the API);
* an ICCID is unique across all SIMs (:class:`IccidInUse`);
* wrong passports at hand-over are counted by one conditional
  ``UPDATE … SET fulfil_failures = fulfil_failures + 1 … WHERE`` not locked:
  of any number of concurrent wrong passports at most
  ``MAX_FULFIL_FAILURES`` are counted before the ticket locks.

On any exception from :func:`fulfil` or :func:`cancel` the caller rolls back;
:func:`fulfil` commits a wrong passport's count and audit row itself first,
so that the rollback cannot undo them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import case, literal, null, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from recovery import references
from recovery.camara import events as subscription_events
from recovery.claims import notifications
from recovery.claims.actors import Actor
from recovery.iccid import normalise_iccid
from recovery.models import Sim, SimStatus, Subscriber, Ticket, TicketStatus, TicketType
from recovery.models.claims import OPEN_REISSUE_PREDICATE
from recovery.models.types import UTCDateTime
from recovery.network import inventory, provisioning
from recovery.verification.passport import match_passport

#: A reissued SIM gets no SMS and no mobile data for this long (DESIGN 2.3).
COOLING_HOURS = 24
#: Longest reason kept for a cancelled ticket.
MAX_REASON_LENGTH = 500
#: Wrong passports typed for one ticket (web and API together) that lock its hand-over.
MAX_FULFIL_FAILURES = 5
#: How long the hand-over stays locked; the ticket stays open (nothing is cancelled).
FULFIL_LOCK_HOURS = 1


class TicketError(Exception):
    """A ticket cannot be changed as asked."""


class TicketNotFound(TicketError):
    """No such ticket (or not one this office may see)."""


class TicketNotOpen(TicketError):
    """The ticket was already fulfilled or cancelled, perhaps a moment ago by someone else."""


class WrongRegion(TicketError):
    """The ticket belongs to another region's offices."""


class IccidInUse(TicketError):
    """The new SIM's ICCID is already on record."""


class WrongPassport(TicketError):
    """The passport typed at hand-over is not the subscriber's; counted and audited.

    ``attempts_left`` is how many more wrong passports the ticket takes before
    its hand-over locks (0: this one locked it).
    """

    def __init__(self, ticket_id: str, attempts_left: int) -> None:
        super().__init__(ticket_id)
        self.attempts_left = attempts_left


class FulfilmentLocked(TicketError):
    """Too many wrong passports: the ticket cannot be handed over until ``until``."""

    def __init__(self, ticket_id: str, until: datetime | None) -> None:
        super().__init__(ticket_id)
        self.until = until


def insert_reissue(
    session: Session,
    subscriber: Subscriber,
    region: str,
    claim_id: uuid.UUID | None,
    now: datetime,
    actor: Actor,
) -> tuple[Ticket, bool]:
    """Open a reissue ticket for ``region``, :func:`open_reissue_of` having just found none.

    Returns ``(ticket, created)``. Safe under concurrent claims: one
    ``INSERT … ON CONFLICT DO NOTHING`` on the unique index of open reissues
    decides (a concurrent insert waits for the first to commit or roll back);
    the loser reads the winner's ticket. The claim ``claim_id`` must be flushed.
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for _ in range(_OPEN_TRIES):
        statement = (
            insert(Ticket)
            .values(
                id=uuid.uuid4(),
                subscriber_id=subscriber.id,
                claim_id=claim_id,
                type=TicketType.REISSUE,
                status=TicketStatus.OPEN,
                region=region,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[Ticket.subscriber_id], index_where=_OPEN_REISSUE)
            .returning(Ticket)
        )
        ticket = session.scalars(statement).first()
        if ticket is not None:
            audit_ticket(session, ticket, "ticket.opened", actor, subscriber.msisdn)
            return ticket, True
        existing = open_reissue_of(session, subscriber.id)
        if existing is not None:
            return existing, False
        # The open ticket that stood in the way was closed in the meantime: insert again.
    raise TicketError(f"no open reissue could be inserted or read for subscriber {subscriber.id}")


#: The predicate of ``uq_tickets_open_reissue_per_subscriber``, as text: the conflict target of
#: :func:`insert_reissue` (PostgreSQL infers the partial index only from a literal predicate).
_OPEN_REISSUE = text(OPEN_REISSUE_PREDICATE)
_OPEN_TRIES = 2


def unused_reference(session: Session) -> str:
    """A new ticket reference no ticket holds yet, read before the ticket is flushed.

    ``Ticket.reference``'s default asks the same at the INSERT; a use-case that needs the
    reference before it flushes (for the e-mail, so that the ticket, the SIM change and every
    audit row go in one flush) asks here. The unique index still settles a race.
    """
    return references.unused_reference(session.connection())


def open_reissue_of(session: Session, subscriber_id: int | None) -> Ticket | None:
    """The subscriber's open reissue ticket, if any (none for ``None``, a number that is not ours)."""
    return session.scalar(
        select(Ticket).where(
            Ticket.subscriber_id == subscriber_id,
            Ticket.type == TicketType.REISSUE,
            Ticket.status == TicketStatus.OPEN,
        )
    )


def get_ticket(session: Session, ticket_id: uuid.UUID | str, region: str | None = None) -> Ticket:
    """The ticket with ``ticket_id``; with ``region``, only if it belongs to that region's offices."""
    try:
        key = ticket_id if isinstance(ticket_id, uuid.UUID) else uuid.UUID(str(ticket_id))
    except ValueError:
        raise TicketNotFound(str(ticket_id)) from None
    ticket = session.get(Ticket, key)
    if ticket is None:
        raise TicketNotFound(str(ticket_id))
    if region is not None and ticket.region != region:
        raise WrongRegion(str(ticket_id))
    return ticket


def fulfil(
    session: Session,
    ticket_id: uuid.UUID | str,
    new_iccid: str,
    *,
    passport: str,
    pii_key: str,
    region: str | None,
    actor: Actor,
    now: datetime,
    cooling_hours: int = COOLING_HOURS,
) -> Ticket:
    """Hand over the new SIM to the person whose passport was checked: the number moves to
    ``new_iccid`` and the old SIM is retired.

    ``passport`` is the series and number of the passport shown, compared with
    the keyed digest on record (the verification engine's matcher); a wrong one
    raises :class:`WrongPassport` after counting it, and the
    ``MAX_FULFIL_FAILURES``-th locks the hand-over for ``FULFIL_LOCK_HOURS``
    (:class:`FulfilmentLocked`, even for the right passport). This is the one
    place the rule lives: the office page and the API both call it.

    ``region`` is the office's region (tickets of other regions raise
    :class:`WrongRegion`). Raises ``InvalidIccid`` (recovery.iccid),
    :class:`TicketNotFound`, :class:`TicketNotOpen` or :class:`IccidInUse`.
    The new SIM's activation time is the SIM-change time the SIM Swap API
    reports (and the ``swapped`` event of each SIM Swap Subscription of the
    number, queued here in the same transaction); it starts with a cooling
    period of ``cooling_hours``.
    """
    ticket = get_ticket(session, ticket_id, region)
    if ticket.type is not TicketType.REISSUE or ticket.status is not TicketStatus.OPEN:
        raise TicketNotOpen(str(ticket.id))
    _refuse_if_locked(session, ticket, now)
    if not match_passport(passport, ticket.subscriber.passport_hmac, pii_key).matched:
        _count_wrong_passport(session, ticket, actor, now)
    iccid = normalise_iccid(new_iccid)
    inventory.check_hand_over(session, iccid)  # network: a card of ours, unused (issue 14)
    _close(session, ticket, TicketStatus.DONE, actor, now, new_iccid=iccid)
    subscriber = ticket.subscriber
    old = subscriber.current_sim
    if old is not None:
        old.status = SimStatus.RETIRED
        old.retired_at = now
        # The partial unique index allows one current SIM: retire first.
        session.flush()
    new = Sim(
        subscriber_id=subscriber.id,
        iccid=iccid,
        status=SimStatus.ACTIVE,
        activated_at=now,
        cooling_until=now + timedelta(hours=cooling_hours),
    )
    try:
        with session.begin_nested():
            session.add(new)
    except IntegrityError:
        raise IccidInUse(iccid) from None
    provisioning.hand_over(session, subscriber.msisdn, new, now)  # network: number to the new card (issue 14)
    subscription_events.sim_changed(session, subscriber.msisdn, now)  # partners' SIM Swap Subscriptions
    session.expire(subscriber, ["sims"])
    audit_ticket(session, ticket, "ticket.fulfilled", actor, subscriber.msisdn, sim_id=new.id)
    notifications.queue(
        session,
        subscriber,
        notifications.reissue_fulfilled(subscriber.msisdn, ticket.reference, new.cooling_until),
    )
    return ticket


def _refuse_if_locked(session: Session, ticket: Ticket, now: datetime) -> None:
    """Raise ``FulfilmentLocked`` while the ticket's hand-over is locked (read fresh, not cached)."""
    until = session.scalar(select(Ticket.fulfil_locked_until).where(Ticket.id == ticket.id))
    if until is not None and until > now:
        raise FulfilmentLocked(str(ticket.id), until)


def _count_wrong_passport(session: Session, ticket: Ticket, actor: Actor, now: datetime) -> None:
    """Count a wrong passport atomically, audit it, commit both, and raise.

    One conditional UPDATE: it counts only while the ticket is not locked (an
    expired lock starts the count again), and the ``MAX_FULFIL_FAILURES``-th
    count sets the lock. Concurrent wrong passports queue on the row lock and
    each re-reads the row, so no more than ``MAX_FULFIL_FAILURES`` are counted.
    Committed here because the caller rolls back on the exception.
    """
    expired = Ticket.fulfil_locked_until.is_not(None) & (Ticket.fulfil_locked_until <= now)
    counted = case((expired, 1), else_=Ticket.fulfil_failures + 1)
    row = session.execute(
        update(Ticket)
        .where(
            Ticket.id == ticket.id,
            or_(Ticket.fulfil_locked_until.is_(None), Ticket.fulfil_locked_until <= now),
        )
        .values(
            fulfil_failures=counted,
            # Typed, so that SQLite stores the instant as the column does (UTC, no offset).
            fulfil_locked_until=case(
                (
                    counted >= MAX_FULFIL_FAILURES,
                    literal(now + timedelta(hours=FULFIL_LOCK_HOURS), UTCDateTime),
                ),
                else_=null(),
            ),
        )
        .returning(Ticket.fulfil_failures, Ticket.fulfil_locked_until)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if row is None:  # another wrong passport locked it a moment ago
        session.rollback()
        _refuse_if_locked(session, ticket, now)
        raise FulfilmentLocked(str(ticket.id), None)
    failures, locked_until = row
    audit_ticket(
        session,
        ticket,
        "ticket.passport_mismatch",
        actor,
        ticket.subscriber.msisdn,
        failures=failures,
        locked=locked_until is not None,
    )
    session.commit()
    raise WrongPassport(str(ticket.id), max(0, MAX_FULFIL_FAILURES - failures))


def cancel(
    session: Session,
    ticket_id: uuid.UUID | str,
    reason: str,
    *,
    region: str | None,
    actor: Actor,
    now: datetime,
) -> Ticket:
    """Cancel an open reissue with a reason; the SIM stays blocked.

    Raises :class:`TicketNotFound`, :class:`WrongRegion` or :class:`TicketNotOpen`.
    """
    reason = " ".join(reason.split())[:MAX_REASON_LENGTH]
    if not reason:
        raise ValueError("a reason is required")
    ticket = get_ticket(session, ticket_id, region)
    _close(session, ticket, TicketStatus.CANCELLED, actor, now, cancel_reason=reason)
    # The reason is free text typed by staff: the audit keeps its length, not its words.
    audit_ticket(
        session, ticket, "ticket.cancelled", actor, ticket.subscriber.msisdn, reason_chars=len(reason)
    )
    return ticket


def _close(
    session: Session, ticket: Ticket, status: TicketStatus, actor: Actor, now: datetime, **values: object
) -> None:
    """Close an open ticket with one conditional UPDATE, or raise ``TicketNotOpen``."""
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == TicketStatus.OPEN)
        .values(status=status, closed_at=now, closed_by_id=actor.staff_user_id, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TicketNotOpen(str(ticket.id))
    session.refresh(ticket)


def audit_ticket(
    session: Session, ticket: Ticket, action: str, actor: Actor, msisdn: str, **details: object
) -> None:
    """Audit ``action`` on ``ticket`` (its type and region, the number; never identity data)."""
    actor.audit(
        session,
        action,
        str(ticket.id),
        msisdn=msisdn,
        type=ticket.type.value,
        region=ticket.region,
        **details,
    )

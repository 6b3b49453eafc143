"""Blocking a SIM: one use-case for a claim (any remote channel) and the personal account.

Whoever blocks, the same things happen: the current SIM stops at once (one
``sim.blocked`` audit event), a done block ticket records the request
(``ticket.done``), and the owner is e-mailed with the ticket's number, since
the SIM itself may be in a stranger's hands.

A SIM already blocked stays as it is (its first block time is kept, no second
``sim.blocked``), but the request is still recorded and told: the owner learns
of every proven claim on the number. ``SimBlock.newly_blocked`` tells a caller
(the account page) that nothing changed on the SIM.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from recovery.claims import notifications
from recovery.claims.actors import Actor
from recovery.claims.tickets import audit_ticket, unused_reference
from recovery.models import SimStatus, Subscriber, Ticket, TicketStatus, TicketType
from recovery.network import provisioning


@dataclass(frozen=True)
class SimBlock:
    """The block ticket recorded, and whether the SIM was blocked by this request."""

    ticket: Ticket
    #: False when the SIM was already blocked (or the number has no current SIM).
    newly_blocked: bool


def block_sim(
    session: Session,
    subscriber: Subscriber,
    *,
    actor: Actor,
    now: datetime,
    claim_id: uuid.UUID | None = None,
    language: notifications.AccountLanguage | None = None,
) -> SimBlock:
    """Block the subscriber's current SIM, record a done block ticket and e-mail the owner.

    ``claim_id`` is the claim that asked (None from the personal account); ``language``, the
    account's language when the caller has read it. The caller commits.
    """
    ticket = Ticket(
        id=uuid.uuid4(),
        reference=unused_reference(session),
        subscriber_id=subscriber.id,
        claim_id=claim_id,
        type=TicketType.BLOCK,
        status=TicketStatus.DONE,
        region=subscriber.home_region,
        created_at=now,
        closed_at=now,
    )
    newly_blocked = stop_current_sim(session, subscriber, actor=actor, now=now, ticket_id=ticket.id)
    session.add(ticket)  # flushed with the rest: its reference is already known
    audit_ticket(session, ticket, "ticket.done", actor, subscriber.msisdn)
    message = notifications.sim_blocked(subscriber.msisdn, ticket.reference)
    notifications.queue(session, subscriber, message, language=language)
    return SimBlock(ticket, newly_blocked)


def stop_current_sim(
    session: Session,
    subscriber: Subscriber,
    *,
    actor: Actor,
    now: datetime,
    ticket_id: uuid.UUID | None = None,
) -> bool:
    """Block the current SIM at once (the SIM step of :func:`block_sim` and of a reissue).

    Returns True when it was blocked now; a SIM already blocked stays as it is,
    and a number without a current SIM has nothing to block (both False).
    """
    sim = subscriber.current_sim
    if sim is None or sim.status is SimStatus.BLOCKED:
        return False
    sim.status = SimStatus.BLOCKED
    sim.blocked_at = now
    provisioning.block(session, subscriber.msisdn, sim, now)  # the network bars the SIM (DESIGN 3.1)
    details: dict[str, object] = {"sim_id": sim.id}
    if ticket_id is not None:
        details["ticket_id"] = str(ticket_id)
    actor.audit(session, "sim.blocked", subscriber.msisdn, **details)
    return True

"""Unblocking a SIM the owner found again, and whether the network has confirmed a number's changes.

The caller proves who asks first: the account's password (personal account)
or the passport shown (office). Unblocking while a reissue is open is refused:
the old card would come back while a new one is on its way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.claims import tickets
from recovery.claims.actors import Actor
from recovery.models import (
    Provisioning,
    ProvisioningOperation,
    ProvisioningState,
    Sim,
    SimStatus,
    Subscriber,
)
from recovery.network import provisioning


class NotBlocked(Exception):
    """The number's current SIM is not blocked (or there is none)."""


class ReissueOpen(Exception):
    """A new SIM is on its way for this number: the old one stays blocked."""


def reissue_open(session: Session, subscriber: Subscriber) -> bool:
    """Whether a new SIM is on its way for the number (an open reissue ticket)."""
    return tickets.open_reissue_of(session, subscriber.id) is not None


def unblock_sim(
    session: Session,
    subscriber: Subscriber,
    *,
    now: datetime,
    actor: Actor,
) -> Sim:
    """Make the current SIM active again and queue the network's unblock (the caller commits)."""
    sim = subscriber.current_sim
    if sim is None or sim.status is not SimStatus.BLOCKED:
        raise NotBlocked(subscriber.msisdn)
    if reissue_open(session, subscriber):
        raise ReissueOpen(subscriber.msisdn)
    sim.status = SimStatus.ACTIVE
    sim.blocked_at = None
    provisioning.unblock(session, subscriber.msisdn, sim, now)
    actor.audit(session, "sim.unblocked", subscriber.msisdn, sim_id=sim.id)
    return sim


def network_state(session: Session, msisdn: str) -> ProvisioningState | None:
    """Whether the network has confirmed the number's changes: ``pending`` while any row waits,
    ``failed`` if the latest failed, ``done`` when all are through, None when nothing was queued.

    For result pages: "blocked" once ``done``, "blocking…" while ``pending``.
    """
    states = session.scalars(
        select(Provisioning.state).where(Provisioning.msisdn == msisdn).order_by(Provisioning.id.desc())
    ).all()
    if not states:
        return None
    if ProvisioningState.PENDING in states:
        return ProvisioningState.PENDING
    return states[0]


def block_confirmed(session: Session, msisdn: str) -> bool:
    """Whether the network confirmed the number's latest block (its ``block`` row is ``done``).

    A hand-over's ``data_on`` row stays pending for the cooling period, so the
    block's own row answers, not :func:`network_state`. No block row at all is
    no confirmation either.
    """
    state = session.scalar(
        select(Provisioning.state)
        .where(Provisioning.msisdn == msisdn, Provisioning.operation == ProvisioningOperation.BLOCK)
        .order_by(Provisioning.id.desc())
        .limit(1)
    )
    return state is ProvisioningState.DONE

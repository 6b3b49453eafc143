"""SIM Swap Subscriptions' events, queued with the change that causes them.

Queueing (in the caller's transaction, like ``network.provisioning``):

* :func:`sim_changed`: the hand-over moved a number to a new SIM; each active
  subscription of the number gets one ``swapped`` event, and one that reaches
  its ``subscriptionMaxEvents`` also gets ``subscription-ended``;
* :func:`delete`: the partner deleted it (``SUBSCRIPTION_DELETED``);
* :func:`end_due`: the worker's sweep of subscriptions past their expiry
  (``SUBSCRIPTION_EXPIRED``) or their sink token's (``ACCESS_TOKEN_EXPIRED``).

The worker delivers them: ``recovery.camara.event_delivery``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from recovery.models import SimSwapSubscription, SubscriptionEvent, SubscriptionEventState, SubscriptionState
from recovery.network import wakeup

TYPE_PREFIX = "org.camaraproject.sim-swap-subscriptions.v0."
SWAPPED = "swapped"
ENDED = "subscription-ended"
SWAPPED_TYPE = TYPE_PREFIX + SWAPPED
ENDED_TYPE = TYPE_PREFIX + ENDED

MAX_EVENTS_REACHED = "MAX_EVENTS_REACHED"
SUBSCRIPTION_EXPIRED = "SUBSCRIPTION_EXPIRED"
ACCESS_TOKEN_EXPIRED = "ACCESS_TOKEN_EXPIRED"  # noqa: S105 — a CAMARA reason, no secret
SUBSCRIPTION_DELETED = "SUBSCRIPTION_DELETED"
TERMINATION_DESCRIPTIONS = {
    MAX_EVENTS_REACHED: "The subscription's maximum number of events has been reached.",
    SUBSCRIPTION_EXPIRED: "The subscription's expiry time has been reached.",
    ACCESS_TOKEN_EXPIRED: "The sink credential's access token has expired.",
    SUBSCRIPTION_DELETED: "The subscription was deleted by the requester.",
}


# --- queueing ------------------------------------------------------------------------------------------


def _queue(
    session: Session, subscription: SimSwapSubscription, kind: str, now: datetime, reason: str | None = None
) -> SubscriptionEvent:
    event = SubscriptionEvent(
        subscription_id=subscription.id,
        event_id=str(uuid.uuid4()),
        kind=kind,
        termination_reason=reason,
        occurred_at=now,
        state=SubscriptionEventState.PENDING,
        attempts=0,
        due_at=now,
        created_at=now,
    )
    session.add(event)
    wakeup.notify(session)
    return event


def end(session: Session, subscription: SimSwapSubscription, reason: str, now: datetime) -> None:
    """End an active subscription for ``reason`` and queue its ``subscription-ended`` event."""
    subscription.state = (
        SubscriptionState.DELETED if reason == SUBSCRIPTION_DELETED else SubscriptionState.ENDED
    )
    subscription.termination_reason = reason
    subscription.ended_at = now
    _queue(session, subscription, ENDED, now, reason)


def _expiry_reason(subscription: SimSwapSubscription, now: datetime) -> str | None:
    if subscription.expires_at is not None and subscription.expires_at <= now:
        return SUBSCRIPTION_EXPIRED
    if subscription.sink_token_expires_at is not None and subscription.sink_token_expires_at <= now:
        return ACCESS_TOKEN_EXPIRED
    return None


def sim_changed(session: Session, msisdn: str, now: datetime) -> int:
    """The number moved to a new SIM at ``now``: queue the events (the caller commits); returns how many
    ``swapped`` events were queued.

    The active subscriptions are locked (PostgreSQL), so a delete committed
    meanwhile is seen and gets no ``swapped`` after its ``subscription-ended``.
    """
    subscriptions = session.scalars(
        select(SimSwapSubscription)
        .where(SimSwapSubscription.msisdn == msisdn, SimSwapSubscription.state == SubscriptionState.ACTIVE)
        .order_by(SimSwapSubscription.starts_at, SimSwapSubscription.id)
        .with_for_update()
    ).all()
    swapped = 0
    for subscription in subscriptions:
        reason = _expiry_reason(subscription, now)
        if reason is not None:
            end(session, subscription, reason, now)
            continue
        _queue(session, subscription, SWAPPED, now)
        swapped += 1
        subscription.events_sent += 1
        if subscription.max_events is not None and subscription.events_sent >= subscription.max_events:
            end(session, subscription, MAX_EVENTS_REACHED, now)
    return swapped


def delete(session: Session, subscription: SimSwapSubscription, now: datetime) -> None:
    """The partner deleted it: ``subscription-ended`` if it was still active (the caller commits)."""
    if subscription.state is SubscriptionState.ACTIVE:
        end(session, subscription, SUBSCRIPTION_DELETED, now)
    else:
        subscription.state = SubscriptionState.DELETED


def end_due(session: Session, now: datetime, limit: int = 100) -> int:
    """End the active subscriptions whose expiry or sink token expiry has come; returns how many."""
    due = session.scalars(
        select(SimSwapSubscription)
        .where(
            SimSwapSubscription.state == SubscriptionState.ACTIVE,
            or_(SimSwapSubscription.expires_at <= now, SimSwapSubscription.sink_token_expires_at <= now),
        )
        .order_by(SimSwapSubscription.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for subscription in due:
        end(session, subscription, _expiry_reason(subscription, now) or SUBSCRIPTION_EXPIRED, now)
    return len(due)

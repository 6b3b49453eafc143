"""SIM Swap Subscriptions' events delivered by the worker (queued by ``recovery.camara.events``).

:func:`drain`, run by ``flask worker``: one event at a time, each in its own
transaction, the row locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) while it
is posted, a subscription's events in the order they were queued. The body is a
CloudEvents 1.0 structured JSON event built with the ``cloudevents`` SDK. A
network error, a 429 or a 5xx is retried after an exponential backoff, within
``DeliveryPolicy``'s bounds on attempts and on total time; then, or at once on
any other refusal (a 4xx, a sink we may not reach), the event is ``failed`` and
so is the subscription: a supervisor sees it on ``/supervisor/network``, and no
further event goes to that sink.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from cloudevents.core.bindings.http import to_structured_event
from cloudevents.core.v1.event import CloudEvent
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from recovery import audit
from recovery.camara.events import (
    ENDED,
    TERMINATION_DESCRIPTIONS,
    TYPE_PREFIX,
    end_due,
)
from recovery.camara.sinks import InvalidSink, SinkNotAllowed, SinkSender
from recovery.models import SubscriptionEvent, SubscriptionEventState, SubscriptionState

#: The CloudEvent ``source`` unless ``SUBSCRIPTION_EVENT_SOURCE`` names this service's public URL.
DEFAULT_SOURCE = "urn:lost-sim-recovery:camara:sim-swap-subscriptions"
CHANNEL = "worker"
MAX_ERROR_LENGTH = 500
logger = logging.getLogger(__name__)
_SECRET_LIKE = re.compile(r"[A-Za-z0-9_\-]{24,}")


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard we try one event: attempts, backoff and the total time, from the first attempt's due time."""

    #: Attempts of one event before it is given up (``SUBSCRIPTION_DELIVERY_MAX_ATTEMPTS``).
    max_attempts: int = 6
    #: The wait after the first failure, doubling after each (``…_BACKOFF_SECONDS``).
    backoff_seconds: float = 10
    #: The longest single wait.
    backoff_max_seconds: float = 600
    #: No attempt is made later than this after the event was queued (``…_MAX_SECONDS``).
    max_seconds: float = 1800

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> DeliveryPolicy:
        """The defaults overridden by the ``SUBSCRIPTION_DELIVERY_*`` settings."""
        return cls(
            max_attempts=int(config.get("SUBSCRIPTION_DELIVERY_MAX_ATTEMPTS", cls.max_attempts)),
            backoff_seconds=float(config.get("SUBSCRIPTION_DELIVERY_BACKOFF_SECONDS", cls.backoff_seconds)),
            backoff_max_seconds=float(
                config.get("SUBSCRIPTION_DELIVERY_BACKOFF_MAX_SECONDS", cls.backoff_max_seconds)
            ),
            max_seconds=float(config.get("SUBSCRIPTION_DELIVERY_MAX_SECONDS", cls.max_seconds)),
        )

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failure."""
        return timedelta(seconds=min(self.backoff_seconds * 2 ** (attempts - 1), self.backoff_max_seconds))


# --- the CloudEvent ------------------------------------------------------------------------------------


def cloud_event(event: SubscriptionEvent, source: str) -> CloudEvent:
    """The CloudEvents 1.0 event of an outbox row (the same ``id`` on every attempt)."""
    subscription = event.subscription
    data: dict[str, Any] = {"phoneNumber": subscription.msisdn, "subscriptionId": subscription.id}
    if event.kind == ENDED:
        data["terminationReason"] = event.termination_reason
        data["terminationDescription"] = TERMINATION_DESCRIPTIONS.get(event.termination_reason or "", "")
    return CloudEvent(
        attributes={
            "id": event.event_id,
            "source": source,
            "type": TYPE_PREFIX + event.kind,
            "specversion": "1.0",
            "time": event.occurred_at,
            "datacontenttype": "application/json",
        },
        data=data,
    )


def request_of(event: SubscriptionEvent, source: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the POST to the sink (structured mode, the bearer token if given)."""
    message = to_structured_event(cloud_event(event, source))
    headers = {"Content-Type": "application/cloudevents+json"}
    token = event.subscription.sink_token
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return message.body, headers


# --- delivery ------------------------------------------------------------------------------------------


class _Retry(Exception):
    """The sink may take it later (a network error, 429, 5xx)."""


class _GiveUp(Exception):
    """The sink will not take it (a 4xx, a sink we may not reach)."""


def next_due(session: Session, now: datetime) -> SubscriptionEvent | None:
    """Lock and return the oldest due pending event whose subscription has no earlier one pending."""
    earlier = aliased(SubscriptionEvent)
    waits_for_earlier = (
        select(earlier.id)
        .where(
            earlier.subscription_id == SubscriptionEvent.subscription_id,
            earlier.id < SubscriptionEvent.id,
            earlier.state == SubscriptionEventState.PENDING,
        )
        .exists()
    )
    return session.scalars(
        select(SubscriptionEvent)
        .where(SubscriptionEvent.state == SubscriptionEventState.PENDING, SubscriptionEvent.due_at <= now)
        .where(~waits_for_earlier)
        .order_by(SubscriptionEvent.due_at, SubscriptionEvent.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def _error_text(exc: Exception, event: SubscriptionEvent) -> str:
    """The error for the row and the log: never the sink's URL (it may carry a secret) or the token."""
    text = f"{type(exc).__name__}: {exc}"
    subscription = event.subscription
    for value in (subscription.sink_token, subscription.sink):
        if value:
            text = text.replace(value, "[redacted]")
    return _SECRET_LIKE.sub("[redacted]", text)[:MAX_ERROR_LENGTH]


def _post(sender: SinkSender, event: SubscriptionEvent, source: str) -> None:
    body, headers = request_of(event, source)
    try:
        answer = sender.post(event.subscription.sink, body, headers)
    except (InvalidSink, SinkNotAllowed) as exc:
        raise _GiveUp(str(exc)) from exc
    except requests.RequestException as exc:  # SinkNotAllowed is raised as it is, never wrapped
        raise _Retry(str(exc)) from exc
    if 200 <= answer.status < 300:
        return
    if answer.status == 429 or answer.status >= 500:
        raise _Retry(f"the sink answered {answer.status}")
    raise _GiveUp(f"the sink answered {answer.status}")


def deliver_one(
    session: Session, sender: SinkSender, policy: DeliveryPolicy, source: str, now: datetime
) -> SubscriptionEvent | None:
    """Deliver the next due event and record the outcome (the caller commits); None when none is due."""
    event = next_due(session, now)
    if event is None:
        return None
    if event.subscription.state is SubscriptionState.FAILED:
        _finish(session, event, SubscriptionEventState.FAILED, now, "the subscription has failed")
        return event
    event.attempts += 1
    try:
        _post(sender, event, source)
    except _Retry as exc:
        event.error = _error_text(exc, event)
        retry_at = now + policy.backoff(event.attempts)
        deadline = event.created_at + timedelta(seconds=policy.max_seconds)
        if event.attempts >= policy.max_attempts or retry_at > deadline:
            _give_up(session, event, now)
        else:
            event.due_at = retry_at
            logger.warning(
                "subscription event %s attempt %s failed: %s", event.id, event.attempts, event.error
            )
    except _GiveUp as exc:
        event.error = _error_text(exc, event)
        _give_up(session, event, now)
    else:
        _finish(session, event, SubscriptionEventState.DONE, now, None)
    return event


def _give_up(session: Session, event: SubscriptionEvent, now: datetime) -> None:
    """The event is failed; so is its subscription, with its later events, for a supervisor to see."""
    subscription = event.subscription
    _finish(session, event, SubscriptionEventState.FAILED, now, event.error)
    if subscription.state is not SubscriptionState.DELETED:
        subscription.state = SubscriptionState.FAILED
        subscription.ended_at = subscription.ended_at or now
    subscription.error = event.error
    session.execute(
        update(SubscriptionEvent)
        .where(
            SubscriptionEvent.subscription_id == subscription.id,
            SubscriptionEvent.state == SubscriptionEventState.PENDING,
            SubscriptionEvent.id != event.id,
        )
        .values(state=SubscriptionEventState.FAILED, error="the subscription has failed", done_at=now)
        .execution_options(synchronize_session=False)
    )
    logger.error("subscription %s failed: %s", subscription.id, event.error)
    audit.record(
        session,
        actor=CHANNEL,
        action="camara.sim_swap_subscription.failed",
        channel=CHANNEL,
        subject=subscription.msisdn,
        subscription_id=subscription.id,
        client_id=subscription.client_id,
        attempts=event.attempts,
    )


def _finish(
    session: Session, event: SubscriptionEvent, state: SubscriptionEventState, now: datetime, note: str | None
) -> None:
    event.state = state
    event.error = note
    event.done_at = now
    audit.record(
        session,
        actor=CHANNEL,
        action=f"camara.subscription_event.{state.value}",
        channel=CHANNEL,
        subject=event.subscription.msisdn,
        subscription_id=event.subscription_id,
        event_id=event.event_id,
        kind=event.kind,
        attempts=event.attempts,
    )


def drain(
    session: Session,
    sender: SinkSender,
    policy: DeliveryPolicy,
    source: str,
    clock: Callable[[], datetime],
    limit: int = 100,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """End what is due, then deliver up to ``limit`` due events, committing each; returns how many."""
    handled = end_due(session, clock(), limit)
    session.commit()
    delivered = 0
    while delivered < limit and not stopping():
        event = deliver_one(session, sender, policy, source, clock())
        session.commit()
        if event is None:
            break
        delivered += 1
    return handled + delivered


def backlog(session: Session, now: datetime) -> tuple[int, datetime | None]:
    """Events due and never tried yet: how many, and since when the oldest is due.

    An event waiting for its retry is the partner's sink being down, not our
    worker being stuck: it is not backlog (it fails within the policy's bounds).
    """
    count, oldest = session.execute(
        select(func.count(SubscriptionEvent.id), func.min(SubscriptionEvent.due_at)).where(
            SubscriptionEvent.state == SubscriptionEventState.PENDING,
            SubscriptionEvent.attempts == 0,
            SubscriptionEvent.due_at <= now,
        )
    ).one()
    return int(count), oldest

"""CAMARA SIM Swap Subscriptions: a partner's subscription to a number and its event outbox."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery.clock import now
from recovery.extensions import db
from recovery.models.staff import ApiClient
from recovery.models.types import BigIntPK, EncryptedText, UTCDateTime, str_enum


class SubscriptionState(enum.StrEnum):
    """Where a subscription stands (its CAMARA ``status`` is derived from it)."""

    ACTIVE = "active"
    #: Ended by the service: expiry, max events or the sink's token expired (``termination_reason``).
    ENDED = "ended"
    DELETED = "deleted"
    #: The sink did not take an event within the delivery bounds: no more events go there.
    FAILED = "failed"


class SimSwapSubscription(db.Model):
    """A partner's request to hear when ``msisdn`` moves to a new SIM.

    ``msisdn`` is the number as the partner sent it, ours or not: a number that
    is not ours is accepted like one that is and simply never fires, so the
    API tells nobody who our subscribers are. The sink's access token is the
    partner's secret: encrypted at rest and never returned.
    """

    __tablename__ = "sim_swap_subscriptions"
    __table_args__ = (
        Index("ix_sim_swap_subscriptions_msisdn_state", "msisdn", "state"),
        Index("ix_sim_swap_subscriptions_client_state", "client_id", "state"),
        Index("ix_sim_swap_subscriptions_state_expires", "state", "expires_at"),
    )

    #: The CAMARA ``subscriptionId`` (a UUID): random, so ids tell nothing about other partners.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"))
    msisdn: Mapped[str] = mapped_column(String(16))
    sink: Mapped[str] = mapped_column(String(2048))
    sink_token: Mapped[str | None] = mapped_column(EncryptedText)
    sink_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_events: Mapped[int | None] = mapped_column()
    #: Swapped events queued so far (compared with ``max_events``).
    events_sent: Mapped[int] = mapped_column(default=0)
    state: Mapped[SubscriptionState] = mapped_column(
        str_enum(SubscriptionState, "subscription_state"), default=SubscriptionState.ACTIVE
    )
    termination_reason: Mapped[str | None] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last delivery error, when the subscription failed (no token, no body).
    error: Mapped[str | None] = mapped_column(String(500))

    client: Mapped[ApiClient] = relationship()

    def __repr__(self) -> str:
        return f"<SimSwapSubscription {self.id} {self.msisdn} {self.state}>"


class SubscriptionEventState(enum.StrEnum):
    """Outbox state of one event."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class SubscriptionEvent(db.Model):
    """One CloudEvent for a subscription's sink, written in the transaction that causes it.

    ``event_id`` is the CloudEvent ``id``: the same on every retry, so a sink
    that got an event twice (our attempt timed out after it answered) can tell.
    """

    __tablename__ = "subscription_events"
    __table_args__ = (
        Index("ix_subscription_events_state_due", "state", "due_at"),
        Index("ix_subscription_events_subscription", "subscription_id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("sim_swap_subscriptions.id"))
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    #: ``swapped`` or ``subscription-ended`` (the CloudEvent type's last part).
    kind: Mapped[str] = mapped_column(String(32))
    termination_reason: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[SubscriptionEventState] = mapped_column(
        str_enum(SubscriptionEventState, "subscription_event_state"), default=SubscriptionEventState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscription: Mapped[SimSwapSubscription] = relationship()

    def __repr__(self) -> str:
        return f"<SubscriptionEvent {self.id} {self.kind} {self.state}>"

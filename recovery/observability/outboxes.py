"""The outboxes an operator watches: their depth and the age of their oldest pending row.

One registry for ``/readyz`` (a backlog older than its setting makes the
service not ready) and ``/metrics`` (depth and age per outbox). Each feature
that keeps an outbox registers it once, at import or in ``create_app``::

    register_outbox(Outbox("provisioning", backlog, max_age_setting="PROVISIONING_MAX_AGE_SECONDS"))

``backlog(session)`` returns how many rows wait and when the oldest was made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from recovery import clock
from recovery.models import Notification, NotificationStatus, Provisioning, ProvisioningState

#: The default setting: a backlog whose oldest row waits longer than this makes the service not ready.
DEFAULT_MAX_AGE_SETTING = "OUTBOX_MAX_AGE_SECONDS"

Backlog = tuple[int, datetime | None]


@dataclass(frozen=True)
class Outbox:
    """An outbox table as the operator sees it."""

    name: str
    backlog: Callable[[Session], Backlog]
    #: The config key of the greatest age (seconds) of the oldest pending row.
    max_age_setting: str = DEFAULT_MAX_AGE_SETTING
    #: Whether a backlog here makes the service not ready, given the app's config.
    required: Callable[[Mapping[str, object]], bool] = lambda config: True


OUTBOXES: dict[str, Outbox] = {}


def register_outbox(outbox: Outbox) -> None:
    """Watch ``outbox`` (registering a name again replaces it)."""
    OUTBOXES[outbox.name] = outbox


def notifications_backlog(session: Session) -> Backlog:
    """Queued e-mails and SMS: how many, and when the oldest was queued."""
    count, oldest = session.execute(
        select(func.count(Notification.id), func.min(Notification.created_at)).where(
            Notification.status == NotificationStatus.QUEUED
        )
    ).one()
    return int(count), oldest


def notifications_delivered(config: Mapping[str, object]) -> bool:
    """A backlog counts only where a backend delivers (the default keeps messages for the outbox page)."""
    from recovery.claims.notifications import DEFAULT_BACKEND

    module_name, _, class_name = str(config.get("NOTIFICATION_BACKEND") or DEFAULT_BACKEND).partition(":")
    backend_class = getattr(import_module(module_name), class_name)  # the class: no connection, no setup
    return bool(getattr(backend_class, "sends", True))


register_outbox(Outbox("notifications", notifications_backlog, required=notifications_delivered))


def provisioning_backlog(session: Session) -> Backlog:
    """Network changes due and not yet confirmed by the HLR: how many, and since when the oldest is due.

    A row due later (PS back on when the cooling period ends) is not a backlog yet.
    """
    count, oldest = session.execute(
        select(func.count(Provisioning.id), func.min(Provisioning.due_at)).where(
            Provisioning.state == ProvisioningState.PENDING, Provisioning.due_at <= clock.now()
        )
    ).one()
    return int(count), oldest


register_outbox(Outbox("provisioning", provisioning_backlog, max_age_setting="PROVISIONING_MAX_AGE_SECONDS"))

"""``flask --app wsgi prune-outbox``: outbox rows that are finished and old are deleted.

The outboxes only grow: every e-mail, SMS and network change stays as a row
(the e-mails and SMS encrypted) after it is delivered. Retention deletes the
finished ones older than a number of days — notifications ``sent``,
``failed`` or ``withheld`` (the decoys), with their SMS parts' receipts, and
provisioning rows ``done``. A queued notification or a pending network change
is never deleted, however old (it is backlog, for ``/readyz`` to report), nor
is a ``failed`` network change: it waits for staff on the network page. The
run is audited (``outbox.prune``, with the counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from recovery import clock
from recovery.extensions import db
from recovery.models import Notification, NotificationStatus, Provisioning, ProvisioningState
from recovery.models.delivery import SmsDelivery

#: The states a notification is finished in: no worker will look at it again.
FINISHED_NOTIFICATIONS = (NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.WITHHELD)


@dataclass(frozen=True)
class Pruned:
    """How many rows ``prune_outbox`` deleted, per table."""

    notifications: int
    sms_deliveries: int
    provisioning: int


def prune_outbox(session: Session, before: datetime) -> Pruned:
    """Delete finished notifications made before ``before`` and network changes done before it.

    The caller audits and commits.
    """
    old = select(Notification.id).where(
        Notification.status.in_(FINISHED_NOTIFICATIONS), Notification.created_at < before
    )
    parts = session.execute(delete(SmsDelivery).where(SmsDelivery.notification_id.in_(old)))
    notes = session.execute(delete(Notification).where(Notification.id.in_(old.scalar_subquery())))
    changes = session.execute(
        delete(Provisioning).where(
            Provisioning.state == ProvisioningState.DONE, Provisioning.done_at < before
        )
    )
    return Pruned(notes.rowcount, parts.rowcount, changes.rowcount)


@click.command("prune-outbox")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    required=True,
    help="Delete finished outbox rows older than this many days.",
)
@with_appcontext
def prune_outbox_command(older_than_days: int) -> None:
    """Delete delivered and failed notifications and done network changes older than N days."""
    from recovery.cli import record_cli_event

    pruned = prune_outbox(db.session, clock.now() - timedelta(days=older_than_days))
    record_cli_event(
        "outbox.prune",
        older_than_days=older_than_days,
        notifications=pruned.notifications,
        sms_deliveries=pruned.sms_deliveries,
        provisioning=pruned.provisioning,
    )
    db.session.commit()
    click.echo(
        f"prune-outbox: {pruned.notifications} notification(s), {pruned.sms_deliveries} SMS part(s)"
        f" and {pruned.provisioning} network change(s) older than {older_than_days} day(s) deleted"
    )

"""``prune-outbox``: finished outbox rows older than N days are deleted, waiting ones never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from recovery.models import (
    AuditEvent,
    Notification,
    NotificationStatus,
    Provisioning,
    ProvisioningOperation,
    ProvisioningState,
)
from recovery.models.delivery import SmsDelivery


def _note(session, label: str, status: NotificationStatus, age_days: int) -> Notification:
    note = Notification(
        channel="sms",
        kind=label,
        recipient="+79161234567",
        subject="SMS",
        body="x",
        status=status,
        created_at=datetime.now(UTC) - timedelta(days=age_days),
    )
    session.add(note)
    return note


def _change(session, msisdn: str, state: ProvisioningState, age_days: int) -> None:
    at = datetime.now(UTC) - timedelta(days=age_days)
    done_at = None if state is ProvisioningState.PENDING else at
    session.add(
        Provisioning(
            operation=ProvisioningOperation.BLOCK,
            msisdn=msisdn,
            state=state,
            due_at=at,
            created_at=at,
            done_at=done_at,
        )
    )


def test_finished_rows_older_than_the_limit_go_and_waiting_ones_stay(session, runner):
    sent = _note(session, "old_sent", NotificationStatus.SENT, 40)
    _note(session, "old_failed", NotificationStatus.FAILED, 40)
    _note(session, "old_withheld", NotificationStatus.WITHHELD, 40)
    _note(session, "old_queued", NotificationStatus.QUEUED, 40)  # still waiting for a retry
    _note(session, "new_sent", NotificationStatus.SENT, 2)
    session.flush()
    session.add(SmsDelivery(notification_id=sent.id, message_id="smsc-1", state="DELIVRD"))
    _change(session, "+79160000001", ProvisioningState.DONE, 40)
    _change(session, "+79160000002", ProvisioningState.PENDING, 40)
    _change(session, "+79160000003", ProvisioningState.FAILED, 40)  # staff still have to see it
    _change(session, "+79160000004", ProvisioningState.DONE, 2)
    session.commit()

    result = runner.invoke(args=["prune-outbox", "--older-than-days", "30"])

    assert result.exit_code == 0, result.output
    assert "3 notification(s), 1 SMS part(s) and 1 network change(s)" in result.output
    session.expire_all()
    assert sorted(session.scalars(select(Notification.kind))) == ["new_sent", "old_queued"]
    assert session.scalars(select(SmsDelivery)).all() == []
    assert sorted(session.scalars(select(Provisioning.msisdn))) == [
        "+79160000002",
        "+79160000003",
        "+79160000004",
    ]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.prune")).one()
    assert (event.actor, event.channel) == ("cli", "cli")
    assert event.details == {
        "older_than_days": 30,
        "notifications": 3,
        "sms_deliveries": 1,
        "provisioning": 1,
    }

    again = runner.invoke(args=["prune-outbox", "--older-than-days", "30"])
    assert "0 notification(s), 0 SMS part(s) and 0 network change(s)" in again.output


def test_the_limit_must_be_at_least_a_day(session, runner):
    _note(session, "today", NotificationStatus.SENT, 0)
    session.commit()
    result = runner.invoke(args=["prune-outbox", "--older-than-days", "0"])
    assert result.exit_code == 2 and "--older-than-days" in result.output
    assert session.scalars(select(Notification.kind)).all() == ["today"]
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.prune")).all() == []

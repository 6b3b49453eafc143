"""What the SMS centre said about each part of an SMS: its message id and its delivery receipt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from recovery.clock import now
from recovery.extensions import db
from recovery.models.types import BigIntPK, UTCDateTime

#: The state of a part the SMSC accepted and has not reported on yet.
SUBMITTED = "submitted"


class SmsDelivery(db.Model):
    """One part of an outbox SMS as submitted over SMPP; never its text (it may be a code).

    ``state`` is ``submitted`` until the SMSC's delivery receipt names the
    final state (``DELIVRD``, ``UNDELIV``, ``EXPIRED``, ``REJECTD``, …).
    """

    __tablename__ = "sms_deliveries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    part: Mapped[int] = mapped_column(default=1)
    message_id: Mapped[str] = mapped_column(String(65), index=True)
    state: Mapped[str] = mapped_column(String(16), default=SUBMITTED)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    receipt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SmsDelivery {self.notification_id}/{self.part} {self.message_id} {self.state}>"

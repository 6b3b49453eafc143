"""The append-only audit log and the notification outbox."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from recovery.clock import now
from recovery.extensions import db
from recovery.models.types import BigIntPK, EncryptedText, UTCDateTime, str_enum


class AuditEvent(db.Model):
    """Who did what, when, through which channel and from where.

    Never holds passport data or a claimant's answers. Rows are only ever
    inserted: the migration installs triggers that refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"), Index("ix_audit_events_subject", "subject"))

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    actor: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.actor} {self.action} {self.subject}>"


class NotificationStatus(enum.StrEnum):
    """Outbox state of a message."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    #: Never delivered: the decoy queued for a number that is not ours, so that asking for a
    #: code for it runs the same statements as for a subscriber's (issue 13.5).
    WITHHELD = "withheld"


class Notification(db.Model):
    """A message to a subscriber, queued in the outbox for a delivery backend.

    The recipient (an e-mail address or a phone number), the subject and the
    body name the subscriber, so they are encrypted at rest like the
    subscriber's own e-mail (``EncryptedText``): look messages up by id,
    channel, kind or status, never by recipient in SQL. ``kind`` says what the
    message is ("register_code", "sim_blocked", …) so that staff pages can name
    it without showing the body (a one-time code must never reach staff).
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    channel: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str | None] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(EncryptedText)
    subject: Mapped[str] = mapped_column(EncryptedText)
    body: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[NotificationStatus] = mapped_column(
        str_enum(NotificationStatus, "notification_status"), default=NotificationStatus.QUEUED
    )
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The account holder's language ("ru", "en") when on record; else the message goes in both.
    language: Mapped[str | None] = mapped_column(String(5))
    #: Failed hand-overs to the transport so far; after the last one the message is ``failed``.
    attempts: Mapped[int] = mapped_column(default=0)
    #: When a queued message is due again after a failure (None: due now).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last transport error, redacted: never the body, a code, the recipient or a key.
    error: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.channel} {self.status}>"

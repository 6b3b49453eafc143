"""The personal account («личный кабинет»): logins, one-time codes, tariffs,
top-ups and the support chat.

Account holders are subscribers from the ledger; ``Account`` only adds what a
login needs (a password hash, failed attempts, language) one to one.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery.clock import now
from recovery.extensions import db
from recovery.models.contracts import ContractType
from recovery.models.subscriber import Subscriber
from recovery.models.types import BigIntPK, UTCDateTime, str_enum


class Account(UserMixin, db.Model):
    """A subscriber's login to the personal account; the password is hashed with argon2."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(5))
    failed_logins: Mapped[int] = mapped_column(default=0)
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Part of the session id: raising it ends every session of the account (recovery/auth.py).
    session_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    subscriber: Mapped[Subscriber] = relationship(lazy="joined")

    def get_id(self) -> str:
        """Flask-Login identity ``account:<id>:<session version>`` (the prefix: never read as staff)."""
        return f"account:{self.id}:{self.session_version or 0}"

    def __repr__(self) -> str:
        return f"<Account {self.id} subscriber={self.subscriber_id}>"


class Captcha(db.Model):
    """A captcha challenge; the answer stays on the server and is good for one try."""

    __tablename__ = "captchas"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    answer: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Captcha {self.id} used={self.used_at is not None}>"


class CodePurpose(enum.StrEnum):
    """Why a one-time SMS code was sent."""

    REGISTER = "register"
    RESET = "reset"


class SmsCode(db.Model):
    """A one-time code sent by SMS, stored only as a keyed hash.

    A row is written for every request, also for numbers that are not ours
    (``subscriber_id`` is then empty and nothing is sent), so that both answers
    cost the same and the per-number resend limit counts them alike.
    """

    __tablename__ = "sms_codes"
    __table_args__ = (Index("ix_sms_codes_msisdn_created_at", "msisdn", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    msisdn: Mapped[str] = mapped_column(String(16))
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    purpose: Mapped[CodePurpose] = mapped_column(str_enum(CodePurpose, "code_purpose"))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SmsCode {self.id} {self.purpose} attempts={self.attempts}>"


class Tariff(db.Model):
    """A tariff plan and the prices from which call details are costed."""

    __tablename__ = "tariffs"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_ru: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    monthly_fee_kopecks: Mapped[int] = mapped_column(default=0)
    per_minute_kopecks: Mapped[int] = mapped_column(default=0)
    per_sms_kopecks: Mapped[int] = mapped_column(default=0)
    is_available: Mapped[bool] = mapped_column(default=True)
    # PAYM for the monthly contracts, PAYG for prepaid (CAMARA KYC Tenure's contractType).
    contract_type: Mapped[ContractType] = mapped_column(
        str_enum(ContractType, "contract_type"),
        default=ContractType.PAYG,
        server_default=ContractType.PAYG.value,
    )
    sort_order: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        """The tariff's name in ``locale`` (``ru`` or anything else for English)."""
        return self.name_ru if str(locale).startswith("ru") else self.name_en

    def __repr__(self) -> str:
        return f"<Tariff {self.code}>"


class TopUpStatus(enum.StrEnum):
    """Where a balance top-up stands with the payment provider."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    DECLINED = "declined"


class TopUp(db.Model):
    """A balance top-up. The idempotency key makes a double submit charge once."""

    __tablename__ = "top_ups"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "idempotency_key", name="uq_top_ups_subscriber_id_idempotency_key"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    amount_kopecks: Mapped[int] = mapped_column()
    status: Mapped[TopUpStatus] = mapped_column(
        str_enum(TopUpStatus, "top_up_status"), default=TopUpStatus.PENDING
    )
    provider_reference: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<TopUp {self.id} {self.amount_kopecks} {self.status}>"


class MessageAuthor(enum.StrEnum):
    """Who wrote a support chat message."""

    SUBSCRIBER = "subscriber"
    AGENT = "agent"


class SupportMessage(db.Model):
    """One message in a subscriber's support conversation."""

    __tablename__ = "support_messages"
    __table_args__ = (Index("ix_support_messages_subscriber_id_id", "subscriber_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    author: Mapped[MessageAuthor] = mapped_column(str_enum(MessageAuthor, "message_author"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SupportMessage {self.id} {self.author}>"

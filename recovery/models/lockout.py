"""Supervisor unlocks of numbers locked after failed claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recovery.extensions import db
from recovery.models.types import BigIntPK, UTCDateTime, utcnow


class Unlock(db.Model):
    """A supervisor lifted the lock on a number; failures before it no longer count."""

    __tablename__ = "unlocks"
    __table_args__ = (Index("ix_unlocks_msisdn_created_at", "msisdn", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    msisdn: Mapped[str] = mapped_column(String(16))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Unlock {self.msisdn} {self.created_at:%Y-%m-%d %H:%M}>"

"""Supervisor unlocks of numbers locked after failed claims, and the guard rows that serialise claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from recovery.clock import now
from recovery.extensions import db
from recovery.models.types import BigIntPK, UTCDateTime


class Unlock(db.Model):
    """A supervisor lifted the lock on a number; failures before it no longer count."""

    __tablename__ = "unlocks"
    __table_args__ = (Index("ix_unlocks_msisdn_created_at", "msisdn", "created_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    msisdn: Mapped[str] = mapped_column(String(16))
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    def __repr__(self) -> str:
        return f"<Unlock {self.msisdn} {self.created_at:%Y-%m-%d %H:%M}>"


class ClaimGuard(db.Model):
    """One row per claimed number (and per claiming client) whose row lock serialises its claims.

    A claim takes ``SELECT … FOR UPDATE`` on its number's row (and its API
    client's or agent's) before it counts failures, and holds it until it
    commits: the count and the insert of the claim are then one step, so
    parallel claims never get more tries than serial ones (DESIGN 2.3). The
    row holds nothing else; it is created on first use, for numbers that are
    not ours as well.
    """

    __tablename__ = "claim_guards"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)

    def __repr__(self) -> str:
        return f"<ClaimGuard {self.key}>"

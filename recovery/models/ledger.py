"""The call ledger: billing's record of every call, SMS and USSD request."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from recovery.extensions import db
from recovery.models.types import BigIntPK, UTCDateTime, str_enum


class CallKind(enum.StrEnum):
    """What kind of event billing recorded."""

    VOICE = "voice"
    SMS = "sms"
    USSD = "ussd"


class CallEvent(db.Model):
    """One ledger event. Either party may be outside our subscribers.

    Parties are stored as E.164 for full numbers and as typed (``0890``,
    ``*100#``) for service numbers. The natural key makes a re-import of the
    same billing file add nothing.
    """

    __tablename__ = "call_events"
    __table_args__ = (
        UniqueConstraint("caller", "callee", "started_at", "kind", name="uq_call_events_natural"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    caller: Mapped[str] = mapped_column(String(20))
    callee: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_s: Mapped[int] = mapped_column(default=0)
    kind: Mapped[CallKind] = mapped_column(str_enum(CallKind, "call_kind"))
    region: Mapped[str] = mapped_column(String(6))

    def __repr__(self) -> str:
        return f"<CallEvent {self.caller}->{self.callee} {self.kind} {self.started_at:%Y-%m-%d %H:%M}>"


# The call check reads one subscriber's most recent events (DESIGN 4); on PostgreSQL the
# index carries the callee and kind, so the check is an index-only read.
Index(
    "ix_call_events_caller_started_at",
    CallEvent.caller,
    CallEvent.started_at.desc(),
    postgresql_include=["callee", "kind"],
)

# The reference set reads every outgoing voice call of the window, and only those: the
# kind comes before the time, so a subscriber's SMS and USSD, however many, lie outside
# the range the check reads (issue 16). Index only on PostgreSQL (callee INCLUDEd).
Index(
    "ix_call_events_caller_kind_started_at",
    CallEvent.caller,
    CallEvent.kind,
    CallEvent.started_at.desc(),
    postgresql_include=["callee"],
)

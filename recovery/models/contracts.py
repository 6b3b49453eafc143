"""The contract history: which subscriber held a number, from when to when (DESIGN 3.2).

A contract is one owner's tenure on a number. It opens when the number is
first sold to a subscriber and ends when the number passes to someone else
(an import naming a different person for it). A lost-SIM reissue moves the
number to a new SIM of the *same* subscriber and leaves the contract alone, so
it neither recycles the number nor resets the tenure (CAMARA Number Recycling
and KYC Tenure read this table). ``ended_at`` is null for the contract in force.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery.extensions import db
from recovery.models.types import BigIntPK, UTCDateTime

if TYPE_CHECKING:
    from recovery.models.subscriber import Subscriber


class ContractType(enum.StrEnum):
    """How a tariff is paid, in CAMARA KYC Tenure's words."""

    PAYG = "PAYG"  # prepaid, pay as you go
    PAYM = "PAYM"  # a monthly contract
    BUSINESS = "Business"


class Contract(db.Model):
    """``subscriber_id`` held ``msisdn`` from ``started_at`` until ``ended_at`` (null: still holds it)."""

    __tablename__ = "contracts"
    __table_args__ = (
        # "The contract of this number at time T": the latest start at or before T.
        Index("ix_contracts_msisdn_started_at", "msisdn", "started_at"),
        # A number has at most one contract in force.
        Index(
            "uq_contracts_open_per_msisdn",
            "msisdn",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    msisdn: Mapped[str] = mapped_column(String(16))
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscriber: Mapped[Subscriber] = relationship(back_populates="contracts")

    def __repr__(self) -> str:
        until = f"{self.ended_at:%Y-%m-%d}" if self.ended_at else "now"
        return f"<Contract {self.msisdn} {self.subscriber_id} {self.started_at:%Y-%m-%d}..{until}>"

"""The tariff history: which tariff priced a subscriber's usage at a given moment.

A charge is fixed when the event happens: a call made under «Смарт» keeps its
«Смарт» price after a move to «Базовый». ``Subscriber.tariff`` is the tariff
in force now; each row here records a move and the tariff it replaced.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from recovery.extensions import db
from recovery.models.types import BigIntPK, UTCDateTime


class TariffChange(db.Model):
    """A move from ``previous`` to ``tariff``, in force for events from ``effective_from`` on."""

    __tablename__ = "tariff_changes"
    __table_args__ = (
        Index("ix_tariff_changes_subscriber_id_effective_from", "subscriber_id", "effective_from"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    previous: Mapped[str] = mapped_column(String(40))
    tariff: Mapped[str] = mapped_column(String(40))
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        moved = f"{self.previous}->{self.tariff}"
        return f"<TariffChange {self.subscriber_id} {moved} {self.effective_from:%Y-%m-%d %H:%M}>"

"""What partner look-ups have spent on each number (recovery/camara/budget.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from recovery.extensions import db
from recovery.models.types import UTCDateTime


class PartnerNumberBudget(db.Model):
    """One number's partner budget in its current window, across all partners.

    ``msisdn`` is the number as the partner sent it (E.164), ours or not, so
    that an unknown number spends exactly as a known one does. The counters are
    changed only by single conditional UPDATEs (``camara.budget``).
    """

    __tablename__ = "partner_number_budgets"

    msisdn: Mapped[str] = mapped_column(String(16), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requests: Mapped[int] = mapped_column(default=0)
    id_document_failures: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<PartnerNumberBudget {self.msisdn} {self.requests}/{self.id_document_failures}>"

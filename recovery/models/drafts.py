"""Answers of a self-service claim between the wizard's steps.

The row holds only ciphertext: the key is in the claimant's session cookie,
so neither a copy of the database nor the cookie alone reveals the answers
(see ``recovery/lost/drafts.py``). Rows expire and are deleted on submit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from recovery.clock import now
from recovery.extensions import db
from recovery.models.types import UTCDateTime


class ClaimDraft(db.Model):
    """An unfinished self-service claim: encrypted answers and an expiry."""

    __tablename__ = "claim_drafts"
    __table_args__ = (Index("ix_claim_drafts_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ClaimDraft expires {self.expires_at:%Y-%m-%d %H:%M}>"

"""Failed logins, one row each, for throttling that cannot lock the owner out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from recovery.extensions import db
from recovery.models.types import BigIntPK, UTCDateTime


class LoginFailure(db.Model):
    """A failed login: who was tried (a keyed hash of the login typed) and from which address.

    One insert per failure, so that parallel failures are all counted (no
    read-modify-write of a counter); the rows are counted over a short window
    per login, per (login, address) and per address. The typed login is kept
    only as a keyed hash: failures are counted for logins that do not exist
    too (so that the captcha they bring tells nothing), and no typed text —
    sometimes a password in the wrong field — is stored.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_kind_subject_created_at", "kind", "subject", "created_at"),
        Index("ix_login_failures_kind_ip_created_at", "kind", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    #: ``account`` (a number) or ``staff`` (a staff login).
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LoginFailure {self.kind} {self.created_at:%Y-%m-%d %H:%M}>"

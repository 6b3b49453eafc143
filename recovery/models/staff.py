"""Staff accounts (agents, office, supervisors) and API clients."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery.clock import now
from recovery.extensions import db
from recovery.models.types import UTCDateTime, str_enum


class StaffRole(enum.StrEnum):
    """What a member of staff may do."""

    AGENT = "agent"
    OFFICE = "office"
    SUPERVISOR = "supervisor"


class ApiRole(enum.StrEnum):
    """What an API client may call."""

    AGENT = "agent"
    OFFICE = "office"
    PARTNER = "partner"


class StaffUser(UserMixin, db.Model):
    """A call-centre agent, office clerk or supervisor; password hashed with argon2."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[StaffRole] = mapped_column(str_enum(StaffRole, "staff_role"))
    region: Mapped[str | None] = mapped_column(String(6))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Part of the session id: raising it ends every session of the user (recovery/auth.py).
    session_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    def get_id(self) -> str:
        """Flask-Login identity ``staff:<id>:<session version>`` (the prefix: never read as an account)."""
        return f"staff:{self.id}:{self.session_version or 0}"

    def __repr__(self) -> str:
        return f"<StaffUser {self.login} {self.role}>"


class ApiClient(db.Model):
    """A program calling the JSON APIs (a bank, a CRM, an office's till), with its tokens.

    The client, not the token, is what limits and audit count (issue 12): a
    partner holding ten tokens still has one budget. Only token hashes are kept
    (:class:`ApiToken`).
    """

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[ApiRole] = mapped_column(str_enum(ApiRole, "api_role"))
    region: Mapped[str | None] = mapped_column(String(6))
    scopes: Mapped[str] = mapped_column(Text, default="")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="client", cascade="all, delete-orphan")

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes granted, as a set."""
        return frozenset(self.scopes.split())

    def __repr__(self) -> str:
        return f"<ApiClient {self.name} {self.role}>"


class ApiToken(db.Model):
    """One bearer token of an API client, kept only as its SHA-256 (recovery/security/tokens.py).

    A client may hold several (rotation, one per server); a revoked token is
    refused like an unknown one.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    client: Mapped[ApiClient] = relationship(back_populates="tokens")

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} of client {self.client_id}>"

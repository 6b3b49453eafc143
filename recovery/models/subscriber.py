"""Subscribers and their SIM cards."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery.clock import now
from recovery.extensions import db
from recovery.models.types import BigIntPK, EncryptedText, UTCDateTime, str_enum

if TYPE_CHECKING:
    from recovery.models.contracts import Contract


class SimStatus(enum.StrEnum):
    """Life of a SIM card: in use, blocked after a loss, or replaced."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    RETIRED = "retired"


class Subscriber(db.Model):
    """A number and the identity the operator holds for its owner.

    The passport is kept only as a keyed HMAC (``passport_hmac``); the name,
    the registered address and the e-mail are encrypted at rest
    (``EncryptedText``), so they cannot be searched in SQL: find a subscriber
    by ``msisdn`` and compare in Python.
    """

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    msisdn: Mapped[str] = mapped_column(String(16), unique=True)
    last_name: Mapped[str] = mapped_column(EncryptedText)
    first_name: Mapped[str] = mapped_column(EncryptedText)
    patronymic: Mapped[str | None] = mapped_column(EncryptedText)
    passport_hmac: Mapped[str] = mapped_column(String(64))
    registered_address: Mapped[str] = mapped_column(EncryptedText)
    home_region: Mapped[str] = mapped_column(String(6))
    email: Mapped[str | None] = mapped_column(EncryptedText)
    tariff: Mapped[str] = mapped_column(String(40))
    balance_kopecks: Mapped[int] = mapped_column(default=0)
    # The owner's "SIM lock": remote claims may block but never reissue (set in the account).
    reissue_in_person_only: Mapped[bool] = mapped_column(default=False)
    # Turning the lock off takes effect only at this moment (SIM_LOCK_RELEASE_HOURS after the request),
    # so that an intruder who got into the account cannot switch it off and reissue at once.
    reissue_lock_release_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    sims: Mapped[list[Sim]] = relationship(
        back_populates="subscriber", order_by="Sim.activated_at", cascade="all, delete-orphan"
    )
    # The number's owners over time (recovery/models/contracts.py); the last one is in force.
    contracts: Mapped[list[Contract]] = relationship(
        back_populates="subscriber", order_by="Contract.started_at", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        """Фамилия Имя Отчество as held on record."""
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    def reissue_lock_effective(self, now: datetime) -> bool:
        """Whether the SIM lock holds at ``now``: on, and any requested release not yet due."""
        if not self.reissue_in_person_only:
            return False
        release = self.reissue_lock_release_at
        return release is None or now < release

    def reissue_lock_release_pending(self, now: datetime) -> datetime | None:
        """When the requested release of the SIM lock takes effect, while it is still ahead."""
        release = self.reissue_lock_release_at
        return release if self.reissue_in_person_only and release is not None and now < release else None

    @property
    def current_contract(self) -> Contract | None:
        """The contract in force (not ended), if any."""
        return next((contract for contract in self.contracts if contract.ended_at is None), None)

    @property
    def current_sim(self) -> Sim | None:
        """The SIM the number lives on now (active or blocked), if any."""
        return next((sim for sim in self.sims if sim.status != SimStatus.RETIRED), None)

    def __repr__(self) -> str:
        return f"<Subscriber {self.id} {self.msisdn}>"


class Sim(db.Model):
    """A physical SIM card; a subscriber has one current SIM and a history."""

    __tablename__ = "sims"
    __table_args__ = (
        # At most one SIM per number that is not retired.
        Index(
            "uq_sims_current_per_subscriber",
            "subscriber_id",
            unique=True,
            sqlite_where=text("status != 'retired'"),
            postgresql_where=text("status != 'retired'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"), index=True)
    iccid: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[SimStatus] = mapped_column(str_enum(SimStatus, "sim_status"), default=SimStatus.ACTIVE)
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A reissued SIM gets no SMS and no mobile data until then (DESIGN 2.3).
    cooling_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscriber: Mapped[Subscriber] = relationship(back_populates="sims")

    def __repr__(self) -> str:
        return f"<Sim {self.iccid} {self.status}>"

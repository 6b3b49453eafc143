"""The SIM inventory (cards from the vendor's file) and the provisioning outbox."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from recovery.clock import now
from recovery.extensions import db
from recovery.models.types import BigIntPK, EncryptedText, UTCDateTime, str_enum


class InventorySim(db.Model):
    """A SIM card as the vendor made it: its ICCID, its IMSI and its secret keys.

    Ki and OPc are what the network authenticates the card with: whoever has
    them can clone the card. They are encrypted at rest (``EncryptedText``),
    read only by the provisioning worker, and never logged or shown; ``repr``
    leaves them out. A card is in use once a ``Sim`` row has its ICCID.
    """

    __tablename__ = "sim_inventory"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    iccid: Mapped[str] = mapped_column(String(20), unique=True)
    imsi: Mapped[str] = mapped_column(String(15), unique=True)
    ki: Mapped[str] = mapped_column(EncryptedText)
    opc: Mapped[str] = mapped_column(EncryptedText)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    def __repr__(self) -> str:
        return f"<InventorySim {self.iccid} {self.imsi}>"


class ProvisioningOperation(enum.StrEnum):
    """A change the network must make."""

    BLOCK = "block"
    UNBLOCK = "unblock"
    HAND_OVER = "hand_over"
    DATA_ON = "data_on"


class ProvisioningState(enum.StrEnum):
    """Outbox state of a provisioning row."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class Provisioning(db.Model):
    """One network change, written in the transaction of the state change that causes it.

    The worker delivers rows whose ``due_at`` has come (``recovery.network.worker``);
    a failed attempt is counted in ``attempts`` and retried later, and after the
    last attempt the row is ``failed`` with the ``error``. Rows name numbers and
    IMSIs, never keys: the keys stay in the inventory.
    """

    __tablename__ = "provisioning"
    __table_args__ = (
        Index("ix_provisioning_state_due", "state", "due_at"),
        Index("ix_provisioning_msisdn", "msisdn"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    operation: Mapped[ProvisioningOperation] = mapped_column(
        str_enum(ProvisioningOperation, "provisioning_operation")
    )
    msisdn: Mapped[str] = mapped_column(String(16))
    #: The IMSI the change is about (for a hand-over, the new card's).
    imsi: Mapped[str | None] = mapped_column(String(15))
    #: The card the change is about (a hand-over's keys are read from the inventory by it).
    iccid: Mapped[str | None] = mapped_column(String(20))
    state: Mapped[ProvisioningState] = mapped_column(
        str_enum(ProvisioningState, "provisioning_state"), default=ProvisioningState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Provisioning {self.id} {self.operation} {self.msisdn} {self.state}>"

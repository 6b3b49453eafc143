"""Claims (a report of a lost SIM) and the tickets they open."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Uuid, false, text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recovery.clock import now
from recovery.extensions import db
from recovery.models.types import UTCDateTime, str_enum
from recovery.references import unused_reference
from recovery.vocabulary import Action, Channel, Outcome, TicketStatus, TicketType


class Claim(db.Model):
    """One attempt to prove ownership of a number.

    Holds the outcome and which answers matched, never the answers themselves.
    ``msisdn`` is the number claimed, kept even when it is not ours, so that
    failed attempts can be counted per number.
    """

    __tablename__ = "claims"
    __table_args__ = (
        Index("ix_claims_msisdn_created_at", "msisdn", "created_at"),
        # The per-client ceiling counts a client's (or an agent's) failures of the last hour.
        Index("ix_claims_api_client_id_created_at", "api_client_id", "created_at"),
        Index("ix_claims_staff_user_id_created_at", "staff_user_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    msisdn: Mapped[str] = mapped_column(String(16))
    subscriber_id: Mapped[int | None] = mapped_column(ForeignKey("subscribers.id"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "claim_channel"))
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
    requested_action: Mapped[Action] = mapped_column(str_enum(Action, "claim_action"))
    current_region: Mapped[str] = mapped_column(String(6))
    lost_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[Outcome] = mapped_column(str_enum(Outcome, "claim_outcome"))
    verification: Mapped[dict] = mapped_column(JSON, default=dict)
    post_loss_events: Mapped[int] = mapped_column(default=0)
    #: Name and passport right, reissue asked, address or calls wrong: counts
    #: towards the number's reissue budget (``MAX_FAILED_REISSUE_PROOFS``).
    reissue_proof_failed: Mapped[bool] = mapped_column(default=False, server_default=false())
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ticket_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tickets.id", use_alter=True))

    ticket: Mapped[Ticket | None] = relationship(foreign_keys=[ticket_id])

    @property
    def failed(self) -> bool:
        """A rejected claim counts towards the lock."""
        return self.outcome == Outcome.REJECTED

    def __repr__(self) -> str:
        return f"<Claim {self.id} {self.msisdn} {self.outcome}>"


#: The partial unique index's predicate: one open reissue per subscriber (``ON CONFLICT`` names it too).
OPEN_REISSUE_PREDICATE = "type = 'reissue' AND status = 'open'"


def _unused_reference(context: DefaultExecutionContext) -> str:
    """The column default: a new reference not yet held by a ticket."""
    return unused_reference(context.connection)


class Ticket(db.Model):
    """Work created by a successful claim: a block, or a reissue for an office."""

    __tablename__ = "tickets"
    __table_args__ = (
        # The database itself guarantees one open reissue per subscriber,
        # whatever the number of concurrent claims.
        Index(
            "uq_tickets_open_reissue_per_subscriber",
            "subscriber_id",
            unique=True,
            sqlite_where=text(OPEN_REISSUE_PREDICATE),
            postgresql_where=text(OPEN_REISSUE_PREDICATE),
        ),
        Index("ix_tickets_region_status", "region", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    #: What people read and type (``R-7K4M-2Q9``, recovery/references.py); the UUID stays internal.
    reference: Mapped[str] = mapped_column(String(12), unique=True, default=_unused_reference)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"))
    claim_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("claims.id"))
    type: Mapped[TicketType] = mapped_column(str_enum(TicketType, "ticket_type"))
    status: Mapped[TicketStatus] = mapped_column(
        str_enum(TicketStatus, "ticket_status"), default=TicketStatus.OPEN
    )
    region: Mapped[str] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    new_iccid: Mapped[str | None] = mapped_column(String(20))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    #: Wrong passports typed at hand-over since the last lock (claims/tickets.py counts them).
    fulfil_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Hand-over refused until then, after too many wrong passports.
    fulfil_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscriber = relationship("Subscriber")
    claim: Mapped[Claim | None] = relationship(foreign_keys=[claim_id])

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.type} {self.status}>"

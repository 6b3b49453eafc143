"""Database models, one module per aggregate."""

from recovery.models.audit import AuditEvent, Notification, NotificationStatus
from recovery.models.claims import Action, Channel, Claim, Outcome, Ticket, TicketStatus, TicketType
from recovery.models.drafts import ClaimDraft
from recovery.models.ledger import CallEvent, CallKind
from recovery.models.lockout import Unlock
from recovery.models.office import Office
from recovery.models.staff import ApiClient, ApiRole, StaffRole, StaffUser
from recovery.models.subscriber import Sim, SimStatus, Subscriber

__all__ = [
    "Action",
    "ApiClient",
    "ApiRole",
    "AuditEvent",
    "CallEvent",
    "CallKind",
    "Channel",
    "Claim",
    "ClaimDraft",
    "Notification",
    "NotificationStatus",
    "Office",
    "Outcome",
    "Sim",
    "SimStatus",
    "StaffRole",
    "StaffUser",
    "Subscriber",
    "Ticket",
    "TicketStatus",
    "TicketType",
    "Unlock",
]

"""Database models, one module per aggregate."""

from recovery.models.account import (
    Account,
    Captcha,
    CodePurpose,
    MessageAuthor,
    SmsCode,
    SupportMessage,
    Tariff,
    TopUp,
    TopUpStatus,
)
from recovery.models.audit import AuditEvent, Notification, NotificationStatus
from recovery.models.claims import Action, Channel, Claim, Outcome, Ticket, TicketStatus, TicketType
from recovery.models.contracts import Contract, ContractType
from recovery.models.delivery import SmsDelivery
from recovery.models.drafts import ClaimDraft
from recovery.models.ledger import CallEvent, CallKind
from recovery.models.lockout import ClaimGuard, Unlock
from recovery.models.network import InventorySim, Provisioning, ProvisioningOperation, ProvisioningState
from recovery.models.office import Office
from recovery.models.partner import PartnerNumberBudget
from recovery.models.staff import ApiClient, ApiRole, ApiToken, StaffRole, StaffUser
from recovery.models.subscriber import Sim, SimStatus, Subscriber
from recovery.models.subscriptions import (
    SimSwapSubscription,
    SubscriptionEvent,
    SubscriptionEventState,
    SubscriptionState,
)
from recovery.models.tariff_history import TariffChange
from recovery.models.throttle import LoginFailure

__all__ = [
    "Account",
    "Action",
    "ApiClient",
    "ApiRole",
    "ApiToken",
    "AuditEvent",
    "CallEvent",
    "CallKind",
    "Captcha",
    "Channel",
    "Claim",
    "ClaimDraft",
    "ClaimGuard",
    "CodePurpose",
    "Contract",
    "ContractType",
    "InventorySim",
    "LoginFailure",
    "MessageAuthor",
    "Notification",
    "NotificationStatus",
    "Office",
    "Outcome",
    "PartnerNumberBudget",
    "Provisioning",
    "ProvisioningOperation",
    "ProvisioningState",
    "Sim",
    "SimStatus",
    "SimSwapSubscription",
    "SmsCode",
    "SmsDelivery",
    "StaffRole",
    "StaffUser",
    "Subscriber",
    "SubscriptionEvent",
    "SubscriptionEventState",
    "SubscriptionState",
    "SupportMessage",
    "Tariff",
    "TariffChange",
    "Ticket",
    "TicketStatus",
    "TicketType",
    "TopUp",
    "TopUpStatus",
    "Unlock",
]

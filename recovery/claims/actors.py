"""Who acts on a claim or a ticket, as the audit log records it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from recovery import audit as audit_log
from recovery.models import Account, ApiClient, AuditEvent, Channel, StaffUser


@dataclass(frozen=True)
class Actor:
    """The person or program behind an action, and where the request came from.

    ``label`` is what the audit log shows: ``claimant`` for an anonymous
    self-service claimant, ``staff:<login>``, ``api:<client name>`` or
    ``account:<id>`` for the holder of a personal account.
    """

    label: str
    channel: Channel
    ip: str | None = None
    staff_user_id: int | None = None
    api_client_id: int | None = None
    region: str | None = None

    def audit(self, session: Session, action: str, subject: str | None, **details: object) -> AuditEvent:
        """Record ``action`` by this actor about ``subject`` in the audit log (flushed with the work)."""
        return audit_log.record(
            session,
            actor=self.label,
            action=action,
            channel=self.channel,
            subject=subject,
            ip=self.ip,
            **details,
        )

    @classmethod
    def claimant(cls, ip: str | None) -> Actor:
        """A self-service claimant on the web: nobody we know."""
        return cls("claimant", Channel.WEB, ip)

    @classmethod
    def staff(cls, user: StaffUser, channel: Channel, ip: str | None) -> Actor:
        """A logged-in member of staff."""
        return cls(f"staff:{user.login}", channel, ip, staff_user_id=user.id, region=user.region)

    @classmethod
    def api_client(cls, client: ApiClient, ip: str | None) -> Actor:
        """A program authenticated with a bearer token."""
        return cls(f"api:{client.name}", Channel.API, ip, api_client_id=client.id, region=client.region)

    @classmethod
    def account_holder(cls, account: Account, ip: str | None) -> Actor:
        """The owner of a number, signed in to the personal account with a password."""
        return cls(f"account:{account.id}", Channel.ACCOUNT, ip)

"""Writing to the append-only audit log.

Callers pass what happened and to what; never passport data, never a
claimant's answers, never a name or an address. The request boundary commits.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from recovery.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    channel: str,
    subject: str | None = None,
    ip: str | None = None,
    **details: object,
) -> AuditEvent:
    """Add one audit event to ``session`` (flushed with the surrounding work)."""
    event = AuditEvent(actor=actor, action=action, channel=channel, subject=subject, ip=ip, details=details)
    session.add(event)
    return event

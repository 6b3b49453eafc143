"""SMS delivery, pluggable. The default backend queues the message in the
notification outbox (channel ``sms``) for a gateway to pick up; in
development ``/dev/sms`` shows it so that registration can be finished locally.

A backend is named in the config as ``SMS_BACKEND = "module:Class"``; the class
takes no arguments and has ``send(session, recipient, body)``. A backend with a
``kind`` attribute is told what the messages are (``sms_backend(kind=…)``): the
outbox stores it, so that staff pages name a message without showing it (an
account code must never reach staff).
"""

from __future__ import annotations

from typing import Protocol

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from recovery.models import Notification, NotificationStatus

SMS_CHANNEL = "sms"
#: The body of a decoy: no code is kept for a number that is not ours.
WITHHELD_BODY = "(withheld: not our number)"


class SmsBackend(Protocol):
    """Something that delivers a text message to a phone number."""

    def send(self, session: Session, recipient: str, body: str, *, deliver: bool = True) -> None:
        """Send (or queue) ``body`` to ``recipient`` (E.164).

        ``deliver=False`` does the same work and sends nothing: the decoy for a
        number that is not ours, so that its request cannot be told from a
        subscriber's by the statements it runs or the time it takes.
        """


class OutboxSmsBackend:
    """Queues the message in the ``notifications`` outbox, in the caller's transaction."""

    #: What the messages sent through this instance are ("register_code", …).
    kind: str | None = None

    def send(self, session: Session, recipient: str, body: str, *, deliver: bool = True) -> None:
        """Add an outbox row (encrypted at rest); the request boundary commits it with the rest.

        A decoy (``deliver=False``) is the same insert with the status
        ``withheld``, which no delivery picks up (``deliver_queued`` reads only
        ``queued`` rows) and which holds no code.
        """
        status = NotificationStatus.QUEUED if deliver else NotificationStatus.WITHHELD
        session.add(
            Notification(
                channel=SMS_CHANNEL,
                kind=self.kind,
                recipient=recipient,
                subject="SMS",
                body=body if deliver else WITHHELD_BODY,
                status=status,
            )
        )


def sms_backend(kind: str | None = None) -> SmsBackend:
    """The backend configured for the current app (``SMS_BACKEND``), told ``kind`` when it keeps one."""
    name = current_app.config.get("SMS_BACKEND", "recovery.sms:OutboxSmsBackend")
    backend = import_string(name.replace(":", "."))()
    if kind is not None and hasattr(backend, "kind"):
        backend.kind = kind
    return backend

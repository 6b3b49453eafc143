"""SMS delivery, pluggable. The default backend queues the message in the
notification outbox (channel ``sms``) for a gateway to pick up; in
development ``/dev/sms`` shows it so that registration can be finished locally.

A backend is named in the config as ``SMS_BACKEND = "module:Class"``; the class
takes no arguments and has ``send(session, recipient, body)``.
"""

from __future__ import annotations

from typing import Protocol

from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.utils import import_string

from recovery.models import Notification

SMS_CHANNEL = "sms"


class SmsBackend(Protocol):
    """Something that delivers a text message to a phone number."""

    def send(self, session: Session, recipient: str, body: str) -> None:
        """Send (or queue) ``body`` to ``recipient`` (E.164)."""


class OutboxSmsBackend:
    """Queues the message in the ``notifications`` outbox, in the caller's transaction."""

    def send(self, session: Session, recipient: str, body: str) -> None:
        """Add an outbox row; the request boundary commits it with the rest."""
        session.add(Notification(channel=SMS_CHANNEL, recipient=recipient, subject="SMS", body=body))


def sms_backend() -> SmsBackend:
    """The backend configured for the current app (``SMS_BACKEND``)."""
    name = current_app.config.get("SMS_BACKEND", "recovery.sms:OutboxSmsBackend")
    return import_string(name.replace(":", "."))()

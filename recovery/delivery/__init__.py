"""Delivery of the outbox over real transports: e-mail over SMTP, SMS over SMPP.

``NOTIFICATION_BACKEND = "recovery.delivery:Gateway"`` hands each queued
message to the transport of its channel (``email`` → :class:`SmtpBackend`
when ``MAIL_SERVER`` is set, ``sms`` → :class:`SmppBackend` when
``SMPP_HOST`` is set); a message whose channel has no transport configured
fails at once (it stays in the outbox as ``failed`` for the operator to see);
a transport error is retried by the worker with a backoff. Each
backend can also be named on its own (``recovery.delivery.smtp:SmtpBackend``).
They run through ``deliver_queued`` (``flask deliver-notifications`` or the worker).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from recovery.models import Notification


class Undeliverable(Exception):
    """The message cannot be delivered however often it is tried: ``deliver_queued`` fails it at once."""


class TransportNotConfigured(Undeliverable, RuntimeError):
    """A message's channel has no transport configured (``MAIL_SERVER``, ``SMPP_HOST``)."""


class Gateway:
    """Sends each message through its channel's transport."""

    sends = True

    def __init__(self, config: Mapping[str, object] | None = None) -> None:
        self.config = current_app.config if config is None else config
        self._transports: dict[str, object] = {}

    def _transport(self, channel: str) -> object:
        if channel not in self._transports:
            if channel == "email" and self.config.get("MAIL_SERVER"):
                from recovery.delivery.smtp import SmtpBackend

                self._transports[channel] = SmtpBackend(self.config)
            elif channel == "sms" and self.config.get("SMPP_HOST"):
                from recovery.delivery.smpp import SmppBackend

                self._transports[channel] = SmppBackend(self.config)
            else:
                raise TransportNotConfigured(f"no transport configured for the {channel!r} channel")
        return self._transports[channel]

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` through its channel's transport, or raise."""
        self._transport(notification.channel).send(notification)  # type: ignore[attr-defined]

"""E-mail over SMTP with the standard library's client.

Settings: ``MAIL_SERVER``, ``MAIL_PORT`` (25), ``MAIL_USE_TLS`` (STARTTLS
before anything else is sent, with the server's certificate verified),
``MAIL_USERNAME`` and ``MAIL_PASSWORD`` (AUTH, only when a username is set),
``MAIL_FROM``. Each message is ``multipart/alternative``: a ``text/plain``
part first, then the same text as minimal HTML, UTF-8 throughout, in the
account holder's language when on record (``recovery.delivery.language``).
One connection per message: a failure touches that message only, and
``deliver_queued`` tries it again later (``failed`` after the last attempt).
"""

from __future__ import annotations

import html
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from recovery.delivery import Undeliverable
from recovery.delivery.language import in_language
from recovery.models import Notification

EMAIL = "email"
#: Seconds to wait for the mail server at each step.
TIMEOUT = 15


class NotAnEmail(Undeliverable, ValueError):
    """The notification is not for the e-mail channel."""


def build_email(notification: Notification, sender: str) -> EmailMessage:
    """The MIME message for ``notification``: plain text and HTML, in its language or both."""
    subject, body, language = in_language(notification.subject, notification.body, notification.language)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(
        idstring=f"notification-{notification.id}", domain=sender.rpartition("@")[2]
    )
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a notification
    message.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    paragraphs = "".join(f"<p>{html.escape(part)}</p>" for part in body.split("\n\n"))
    message.add_alternative(
        f'<!doctype html><html lang="{language.split(",")[0]}"><body>{paragraphs}</body></html>',
        subtype="html",
        charset="utf-8",
        cte="quoted-printable",
    )
    message["Content-Language"] = language  # after the content: setting it clears Content-* headers
    return message


class SmtpBackend:
    """Sends e-mail notifications to ``MAIL_SERVER``."""

    sends = True

    def __init__(self, config: Mapping[str, object] | None = None) -> None:
        config = current_app.config if config is None else config
        self.host = str(config.get("MAIL_SERVER") or "")
        self.port = int(config.get("MAIL_PORT") or 25)  # type: ignore[call-overload]
        self.use_tls = bool(config.get("MAIL_USE_TLS"))
        self.username = str(config.get("MAIL_USERNAME") or "")
        self.password = str(config.get("MAIL_PASSWORD") or "")
        self.sender = str(config.get("MAIL_FROM") or "noreply@localhost")
        if not self.host:
            raise ValueError("MAIL_SERVER is not set")

    def send(self, notification: Notification) -> None:
        """Deliver one e-mail, or raise (``smtplib.SMTPException``, ``OSError``)."""
        if notification.channel != EMAIL:
            raise NotAnEmail(f"notification {notification.id} is for the {notification.channel!r} channel")
        message = build_email(notification, self.sender)
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT) as smtp:
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message, from_addr=self.sender, to_addrs=[notification.recipient])

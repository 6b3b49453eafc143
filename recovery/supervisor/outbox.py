"""The supervisor's outbox page: queued and sent notifications, their texts masked."""

from __future__ import annotations

import re

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from recovery.extensions import db
from recovery.models import Notification
from recovery.sms import SMS_CHANNEL
from recovery.supervisor import bp
from recovery.supervisor.routes import PAGE_SIZE, _page


def mask_email(address: str) -> str:
    """``ivanov@example.ru`` → ``i•••@example.ru``: enough to tell messages apart."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def mask_phone(number: str) -> str:
    """``+79161234567`` → ``+7••••••••67``: enough to tell messages apart."""
    digits = number.lstrip("+")
    if len(digits) < 6:
        return "•••"
    return f"+{digits[:1]}{'•' * (len(digits) - 3)}{digits[-2:]}"


def mask_recipient(channel: str, recipient: str) -> str:
    """The recipient as staff may see it: an e-mail's first letter and domain, a number's ends."""
    return mask_phone(recipient) if channel == SMS_CHANNEL else mask_email(recipient)


#: A phone number in E.164, and a run of 4+ digits standing alone (a code, never part of a ticket id).
_PHONE = re.compile(r"\+\d{6,15}")
_LONE_DIGITS = re.compile(r"(?<![\w-])\d{4,}(?![\w-])")
#: Numbers every message names openly (the support line a subscriber is told to call): no secret.
PUBLIC_NUMBERS = frozenset({"0890"})


def mask_text(channel: str, text: str) -> str:
    """A message's subject or body as staff may read it: never a one-time code, never a whole number.

    An SMS carries the account's one-time codes, so every digit of it is
    hidden; an e-mail keeps its ticket ids but not phone numbers or any
    standalone run of digits.
    """
    if channel == SMS_CHANNEL:
        return re.sub(r"\d", "•", text)
    text = _PHONE.sub(lambda match: mask_phone(match.group()), text)
    return _LONE_DIGITS.sub(lambda match: match.group() if match.group() in PUBLIC_NUMBERS else "••••", text)


#: What each kind of message is, in the outbox's words (``Notification.kind``).
KIND_LABELS = {
    "register_code": _l("Registration code (SMS)"),
    "reset_code": _l("Password reset code (SMS)"),
    "sim_blocked": _l("SIM blocked after a claim"),
    "reissue_opened": _l("New SIM requested"),
    "reissue_fulfilled": _l("New SIM handed over"),
    "sim_blocked_by_owner": _l("SIM blocked from the personal account"),
    "email_changed": _l("E-mail for notifications changed"),
    "password_changed": _l("Account password changed"),
    "sim_lock_release_requested": _l("SIM lock release requested"),
    "sim_lock_release_cancelled": _l("SIM lock release cancelled"),
    "client_throttled": _l("Client stopped after failing on many numbers"),
}


def kind_label(note: Notification) -> str:
    """The message's kind in the page's language (older rows without a kind: by channel)."""
    label = KIND_LABELS.get(note.kind or "")
    if label is not None:
        return str(label)
    return _("SMS") if note.channel == SMS_CHANNEL else _("E-mail")


@bp.get("/outbox")
def outbox() -> str:
    """Queued and sent notifications, newest first (the default delivery backend's page).

    Each shows its kind and a masked text: a supervisor must never read an
    account's one-time code here (with it, a password reset takes the account).
    """
    page = _page()
    rows = db.session.scalars(
        select(Notification)
        .order_by(Notification.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    backend = current_app.config.get("NOTIFICATION_BACKEND") or ""
    return render_template(
        "supervisor/outbox.html",
        notifications=rows[:PAGE_SIZE],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        mask_recipient=mask_recipient,
        mask_text=mask_text,
        kind_label=kind_label,
        backend=backend_label(backend),
    )


#: Delivery backends (``NOTIFICATION_BACKEND``) by their class name, as the outbox page names them.
BACKEND_LABELS = {
    "OutboxOnly": _l("kept here, not sent (development)"),
    "LoggingBackend": _l("written to the log, not sent (development)"),
    "Gateway": _l("sent by e-mail and SMS"),
}


def backend_label(path: str) -> str:
    """``recovery.delivery:Gateway`` → "sent by e-mail and SMS"; an unknown class by its name."""
    name = path.rpartition(":")[2] or path.rpartition(".")[2]
    label = BACKEND_LABELS.get(name)
    return str(label) if label is not None else (name or str(BACKEND_LABELS["OutboxOnly"]))

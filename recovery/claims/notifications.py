"""Notifications to the subscriber's other contact (email on record), through an outbox.

Once a SIM is blocked the subscriber cannot be reached on it, so a block, a
reissue and a fulfilment are told by email (DESIGN 2.3). Use-cases queue a
:class:`Notification` row in the same transaction as the change it reports,
so a message is queued exactly when the change is committed (the outbox
pattern). Delivering it is a separate concern behind :class:`DeliveryBackend`:

* :class:`OutboxOnly` (the default) leaves messages queued; supervisors read
  them on ``/supervisor/outbox``. This is the demo and test backend.
* :class:`LoggingBackend` writes each message to the application log and marks
  it sent: a stand-in for an SMTP or HTTP mail gateway with the same shape.

``NOTIFICATION_BACKEND`` in the config names the backend class
(``module:Class``). Messages go out in Russian and English, since the
claimant's language is not on record; they name the number and the ticket,
never any identity data. The outbox's recipient, subject and body are
encrypted at rest (``recovery.models.types.EncryptedText``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from recovery import audit
from recovery.delivery import Undeliverable
from recovery.delivery.language import LANGUAGES, account_language
from recovery.models import Notification, NotificationStatus, Subscriber
from recovery.network.worker import MAX_ERROR_LENGTH, backoff
from recovery.regions import UnknownRegion, get_region

EMAIL = "email"
#: The actor and channel of a delivery's audit events (the worker's, as for provisioning).
WORKER = "worker"
DEFAULT_BACKEND = "recovery.claims.notifications:OutboxOnly"

#: Hand-overs to the transport before a message is ``failed`` (5 s, 10 s, … apart: about 5 minutes).
MAX_ATTEMPTS = 6
#: Cut out of a stored error: anything shaped like a key (Ki, OPc: 32 hex digits), a code or a number.
_SECRET_LIKE = re.compile(r"[0-9a-fA-F]{32}|\d{4,}")

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """A subject and a body, ready to send, and what kind of message it is (``Notification.kind``)."""

    subject: str
    body: str
    kind: str | None = None


def _region_names(code: str) -> tuple[str, str]:
    try:
        region = get_region(code)
    except UnknownRegion:
        return code, code
    return region.name_ru, region.name_en


def _moment(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _bilingual(kind: str, subject: tuple[str, str], russian: str, english: str) -> Message:
    """One message in Russian then English (the claimant's language is not on record)."""
    return Message(
        kind=kind,
        subject=f"{subject[0]} / {subject[1]}",
        body=f"Здравствуйте! {russian}\n\nHello! {english}",
    )


def sim_blocked(msisdn: str, reference: str) -> Message:
    """The SIM of ``msisdn`` was blocked, after a claim or from the personal account."""
    return _bilingual(
        "sim_blocked",
        (f"SIM-карта номера {msisdn} заблокирована", "SIM card blocked"),
        f"SIM-карта номера {msisdn} заблокирована (заявка {reference}). "
        "Разблокировать её или получить новую SIM-карту с тем же номером можно в офисе "
        "с паспортом. Если вы этого не делали, позвоните по номеру 0890 с любого телефона.",
        f"The SIM card of {msisdn} has been blocked (ticket {reference}). Visit an office "
        "with your passport to unblock it or get a new SIM card with the same number. "
        "If you did not ask for it, call 0890 from any phone.",
    )


def reissue_opened(msisdn: str, reference: str, region: str) -> Message:
    """A reissue ticket was opened (the SIM is blocked as well)."""
    name_ru, name_en = _region_names(region)
    return _bilingual(
        "reissue_opened",
        (f"Новая SIM-карта для номера {msisdn}", "New SIM card requested"),
        f"SIM-карта номера {msisdn} заблокирована, заявка на новую SIM-карту "
        f"с тем же номером {reference} открыта. Получите её в нашем офисе в регионе «{name_ru}», "
        "взяв с собой паспорт. Если вы не подавали заявление, позвоните по номеру 0890.",
        f"The SIM card of {msisdn} has been blocked and a new SIM card with the same "
        f"number has been requested (ticket {reference}). Collect it at our office in {name_en} "
        "with your passport. If you did not ask for it, call 0890.",
    )


def reissue_fulfilled(msisdn: str, reference: str, cooling_until: datetime) -> Message:
    """The new SIM was handed over; the number now lives on it."""
    until = _moment(cooling_until)
    return _bilingual(
        "reissue_fulfilled",
        (f"Номер {msisdn} перенесён на новую SIM-карту", "Number moved to a new SIM card"),
        f"Номер {msisdn} перенесён на новую SIM-карту (заявка {reference}). "
        f"До {until} SMS и мобильный интернет на ней недоступны — это защита от мошенников. "
        "Если вы не получали SIM-карту, срочно позвоните по номеру 0890.",
        f"The number {msisdn} now works on a new SIM card (ticket {reference}). "
        f"Until {until} it receives no SMS and has no mobile data, to protect you from fraud. "
        "If you did not collect a SIM card, call 0890 at once.",
    )


# -- the personal account's changes ------------------------------------------------
# Told to the address on record (and, for a new address, to it as well): whoever
# changed it may not be the owner. They name the number, never the addresses.

_NOT_YOU_RU = "Если это были не вы, срочно позвоните по номеру 0890 с любого телефона."
_NOT_YOU_EN = "If it was not you, call 0890 from any phone at once."


def email_changed(msisdn: str, *, to_new_address: bool) -> Message:
    """The e-mail for notifications of ``msisdn`` was changed (or removed) in the account."""
    where_ru = "Этот адрес теперь указан" if to_new_address else "Этот адрес больше не используется"
    where_en = "This address is now the one" if to_new_address else "This address is no longer the one"
    return _bilingual(
        "email_changed",
        (f"Изменён e-mail номера {msisdn}", "E-mail changed"),
        f"В личном кабинете номера {msisdn} изменён e-mail для уведомлений. "
        f"{where_ru} для уведомлений. {_NOT_YOU_RU}",
        f"The e-mail for notifications of {msisdn} was changed in the personal account. "
        f"{where_en} used for notifications. {_NOT_YOU_EN}",
    )


def password_changed(msisdn: str) -> Message:
    """The password of the personal account of ``msisdn`` was changed; its other sessions ended."""
    return _bilingual(
        "password_changed",
        (f"Изменён пароль личного кабинета {msisdn}", "Password changed"),
        f"Пароль личного кабинета номера {msisdn} изменён, все остальные сеансы завершены. {_NOT_YOU_RU}",
        f"The password of the personal account of {msisdn} was changed and its other "
        f"sessions were ended. {_NOT_YOU_EN}",
    )


def sim_lock_release_requested(msisdn: str, release_at: datetime) -> Message:
    """Turning the SIM lock off was asked for; it takes effect at ``release_at``."""
    at = _moment(release_at)
    return _bilingual(
        "sim_lock_release_requested",
        (f"Запрошено отключение запрета замены SIM для {msisdn}", "SIM lock release requested"),
        f"В личном кабинете номера {msisdn} запрошено отключение запрета "
        f"дистанционной замены SIM-карты. Запрет снимется {at}; до этого его можно оставить "
        f"в силе в настройках личного кабинета. {_NOT_YOU_RU}",
        f"Turning off the SIM lock of {msisdn} (reissue only in person) was requested "
        f"in the personal account. It takes effect at {at}; until then you can cancel it in the "
        f"account's settings. {_NOT_YOU_EN}",
    )


def sim_lock_release_cancelled(msisdn: str) -> Message:
    """The pending release of the SIM lock was cancelled: the lock stays on."""
    return _bilingual(
        "sim_lock_release_cancelled",
        (f"Запрет замены SIM для {msisdn} остаётся в силе", "SIM lock stays on"),
        f"Отключение запрета дистанционной замены SIM-карты номера {msisdn} "
        "отменено: новую SIM-карту выдадут только в офисе по паспорту.",
        f"Turning off the SIM lock of {msisdn} was cancelled: a new SIM card is given "
        "only in person at an office.",
    )


class AccountLanguage:
    """The language of the subscriber's personal account as a caller already read it (one statement less).

    ``chosen`` is ``accounts.language`` as stored (None: no account, or no language chosen).
    """

    def __init__(self, chosen: str | None) -> None:
        self.language = chosen if chosen in LANGUAGES else None


def queue(
    session: Session,
    subscriber: Subscriber,
    message: Message,
    *,
    to: str | None = None,
    language: AccountLanguage | None = None,
) -> Notification | None:
    """Queue ``message`` to the subscriber's email (or to ``to``); None when there is no address.

    The message's language is the account's (``language`` when the caller has read it, else read here).
    """
    recipient = to or subscriber.email
    if not recipient:
        return None
    notification = Notification(
        channel=EMAIL,
        kind=message.kind,
        recipient=recipient,
        subject=message.subject,
        body=message.body,
        status=NotificationStatus.QUEUED,
        language=language.language if language is not None else account_language(session, subscriber),
    )
    session.add(notification)
    return notification


class DeliveryBackend(Protocol):
    """Sends one queued notification; raises on failure."""

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` or raise."""


class OutboxOnly:
    """Keeps messages in the outbox (for the supervisor's page); sends nothing."""

    sends = False

    def send(self, notification: Notification) -> None:
        """Nothing to do: the outbox page is the delivery."""


class LoggingBackend:
    """Writes each message to the application log, as a mail gateway would send it."""

    sends = True

    def send(self, notification: Notification) -> None:
        """Log the recipient's domain and the subject, never the body."""
        domain = notification.recipient.rpartition("@")[2]
        logger.info("notification %s to *@%s: %s", notification.id, domain, notification.subject)


def load_backend(path: str | None) -> DeliveryBackend:
    """The backend named ``module:Class`` (default: :class:`OutboxOnly`)."""
    module_name, _, class_name = (path or DEFAULT_BACKEND).partition(":")
    backend_class = getattr(import_module(module_name), class_name)
    return backend_class()


def _error_text(exc: Exception, notification: Notification) -> str:
    """The error for the row and the log: no body, no code, no address, nothing shaped like a key.

    A server may echo what it refused (a recipient, a line of the message), so
    the notification's own values are cut out and so is every run of digits
    (a one-time code, a phone number) and anything shaped like a key.
    """
    text = f"{type(exc).__name__}: {exc}"
    for value in (notification.body, notification.subject, notification.recipient):
        if value:
            text = text.replace(value, "[redacted]")
    return _SECRET_LIKE.sub("[redacted]", text)[:MAX_ERROR_LENGTH]


def _fail(session: Session, notification: Notification) -> None:
    """Give the message up, audited (its kind and channel, never its recipient or text)."""
    notification.status = NotificationStatus.FAILED
    notification.next_attempt_at = None
    logger.error("notification %s failed: %s", notification.id, notification.error)
    audit.record(
        session,
        actor=WORKER,
        action="notification.failed",
        channel=WORKER,
        notification_id=notification.id,
        kind=notification.kind,
        notification_channel=notification.channel,
        attempts=notification.attempts,
    )


def deliver_queued(session: Session, backend: DeliveryBackend, now: datetime, limit: int = 100) -> int:
    """Hand the queued notifications due at ``now`` to ``backend``; returns how many were sent.

    A transport error schedules the next attempt after ``backoff(attempts)``
    (the provisioning worker's policy); after ``MAX_ATTEMPTS``, or at once when
    the message cannot be delivered at all (``Undeliverable``), it is ``failed``.
    A message waiting for its retry stays ``queued``: it is still backlog. The caller commits.
    """
    if not getattr(backend, "sends", True):
        return 0
    queued = session.scalars(
        select(Notification)
        .where(Notification.status == NotificationStatus.QUEUED)
        .where(or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    sent = 0
    for notification in queued:
        notification.attempts = (notification.attempts or 0) + 1
        try:
            backend.send(notification)
        except Exception as exc:  # the transport down or refusing: counted, retried later
            notification.error = _error_text(exc, notification)
            if isinstance(exc, Undeliverable) or notification.attempts >= MAX_ATTEMPTS:
                _fail(session, notification)
            else:
                notification.next_attempt_at = now + backoff(notification.attempts)
                logger.warning(
                    "notification %s attempt %s failed: %s",
                    notification.id,
                    notification.attempts,
                    notification.error,
                )
            continue
        notification.status = NotificationStatus.SENT
        notification.sent_at = now
        notification.next_attempt_at = None
        notification.error = None
        sent += 1
    return sent

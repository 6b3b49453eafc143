"""E-mail over SMTP: a claim's notification delivered to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from recovery import clock
from recovery.claims.notifications import MAX_ATTEMPTS, deliver_queued, load_backend
from recovery.extensions import db
from recovery.models import Account, AuditEvent, Notification, NotificationStatus
from recovery.observability.outboxes import notifications_backlog
from tests.integration.ops.conftest import MAIL_PASSWORD, MAIL_USER, free_port
from tests.integration.security.cast import api_claim, make_cast

SENDER = "noreply@recovery.example"


@pytest.fixture
def mail_config(app, smtp_server):
    _, port = smtp_server
    app.config.update(
        NOTIFICATION_BACKEND="recovery.delivery:Gateway",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USERNAME=MAIL_USER,
        MAIL_PASSWORD=MAIL_PASSWORD,
        MAIL_FROM=SENDER,
    )
    return app.config


def _claim_and_deliver(app, session, language: str | None) -> tuple[int, Notification]:
    cast = make_cast(app, session, app.config["PII_KEY"])
    cast.users["holder"].language = language
    session.commit()
    response = app.test_client().post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent"))
    assert response.get_json()["outcome"] == "reissue"
    with app.app_context():
        sent = deliver_queued(db.session, load_backend(app.config["NOTIFICATION_BACKEND"]), clock.now())
        db.session.commit()
    notification = session.scalars(select(Notification)).one()
    session.refresh(notification)
    return sent, notification


def _parts(envelope):
    message = message_from_bytes(envelope.content, policy=default)
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return message, plain.get_content(), html.get_content()


def test_the_reissue_email_arrives_in_both_languages_when_none_is_on_record(
    app, session, mail_config, smtp_server
):
    mailbox, _ = smtp_server
    sent, notification = _claim_and_deliver(app, session, language=None)

    assert sent == 1 and notification.status == NotificationStatus.SENT and notification.sent_at is not None
    (envelope,) = mailbox.envelopes
    assert envelope.mail_from == SENDER and envelope.rcpt_tos == ["ivanov@example.ru"]
    assert mailbox.logins == [MAIL_USER]
    message, plain, html = _parts(envelope)
    assert message.get_content_type() == "multipart/alternative"
    assert message["From"] == SENDER and message["To"] == "ivanov@example.ru"
    assert message["Subject"] == "Новая SIM-карта для номера +79161234567 / New SIM card requested"
    assert message["Content-Language"] == "ru, en"
    assert message["Message-ID"].endswith("@recovery.example>")
    assert "заявка на новую SIM-карту" in plain and "a new SIM card with the same number" in plain
    assert "«Москва»" in plain or "Москва" in plain
    assert "заявка на новую SIM-карту" in html and "<p>" in html


@pytest.mark.parametrize(
    ("language", "subject", "present", "absent"),
    [
        ("ru", "Новая SIM-карта для номера +79161234567", "заявка на новую SIM-карту", "Hello!"),
        ("en", "New SIM card requested", "a new SIM card with the same number", "Здравствуйте"),
    ],
)
def test_the_account_holders_language_is_used_alone(
    app, session, mail_config, smtp_server, language, subject, present, absent
):
    mailbox, _ = smtp_server
    _, notification = _claim_and_deliver(app, session, language=language)
    assert notification.language == language
    message, plain, html = _parts(mailbox.envelopes[0])
    assert message["Subject"] == subject and message["Content-Language"] == language
    assert present in plain and absent not in plain
    assert absent not in html


def _deliver_at(app, session, now) -> int:
    with app.app_context():
        sent = deliver_queued(db.session, load_backend(app.config["NOTIFICATION_BACKEND"]), now)
        db.session.commit()
    session.expire_all()
    return sent


def _deliveries(result: str) -> float:
    from prometheus_client import REGISTRY

    labels = {"channel": "email", "result": result}
    return REGISTRY.get_sample_value("recovery_notification_deliveries_total", labels) or 0


def test_a_message_is_retried_until_the_server_is_back_and_delivered_once(
    app, session, mail_config, smtp_server
):
    mailbox, port = smtp_server
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: the server is down
    retried, failed = _deliveries("retried"), _deliveries("failed")
    sent, notification = _claim_and_deliver(app, session, language=None)
    first_try = clock.now()

    assert sent == 0 and notification.status == NotificationStatus.QUEUED
    assert notification.attempts == 1 and notification.next_attempt_at > first_try
    assert notification.error.startswith("ConnectionRefusedError")
    assert notification.body not in notification.error and "ivanov@" not in notification.error
    assert notifications_backlog(session)[0] == 1  # waiting for its retry is still backlog
    assert (_deliveries("retried"), _deliveries("failed")) == (retried + 1, failed)

    app.config["MAIL_PORT"] = port  # the server is back, but the retry is not due yet
    assert _deliver_at(app, session, first_try) == 0 and mailbox.envelopes == []

    due = notification.next_attempt_at
    assert _deliver_at(app, session, due) == 1
    assert _deliver_at(app, session, due + timedelta(hours=1)) == 0  # not sent twice
    assert len(mailbox.envelopes) == 1 and mailbox.envelopes[0].rcpt_tos == ["ivanov@example.ru"]
    assert (notification.status, notification.attempts, notification.error) == (
        NotificationStatus.SENT,
        2,
        None,
    )
    assert notifications_backlog(session)[0] == 0


def test_after_the_last_attempt_the_message_fails_and_is_counted(app, session, mail_config):
    app.config["MAIL_PORT"] = free_port()
    failed = _deliveries("failed")
    _, notification = _claim_and_deliver(app, session, language=None)
    for _ in range(MAX_ATTEMPTS - 1):
        assert notification.status == NotificationStatus.QUEUED
        assert _deliver_at(app, session, notification.next_attempt_at) == 0
    assert notification.status == NotificationStatus.FAILED and notification.attempts == MAX_ATTEMPTS
    assert _deliveries("failed") == failed + 1
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "notification.failed")).one()
    assert event.details == {
        "notification_id": notification.id,
        "kind": "reissue_opened",
        "notification_channel": "email",
        "attempts": MAX_ATTEMPTS,
    }
    assert _deliver_at(app, session, clock.now() + timedelta(days=1)) == 0
    assert notification.attempts == MAX_ATTEMPTS  # a failed message is never tried again


class _EchoingRefusal:
    """A mail server that refuses the message and quotes the one-time code back in its reply."""

    async def handle_DATA(self, server, session, envelope) -> str:
        code = re.search(rb"\d{6}", envelope.content)
        return f"554 5.7.1 Rejected: spam-like content {code.group().decode()} for {envelope.rcpt_tos[0]}"


def test_the_stored_error_holds_neither_the_code_nor_the_address(app, session, mail_config):
    controller = Controller(_EchoingRefusal(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update(MAIL_PORT=controller.port, MAIL_USERNAME="")
        session.add(
            Notification(
                channel="email",
                kind="register_code",
                recipient="ivanov@example.ru",
                subject="Код / Code",
                body="Ваш код: 482913",
            )
        )
        session.commit()
        assert _deliver_at(app, session, clock.now()) == 0
    finally:
        controller.stop()
    notification = session.scalars(select(Notification)).one()
    assert notification.status == NotificationStatus.QUEUED and notification.attempts == 1
    assert notification.error.startswith("SMTPDataError") and "Rejected" in notification.error
    assert "482913" not in notification.error and "ivanov@example.ru" not in notification.error


def test_an_sms_without_an_smpp_transport_fails_instead_of_being_marked_sent(app, session, mail_config):
    session.add(
        Notification(channel="sms", kind="register_code", recipient="+79161234567", subject="SMS", body="x")
    )
    session.commit()
    with app.app_context():
        sent = deliver_queued(db.session, load_backend(app.config["NOTIFICATION_BACKEND"]), clock.now())
        db.session.commit()
    assert sent == 0
    assert session.scalars(select(Notification.status)).one() == NotificationStatus.FAILED
    assert session.scalar(select(Account.id)) is None  # nothing else was touched

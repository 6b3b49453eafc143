"""Notification texts, the stored form of a decision, and the supervisor's CSV and email masks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from recovery.claims import notifications
from recovery.claims.records import stored_messages, stored_verification
from recovery.models import Claim, Outcome
from recovery.supervisor.outbox import mask_email
from recovery.supervisor.routes import _cell
from recovery.verification import Decision, Message, MessageCode, nothing_verified

TICKET = uuid.UUID("12345678-1234-5678-1234-567812345678")
UNTIL = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "message",
    [
        notifications.sim_blocked("+79161234567", TICKET),
        notifications.reissue_opened("+79161234567", TICKET, "RU-MOW"),
        notifications.reissue_fulfilled("+79161234567", TICKET, UNTIL),
    ],
)
def test_notifications_name_the_number_and_ticket_in_both_languages(message):
    assert "+79161234567" in message.subject and str(TICKET) in message.body
    assert "Здравствуйте" in message.body and "Hello" in message.body
    assert "0890" in message.body


def test_a_reissue_notification_names_the_region_in_both_languages():
    body = notifications.reissue_opened("+79161234567", TICKET, "RU-SPE").body
    assert "Санкт-Петербург" in body and "Saint Petersburg" in body


def test_the_default_backend_keeps_messages_in_the_outbox():
    assert isinstance(notifications.load_backend(None), notifications.OutboxOnly)
    backend = notifications.load_backend("recovery.claims.notifications:LoggingBackend")
    assert isinstance(backend, notifications.LoggingBackend)


def test_a_decision_is_stored_without_answers_and_read_back_the_same():
    decision = Decision(
        Outcome.LOCKED,
        (
            Message.of(MessageCode.NUMBER_LOCKED, until=UNTIL),
            Message.of(MessageCode.POST_LOSS_ACTIVITY, count=3),
        ),
    )
    stored = stored_verification(nothing_verified(), decision)
    assert stored["name"] == "not_available" and stored["callsRequired"] == 2
    claim = Claim(verification=stored)
    assert stored_messages(claim) == decision.messages


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+7916", "'+7916"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("plain", "plain"),
        (None, ""),
    ],
)
def test_csv_cells_cannot_run_as_formulas(value, expected):
    assert _cell(value) == expected


def test_email_addresses_are_masked_on_the_outbox_page():
    assert mask_email("ivanov@example.ru") == "i•••@example.ru"
    assert mask_email("broken") == "•••"


def test_the_outbox_mask_hides_every_digit_of_an_sms_and_every_number_of_an_email():
    from recovery.supervisor.outbox import mask_recipient, mask_text

    sms = "Код для входа в личный кабинет: 295306. Никому его не сообщайте."
    assert mask_text("sms", sms) == "Код для входа в личный кабинет: ••••••. Никому его не сообщайте."
    mail = notifications.sim_blocked("+79161234567", TICKET)
    masked = mask_text("email", mail.body)
    assert "+79161234567" not in masked and "+7••••••••67" in masked and str(TICKET) in masked
    assert "позвоните по номеру 0890" in masked  # the support line is named openly in every e-mail
    assert mask_text("email", "код 295306, заявка 2026-11-21") == "код ••••, заявка 2026-11-21"
    assert mask_recipient("sms", "+79161234567") == "+7••••••••67"
    assert mask_recipient("email", "ivanov@example.ru") == "i•••@example.ru"

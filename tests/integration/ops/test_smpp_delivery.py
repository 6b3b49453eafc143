"""SMS over SMPP: outbox messages submitted to a real SMSC (the npm ``smpp`` package's server).

What the SMSC decoded (its own UCS-2 and UDH decoding, not ours) must be the
text queued; each part's message id and delivery receipt end up in
``sms_deliveries``; a code never reaches a log.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from recovery import clock
from recovery.claims.notifications import deliver_queued, load_backend
from recovery.extensions import db
from recovery.models import Notification, NotificationStatus, SmsDelivery
from recovery.observability.logs import JsonFormatter
from tests.factories import make_subscriber
from tests.integration.account.conftest import Flow, code_in, latest_sms
from tests.integration.ops.conftest import SMPP_PASSWORD, SMPP_USER

#: 160 Cyrillic characters: three UCS-2 parts of at most 67 characters each.
LONG_TEXT = ("Здравствуйте! Ваша SIM-карта заблокирована по заявлению. " * 3)[:160]


@pytest.fixture
def smpp_config(app, smsc):
    app.config.update(
        NOTIFICATION_BACKEND="recovery.delivery:Gateway",
        SMPP_HOST="127.0.0.1",
        SMPP_PORT=smsc.port,
        SMPP_SYSTEM_ID=SMPP_USER,
        SMPP_PASSWORD=SMPP_PASSWORD,
        SMPP_SOURCE_ADDR="0890",
        SMPP_RECEIPT_WAIT_SECONDS=5,
    )
    return app.config


def _queue_sms(session, recipient: str, body: str) -> int:
    notification = Notification(channel="sms", kind="test", recipient=recipient, subject="SMS", body=body)
    session.add(notification)
    session.commit()
    return notification.id


def _deliver(app) -> int:
    with app.app_context():
        sent = deliver_queued(db.session, load_backend(app.config["NOTIFICATION_BACKEND"]), clock.now())
        db.session.commit()
    return sent


def _reassemble(parts: list[dict]) -> str:
    """Join concatenated parts by their UDH (IE 00: reference, total, sequence)."""
    ordered = []
    for part in parts:
        udh = bytes.fromhex(part["udh"][0])
        assert udh[0] == 0x00 and udh[1] == 3  # 8-bit concatenation reference
        ordered.append((udh[4], udh[3], udh[2], part["message"]))
    assert {total for _, total, _, _ in ordered} == {len(parts)}
    assert len({reference for _, _, reference, _ in ordered}) == 1
    return "".join(text for *_, text in sorted(ordered))


def test_a_registration_code_reaches_the_smsc_and_no_log(app, session, smpp_config, smsc, caplog):
    subscriber = make_subscriber(session, app.config["PII_KEY"], msisdn="+79161234567")
    assert Flow(app.test_client()).submit_number(subscriber.msisdn).status_code == 302
    body = latest_sms(session, subscriber.msisdn)
    code = code_in(body)

    caplog.set_level(logging.DEBUG)
    assert _deliver(app) == 1

    parts = smsc.submitted()
    assert len(parts) == 2  # 88 Cyrillic characters: more than the 70 of one UCS-2 SMS
    assert _reassemble(parts) == body
    for part in parts:
        assert part["destination_addr"] == "79161234567" and part["dest_addr_ton"] == 1
        assert part["source_addr"] == "0890"
        assert part["data_coding"] == 8  # UCS-2: the text is Cyrillic
        assert part["registered_delivery"] == 1
    assert "bound" in [e["event"] for e in smsc.drain()]

    deliveries = session.scalars(select(SmsDelivery).order_by(SmsDelivery.part)).all()
    assert [(d.part, d.message_id, d.state) for d in deliveries] == [
        (1, parts[0]["message_id"], "DELIVRD"),
        (2, parts[1]["message_id"], "DELIVRD"),
    ]
    assert all(d.receipt_at is not None for d in deliveries)
    notification = session.get(Notification, deliveries[0].notification_id)
    session.refresh(notification)
    assert notification.status == NotificationStatus.SENT

    logged = "\n".join(
        [record.getMessage() for record in caplog.records]
        + [JsonFormatter().format(r) for r in caplog.records]
    )
    assert "Connecting to" in logged  # smpplib's own lines were captured …
    assert code not in logged  # … but never the code, not even inside a PDU dump
    assert code.encode("utf-16-be").hex() not in logged and code.encode().hex() not in logged


def test_a_long_cyrillic_message_is_split_into_ucs2_parts(app, session, smpp_config, smsc):
    notification_id = _queue_sms(session, "+79217654321", LONG_TEXT)
    assert _deliver(app) == 1

    parts = smsc.submitted()
    assert len(parts) == 3
    assert {part["data_coding"] for part in parts} == {8}
    assert {part["esm_class"] & 0x40 for part in parts} == {0x40}  # UDHI: a header precedes the text
    assert all(len(part["message"]) <= 67 for part in parts)
    assert _reassemble(parts) == LONG_TEXT

    deliveries = session.scalars(select(SmsDelivery).order_by(SmsDelivery.part)).all()
    assert [(d.notification_id, d.part, d.state) for d in deliveries] == [
        (notification_id, 1, "DELIVRD"),
        (notification_id, 2, "DELIVRD"),
        (notification_id, 3, "DELIVRD"),
    ]
    assert [d.message_id for d in deliveries] == [p["message_id"] for p in parts]


def test_an_undelivered_receipt_is_recorded(app, session, smpp_config, smsc):
    from prometheus_client import REGISTRY

    before = REGISTRY.get_sample_value("recovery_sms_delivery_receipts_total", {"state": "UNDELIV"}) or 0
    _queue_sms(session, "+79990000000", "Test")
    assert _deliver(app) == 1
    assert session.scalars(select(SmsDelivery.state)).one() == "UNDELIV"
    assert smsc.submitted()[0]["data_coding"] == 0  # GSM 7-bit: Latin text needs no UCS-2
    assert (
        REGISTRY.get_sample_value("recovery_sms_delivery_receipts_total", {"state": "UNDELIV"}) == before + 1
    )


def test_a_refused_bind_keeps_the_message_for_a_retry_without_its_code(app, session, smpp_config, smsc):
    app.config["SMPP_PASSWORD"] = "wrong"
    _queue_sms(session, "+79217654321", "Код 123456")
    assert _deliver(app) == 0
    notification = session.scalars(select(Notification)).one()
    assert (notification.status, notification.attempts) == (NotificationStatus.QUEUED, 1)
    assert "Bind Failed" in notification.error and "123456" not in notification.error
    assert "bind_refused" in [e["event"] for e in smsc.drain(until="bind_refused")]
    assert smsc.submitted() == []
    assert session.scalars(select(SmsDelivery)).all() == []


def test_a_late_receipt_is_recorded_by_smpp_receipts(app, session, runner, smpp_config, smsc):
    app.config["SMPP_RECEIPT_WAIT_SECONDS"] = 0.3
    _queue_sms(session, "+79990001111", "Test")  # the SMSC holds this one's receipt for a receiver
    assert _deliver(app) == 1
    assert session.scalars(select(SmsDelivery.state)).one() == "submitted"

    result = runner.invoke(args=["smpp-receipts", "--seconds", "2"])
    assert result.exit_code == 0, result.output
    assert "recorded 1 delivery receipt(s)" in result.output
    session.expire_all()
    delivery = session.scalars(select(SmsDelivery)).one()
    assert delivery.state == "DELIVRD" and delivery.receipt_at is not None
    assert {"event": "bound", "kind": "receiver", "system_id": SMPP_USER} in smsc.drain()

"""SMS over SMPP 3.4 with ``smpplib``: submit each part, record its message id and delivery receipt.

Settings: ``SMPP_HOST``, ``SMPP_PORT`` (2775), ``SMPP_SYSTEM_ID``,
``SMPP_PASSWORD``, ``SMPP_SOURCE_ADDR`` (a short number or an alphanumeric
sender), ``SMPP_RECEIPT_WAIT_SECONDS``. Text that the GSM alphabet cannot
carry (Cyrillic) goes as UCS-2 (``data_coding`` 8); a message longer than one
SMS is split into parts with a concatenation header (UDH), which the phone
joins again. Every part asks for a delivery receipt: its SMSC message id is
kept in ``sms_deliveries`` and its final state recorded when the receipt
arrives — within the same bind for up to ``SMPP_RECEIPT_WAIT_SECONDS``, later
through ``flask smpp-receipts``.

The text is never logged: most SMS here carry a one-time code. ``smpplib``
writes every PDU in hex at DEBUG, so its client logs to ``WIRE_LOGGER``,
whose filter drops those lines whatever the level.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from datetime import datetime

import smpplib.client
import smpplib.consts
import smpplib.gsm
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from recovery import clock
from recovery.delivery import Undeliverable
from recovery.models import Notification
from recovery.models.delivery import SUBMITTED, SmsDelivery
from recovery.observability.metrics import SMS_RECEIPTS

SMS = "sms"
WIRE_LOGGER = "recovery.delivery.smpp.wire"
TIMEOUT = 10
#: ``esm_class`` bit of a deliver_sm that is a delivery receipt (SMPP 3.4, 5.2.12).
RECEIPT_ESM = 0x04
RECEIPT = re.compile(rb"id:(?P<id>\S+)\s.*?stat:(?P<stat>[A-Z]+)", re.DOTALL)


class HidePdus(logging.Filter):
    """Drops ``smpplib``'s hex dumps of PDUs (they hold the message text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every line but a PDU dump."""
        return not (isinstance(record.msg, str) and record.msg.startswith(("<<", ">>")))


_wire = logging.getLogger(WIRE_LOGGER)
_wire.addFilter(HidePdus())


class NotAnSms(Undeliverable, ValueError):
    """The notification is not for the SMS channel."""


def parse_receipt(pdu: object) -> tuple[str, str] | None:
    """``(message id, final state)`` of a delivery receipt, or None for any other deliver_sm."""
    if not (getattr(pdu, "esm_class", 0) or 0) & RECEIPT_ESM:
        return None
    match = RECEIPT.search(getattr(pdu, "short_message", b"") or b"")
    if match is None:
        return None
    return match["id"].decode("ascii", "replace"), match["stat"].decode("ascii")


def record_receipt(session: Session, message_id: str, state: str, at: datetime) -> bool:
    """Store the final state of the part the SMSC knows as ``message_id``; False when none is ours."""
    delivery = session.scalars(select(SmsDelivery).where(SmsDelivery.message_id == message_id)).first()
    SMS_RECEIPTS.labels(state).inc()
    if delivery is None:
        return False
    delivery.state, delivery.receipt_at = state, at
    return True


def _addressing(source: str) -> dict[str, int]:
    if source.isdigit():
        return {
            "source_addr_ton": smpplib.consts.SMPP_TON_UNK,
            "source_addr_npi": smpplib.consts.SMPP_NPI_ISDN,
        }
    return {"source_addr_ton": smpplib.consts.SMPP_TON_ALNUM, "source_addr_npi": smpplib.consts.SMPP_NPI_UNK}


class SmppBackend:
    """Submits SMS notifications to the SMSC at ``SMPP_HOST``, one bind per delivery run's message."""

    sends = True

    def __init__(self, config: Mapping[str, object] | None = None) -> None:
        config = current_app.config if config is None else config
        self.host = str(config.get("SMPP_HOST") or "")
        self.port = int(config.get("SMPP_PORT") or 2775)  # type: ignore[call-overload]
        self.system_id = str(config.get("SMPP_SYSTEM_ID") or "")
        self.password = str(config.get("SMPP_PASSWORD") or "")
        self.source = str(config.get("SMPP_SOURCE_ADDR") or "0890")
        self.receipt_wait = float(config.get("SMPP_RECEIPT_WAIT_SECONDS") or 0)  # type: ignore[arg-type]
        if not self.host:
            raise ValueError("SMPP_HOST is not set")

    def client(self) -> smpplib.client.Client:
        """A client for the SMSC, logging to ``WIRE_LOGGER``."""
        return smpplib.client.Client(
            self.host, self.port, timeout=TIMEOUT, logger_name=WIRE_LOGGER, allow_unknown_opt_params=True
        )

    def send(self, notification: Notification) -> None:
        """Submit every part and wait for each one's acceptance; raise when the SMSC refuses."""
        if notification.channel != SMS:
            raise NotAnSms(f"notification {notification.id} is for the {notification.channel!r} channel")
        parts, data_coding, esm_class = smpplib.gsm.make_parts(notification.body)
        part_of: dict[int, int] = {}
        accepted: dict[int, str] = {}
        receipts: dict[str, str] = {}

        def sent(pdu: object) -> None:
            accepted[part_of[pdu.sequence]] = pdu.message_id.decode("ascii", "replace")  # type: ignore[attr-defined]

        def received(pdu: object) -> None:
            receipt = parse_receipt(pdu)
            if receipt is not None:
                receipts[receipt[0]] = receipt[1]

        client = self.client()
        client.set_message_sent_handler(sent)
        client.set_message_received_handler(received)
        try:
            client.connect()
            client.bind_transceiver(system_id=self.system_id, password=self.password)
            for number, part in enumerate(parts, start=1):
                pdu = client.send_message(
                    **_addressing(self.source),
                    source_addr=self.source,
                    dest_addr_ton=smpplib.consts.SMPP_TON_INTL,
                    dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
                    destination_addr=notification.recipient.lstrip("+"),
                    short_message=part,
                    data_coding=data_coding,
                    esm_class=esm_class,
                    registered_delivery=True,
                )
                part_of[pdu.sequence] = number
            while len(accepted) < len(parts):
                client.read_once(auto_send_enquire_link=False)
            self._wait_for_receipts(client, accepted, receipts)
            client.unbind()
        finally:
            client.disconnect()
        self._record(notification, accepted, receipts)

    def _wait_for_receipts(self, client: smpplib.client.Client, accepted: dict, receipts: dict) -> None:
        deadline = time.monotonic() + self.receipt_wait
        while not set(accepted.values()) <= set(receipts) and (left := deadline - time.monotonic()) > 0:
            client._socket.settimeout(left)
            try:
                client.read_once(auto_send_enquire_link=False)
            except TimeoutError:
                break
        client._socket.settimeout(TIMEOUT)

    def _record(self, notification: Notification, accepted: dict[int, str], receipts: dict[str, str]) -> None:
        session = object_session(notification)
        if session is None:
            return
        now = clock.now()
        for number, message_id in sorted(accepted.items()):
            state = receipts.get(message_id, SUBMITTED)
            if state != SUBMITTED:
                SMS_RECEIPTS.labels(state).inc()
            session.add(
                SmsDelivery(
                    notification_id=notification.id,
                    part=number,
                    message_id=message_id,
                    state=state,
                    submitted_at=now,
                    receipt_at=now if state != SUBMITTED else None,
                )
            )

"""``flask smpp-receipts``: listen for delivery receipts that arrive after a delivery run's bind closed."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from recovery import clock
from recovery.delivery.smpp import SmppBackend, parse_receipt, record_receipt
from recovery.extensions import db


@click.command("smpp-receipts")
@click.option("--seconds", default=55, show_default=True, help="How long to listen (run it from a timer).")
@with_appcontext
def smpp_receipts_command(seconds: int) -> None:
    """Bind as a receiver to SMPP_HOST and record each delivery receipt in sms_deliveries."""
    backend = SmppBackend(current_app.config)
    client = backend.client()
    recorded = 0

    def received(pdu: object) -> None:
        nonlocal recorded
        receipt = parse_receipt(pdu)
        if receipt is not None and record_receipt(db.session, *receipt, clock.now()):
            db.session.commit()
            recorded += 1

    client.set_message_received_handler(received)
    client.connect()
    try:
        client.bind_receiver(system_id=backend.system_id, password=backend.password)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            client._socket.settimeout(min(left, 10))
            try:
                client.read_once(auto_send_enquire_link=False)
            except TimeoutError:
                continue
        client.unbind()
    finally:
        client.disconnect()
    click.echo(f"recorded {recorded} delivery receipt(s)")

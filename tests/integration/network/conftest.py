"""Fixtures for the network: a real osmo-hlr per test, cards in the inventory, a movable clock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from recovery.models import InventorySim, Provisioning, Subscriber
from recovery.network.worker import Worker
from tests.conftest import make_config
from tests.integration.claims.conftest import (  # noqa: F401 - shared fixtures
    agent,
    ivanov,
    office_msk,
    real_now,
    supervisor,
)
from tests.integration.network.hlr import TestHlr

#: Keys of test cards (never a real card's).
KI = "000102030405060708090a0b0c0d0e0f"
OPC = "f0e0d0c0b0a090807060504030201000"
#: Longest a test waits for the worker to reach the HLR.
WAIT_S = 15


@pytest.fixture
def hlr(tmp_path: Path) -> Iterator[TestHlr]:
    """A running osmo-hlr of this test's own, stopped afterwards."""
    directory = tmp_path / "hlr"
    directory.mkdir()
    server = TestHlr(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Clock:
    """The app's clock, moved by the test (``CLOCK`` in the config)."""

    def __init__(self) -> None:
        self.at = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def config(database_url: str, hlr: TestHlr, clock: Clock):
    """The app talks to the test HLR, requires inventory cards at hand-over and runs on ``clock``."""
    return make_config(
        database_url,
        PROVISIONING_BACKEND="recovery.network.backends:OsmoHlr",
        HLR_CTRL_ADDRESS=hlr.address,
        SIM_INVENTORY_REQUIRED=True,
        CLOCK=clock,
    )


_imsis = iter(range(1, 10**9))


def add_card(session: Session, iccid: str, ki: str = KI, opc: str = OPC) -> InventorySim:
    """A card in the inventory with a fresh IMSI."""
    card = InventorySim(iccid=iccid, imsi=f"25099{next(_imsis):010d}", ki=ki, opc=opc)
    session.add(card)
    session.commit()
    return card


def in_network(session: Session, hlr: TestHlr, subscriber: Subscriber) -> str:
    """Put the subscriber's current card in the inventory and the HLR; returns its IMSI."""
    card = add_card(session, subscriber.current_sim.iccid)
    hlr.add_subscriber(card.imsi, subscriber.msisdn)
    return card.imsi


def rows(session: Session) -> list[Provisioning]:
    """Every provisioning row, oldest first, read fresh."""
    session.expire_all()
    return list(session.scalars(select(Provisioning).order_by(Provisioning.id)))


def wait_for(condition: Callable[[], bool], timeout: float = WAIT_S) -> bool:
    """Poll ``condition`` until true or ``timeout`` seconds pass (a bound, not a timing assertion)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def running_worker(app: Flask) -> Iterator[Worker]:
    """``flask worker``'s loop in a thread, stopped after the test."""
    worker = Worker(app, poll_seconds=0.05)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=WAIT_S)

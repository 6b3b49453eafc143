"""The worker under stress: parallel workers on PostgreSQL, a worker killed mid-batch, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select

from recovery.models import AuditEvent, ProvisioningState
from recovery.network import provisioning
from recovery.network.worker import Worker
from tests.conftest import ON_POSTGRES
from tests.factories import make_subscriber
from tests.integration.network.conftest import WAIT_S, in_network, rows, wait_for

ROOT = Path(__file__).resolve().parents[3]


def _blocks(session, config, hlr, clock, count: int) -> list[str]:
    """``count`` numbers in the HLR, each with a pending block."""
    numbers = []
    for n in range(count):
        subscriber = make_subscriber(session, config.PII_KEY, msisdn=f"+7916{n:07d}", email=None)
        in_network(session, hlr, subscriber)
        provisioning.block(session, subscriber.msisdn, subscriber.current_sim, clock())
        numbers.append(subscriber.msisdn)
    session.commit()
    return numbers


def _done_once(session, count: int) -> None:
    """Every row done at its first attempt, and audited done exactly once."""
    delivered = rows(session)
    assert len(delivered) == count
    assert {(row.state, row.attempts) for row in delivered} == {(ProvisioningState.DONE, 1)}
    audited = Counter(
        details["provisioning_id"]
        for details in session.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "provisioning.done")
        )
    )
    assert sorted(audited.items()) == [(row.id, 1) for row in delivered]


def _barred(hlr, numbers: list[str]) -> bool:
    return all(hlr.get(f"subscriber.by-msisdn-{n.lstrip('+')}.cs-enabled") == "0" for n in numbers)


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite takes one worker (no row locks)")
def test_parallel_workers_never_take_the_same_row(app, session, config, hlr, clock):
    numbers = _blocks(session, config, hlr, clock, 40)
    workers = [Worker(app, poll_seconds=0.05, batch=5) for _ in range(3)]
    threads = [threading.Thread(target=worker.run, daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        assert wait_for(lambda: all(row.state is ProvisioningState.DONE for row in rows(session)))
    finally:
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.join(timeout=WAIT_S)
    _done_once(session, 40)
    assert _barred(hlr, numbers)


def _worker_process(config, database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "RECOVERY_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": config.SECRET_KEY,
        "PII_KEY": config.PII_KEY,
        "PROVISIONING_BACKEND": config.PROVISIONING_BACKEND,
        "HLR_CTRL_ADDRESS": config.HLR_CTRL_ADDRESS,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--poll", "0.05"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_sigterm_stops_it_cleanly(
    session, config, database_url, hlr, clock
):
    numbers = _blocks(session, config, hlr, clock, 60)
    first = _worker_process(config, database_url)
    try:
        started = wait_for(lambda: sum(row.state is ProvisioningState.DONE for row in rows(session)) >= 3)
    finally:
        first.kill()
        first.communicate(timeout=WAIT_S)
    assert started

    second = _worker_process(config, database_url)
    try:
        assert wait_for(lambda: all(row.state is ProvisioningState.DONE for row in rows(session)))
    finally:
        second.send_signal(signal.SIGTERM)
        _, err = second.communicate(timeout=WAIT_S)
    assert second.returncode == 0, err
    assert "worker stopped" in err
    _done_once(session, 60)
    assert _barred(hlr, numbers)


class CountingMailer:
    """A sending notification backend that remembers what it was handed (threads share it)."""

    sends = True
    sent: ClassVar[Counter] = Counter()
    lock = threading.Lock()

    def __init__(self, *_: object) -> None:
        pass

    def send(self, notification) -> None:
        with self.lock:
            CountingMailer.sent[notification.id] += 1


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite takes one worker (no row locks)")
def test_parallel_workers_send_each_notification_once(app, session, ivanov):
    from recovery.claims import notifications
    from recovery.models import Notification, NotificationStatus

    for n in range(30):
        notifications.queue(session, ivanov, notifications.sim_blocked(ivanov.msisdn, n))
    session.commit()
    app.config["NOTIFICATION_BACKEND"] = f"{__name__}:CountingMailer"
    CountingMailer.sent.clear()
    workers = [Worker(app, poll_seconds=0.05, batch=3) for _ in range(3)]
    threads = [threading.Thread(target=worker.run, daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        assert wait_for(lambda: len(CountingMailer.sent) == 30)
    finally:
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.join(timeout=WAIT_S)
    assert set(CountingMailer.sent.values()) == {1}
    session.expire_all()
    statuses = set(session.scalars(select(Notification.status)))
    assert statuses == {NotificationStatus.SENT}

"""The worker: delivers the provisioning outbox (and the notifications and partner events) with retries.

One row at a time, each in its own transaction: the oldest due ``pending`` row
is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
workers share the queue and never take the same row; SQLite has no row locks
and takes one worker. The row stays locked while the backend works and is
marked ``done`` in the same transaction, so a worker killed halfway leaves it
``pending`` for the next (the backends' operations are idempotent).

A failure is counted in ``attempts`` and retried after an exponential backoff
(``BACKOFF_BASE_SECONDS`` doubling, at most ``BACKOFF_MAX_SECONDS``); after
``MAX_ATTEMPTS`` the row is ``failed`` with the error, for staff to see.

No job library fits: the outbox must be our table, written in the claim's
transaction, on SQLite and PostgreSQL alike. Procrastinate is PostgreSQL-only,
Dramatiq, RQ and Huey need their own broker (Redis, RabbitMQ) and would still
need this loop to feed them, and APScheduler is a timer, not a queue.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import make_url, or_, select, text
from sqlalchemy.orm import Session, aliased

from recovery import audit
from recovery.camara import event_delivery
from recovery.camara.sinks import SINK_TIMEOUT_SECONDS, SinkSender
from recovery.models import Provisioning, ProvisioningOperation, ProvisioningState, Sim, SimStatus
from recovery.network import inventory
from recovery.network.backends import Change, PermanentFailure, ProvisioningBackend, load_backend
from recovery.network.wakeup import Waiter

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 3600
MAX_ERROR_LENGTH = 500
CHANNEL = "worker"
#: Seconds an idle worker sleeps before looking again (one indexed query per look). On PostgreSQL
#: a commit wakes it at once (``recovery.network.wakeup``); on SQLite a block waits up to this long.
POLL_SECONDS = 0.5

logger = logging.getLogger(__name__)
_KEY_LIKE = re.compile(r"[0-9a-fA-F]{32}")


class Skip(Exception):
    """The change no longer applies (the card was blocked or retired since): done, with a note."""


def _redacted(text: str) -> str:
    """An error for the row, the log and the staff page: anything shaped like a key is cut out,
    in case a backend ever echoes the command it refused (Ki and OPc are 32 hex digits)."""
    return _KEY_LIKE.sub("[redacted]", text)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failure."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_MAX_SECONDS))


def next_due(session: Session, now: datetime) -> Provisioning | None:
    """Lock and return the oldest due pending row that no other worker holds.

    A number's changes reach the network in the order they were made: a row
    waits while an older one for the same number is due, being retried or in
    another worker's hands (a block retried after the hand-over would bar the
    new card). Only a row scheduled for later from the start (data on after
    cooling) lets newer ones pass.
    """
    earlier = aliased(Provisioning)
    blocked_by_earlier = (
        select(earlier.id)
        .where(
            earlier.msisdn == Provisioning.msisdn,
            earlier.id < Provisioning.id,
            earlier.state == ProvisioningState.PENDING,
            or_(earlier.due_at <= now, earlier.attempts > 0),
        )
        .exists()
    )
    return session.scalars(
        select(Provisioning)
        .where(Provisioning.state == ProvisioningState.PENDING, Provisioning.due_at <= now)
        .where(~blocked_by_earlier)
        .order_by(Provisioning.due_at, Provisioning.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def change_of(session: Session, row: Provisioning, now: datetime) -> Change:
    """The plain change for the backend: keys from the inventory, data only outside cooling."""
    card = inventory.find(session, row.iccid)
    sim = session.scalar(select(Sim).where(Sim.iccid == row.iccid)) if row.iccid else None
    if row.operation is ProvisioningOperation.DATA_ON and (sim is None or sim.status is not SimStatus.ACTIVE):
        raise Skip("the card is no longer active: data stays off")
    if row.operation is ProvisioningOperation.HAND_OVER:
        ki, opc = (card.ki, card.opc) if card else (None, None)
        return Change(row.operation, row.msisdn, row.imsi, ki, opc)
    cooling = sim is not None and sim.cooling_until is not None and sim.cooling_until > now
    return Change(row.operation, row.msisdn, row.imsi, data=not cooling)


def deliver_one(session: Session, backend: ProvisioningBackend, now: datetime) -> Provisioning | None:
    """Deliver the next due row and record the outcome (the caller commits); None when none is due."""
    row = next_due(session, now)
    if row is None:
        return None
    row.attempts += 1
    try:
        backend.apply(change_of(session, row, now))
    except Skip as skipped:
        _finish(session, row, ProvisioningState.DONE, now, str(skipped))
    except PermanentFailure as exc:
        _finish(session, row, ProvisioningState.FAILED, now, str(exc))
    except Exception as exc:  # the HLR down or refusing: counted, retried later
        error = _redacted(f"{type(exc).__name__}: {exc}")[:MAX_ERROR_LENGTH]
        if row.attempts >= MAX_ATTEMPTS:
            _finish(session, row, ProvisioningState.FAILED, now, error)
        else:
            row.error = error
            row.due_at = now + backoff(row.attempts)
            logger.warning("provisioning %s attempt %s failed: %s", row.id, row.attempts, error)
    else:
        _finish(session, row, ProvisioningState.DONE, now, None)
    return row


def _finish(
    session: Session, row: Provisioning, state: ProvisioningState, now: datetime, note: str | None
) -> None:
    row.state = state
    row.error = note
    row.done_at = now
    audit.record(
        session,
        actor=CHANNEL,
        action=f"provisioning.{state.value}",
        channel=CHANNEL,
        subject=row.msisdn,
        provisioning_id=row.id,
        operation=row.operation.value,
        attempts=row.attempts,
    )


def drain(
    session: Session,
    backend: ProvisioningBackend,
    clock: Callable[[], datetime],
    limit: int = 100,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Deliver up to ``limit`` due rows, committing each, until ``stopping()``; returns how many."""
    handled = 0
    while handled < limit and not stopping():
        row = deliver_one(session, backend, clock())
        session.commit()
        if row is None:
            break
        handled += 1
    return handled


#: The PostgreSQL advisory lock key under which one worker at a time sends notifications.
NOTIFICATIONS_LOCK = 0x6E6F7469


def _notifications_turn(session: Session) -> bool:
    """Whether this worker sends notifications now: ``deliver_queued`` locks no rows, so on
    PostgreSQL one worker at a time holds a transaction-scoped advisory lock for it (released
    at the commit); the others skip. SQLite runs one worker."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": NOTIFICATIONS_LOCK}))


class Worker:
    """The loop of ``flask --app wsgi worker``: drain both outboxes, sleep when idle, stop on request."""

    def __init__(self, app: Flask, *, poll_seconds: float = POLL_SECONDS, batch: int = 100) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.stopping = threading.Event()
        self.backend = load_backend(app.config.get("PROVISIONING_BACKEND"), app.config)
        self.waiter = Waiter(make_url(app.config["SQLALCHEMY_DATABASE_URI"]), self.stopping)
        self.sinks = SinkSender(
            timeout=float(app.config.get("SUBSCRIPTION_SINK_TIMEOUT_SECONDS", SINK_TIMEOUT_SECONDS)),
            allow_private=bool(app.config.get("SUBSCRIPTION_SINKS_ALLOW_PRIVATE", False)),
        )
        self.event_policy = event_delivery.DeliveryPolicy.from_config(app.config)
        self.event_source = str(app.config.get("SUBSCRIPTION_EVENT_SOURCE") or event_delivery.DEFAULT_SOURCE)

    def stop(self, *_: object) -> None:
        """Ask the loop to end after the row in hand (a signal handler)."""
        self.stopping.set()

    def run_once(self) -> int:
        """One pass over the outboxes; returns how many rows, messages and events were handled."""
        from recovery import clock
        from recovery.claims import notifications
        from recovery.extensions import db

        with self.app.app_context():
            try:
                handled = drain(db.session, self.backend, clock.now, self.batch, self.stopping.is_set)
                if _notifications_turn(db.session):
                    mailer = notifications.load_backend(self.app.config.get("NOTIFICATION_BACKEND"))
                    handled += notifications.deliver_queued(db.session, mailer, clock.now(), limit=self.batch)
                db.session.commit()
                handled += event_delivery.drain(
                    db.session,
                    self.sinks,
                    self.event_policy,
                    self.event_source,
                    clock.now,
                    self.batch,
                    self.stopping.is_set,
                )
            finally:
                db.session.remove()
        return handled

    def run(self) -> None:
        """Loop until :meth:`stop`; a database or backend fault is logged and the loop goes on."""
        while not self.stopping.is_set():
            try:
                handled = self.run_once()
            except Exception:
                logger.exception("worker pass failed; retrying")
                handled = 0
            if not handled and not self.stopping.is_set():
                self.waiter.wait(self.poll_seconds)
        self.waiter.close()
        self.sinks.close()

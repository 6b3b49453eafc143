"""Counting what the use-cases decide, from the rows they write, once the transaction commits.

The claims, lockout, partner and delivery code stays as it is: a session
listener notes the rows a flush wrote (a claim, an unlock, a partner's audit
event, an outbox row changing to sent or failed, or
scheduled for another attempt) and adds them to the counters
after the commit, so that a rolled-back claim is never counted.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from recovery.models import AuditEvent, Claim, Notification, NotificationStatus, Unlock
from recovery.observability.metrics import CLAIMS, DELIVERIES, LOCKS, LOOKUPS, POOL_IN_USE
from recovery.vocabulary import Outcome

_PENDING = "recovery_metrics"
_DELIVERY_RESULTS = {NotificationStatus.SENT: "sent", NotificationStatus.FAILED: "failed"}


def lookup_result(result: object) -> str:
    """A partner look-up's result as one label: KYC Match's per-field answers summed up."""
    if isinstance(result, bool):
        return "true" if result else "false"
    if isinstance(result, dict):
        answers = set(result.values())
        if answers <= {"true"}:
            return "all_true"
        return "some_false" if "false" in answers else "not_available"
    return str(result)


def _observed(obj: object) -> tuple | None:
    """The counter and labels a newly written row adds to, if any."""
    if isinstance(obj, Claim):
        return CLAIMS, (str(obj.channel), str(obj.outcome))
    if isinstance(obj, Unlock):
        return LOCKS, ("unlocked",)
    if isinstance(obj, AuditEvent) and obj.action.startswith("camara."):
        api = obj.action.removeprefix("camara.").replace(".", "_")
        return LOOKUPS, (api, lookup_result((obj.details or {}).get("result")))
    return None


def _after_flush(session: Session, _context: object) -> None:
    pending = session.info.setdefault(_PENDING, [])
    for obj in session.new:
        observed = _observed(obj)
        if observed is not None:
            pending.append(observed)
            if isinstance(obj, Claim) and obj.outcome == Outcome.LOCKED:
                pending.append((LOCKS, ("refused",)))
    for obj in session.dirty:
        if isinstance(obj, Notification):
            attrs = inspect(obj).attrs
            added = attrs.status.history.added
            if added and added[0] in _DELIVERY_RESULTS:
                pending.append((DELIVERIES, (obj.channel, _DELIVERY_RESULTS[added[0]])))
            elif attrs.attempts.history.added and obj.status == NotificationStatus.QUEUED:
                pending.append((DELIVERIES, (obj.channel, "retried")))  # failed, tried again later


def _after_commit(session: Session) -> None:
    for counter, labels in session.info.pop(_PENDING, ()):
        counter.labels(*labels).inc()


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def install_session_counters() -> None:
    """Listen on every session (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _checked_out(*_args: object) -> None:
    POOL_IN_USE.inc()


def _checked_in(*_args: object) -> None:
    POOL_IN_USE.dec()


def watch_pool(engine: Engine) -> None:
    """Count the connections ``engine``'s pool has handed out."""
    if not event.contains(engine, "checkout", _checked_out):
        event.listen(engine, "checkout", _checked_out)
        event.listen(engine, "checkin", _checked_in)

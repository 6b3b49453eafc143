"""The per-client ceiling: one API client or agent failing on many distinct numbers (DESIGN 2.3).

Five wrong tries lock one number, but a token spreading its tries over many
numbers would lock (or probe) them all. So a client that was rejected on
``MAX_FAILED_NUMBERS_PER_CLIENT`` distinct numbers within
``CLIENT_FAILURE_WINDOW_HOURS`` is refused further claims until the window
moves on: the API answers 429, the console its 429 page. The first refusal in
a window queues one alert to the supervisors in the outbox; every refusal is
audited.

The count is read from the claims table under the client's guard row
(:func:`recovery.security.guards.take_guard`), held until the claim commits, so
parallel requests of one client cannot pass the ceiling together. Self-service
claims have no client: per-address limits stand in for it there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from recovery.claims.actors import Actor
from recovery.models import Claim, Notification, NotificationStatus, Outcome
from recovery.security.guards import take_guard
from recovery.verification import DEFAULT_POLICY, Policy

#: The outbox channel and recipient of alerts for the supervisors (their outbox page shows them).
ALERT_CHANNEL = "alert"
SUPERVISORS = "supervisors"
#: ``Notification.kind`` of the alert (the outbox page shows the kind, translated).
ALERT_KIND = "client_throttled"


class TooManyFailedNumbers(Exception):
    """The client failed on too many distinct numbers lately: no claims for now."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many numbers failed")
        #: Seconds until the oldest counted failure leaves the window (at most the window).
        self.retry_after = retry_after


def client_guard(actor: Actor) -> str | None:
    """The guard key of the claiming API client or agent; None for a self-service claimant."""
    if actor.api_client_id is not None:
        return f"api-client:{actor.api_client_id}"
    if actor.staff_user_id is not None:
        return f"staff:{actor.staff_user_id}"
    return None


def check_client(session: Session, actor: Actor, now: datetime, policy: Policy = DEFAULT_POLICY) -> None:
    """Take the client's guard and refuse the claim when the client is over the ceiling.

    Raises :class:`TooManyFailedNumbers` after adding the audit event (and the
    window's first alert) to ``session``: the caller commits them and answers 429.
    """
    key = client_guard(actor)
    if key is None:
        return
    take_guard(session, key)
    since = now - timedelta(hours=policy.client_failure_window_hours)
    column = Claim.api_client_id if actor.api_client_id is not None else Claim.staff_user_id
    owner = actor.api_client_id if actor.api_client_id is not None else actor.staff_user_id
    failed, oldest = session.execute(
        select(func.count(distinct(Claim.msisdn)), func.min(Claim.created_at)).where(
            column == owner, Claim.outcome == Outcome.REJECTED, Claim.created_at > since
        )
    ).one()
    if failed < policy.max_failed_numbers_per_client:
        return
    alerted = _alert_once(session, actor, since, failed, now)
    actor.audit(session, "claims.client_throttled", actor.label[:64], failed_numbers=failed, alerted=alerted)
    retry = (oldest + timedelta(hours=policy.client_failure_window_hours) - now) if oldest else timedelta(0)
    raise TooManyFailedNumbers(max(1, int(retry.total_seconds())))


def _alert_subject(actor: Actor) -> str:
    return f"Клиент {actor.label} ошибся на многих номерах / Client {actor.label} failed on many numbers"


def _alert_once(session: Session, actor: Actor, since: datetime, failed: int, now: datetime) -> bool:
    """Queue the supervisors' alert unless this window already has one for ``actor``."""
    subject = _alert_subject(actor)
    # The subject is encrypted at rest (it names the client): the window's few alerts are
    # read by kind and compared in Python.
    alerts = session.scalars(
        select(Notification.subject).where(
            Notification.channel == ALERT_CHANNEL,
            Notification.kind == ALERT_KIND,
            Notification.created_at > since,
        )
    )
    if subject in alerts:
        return False
    session.add(
        Notification(
            channel=ALERT_CHANNEL,
            recipient=SUPERVISORS,
            subject=subject,
            kind=ALERT_KIND,
            body=(
                f"{actor.label} ({actor.channel.value}) получил отказ по {failed} разным номерам "
                "за последний час и остановлен до конца окна. Проверьте, не перебор ли это.\n\n"
                f"{actor.label} ({actor.channel.value}) was rejected on {failed} distinct numbers within the "
                "last hour and is stopped until the window moves on. Check whether this is a sweep."
            ),
            status=NotificationStatus.QUEUED,
            created_at=now,
        )
    )
    return True

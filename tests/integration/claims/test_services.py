"""The use-cases without the web: tickets, the outbox delivery, and refused claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from recovery.claims import notifications, sims, tickets
from recovery.claims.actors import Actor
from recovery.claims.submit import ClaimRequest, InvalidClaim, submit_claim
from recovery.iccid import InvalidIccid
from recovery.models import (
    Action,
    AuditEvent,
    Channel,
    Claim,
    Notification,
    NotificationStatus,
    SimStatus,
    TicketStatus,
)
from tests.helpers.claims import open_reissue
from tests.helpers.people import IVANOV, iccid

ACTOR = Actor("test", Channel.CLI)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_blocking_twice_keeps_the_first_block(session, ivanov):
    first = sims.block_sim(session, ivanov, actor=ACTOR, now=NOW)
    again = sims.block_sim(session, ivanov, actor=ACTOR, now=NOW + timedelta(hours=1))
    sim = ivanov.current_sim
    assert (first.newly_blocked, again.newly_blocked) == (True, False)
    assert sim.status is SimStatus.BLOCKED and sim.blocked_at == NOW
    # Each request is recorded and told, the second with its own ticket number.
    assert first.ticket.id != again.ticket.id
    blocked = [event.details["ticket_id"] for event in _audited(session, "sim.blocked")]
    assert blocked == [str(first.ticket.id)]
    done = [event.subject for event in _audited(session, "ticket.done")]
    assert done == [str(first.ticket.id), str(again.ticket.id)]
    bodies = [mail.body for mail in session.scalars(select(Notification).order_by(Notification.id))]
    assert len(bodies) == 2
    assert first.ticket.reference in bodies[0] and again.ticket.reference in bodies[1]
    assert str(first.ticket.id) not in bodies[0]


def _audited(session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(session.scalars(query))


def test_an_open_reissue_is_returned_not_duplicated(session, ivanov):
    first, created = tickets.insert_reissue(session, ivanov, "RU-MOW", None, NOW, ACTOR)
    second, created_again = tickets.insert_reissue(session, ivanov, "RU-MOW", None, NOW, ACTOR)
    assert (created, created_again) == (True, False) and first.id == second.id


def _passport(config) -> dict[str, str]:
    """The passport shown at hand-over (the subscriber's) and the key it is checked with."""
    return {"passport": IVANOV["passport"], "pii_key": config.PII_KEY}


def test_closed_and_block_tickets_cannot_be_fulfilled_or_cancelled(session, config, ivanov):
    ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    tickets.cancel(session, ticket.id, "test", region="RU-MOW", actor=ACTOR, now=NOW)
    session.commit()
    with pytest.raises(tickets.TicketNotOpen):
        tickets.fulfil(
            session, ticket.id, iccid(), **_passport(config), region="RU-MOW", actor=ACTOR, now=NOW
        )
    session.rollback()
    with pytest.raises(tickets.TicketNotOpen):
        tickets.cancel(session, ticket.id, "again", region="RU-MOW", actor=ACTOR, now=NOW)
    session.rollback()
    block = sims.block_sim(session, ivanov, actor=ACTOR, now=NOW).ticket
    with pytest.raises(tickets.TicketNotOpen):
        tickets.fulfil(session, block.id, iccid(), **_passport(config), region=None, actor=ACTOR, now=NOW)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda s, t, k: tickets.fulfil(s, t.id, "123", **k, region="RU-MOW", actor=ACTOR, now=NOW),
            InvalidIccid,
        ),
        (
            lambda s, t, k: tickets.fulfil(s, t.id, iccid(), **k, region="RU-SPE", actor=ACTOR, now=NOW),
            tickets.WrongRegion,
        ),
        (
            lambda s, t, k: tickets.fulfil(s, "nope", iccid(), **k, region=None, actor=ACTOR, now=NOW),
            tickets.TicketNotFound,
        ),
        (lambda s, t, k: tickets.cancel(s, t.id, "   ", region="RU-MOW", actor=ACTOR, now=NOW), ValueError),
    ],
)
def test_fulfil_and_cancel_refuse_what_they_must(session, config, ivanov, call, error):
    ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    with pytest.raises(error):
        call(session, ticket, _passport(config))
    session.rollback()
    assert session.get(type(ticket), ticket.id).status is TicketStatus.OPEN


class _Failing:
    sends = True

    def send(self, notification: Notification) -> None:
        raise ConnectionError("gateway down")


def test_delivery_marks_messages_sent_or_failed(session, config, ivanov, caplog, monkeypatch):
    # Alembic's fileConfig (run in-process by the test template) disables existing loggers.
    monkeypatch.setattr(notifications.logger, "disabled", False)
    open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    assert notifications.deliver_queued(session, notifications.OutboxOnly(), NOW) == 0
    assert notifications.deliver_queued(session, _Failing(), NOW) == 0
    note = session.scalar(select(Notification))
    assert note.status is NotificationStatus.QUEUED and note.attempts == 1  # retried later
    note.next_attempt_at = None
    with caplog.at_level("INFO", logger="recovery.claims.notifications"):
        assert notifications.deliver_queued(session, notifications.LoggingBackend(), NOW) == 1
    assert note.status is NotificationStatus.SENT and note.sent_at == NOW
    assert "example.ru" in caplog.text and "ivanov@" not in caplog.text


def test_no_email_on_record_means_no_notification(session, config, ivanov):
    ivanov.email = None
    session.commit()
    open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    assert session.scalar(select(Notification)) is None


def _request(**changes: object) -> ClaimRequest:
    values: dict[str, object] = {
        "msisdn": IVANOV["msisdn"],
        "full_name": IVANOV["full_name"],
        "passport": IVANOV["passport"],
        "action": Action.BLOCK,
        "current_region": "RU-MOW",
    }
    values.update(changes)
    return ClaimRequest(**values)


@pytest.mark.parametrize(
    "request_",
    [
        _request(msisdn="0890"),
        _request(current_region="RU-XXX"),
        _request(lost_at=NOW + timedelta(minutes=1)),
        _request(lost_at=NOW.replace(tzinfo=None)),
        _request(recent_calls=("+79000000001", "+79000000002", "+79000000003", "+79000000004")),
        _request(passport=None),
        _request(passport_digest="ab" * 32),
    ],
)
def test_malformed_claims_are_refused_before_anything_is_recorded(session, config, ivanov, request_):
    with pytest.raises(InvalidClaim):
        submit_claim(session, request_, actor=ACTOR, now=NOW, pii_key=config.PII_KEY)
    session.rollback()
    assert session.scalar(select(Claim)) is None


def test_the_delivery_command_uses_the_configured_backend(app, runner, session, config, ivanov):
    open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    result = runner.invoke(args=["deliver-notifications"])
    assert result.exit_code == 0 and "sent 0" in result.output and "OutboxOnly" in result.output
    app.config["NOTIFICATION_BACKEND"] = "recovery.claims.notifications:LoggingBackend"
    result = runner.invoke(args=["deliver-notifications"])
    assert result.exit_code == 0 and "sent 1" in result.output
    session.expire_all()
    assert session.scalar(select(Notification.status)) is NotificationStatus.SENT

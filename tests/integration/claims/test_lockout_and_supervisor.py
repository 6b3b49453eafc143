"""Lockout after failed claims on any channel; the supervisor's unlock, audit log and outbox."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from recovery import audit
from recovery.claims import lockout
from recovery.claims.actors import Actor
from recovery.claims.submit import ClaimRequest, submit_claim
from recovery.models import Action, ApiRole, AuditEvent, Channel, Claim, Outcome, Unlock
from tests.helpers.claims import UNKNOWN_NUMBER, WizardAnswers, count, open_reissue, submit_wizard
from tests.helpers.people import IVANOV, make_api_client
from tests.helpers.web import bearer, csrf_token, login

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _claim(session, config, now: datetime, passport: str = "1111 111111", msisdn: str = IVANOV["msisdn"]):
    result = submit_claim(
        session,
        ClaimRequest(
            msisdn=msisdn,
            full_name=IVANOV["full_name"],
            passport=passport,
            action=Action.BLOCK,
            current_region="RU-MOW",
            lost_at=now,
        ),
        actor=Actor("test", Channel.API),
        now=now,
        pii_key=config.PII_KEY,
    )
    session.commit()
    return result


def test_five_failures_in_24_hours_lock_until_24_hours_after_the_last(session, config, ivanov):
    for hour in range(5):
        assert _claim(session, config, T0 + timedelta(hours=hour * 5)).outcome is Outcome.REJECTED
    last = T0 + timedelta(hours=20)
    state = lockout.current_lock(session, IVANOV["msisdn"], last + timedelta(hours=1))
    assert state.locked and state.until == last + timedelta(hours=24)
    # Locked: even the right answers are refused, and that refusal does not count as a failure.
    locked = _claim(session, config, last + timedelta(hours=2), passport=IVANOV["passport"])
    assert locked.outcome is Outcome.LOCKED and locked.ticket is None
    assert lockout.recent_failures(session, IVANOV["msisdn"], last + timedelta(hours=2)) == 5
    # A day after the last failure the number opens again.
    after = _claim(session, config, last + timedelta(hours=24, minutes=1), passport=IVANOV["passport"])
    assert after.outcome is Outcome.BLOCK


def test_failures_spread_over_more_than_a_day_do_not_lock(session, config, ivanov):
    for hour in range(5):
        _claim(session, config, T0 + timedelta(hours=hour * 7))
    assert not lockout.current_lock(session, IVANOV["msisdn"], T0 + timedelta(hours=29)).locked


def test_an_unknown_number_locks_like_a_known_one(session, config):
    for minute in range(5):
        _claim(session, config, T0 + timedelta(minutes=minute), msisdn=UNKNOWN_NUMBER)
    assert _claim(session, config, T0 + timedelta(minutes=6), msisdn=UNKNOWN_NUMBER).outcome is Outcome.LOCKED


def test_failures_on_the_web_and_the_api_add_up(app, session, ivanov):
    token = make_api_client(session, ApiRole.AGENT)
    for _ in range(3):
        submit_wizard(app.test_client(), WizardAnswers(passport="1111 111111"))
    bad = {
        "phoneNumber": IVANOV["msisdn"],
        "fullName": IVANOV["full_name"],
        "passport": "1111 111111",
        "currentRegion": "RU-MOW",
        "action": "block",
    }
    client = app.test_client()
    for _ in range(2):
        assert (
            client.post("/api/v1/claims", json=bad, headers=bearer(token)).get_json()["outcome"] == "rejected"
        )
    page = submit_wizard(app.test_client(), WizardAnswers())
    assert "Дистанционная проверка этого номера приостановлена" in page.get_data(as_text=True)
    assert session.scalars(select(Claim.outcome).order_by(Claim.created_at)).all()[-1] is Outcome.LOCKED


def _lock(app, session):
    token = make_api_client(session, ApiRole.AGENT)
    body = {
        "phoneNumber": IVANOV["msisdn"],
        "fullName": IVANOV["full_name"],
        "passport": "1111 111111",
        "currentRegion": "RU-MOW",
        "action": "block",
    }
    client = app.test_client()
    for _ in range(5):
        client.post("/api/v1/claims", json=body, headers=bearer(token))
    return token


def test_a_supervisor_sees_the_lock_and_unlocks_with_a_reason(app, client, session, ivanov, supervisor):
    token = _lock(app, session)
    login(client, supervisor)
    page = client.get("/supervisor/locks").get_data(as_text=True)
    assert "+7 916 123-45-67" in page
    assert "1" in client.get("/supervisor/").get_data(as_text=True)
    missing_reason = client.post(
        "/supervisor/locks/unlock",
        data={"msisdn": IVANOV["msisdn"], "reason": "", "csrf_token": csrf_token(page)},
    )
    assert missing_reason.status_code == 400 and count(session, Unlock) == 0
    response = client.post(
        "/supervisor/locks/unlock",
        data={
            "msisdn": "8 916 123-45-67",
            "reason": "Владелец подтвердил попытки",
            "confirm": "y",
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 302
    unlock = session.scalar(select(Unlock))
    assert unlock.msisdn == IVANOV["msisdn"] and unlock.staff_user_id == supervisor.id
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "number.unlocked"))
    assert event.actor == "staff:supervisor-1" and event.subject == IVANOV["msisdn"]
    client.get("/supervisor/locks")  # shows the flash message once
    assert IVANOV["msisdn"] not in client.get("/supervisor/locks").get_data(as_text=True)
    # The count starts again: one failure does not lock, the right answers pass.
    body = {
        "phoneNumber": IVANOV["msisdn"],
        "fullName": IVANOV["full_name"],
        "passport": IVANOV["passport"],
        "currentRegion": "RU-MOW",
        "action": "block",
    }
    assert client.post("/api/v1/claims", json=body, headers=bearer(token)).get_json()["outcome"] == "block"


def test_unlocking_a_number_that_is_not_locked_changes_nothing(client, session, supervisor):
    login(client, supervisor)
    page = client.get("/supervisor/locks").get_data(as_text=True)
    response = client.post(
        "/supervisor/locks/unlock",
        data={
            "msisdn": IVANOV["msisdn"],
            "reason": "проверка без блокировки номера",
            "confirm": "y",
            "csrf_token": csrf_token(page),
        },
        follow_redirects=True,
    )
    assert "не приостановлена" in response.get_data(as_text=True)
    assert count(session, Unlock) == 0


def test_audit_search_and_csv_export(client, session, ivanov, supervisor):
    submit_wizard(client, WizardAnswers())
    audit.record(session, actor="=cmd|' /C calc'!A0", action="test.injection", channel="cli")
    session.commit()
    login(client, supervisor)
    page = client.get("/supervisor/audit", query_string={"text": IVANOV["msisdn"]}).get_data(as_text=True)
    assert "claim.submitted" in page and "staff.login" not in page
    by_action = client.get("/supervisor/audit", query_string={"action": "ticket."}).get_data(as_text=True)
    assert "ticket.opened" in by_action and "claim.submitted" not in by_action
    assert client.get("/supervisor/audit", query_string={"date_from": "not a date"}).status_code == 400

    export = client.get("/supervisor/audit.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    actions = {row["action"] for row in rows}
    assert {"claim.submitted", "ticket.opened", "staff.login"} <= actions
    injected = next(row for row in rows if row["action"] == "test.injection")
    assert injected["actor"].startswith("'=")
    session.expire_all()
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported")) is not None
    only_tickets = client.get("/supervisor/audit.csv", query_string={"action": "ticket."}).get_data(
        as_text=True
    )
    assert "claim.submitted" not in only_tickets


def test_the_audit_log_pages_through_many_events(client, session, supervisor):
    for n in range(60):
        audit.record(session, actor="cli", action=f"test.page{n}", channel="cli")
    session.commit()
    login(client, supervisor)
    first = client.get("/supervisor/audit", query_string={"action": "test."}).get_data(as_text=True)
    assert 'data-action="test.page59"' in first and 'data-action="test.page0"' not in first
    assert "page=2" in first and "Старше" in first
    second = client.get("/supervisor/audit", query_string={"action": "test.", "page": 2})
    assert second.status_code == 200 and 'data-action="test.page0"' in second.get_data(as_text=True)


def test_a_large_export_is_read_in_batches(client, session, supervisor, monkeypatch):
    from recovery.supervisor import routes

    monkeypatch.setattr(routes, "EXPORT_BATCH", 2)
    for n in range(5):
        audit.record(session, actor="cli", action=f"test.event{n}", channel="cli")
    session.commit()
    login(client, supervisor)
    rows = list(csv.DictReader(io.StringIO(client.get("/supervisor/audit.csv").get_data(as_text=True))))
    ids = [int(row["id"]) for row in rows]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert {f"test.event{n}" for n in range(5)} <= {row["action"] for row in rows}


def test_an_export_left_unread_disturbs_no_later_request(client, session, supervisor):
    login(client, supervisor)
    client.get("/supervisor/audit.csv")  # the body is never read
    assert client.get("/supervisor/").status_code == 200
    assert client.get("/supervisor/audit").status_code == 200


def test_the_outbox_and_the_queues(client, session, config, ivanov, supervisor):
    ticket = open_reissue(session, config.PII_KEY, ivanov, IVANOV["calls"])
    login(client, supervisor)
    outbox = client.get("/supervisor/outbox").get_data(as_text=True)
    assert "i•••@example.ru" in outbox and "ivanov@example.ru" not in outbox and ticket.reference in outbox
    dashboard = client.get("/supervisor/").get_data(as_text=True)
    assert "Москва" in dashboard and "/supervisor/queues/RU-MOW" in dashboard
    queue = client.get("/supervisor/queues/RU-MOW").get_data(as_text=True)
    assert ticket.reference in queue
    assert client.get("/supervisor/queues/NOWHERE").status_code == 404

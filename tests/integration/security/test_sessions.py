"""Staff sessions end when idle (STAFF_IDLE_MINUTES) or after a shift (STAFF_SESSION_MAX_HOURS)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from recovery.models import AuditEvent, StaffRole
from recovery.security.sessions import STAFF_SEEN_AT, STAFF_SINCE
from tests.helpers.people import make_staff

#: These tests drive the probe routes (tests/helpers/probes.py).
pytestmark = pytest.mark.probes


def _sign_in(client, user_id: str, seen_minutes_ago: float | None, since_hours_ago: float = 1) -> None:
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user_id
        flask_session["_fresh"] = True
        flask_session[STAFF_SINCE] = int(time.time() - since_hours_ago * 3600)
        if seen_minutes_ago is not None:
            flask_session[STAFF_SEEN_AT] = int(time.time() - seen_minutes_ago * 60)


def test_an_active_staff_session_continues_and_is_stamped(client, session):
    agent = make_staff(session, StaffRole.AGENT)
    _sign_in(client, agent.get_id(), seen_minutes_ago=29)
    before = time.time()
    assert client.get("/probe/staff").get_data(as_text=True) == "staff page"
    with client.session_transaction() as flask_session:
        assert flask_session[STAFF_SEEN_AT] >= int(before)
    assert session.scalars(select(AuditEvent)).all() == []


def test_an_idle_staff_session_is_signed_out_and_audited(client, session):
    agent = make_staff(session, StaffRole.AGENT)
    _sign_in(client, agent.get_id(), seen_minutes_ago=31)
    response = client.get("/probe/staff")
    assert response.status_code == 401  # the login feature will turn this into a redirect to sign in
    assert "завершили сеанс" in response.get_data(as_text=True)  # the flash message
    with client.session_transaction() as flask_session:
        assert "_user_id" not in flask_session
        assert STAFF_SEEN_AT not in flask_session
    event = session.scalars(select(AuditEvent)).one()
    assert (event.actor, event.action, event.details) == (
        agent.get_id(),
        "staff.session_expired",
        {"reason": "idle", "idle_minutes": 31},
    )


def test_a_staff_session_ends_after_a_shift_however_active(client, session):
    agent = make_staff(session, StaffRole.AGENT)
    _sign_in(client, agent.get_id(), seen_minutes_ago=1, since_hours_ago=12.1)
    response = client.get("/probe/staff")
    assert response.status_code == 401
    assert "Сеанс завершён" in response.get_data(as_text=True)
    assert session.scalars(select(AuditEvent.details)).one()["reason"] == "lifetime"


def test_the_first_request_after_sign_in_starts_the_clocks(client, session):
    agent = make_staff(session, StaffRole.AGENT)
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = agent.get_id()
    assert client.get("/probe/staff").status_code == 200
    with client.session_transaction() as flask_session:
        assert flask_session[STAFF_SINCE] == flask_session[STAFF_SEEN_AT]


def test_the_idle_limit_comes_from_config(app, client, session):
    app.config["STAFF_IDLE_MINUTES"] = 5
    agent = make_staff(session, StaffRole.AGENT)
    _sign_in(client, agent.get_id(), seen_minutes_ago=6)
    assert client.get("/probe/staff").status_code == 401


def test_account_holders_are_not_signed_out_by_the_staff_rule(client):
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = "account:7"
        flask_session[STAFF_SEEN_AT] = int(time.time() - 3 * 3600)
    client.get("/")
    with client.session_transaction() as flask_session:
        assert flask_session["_user_id"] == "account:7"

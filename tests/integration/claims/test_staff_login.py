"""Staff sign-in: argon2, one answer for every failure, the failed-login lock, audit, sign-out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recovery.models import AuditEvent, StaffRole, StaffUser
from recovery.staff.routes import STAFF_MAX_FAILED_LOGINS
from tests.factories import make_staff
from tests.integration.claims.conftest import csrf_token, login, post_form

GENERIC = "Неверный логин или пароль."


@pytest.fixture
def config(config):
    """The database's lockout is what these tests watch; the login rate limits (five a minute per
    login) would answer the sixth try first. They are tested in tests/integration/security."""
    config.RATELIMIT_ENABLED = False
    return config


@pytest.mark.parametrize(
    ("role", "region", "home"),
    [
        (StaffRole.AGENT, None, "/agent/"),
        (StaffRole.OFFICE, "RU-MOW", "/office/"),
        (StaffRole.SUPERVISOR, None, "/supervisor/"),
    ],
)
def test_each_role_lands_on_its_page_and_the_login_is_audited(client, session, role, region, home):
    user = make_staff(session, role, region=region)
    response = login(client, user)
    assert response.status_code == 302 and response.headers["Location"] == home
    assert client.get(home).status_code == 200
    session.expire_all()
    assert session.get(StaffUser, user.id).last_login_at is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.login"))
    assert event.actor == f"staff:{user.login}" and event.ip == "127.0.0.1"


def test_a_wrong_password_and_an_unknown_login_get_the_same_answer(client, session, agent):
    wrong = login(client, agent, password="wrong-password-1")
    unknown = post_form(client, "/staff/login", "/staff/login", {"login": "nobody", "password": "whatever-1"})
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.get_data(as_text=True) and GENERIC in unknown.get_data(as_text=True)
    session.expire_all()
    assert session.get(StaffUser, agent.id).failed_logins == 1
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.login_failed")).all()
    assert [e.actor for e in events] == ["staff:agent-1", "anonymous"]
    assert all("nobody" not in str(e.details) and e.subject != "nobody" for e in events)


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, session, agent):
    for _ in range(STAFF_MAX_FAILED_LOGINS):
        login(client, agent, password="wrong-password-1")
    session.expire_all()
    assert session.get(StaffUser, agent.id).locked_until is not None
    response = login(client, agent)
    assert response.status_code == 200 and GENERIC in response.get_data(as_text=True)
    assert client.get("/agent/").status_code == 302


def test_a_success_resets_the_failure_count(client, session, agent):
    login(client, agent, password="wrong-password-1")
    login(client, agent)
    session.expire_all()
    assert session.get(StaffUser, agent.id).failed_logins == 0


def test_a_disabled_account_cannot_sign_in(client, session, agent):
    agent.is_enabled = False
    session.commit()
    assert login(client, agent).status_code == 200
    assert client.get("/agent/").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/agent/claims/x", "/agent/claims/x"),
        ("https://evil.example/", "/agent/"),
        ("//evil.example", "/agent/"),
    ],
)
def test_next_is_followed_only_to_a_local_path(client, agent, next_url, expected):
    page = client.get(f"/staff/login?next={next_url}").get_data(as_text=True)
    response = client.post(
        "/staff/login",
        data={
            "login": agent.login,
            "password": "correct-horse-battery",
            "next": next_url,
            "csrf_token": csrf_token(page),
        },
    )
    assert response.headers["Location"] == expected


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/agent/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login?next=")
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Войдите, чтобы открыть эту страницу." in login_page


def test_logout_is_a_post_with_csrf_and_audited(client, session, agent):
    login(client, agent)
    page = client.get("/agent/").get_data(as_text=True)
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400
    response = client.post("/staff/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/staff/login"
    assert client.get("/agent/").status_code == 302
    assert (
        session.scalar(select(AuditEvent.actor).where(AuditEvent.action == "staff.logout")) == "staff:agent-1"
    )


def test_login_needs_csrf(client, agent):
    response = client.post("/staff/login", data={"login": agent.login, "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert client.get("/agent/").status_code == 302

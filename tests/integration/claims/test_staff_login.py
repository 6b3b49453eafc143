"""Staff sign-in: argon2, one answer for every failure, a captcha (no lock) after failures, audit."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from recovery.models import AuditEvent, LoginFailure, StaffRole, StaffUser
from recovery.security import throttle
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.people import STAFF_PASSWORD, make_staff
from tests.helpers.web import csrf_token, login, post_form, without_tokens

GENERIC = "Неверный логин или пароль."


@pytest.fixture
def config(config):
    """The database's throttles are what these tests watch; the login rate limits (five a minute per
    login and address) would answer first. They are tested in tests/integration/security."""
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


ASKS_CAPTCHA = "Введите и символы с картинки"


def staff_try(client, login_name: str, password: str, ip: str, captcha: str | None = None):
    """A sign-in from ``ip`` (with the picture's characters, if given)."""
    data = {"login": login_name, "password": password}
    if captcha is not None:
        data["captcha"] = captcha
    return post_form(client, "/staff/login", "/staff/login", data, environ_base={"REMOTE_ADDR": ip})


def staff_like_a_person(client, login_name: str, password: str, ip: str):
    """Sign in; when the form asks for the picture's characters, read them (test-only hook) and resend."""
    response = staff_try(client, login_name, password, ip)
    if response.status_code == 200 and ASKS_CAPTCHA in response.get_data(as_text=True):
        answer = client.get("/dev/captcha-answer").get_data(as_text=True)
        response = staff_try(client, login_name, password, ip, captcha=answer)
    return response


def test_repeated_failures_ask_for_a_captcha_not_a_lock(app, client, session, agent):
    # Was: five wrong passwords locked the account, even for the right one, from anywhere.
    for n in range(throttle.CAPTCHA_AFTER + 2):
        staff_like_a_person(app.test_client(), agent.login, "wrong-password-1", ip=f"192.0.2.{n + 1}")
    session.expire_all()
    assert session.get(StaffUser, agent.id).locked_until is None
    asked = staff_try(client, agent.login, STAFF_PASSWORD, ip="192.0.2.99")
    assert asked.status_code == 200 and ASKS_CAPTCHA in asked.get_data(as_text=True)
    assert client.get("/agent/").status_code == 302  # the password alone was not enough
    answer = client.get("/dev/captcha-answer").get_data(as_text=True)
    response = staff_try(client, agent.login, STAFF_PASSWORD, ip="192.0.2.99", captcha=answer)
    assert response.status_code == 302 and response.headers["Location"] == "/agent/"


def test_an_attacker_on_five_addresses_cannot_lock_a_member_of_staff_out(app, session, agent):
    # Issue 13.4: 10 wrong passwords from 5 addresses, the attacker solving every captcha.
    for n in range(10):
        response = staff_like_a_person(
            app.test_client(), agent.login, f"guess-{n}-1", ip=f"203.0.113.{n % 5 + 1}"
        )
        assert response.status_code == 200 and GENERIC in response.get_data(as_text=True)
    owner = app.test_client()
    response = staff_like_a_person(owner, agent.login, STAFF_PASSWORD, ip="203.0.113.6")
    assert response.status_code == 302 and response.headers["Location"] == "/agent/"
    assert owner.get("/agent/").status_code == 200


def test_an_attackers_own_address_is_throttled_for_the_login(app, agent):
    attacker = app.test_client()
    for n in range(throttle.MAX_PER_LOGIN_AND_ADDRESS):
        assert staff_like_a_person(attacker, agent.login, f"guess-{n}-1", ip="203.0.113.7").status_code == 200
    assert staff_try(attacker, agent.login, STAFF_PASSWORD, ip="203.0.113.7").status_code == 429
    assert (
        staff_like_a_person(app.test_client(), agent.login, STAFF_PASSWORD, ip="203.0.113.8").status_code
        == 302
    )


def test_an_address_failing_on_many_logins_is_throttled(app, agent):
    attacker = app.test_client()
    for n in range(throttle.MAX_PER_ADDRESS):
        assert staff_try(attacker, f"someone-{n}", "guess-1", ip="203.0.113.9").status_code == 200
    assert staff_try(attacker, agent.login, STAFF_PASSWORD, ip="203.0.113.9").status_code == 429
    assert staff_try(app.test_client(), agent.login, STAFF_PASSWORD, ip="203.0.113.10").status_code == 302


def test_an_unknown_login_is_throttled_alike(app, agent):
    # The captcha and its wording come for a login that does not exist just as for one that does.
    pages = {}
    for name in (agent.login, "nobody-here"):
        for n in range(throttle.CAPTCHA_AFTER):
            staff_try(app.test_client(), name, "wrong-password-1", ip=f"192.0.2.{n + 1}")
        asked = staff_try(app.test_client(), name, "wrong-password-1", ip="192.0.2.50")
        assert asked.status_code == 200
        pages[name] = without_tokens(asked.get_data(as_text=True)).replace(name, "LOGIN")
    assert ASKS_CAPTCHA in pages["nobody-here"]
    assert pages[agent.login] == pages["nobody-here"]


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


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrency needs PostgreSQL (TEST_DATABASE_URL)")
def test_parallel_wrong_passwords_get_no_more_checks_than_serial_ones(app, session, agent):
    # Twenty guesses at one staff login from twenty addresses, released together: the login's
    # guard row makes them take turns, so three passwords are checked and the rest see the captcha.
    guesses = 20
    barrier = threading.Barrier(guesses)

    def guess(n: int) -> str:
        client = app.test_client()
        environ = {"REMOTE_ADDR": f"203.0.113.{n + 1}"}
        token = csrf_token(client.get("/staff/login", environ_base=environ).get_data(as_text=True))
        data = {"login": agent.login, "password": f"guess-{n}-abcdef", "csrf_token": token}
        barrier.wait()
        response = client.post("/staff/login", data=data, environ_base=environ)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    with ThreadPoolExecutor(guesses) as pool:
        pages = list(pool.map(guess, range(guesses)))
    session.expire_all()
    counted = session.scalar(select(func.count()).select_from(LoginFailure))
    assert counted == throttle.CAPTCHA_AFTER
    assert sum(ASKS_CAPTCHA in page for page in pages) == guesses - throttle.CAPTCHA_AFTER

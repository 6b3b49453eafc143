"""Login with number and password, its throttles, and logout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery.account.registration import LOGIN_PAUSE, MAX_FAILED_LOGINS
from recovery.models import Account, AuditEvent, SimStatus

from .conftest import PASSWORD, csrf_token, log_in_as, without_tokens

NUMBER = "+79161234567"


def post_login(client, phone, password, ip="127.0.0.1", next_url=None):
    page = client.get("/account/login").get_data(as_text=True)
    url = "/account/login" + (f"?next={next_url}" if next_url else "")
    return client.post(
        url,
        data={"csrf_token": csrf_token(page), "phone": phone, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def refreshed(session, account) -> Account:
    session.expire_all()
    return session.get(Account, account.id)


def test_a_holder_logs_in_with_number_and_password(client, session, account, clock):
    response = post_login(client, "8 916 123 45 67", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    assert refreshed(session, account).last_login_at == clock.current
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.subject, event.channel) == ("account.login", NUMBER, "account")


def test_a_wrong_password_and_an_unknown_number_get_the_same_answer(client, session, account):
    wrong = post_login(client, NUMBER, "not-the-password")
    unknown = post_login(client, "+79031112233", PASSWORD)
    assert wrong.status_code == unknown.status_code == 200
    assert "Неверный номер или пароль" in wrong.get_data(as_text=True)
    assert without_tokens(wrong.get_data(as_text=True)) == without_tokens(unknown.get_data(as_text=True))
    assert refreshed(session, account).failed_logins == 1
    failures = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.login_failed")).all()
    assert [event.details["reason"] for event in failures] == ["password", "unknown"]


def test_failed_logins_are_counted_and_pause_the_number(client, session, account, clock):
    account.failed_logins = MAX_FAILED_LOGINS - 1
    account.last_failed_login_at = clock.current - timedelta(minutes=1)
    session.commit()
    post_login(client, NUMBER, "not-the-password")
    assert refreshed(session, account).failed_logins == MAX_FAILED_LOGINS

    # Paused: even the right password is refused, with the same message.
    response = post_login(client, NUMBER, PASSWORD, ip="127.0.0.2")
    assert response.status_code == 200 and "Неверный номер или пароль" in response.get_data(as_text=True)

    clock.advance(seconds=LOGIN_PAUSE.total_seconds())
    response = post_login(client, NUMBER, PASSWORD, ip="127.0.0.3")
    assert response.status_code == 302
    assert refreshed(session, account).failed_logins == 0


def test_a_quiet_spell_starts_the_count_again(client, session, account, clock):
    account.failed_logins = 4
    account.last_failed_login_at = clock.current - LOGIN_PAUSE
    session.commit()
    post_login(client, NUMBER, "not-the-password")
    assert refreshed(session, account).failed_logins == 1


def test_logins_are_throttled_per_ip(client, account):
    for _ in range(5):
        assert post_login(client, f"+7903111223{_}", "whatever-else").status_code == 200
    response = post_login(client, NUMBER, PASSWORD)
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)


def test_logins_are_throttled_per_number_whatever_the_ip(client, account):
    for n in range(5):
        assert post_login(client, NUMBER, "not-the-password", ip=f"127.0.1.{n}").status_code == 200
    assert post_login(client, NUMBER, PASSWORD, ip="127.0.1.99").status_code == 429
    # Another number from a fresh address is not affected.
    assert post_login(client, "+79031112233", PASSWORD, ip="127.0.1.100").status_code == 200


def test_the_owner_of_a_blocked_sim_can_still_log_in(client, session, account, subscriber):
    subscriber.sims[0].status = SimStatus.BLOCKED
    session.commit()
    assert post_login(client, NUMBER, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/account/details", "/account/details"),
        ("https://evil.example/", "/account/"),
        ("//evil", "/account/"),
    ],
)
def test_login_follows_only_a_local_next(client, account, next_url, location):
    assert post_login(client, NUMBER, PASSWORD, next_url=next_url).headers["Location"] == location


def test_an_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/account/details?kind=sms")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account/details?kind%3Dsms"


def test_logout_is_a_post_with_csrf(client, session, account):
    log_in_as(client, account)
    assert client.get("/account/logout").status_code == 405
    client.post("/account/logout")  # no token: still logged in
    assert client.get("/account/").status_code == 200
    page = client.get("/account/").get_data(as_text=True)
    response = client.post("/account/logout", data={"csrf_token": csrf_token(page)})
    assert response.headers["Location"] == "/account/login"
    assert client.get("/account/").status_code == 302
    assert session.scalars(select(AuditEvent.action)).all() == ["account.logout"]


def test_a_new_session_starts_at_login(client, account):
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by someone else"
        flask_session["lang"] = "en"
    post_login(client, NUMBER, PASSWORD)
    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session
        assert flask_session["lang"] == "en"

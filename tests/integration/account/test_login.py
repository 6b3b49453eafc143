"""Login with number and password, its throttles, and logout."""

from __future__ import annotations

import pytest
from limits import parse_many
from sqlalchemy import select

from recovery.account.login_routes import LOGIN_LIMIT
from recovery.models import Account, AuditEvent, SimStatus
from recovery.security import throttle
from tests.helpers.people import PASSWORD
from tests.helpers.web import csrf_token, log_in_as, without_tokens

NUMBER = "+79161234567"


def post_login(client, phone, password, ip="127.0.0.1", next_url=None, captcha=None):
    page = client.get("/account/login").get_data(as_text=True)
    url = "/account/login" + (f"?next={next_url}" if next_url else "")
    data = {"csrf_token": csrf_token(page), "phone": phone, "password": password}
    if captcha is not None:
        data["captcha"] = captcha
    return client.post(url, data=data, environ_base={"REMOTE_ADDR": ip})


def captcha_answer(client) -> str:
    """The server-side answer of the captcha the client was last shown (the test-only hook)."""
    response = client.get("/dev/captcha-answer")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def login_like_a_person(client, phone, password, ip):
    """Log in; when the form asks for the picture's characters, read them and send the form again."""
    response = post_login(client, phone, password, ip=ip)
    if response.status_code == 200 and "Введите и символы с картинки" in response.get_data(as_text=True):
        response = post_login(client, phone, password, ip=ip, captcha=captcha_answer(client))
    return response


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


def test_failed_logins_ask_for_a_captcha_instead_of_pausing_the_number(client, session, account, clock):
    for n in range(throttle.CAPTCHA_AFTER):
        response = post_login(client, NUMBER, "not-the-password", ip=f"127.0.0.{n + 2}")
        assert "Неверный номер или пароль" in response.get_data(as_text=True)
    assert refreshed(session, account).failed_logins == throttle.CAPTCHA_AFTER
    # The last failure already shows the picture for the next try.
    assert "captcha-image" in response.get_data(as_text=True)

    # From a fresh address the right password alone is not checked: the form asks for the picture.
    owner = client.application.test_client()
    asked = post_login(owner, NUMBER, PASSWORD, ip="127.0.0.50")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "captcha-image" in page and "Введите и символы с картинки" in page
    wrong = post_login(owner, NUMBER, PASSWORD, ip="127.0.0.50", captcha="WRONG")
    assert wrong.status_code == 200 and "Символы не совпадают" in wrong.get_data(as_text=True)
    # With the picture's characters the owner gets in: no lock, no pause.
    response = post_login(owner, NUMBER, PASSWORD, ip="127.0.0.50", captcha=captcha_answer(owner))
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert refreshed(session, account).failed_logins == 0


def test_the_captcha_is_asked_for_an_unknown_number_alike(client):
    # Otherwise the captcha would tell which numbers have accounts.
    unknown = "+79031112233"
    for n in range(throttle.CAPTCHA_AFTER):
        post_login(client, unknown, "not-the-password", ip=f"127.0.0.{n + 2}")
    asked = post_login(client.application.test_client(), unknown, PASSWORD, ip="127.0.0.50")
    assert "Введите и символы с картинки" in asked.get_data(as_text=True)


def test_a_quiet_spell_starts_the_count_again(client, session, account, clock):
    for n in range(throttle.CAPTCHA_AFTER):
        post_login(client, NUMBER, "not-the-password", ip=f"127.0.0.{n + 2}")
    clock.advance(seconds=throttle.WINDOW.total_seconds())
    response = post_login(client.application.test_client(), NUMBER, PASSWORD, ip="127.0.0.50")
    assert response.status_code == 302


def test_logins_are_throttled_per_ip(client, account):
    for _ in range(5):
        assert post_login(client, f"+7903111223{_}", "whatever-else").status_code == 200
    response = post_login(client, NUMBER, PASSWORD)
    assert response.status_code == 429
    assert "Слишком много попыток" in response.get_data(as_text=True)


def test_logins_are_throttled_per_number_from_one_address_not_from_everywhere(client, account):
    # Was: per number whatever the address — which let anyone give the owner a 429.
    allowed = parse_many(LOGIN_LIMIT)[0].amount
    for _ in range(allowed):
        assert post_login(client, NUMBER, "not-the-password", ip="127.0.1.1").status_code == 200
    assert post_login(client, NUMBER, PASSWORD, ip="127.0.1.1").status_code == 429
    # The owner on a fresh address is not refused (the captcha is asked instead) and gets in.
    owner = client.application.test_client()
    assert login_like_a_person(owner, NUMBER, PASSWORD, ip="127.0.1.99").status_code == 302


def test_an_attacker_on_five_addresses_cannot_lock_the_owner_out(app, session, account):
    # Issue 13.4: 10 wrong passwords from 5 addresses (the attacker solving every captcha too).
    for n in range(10):
        attacker = app.test_client()
        response = login_like_a_person(attacker, NUMBER, f"guess-{n}-1234", ip=f"203.0.113.{n % 5 + 1}")
        assert response.status_code == 200 and "Неверный номер или пароль" in response.get_data(as_text=True)
    # The owner, from a sixth address, with the right password and the captcha: in.
    owner = app.test_client()
    response = login_like_a_person(owner, NUMBER, PASSWORD, ip="203.0.113.6")
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert owner.get("/account/").status_code == 200


@pytest.fixture
def database_throttles_only(config):
    """Without Flask-Limiter, so that the database's own throttles answer (they outlast a Redis flush)."""
    config.RATELIMIT_ENABLED = False
    return config


def test_an_attackers_own_address_is_throttled_for_the_number(database_throttles_only, app, account):
    attacker = app.test_client()
    for n in range(throttle.MAX_PER_LOGIN_AND_ADDRESS):
        response = login_like_a_person(attacker, NUMBER, f"guess-{n}-1234", ip="203.0.113.7")
        assert response.status_code == 200
    refused = post_login(attacker, NUMBER, PASSWORD, ip="203.0.113.7")
    assert refused.status_code == 429 and "Слишком много попыток" in refused.get_data(as_text=True)
    # Whoever is elsewhere is not.
    assert login_like_a_person(app.test_client(), NUMBER, PASSWORD, ip="203.0.113.8").status_code == 302


def test_an_address_failing_on_many_numbers_is_throttled(database_throttles_only, app, account):
    attacker = app.test_client()
    for n in range(throttle.MAX_PER_ADDRESS):
        assert post_login(attacker, f"+7903{n:07d}", "guess-1234", ip="203.0.113.9").status_code == 200
    assert post_login(attacker, NUMBER, PASSWORD, ip="203.0.113.9").status_code == 429
    assert post_login(app.test_client(), NUMBER, PASSWORD, ip="203.0.113.10").status_code == 302


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

"""Registration and password recovery: number → captcha → SMS code → password."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from recovery.account import codes
from recovery.formatting import format_phone
from recovery.models import Account, AuditEvent, Captcha, Notification, NotificationStatus, SimStatus, SmsCode
from recovery.security.passwords import verify_password
from tests.helpers.account import Flow, code_in, latest_sms
from tests.helpers.people import PASSWORD, make_subscriber
from tests.helpers.web import csrf_token, log_in_as, without_tokens

NUMBER = "+79161234567"


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def count_sms(session, msisdn: str) -> int:
    """SMS messages queued for delivery to ``msisdn`` (the recipient is encrypted: compared in Python)."""
    session.expire_all()
    queued = session.scalars(
        select(Notification).where(
            Notification.channel == "sms", Notification.status == NotificationStatus.QUEUED
        )
    )
    return sum(1 for message in queued if message.recipient == msisdn)


def actions(session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_subscriber_registers_with_captcha_sms_code_and_password(flow, client, session, subscriber, clock):
    response = flow.submit_number("8 (916) 123-45-67")
    assert response.status_code == 302 and response.headers["Location"] == "/account/verify"
    page = client.get("/account/verify").get_data(as_text=True)
    assert "Если номер +7 916 123-45-67 наш и его SIM-карта действует, на него отправлен код" in page

    sms = latest_sms(session, NUMBER)
    assert "Никому его не сообщайте" in sms
    row = session.scalars(select(SmsCode)).one()
    assert row.code_hash != code_in(sms) and code_in(sms) not in row.code_hash  # stored hashed
    assert row.expires_at == clock.current + codes.CODE_TTL

    response = flow.submit_code(code_in(sms))
    assert response.headers["Location"] == "/account/password/new"
    response = flow.submit_password("violet-tram-1987")
    assert response.status_code == 302 and response.headers["Location"] == "/account/"

    overview = client.get("/account/")
    assert overview.status_code == 200 and "+7 916 123-45-67" in overview.get_data(as_text=True)
    account = session.scalars(select(Account)).one()
    assert account.subscriber_id == subscriber.id
    assert verify_password(account.password_hash, "violet-tram-1987")
    session.expire_all()
    assert session.scalars(select(SmsCode)).one().consumed_at == clock.current
    assert actions(session) == ["account.code_requested", "account.registered"]
    with client.session_transaction() as flask_session:
        # The id carries the session version (recovery/auth.py): raising it ends this session.
        assert flask_session["_user_id"] == f"account:{account.id}:{account.session_version}"


def test_a_wrong_captcha_sends_nothing_and_shows_a_new_picture(flow, client, session, subscriber):
    response = flow.submit_number(NUMBER, answer="WRONG")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Символы не совпадают с картинкой" in page
    assert 'aria-describedby="captcha-help captcha-error"' in page
    assert count(session, SmsCode) == 0 and count(session, Notification) == 0
    # The wrong answer spent its captcha; the page shows a fresh one.
    assert count(session, Captcha, Captcha.used_at.is_not(None)) == 1
    assert count(session, Captcha, Captcha.used_at.is_(None)) == 1


def test_a_captcha_is_good_for_one_try_only(flow, client, session, subscriber):
    page = client.get("/account/register").get_data(as_text=True)
    with client.session_transaction() as flask_session:
        first_id = flask_session["account_captcha"]
    answer = flow.captcha_answer()
    client.post(
        "/account/register", data={"csrf_token": csrf_token(page), "phone": NUMBER, "captcha": "NOPE1"}
    )
    # Replaying the spent captcha with its right answer does not get through.
    page = client.get("/account/register").get_data(as_text=True)
    with client.session_transaction() as flask_session:
        flask_session["account_captcha"] = first_id
    response = client.post(
        "/account/register", data={"csrf_token": csrf_token(page), "phone": NUMBER, "captcha": answer}
    )
    assert response.status_code == 200
    assert count(session, SmsCode) == 0


def test_an_expired_captcha_is_refused(flow, client, session, subscriber, clock):
    page = client.get("/account/register").get_data(as_text=True)
    answer = flow.captcha_answer()
    clock.advance(minutes=5, seconds=1)
    response = client.post(
        "/account/register", data={"csrf_token": csrf_token(page), "phone": NUMBER, "captcha": answer}
    )
    assert response.status_code == 200 and "Символы не совпадают" in response.get_data(as_text=True)
    assert count(session, SmsCode) == 0


def test_the_captcha_picture_is_a_png_for_this_visitor_only(client, app, subscriber):
    page = client.get("/account/register").get_data(as_text=True)
    src = page.split('src="/account/captcha/', 1)[1].split('"', 1)[0]
    response = client.get(f"/account/captcha/{src}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")
    assert response.headers["Cache-Control"] == "no-store"
    assert app.test_client().get(f"/account/captcha/{src}").status_code == 404


def test_a_refreshed_picture_is_a_new_captcha(client, session, subscriber):
    client.get("/account/register")
    with client.session_transaction() as flask_session:
        first = flask_session["account_captcha"]
    client.get("/account/register")
    with client.session_transaction() as flask_session:
        assert flask_session["account_captcha"] != first
    assert count(session, Captcha) == 2


@pytest.mark.parametrize("case", ["unknown", "blocked SIM"])
def test_a_number_that_cannot_register_gets_the_same_answer_as_one_that_can(
    app, session, config, subscriber, case
):
    from tests.helpers.account import Flow

    if case == "unknown":
        other = "+79031112233"
    else:
        other = "+79035550000"
        blocked = make_subscriber(session, config.PII_KEY, msisdn=other, full_name="Сидоров Пётр Ильич")
        blocked.sims[0].status = SimStatus.BLOCKED
        session.commit()

    ours, theirs = Flow(app.test_client()), Flow(app.test_client())
    first, second = ours.submit_number(NUMBER), theirs.submit_number(other)
    assert (first.status_code, first.headers["Location"]) == (second.status_code, second.headers["Location"])
    page_ours = ours.client.get("/account/verify").get_data(as_text=True)
    page_theirs = theirs.client.get("/account/verify").get_data(as_text=True)
    shown_ours, shown_theirs = format_phone(NUMBER), format_phone(other)
    assert without_tokens(page_ours).replace(shown_ours, "N") == without_tokens(page_theirs).replace(
        shown_theirs, "N"
    )
    # Issue 17: a blocked SIM gets no SMS, so every page says what to do then (the same for all numbers).
    assert "Заблокированная SIM-карта (например, после сообщения о потере) не получает SMS" in page_theirs
    assert "SIM-карту разблокируют в любом нашем офисе по паспорту" in page_theirs

    # The same work was done on both paths; only ours got an SMS.
    assert count(session, SmsCode, SmsCode.msisdn == NUMBER) == 1
    assert count(session, SmsCode, SmsCode.msisdn == other) == 1
    assert latest_sms(session, NUMBER) is not None and latest_sms(session, other) is None
    # Guessing a code for a number that is not ours fails like a wrong code.
    response = theirs.submit_code("123456")
    assert "Это не тот код" in response.get_data(as_text=True)
    assert count(session, Account) == 0


def test_a_wrong_code_counts_down_three_attempts(flow, session, subscriber):
    flow.submit_number(NUMBER)
    code = code_in(latest_sms(session, NUMBER))
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert "Осталось попыток: 2" in flow.submit_code(wrong).get_data(as_text=True)
    assert "Осталось попыток: 1" in flow.submit_code(wrong).get_data(as_text=True)
    assert "Запросите новый код" in flow.submit_code(wrong).get_data(as_text=True)
    # Even the right code is refused now.
    response = flow.submit_code(code)
    assert response.status_code == 200 and "Запросите новый код" in response.get_data(as_text=True)
    assert session.scalars(select(SmsCode)).one().attempts == 3
    assert count(session, Account) == 0


def test_an_expired_code_is_refused(flow, session, subscriber, clock):
    flow.submit_number(NUMBER)
    code = code_in(latest_sms(session, NUMBER))
    clock.advance(minutes=5)
    response = flow.submit_code(code)
    assert "Срок действия кода истёк" in response.get_data(as_text=True)
    assert session.scalars(select(SmsCode)).one().consumed_at is None


def test_a_code_works_once(flow, client, session, subscriber):
    flow.submit_number(NUMBER)
    code = code_in(latest_sms(session, NUMBER))
    assert flow.submit_code(code).status_code == 302
    with client.session_transaction() as flask_session:
        flask_session["account_code_for"] = {"msisdn": NUMBER, "purpose": "register"}
    assert "Срок действия кода истёк" in flow.submit_code(code).get_data(as_text=True)


def test_resending_waits_a_minute_and_only_the_latest_code_works(flow, client, session, subscriber, clock):
    flow.submit_number(NUMBER)
    first = code_in(latest_sms(session, NUMBER))
    page = flow.resend()
    assert page.headers["Location"] == "/account/verify"
    assert "через 60" in client.get("/account/verify").get_data(as_text=True)
    assert count(session, SmsCode) == 1

    clock.advance(seconds=61)
    flow.resend()
    assert count(session, SmsCode) == 2
    second = code_in(latest_sms(session, NUMBER))
    if first != second:
        assert "Это не тот код" in flow.submit_code(first).get_data(as_text=True)
    assert flow.submit_code(second).status_code == 302


@pytest.fixture
def database_caps_only(config):
    """The config without Flask-Limiter: the database's own caps answer (``sms_limits`` is tested below)."""
    config.RATELIMIT_ENABLED = False
    return config


def test_at_most_five_codes_an_hour_for_one_number(
    database_caps_only, flow, client, session, subscriber, clock
):
    # The database's hourly cap, beneath the rate limiter's 3 per 10 minutes (which Redis may lose).
    flow.submit_number(NUMBER)
    for _ in range(codes.MAX_CODES_PER_WINDOW - 1):
        clock.advance(seconds=61)
        flow.resend()
    assert count(session, SmsCode) == codes.MAX_CODES_PER_WINDOW
    clock.advance(seconds=61)
    flow.resend()
    assert "Слишком много кодов" in client.get("/account/verify").get_data(as_text=True)
    assert count(session, SmsCode) == codes.MAX_CODES_PER_WINDOW
    # Starting over from step one does not get round the limit either.
    response = flow.submit_number(NUMBER)
    assert response.status_code == 200 and "Слишком много кодов" in response.get_data(as_text=True)

    clock.advance(hours=1)
    flow.resend()
    assert count(session, SmsCode) == codes.MAX_CODES_PER_WINDOW + 1


def test_the_password_step_expires_ten_minutes_after_the_code(flow, session, subscriber, clock):
    flow.submit_number(NUMBER)
    flow.submit_code(code_in(latest_sms(session, NUMBER)))
    clock.advance(minutes=10, seconds=1)
    response = flow.submit_password("violet-tram-1987")
    assert response.status_code == 302 and response.headers["Location"] == "/account/register"
    assert count(session, Account) == 0


def test_the_password_step_needs_a_confirmed_code(client, subscriber):
    assert client.get("/account/password/new").headers["Location"] == "/account/register"
    assert client.get("/account/verify").headers["Location"] == "/account/register"


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short-1", None, "не короче 10 символов"),
        ("qwerty12345", None, "не короче 10 символов"),
        ("qwerty1234", None, "трудно угадать"),  # issue 17: the hint promised it, a hand list let it through
        ("aaaaaaaaaaaa", None, "не короче 10 символов"),
        ("violet-tram-1987", "violet-tram-1988", "Пароли не совпадают"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused(flow, session, subscriber, password, confirm, message):
    flow.submit_number(NUMBER)
    flow.submit_code(code_in(latest_sms(session, NUMBER)))
    response = flow.submit_password(password, confirm)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert count(session, Account) == 0


def test_forgot_password_sets_a_new_one_by_sms(app, session, account):
    from tests.helpers.account import Flow

    account.failed_logins = 7
    session.commit()
    flow = Flow(app.test_client(), start="/account/forgot")
    assert "Восстановление пароля" in flow.client.get("/account/forgot").get_data(as_text=True)
    flow.submit_number("+7 916 1234567")
    flow.submit_code(code_in(latest_sms(session, NUMBER)))
    assert flow.submit_password("new-secret-pass-42").headers["Location"] == "/account/"

    session.expire_all()
    refreshed = session.get(Account, account.id)
    assert verify_password(refreshed.password_hash, "new-secret-pass-42")
    assert not verify_password(refreshed.password_hash, PASSWORD)
    assert refreshed.failed_logins == 0
    assert session.scalars(select(SmsCode)).one().purpose == "reset"
    assert actions(session)[-1] == "account.password_reset"


def test_a_logged_in_holder_is_sent_from_the_login_page_to_the_account(client, account):
    log_in_as(client, account)
    assert client.get("/account/login").headers["Location"] == "/account/"


# --- SMS limits (issue 13.7) -------------------------------------------------------------------------


def _from(n: int) -> dict[str, object]:
    return {"environ_base": {"REMOTE_ADDR": f"198.51.100.{n}"}}


def _register_from(app, number: str, n: int):
    """A fresh browser at the n-th address asks for a code for ``number`` (captcha solved)."""
    client = app.test_client()
    page = client.get("/account/register", **_from(n)).get_data(as_text=True)
    answer = client.get("/dev/captcha-answer", **_from(n)).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "phone": number, "captcha": answer}
    return client, client.post("/account/register", data=data, **_from(n))


def test_a_fourth_sms_to_one_number_within_ten_minutes_is_refused(app, session, subscriber, clock):
    # Past the database's one-minute resend wait each time, well inside the ten minutes.
    for n, path in enumerate(["/account/register", "/account/forgot", "/account/register"]):
        clock.advance(minutes=2)
        client = app.test_client()
        flow = Flow(client, start=path)
        page = client.get(path, **_from(n)).get_data(as_text=True)
        answer = flow.captcha_answer()
        data = {"csrf_token": csrf_token(page), "phone": subscriber.msisdn, "captcha": answer}
        assert client.post(path, data=data, **_from(n)).status_code == 302, n
    clock.advance(minutes=2)
    _, fourth = _register_from(app, "8 916 123-45-67", 9)
    assert fourth.status_code == 429
    page = fourth.get_data(as_text=True)
    assert "Слишком много попыток" in page and "подождите несколько минут" in page
    assert count_sms(session, subscriber.msisdn) == 3


def test_a_resend_counts_towards_the_same_three(app, session, subscriber, clock):
    client, response = _register_from(app, subscriber.msisdn, 1)
    assert response.status_code == 302
    flow = Flow(client)
    for _ in range(2):
        clock.advance(minutes=2)
        assert flow.resend().status_code == 302
    clock.advance(minutes=2)
    refused = flow.resend()
    assert refused.status_code == 429
    assert "Слишком много попыток" in refused.get_data(as_text=True)
    assert count_sms(session, subscriber.msisdn) == 3


def test_a_wrong_captcha_spends_none_of_the_three(app, session, subscriber, clock):
    for n in range(5):
        client = app.test_client()
        page = client.get("/account/register", **_from(n)).get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "phone": subscriber.msisdn, "captcha": "WRONG"}
        assert client.post("/account/register", data=data, **_from(n)).status_code == 200
    for n in range(3):
        clock.advance(minutes=2)
        assert _register_from(app, subscriber.msisdn, 10 + n)[1].status_code == 302


# --- Decoys (issue 13.5) -------------------------------------------------------------------------------


class _Recording:
    """A delivery backend that keeps what it was handed."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        self.sent.append(notification)


def test_a_number_that_is_not_ours_gets_a_decoy_that_is_never_delivered(flow, session, subscriber, clock):
    from recovery.claims.notifications import deliver_queued

    assert flow.submit_number("+79990001122").status_code == 302
    (decoy,) = [n for n in session.scalars(select(Notification)) if n.recipient == "+79990001122"]
    assert decoy.status == NotificationStatus.WITHHELD
    assert not re.search(r"\d{6}", decoy.body)  # no code kept for a stranger's number
    backend = _Recording()
    assert deliver_queued(session, backend, clock.current) == 0
    assert backend.sent == []
    assert latest_sms(session, "+79990001122") is None
    # Ours is queued and delivered as before.
    clock.advance(minutes=2)
    assert Flow(flow.client.application.test_client()).submit_number(NUMBER).status_code == 302
    assert deliver_queued(session, backend, clock.current) == 1
    assert [n.recipient for n in backend.sent] == [NUMBER]

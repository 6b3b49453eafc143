"""Counters that hold under parallel requests (issue 13.3), on PostgreSQL.

Each thread has its own test client (its own app context, session and
connection), as separate gunicorn workers would; the threads share one
browser session by carrying the same session cookie, as an attacker replaying
one cookie from many connections does.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from recovery.account.codes import MAX_CODE_ATTEMPTS
from recovery.models import LoginFailure, Notification, NotificationStatus
from recovery.security.throttle import CAPTCHA_AFTER
from tests.helpers.account import Flow, code_in, latest_sms
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.people import make_subscriber
from tests.helpers.web import csrf_token

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="concurrency needs PostgreSQL (TEST_DATABASE_URL)"),
]
WRONG_CODES = 40
REGISTRATIONS = 20
OURS = "+79161234567"


@pytest.fixture
def config(config):
    # The rate limits would stop most of the parallel requests before they reach the counters
    # under test; they are tested on their own.
    config.RATELIMIT_ENABLED = False
    return config


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _in_parallel(app: Flask, cookie: str, count: int, request: Callable[[FlaskClient, int], object]) -> list:
    """Run ``request(client, n)`` in ``count`` threads sharing one session cookie, released together."""
    barrier = threading.Barrier(count)

    def run(n: int):
        client = app.test_client()
        client.set_cookie("session", cookie)
        barrier.wait()
        return request(client, n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _attempts_left(page: str) -> int | None:
    match = re.search(r"Осталось попыток: (\d+)", page)
    return int(match.group(1)) if match else None


def test_parallel_wrong_codes_spend_the_attempts_once_each(app, session, config):
    make_subscriber(session, config.PII_KEY, msisdn=OURS)
    owner = app.test_client()
    flow = Flow(owner)
    assert flow.submit_number(OURS).status_code == 302
    right = code_in(latest_sms(session, OURS))
    wrong = "000000" if right != "000000" else "111111"
    token = csrf_token(owner.get("/account/verify").get_data(as_text=True))
    cookie = _cookie(owner)

    def guess(client: FlaskClient, _n: int) -> str:
        response = client.post("/account/verify", data={"csrf_token": token, "code": wrong})
        assert response.status_code == 200
        return response.get_data(as_text=True)

    pages = _in_parallel(app, cookie, WRONG_CODES, guess)
    left = [_attempts_left(page) for page in pages]
    # Each attempt is spent once: at most one answer says 2 left, one says 1 left, never more.
    said = sorted(n for n in left if n is not None)
    print(f"answers promising attempts left: {said}")
    assert said == sorted(set(said)), said
    assert all(n < MAX_CODE_ATTEMPTS for n in said)
    assert len(said) <= MAX_CODE_ATTEMPTS - 1
    # After three wrong codes in whatever order, the right one is refused.
    late = app.test_client()
    late.set_cookie("session", cookie)
    response = late.post("/account/verify", data={"csrf_token": token, "code": right})
    assert response.status_code == 200
    assert "Код введён неверно слишком много раз" in response.get_data(as_text=True)
    assert late.get("/account/password/new").status_code == 302


def test_one_solved_captcha_sends_at_most_one_sms(app, session, config):
    numbers = [f"+7916{n:07d}" for n in range(2_000_000, 2_000_000 + REGISTRATIONS)]
    for number in numbers:
        make_subscriber(session, config.PII_KEY, msisdn=number)
    owner = app.test_client()
    page = owner.get("/account/register").get_data(as_text=True)
    answer = Flow(owner).captcha_answer()
    token = csrf_token(page)
    cookie = _cookie(owner)

    def register(client: FlaskClient, n: int) -> int:
        data = {"csrf_token": token, "phone": numbers[n], "captcha": answer}
        return client.post("/account/register", data=data).status_code

    statuses = _in_parallel(app, cookie, REGISTRATIONS, register)
    session.expire_all()
    sent = session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.channel == "sms", Notification.status == NotificationStatus.QUEUED)
    )
    print(f"SMS queued for one captcha: {sent}; statuses {sorted(statuses)}")
    assert sent <= 1
    assert statuses.count(302) == sent


PARALLEL_LOGINS = 20


def test_parallel_failed_logins_are_all_counted(app, session, config):
    """Parallel guesses get no more password checks than serial ones, and none is lost."""
    make_subscriber(session, config.PII_KEY, msisdn=OURS)
    owner = app.test_client()
    token = csrf_token(owner.get("/account/login").get_data(as_text=True))
    cookie = _cookie(owner)

    def guess(client: FlaskClient, n: int) -> tuple[int, str]:
        data = {"csrf_token": token, "phone": OURS, "password": f"guess-{n}-1234"}
        response = client.post("/account/login", data=data)
        assert response.status_code in (200, 429)
        return response.status_code, response.get_data(as_text=True)

    answers = _in_parallel(app, cookie, PARALLEL_LOGINS, guess)
    pages = [page for status, page in answers if status == 200]
    # Once MAX_PER_LOGIN_AND_ADDRESS failures from this address have committed, later guesses
    # from it are refused outright (429) before any password is looked at.
    refused = sum(status == 429 for status, _page in answers)
    checked = sum("Неверный номер или пароль" in page for page in pages)
    asked = sum("Введите и символы с картинки" in page for page in pages)
    session.expire_all()
    counted = session.scalar(select(func.count()).select_from(LoginFailure))
    print(
        f"parallel failed logins: {PARALLEL_LOGINS}; passwords checked {checked}, counted {counted}, "
        f"asked for the captcha {asked}, refused {refused}"
    )
    # The login's guard row makes the attempts take turns: three passwords are checked and
    # counted, exactly as in sequence, and every later guess is asked for the captcha.
    assert counted == checked == CAPTCHA_AFTER
    assert (asked, refused) == (PARALLEL_LOGINS - CAPTCHA_AFTER, 0)
    # And the number now asks for the captcha from any other address (this one failed too often).
    later = app.test_client()
    page = later.get("/account/login").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "phone": OURS, "password": "guess-x-1234"}
    elsewhere = {"environ_base": {"REMOTE_ADDR": "198.51.100.20"}}
    answer = later.post("/account/login", data=data, **elsewhere).get_data(as_text=True)
    assert "Введите и символы с картинки" in answer

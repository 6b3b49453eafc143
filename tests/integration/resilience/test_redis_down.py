"""The rate-limit store (Redis) does not answer: the real routes fail closed where a claim or
an SMS would go out unthrottled, and stay open everywhere else (docs/SECURITY.md §2).

The security package's own tests show the mechanism on probe routes; these
show that each feature's routes are wired to it.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from recovery.models import Notification, SmsCode
from tests.factories import make_subscriber
from tests.integration.account.conftest import PASSWORD, csrf_token, make_account
from tests.integration.security.cast import IVANOV

REDIS_DOWN = "redis://127.0.0.1:1"  # a closed port: the store does not answer


@pytest.fixture
def config(config):
    config.RATELIMIT_STORAGE_URI = REDIS_DOWN
    return config


@pytest.fixture
def subscriber(session, config):
    """The demo owner, with an account."""
    owner = make_subscriber(session, config.PII_KEY, msisdn=IVANOV["msisdn"])
    make_account(session, owner)
    return owner


def _rows(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_registration_sends_no_sms_while_the_store_is_down(client, session, subscriber, caplog):
    page = client.get("/account/register")
    assert page.status_code == 200  # showing the form needs no limit
    answer = client.get("/dev/captcha-answer").get_data(as_text=True)
    with caplog.at_level(logging.ERROR, logger="recovery.security"):
        response = client.post(
            "/account/register",
            data={
                "csrf_token": csrf_token(page.get_data(as_text=True)),
                "phone": IVANOV["msisdn"],
                "captcha": answer,
            },
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Сервис временно недоступен" in response.get_data(as_text=True)
    assert _rows(session, SmsCode) == 0 and _rows(session, Notification) == 0
    assert "fails closed" in caplog.text


def test_password_recovery_and_resend_fail_closed_too(client, session, subscriber):
    page = client.get("/account/forgot").get_data(as_text=True)
    token = csrf_token(page)
    forgot = client.post(
        "/account/forgot", data={"csrf_token": token, "phone": IVANOV["msisdn"], "captcha": "x"}
    )
    assert forgot.status_code == 503
    with client.session_transaction() as flask_session:
        flask_session["account_code_for"] = {"msisdn": IVANOV["msisdn"], "purpose": "register"}
    resend = client.post("/account/verify/resend", data={"csrf_token": token})
    assert resend.status_code == 503
    assert _rows(session, SmsCode) == 0


def test_login_and_pages_stay_open(client, subscriber, caplog):
    with caplog.at_level(logging.WARNING, logger="recovery.security"):
        assert client.get("/").status_code == 200
        page = client.get("/account/login").get_data(as_text=True)
        response = client.post(
            "/account/login",
            data={"csrf_token": csrf_token(page), "phone": IVANOV["msisdn"], "password": PASSWORD},
        )
    # The login is served without limits (its lockout lives in the database).
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert "served without limits" in caplog.text


def test_partner_apis_stay_open(client, session, subscriber):
    from recovery.models import ApiRole
    from tests.api_clients import make_api_client

    token = make_api_client(session, ApiRole.PARTNER)
    response = client.post(
        "/camara/sim-swap/v2/check",
        json={"phoneNumber": IVANOV["msisdn"], "maxAge": 240},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.get_json() == {"swapped": False}

"""The rate-limit store (Redis) does not answer: the real routes fail closed where a claim or
an SMS would go out unthrottled, and stay open everywhere else (docs/SECURITY.md §2).

The security package's own tests show the mechanism on probe routes; these
show that each feature's routes are wired to it.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from recovery.models import Claim, Notification, SimStatus, SmsCode, Subscriber
from tests.helpers.cast import api_claim, console_claim, make_cast
from tests.helpers.claims import WizardAnswers, fill_wizard
from tests.helpers.people import IVANOV, PASSWORD, make_account, make_subscriber
from tests.helpers.web import csrf_token, post_form

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
    from tests.helpers.people import make_api_client

    token = make_api_client(session, ApiRole.PARTNER)
    response = client.post(
        "/camara/sim-swap/v2/check",
        json={"phoneNumber": IVANOV["msisdn"], "maxAge": 240},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.get_json() == {"swapped": False}


# --- The claim routes ---------------------------------------------------------------------------------


@pytest.fixture
def cast(app, session, config):
    """Everyone, signed in, with Иванов's ledger and API tokens."""
    return make_cast(app, session, config.PII_KEY)


def _claims(session) -> int:
    return _rows(session, Claim)


def test_the_wizard_refuses_to_submit_and_keeps_the_answers(app, session, cast):
    client = app.test_client()
    fill_wizard(client, WizardAnswers())  # the steps take no limit: they still work
    response = post_form(client, "/lost/review", "/lost/submit", {})
    assert response.status_code == 503
    assert "0890" in response.get_data(as_text=True)
    assert _claims(session) == 0
    session.expire_all()
    assert session.get(Subscriber, cast.subscriber.id).current_sim.status is SimStatus.ACTIVE
    # The answers wait in the draft: the review page is still there to submit again.
    assert client.get("/lost/review").status_code == 200


def test_api_claims_fail_closed(cast, session):
    response = cast.client("anonymous").post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent"))
    assert response.status_code == 503
    assert response.get_json()["code"] == "UNAVAILABLE"
    assert _claims(session) == 0


def test_the_agent_console_stays_open_so_an_owner_can_block_by_phone(cast, session):
    agent = cast.client("agent")
    response = post_form(agent, "/agent/", "/agent/claims", console_claim(action="block"))
    assert response.status_code == 302
    assert _claims(session) == 1
    session.expire_all()
    assert session.get(Subscriber, cast.subscriber.id).current_sim.status is SimStatus.BLOCKED


def test_staff_login_stays_open(app, cast):
    from tests.helpers.web import login

    user = cast.users["supervisor"]
    assert login(app.test_client(), user).status_code == 302

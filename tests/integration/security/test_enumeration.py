"""Enumeration (ASVS 6.3.8, DESIGN 2.3): an unknown number and a wrong answer look alike —
the same status, the same body and, measured over many interleaved tries, the same time.

The limits (rate limits, the five-failure lock, the SMS resend wait) are moved
out of the way here: they answer both paths alike anyway and are tested on
their own; what is measured is the work each path does.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.factories import make_subscriber
from tests.integration.account.conftest import Clock, csrf_token, without_tokens
from tests.integration.security.timing import compare, timed

OURS = "+79161234567"
UNKNOWN = "+79990001122"


@pytest.fixture
def clock(now) -> Clock:
    """The account's clock, moved on between tries (no resend wait, no hourly cap)."""
    return Clock(now)


@pytest.fixture
def config(config, clock):
    config.CLOCK = clock
    config.RATELIMIT_ENABLED = False
    return config


# --- Registration -----------------------------------------------------------------------------------


class Registration:
    """One browser walking the registration's number and code steps."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def number(self, phone: str):
        """Step one with a solved captcha; returns (seconds, response) of the POST alone."""
        page = self.client.get("/account/register").get_data(as_text=True)
        answer = self.client.get("/dev/captcha-answer").get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "phone": phone, "captcha": answer}
        responses = []
        seconds = timed(lambda: responses.append(self.client.post("/account/register", data=data)))
        return seconds, responses[0]

    def wrong_code(self):
        """Step two with a code that was not sent; returns (seconds, response)."""
        page = self.client.get("/account/verify").get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "code": "000000"}
        responses = []
        seconds = timed(lambda: responses.append(self.client.post("/account/verify", data=data)))
        return seconds, responses[0]


def _alike(page: str, number: str) -> str:
    """A page with its tokens blanked and the number the visitor typed replaced."""
    return without_tokens(page).replace(number, "NUMBER")


def test_registration_answers_an_unknown_number_as_one_of_ours(app, session, config, clock):
    make_subscriber(session, config.PII_KEY, msisdn=OURS)
    ours, stranger = Registration(app.test_client()), Registration(app.test_client())
    pages: dict[str, set[str]] = {"number": set(), "code": set()}

    def attempt(who: Registration, phone: str, step: str) -> float:
        clock.advance(hours=2)  # past the resend wait and the hourly cap of codes
        seconds, response = who.number(phone)
        assert (response.status_code, response.headers["Location"]) == (302, "/account/verify")
        if step == "number":
            pages["number"].add(_alike(who.client.get("/account/verify").get_data(as_text=True), phone))
            return seconds
        seconds, response = who.wrong_code()
        assert response.status_code == 200
        pages["code"].add(_alike(response.get_data(as_text=True), phone))
        return seconds

    number_step = compare(
        "registration, number step (ours vs unknown)",
        lambda n: attempt(ours, OURS, "number"),
        lambda n: attempt(stranger, UNKNOWN, "number"),
    )
    code_step = compare(
        "registration, wrong code (ours vs unknown)",
        lambda n: attempt(ours, OURS, "code"),
        lambda n: attempt(stranger, UNKNOWN, "code"),
    )
    # One page for both numbers at each step: the same words, the same form.
    assert len(pages["number"]) == 1 and len(pages["code"]) == 1
    assert "Это не тот код" in pages["code"].pop()
    assert number_step.alike, number_step
    assert code_step.alike, code_step

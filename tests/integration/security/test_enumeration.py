"""Enumeration (ASVS 6.3.8, DESIGN 2.3): an unknown number and a wrong answer look alike —
the same status, the same body and, measured over many interleaved tries, the same time.

The limits (rate limits, the five-failure lock, the SMS resend wait) are moved
out of the way here: they answer both paths alike anyway and are tested on
their own; what is measured is the work each path does.
"""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.factories import make_subscriber
from tests.integration.account.conftest import Clock, csrf_token, without_tokens
from tests.integration.claims.conftest import WizardAnswers, fill_wizard
from tests.integration.security.cast import api_claim, make_cast
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
    # No lock after five failed claims: every try must reach the verification (a lock answers alike).
    config.MAX_FAILED_CLAIMS = 10_000
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


# --- Claims: the wizard and the API ----------------------------------------------------------------


@pytest.fixture
def cast(app, session, config):
    """Иванов with his ledger, and everyone else."""
    return make_cast(app, session, config.PII_KEY)


#: A wrong detail on a number that is ours: the passport (everything else right).
WRONG_PASSPORT = "4509 000000"


def test_the_wizard_answers_an_unknown_number_as_a_wrong_answer(app, cast):
    pages: dict[str, set[str]] = {"unknown": set(), "wrong": set()}

    def attempt(kind: str) -> float:
        client = app.test_client()
        answers = (
            WizardAnswers(msisdn=UNKNOWN) if kind == "unknown" else WizardAnswers(passport=WRONG_PASSPORT)
        )
        fill_wizard(client, answers)
        token = csrf_token(client.get("/lost/review").get_data(as_text=True))
        responses = []
        seconds = timed(lambda: responses.append(client.post("/lost/submit", data={"csrf_token": token})))
        assert (responses[0].status_code, responses[0].headers["Location"]) == (302, "/lost/result")
        result = client.get("/lost/result")
        assert result.status_code == 200
        pages[kind].add(_alike(result.get_data(as_text=True), answers.msisdn))
        return seconds

    timings = compare(
        "wizard submit (unknown number vs wrong passport)",
        lambda n: attempt("unknown"),
        lambda n: attempt("wrong"),
    )
    assert len(pages["unknown"]) == 1 and pages["unknown"] == pages["wrong"]
    assert timings.alike, timings


def test_the_claims_api_answers_an_unknown_number_as_a_wrong_answer(cast):
    client = cast.client("anonymous")
    bodies: dict[str, set[str]] = {"unknown": set(), "wrong": set()}
    # Every answer wrong, so that the per-answer flags an agent sees are the same too.
    wrong = api_claim(
        fullName="Петров Пётр Петрович",
        passport=WRONG_PASSPORT,
        registeredAddress="г. Тверь, ул. Советская, д. 1, кв. 1",
        recentCalls=["+79000000001", "+79000000002", "+79000000003"],
    )
    claims = {"unknown": {**wrong, "phoneNumber": UNKNOWN}, "wrong": wrong}

    def attempt(kind: str) -> float:
        responses = []
        seconds = timed(
            lambda: responses.append(
                client.post("/api/v1/claims", json=claims[kind], headers=cast.bearer("agent"))
            )
        )
        response = responses[0]
        assert response.status_code == 201
        body = response.get_json()
        assert body["outcome"] == "rejected"
        body.pop("claimId")
        bodies[kind].add(json.dumps(body, sort_keys=True, ensure_ascii=False))
        return seconds

    timings = compare(
        "claims API (unknown number vs wrong answers)",
        lambda n: attempt("unknown"),
        lambda n: attempt("wrong"),
    )
    assert len(bodies["unknown"]) == 1 and bodies["unknown"] == bodies["wrong"], bodies
    assert timings.alike, timings

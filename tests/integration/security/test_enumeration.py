"""Enumeration (ASVS 6.3.8, DESIGN 2.3): an unknown number and one of ours (or a wrong answer)
look alike — the same status, body and cookies, and the same SQL statements in the same order.

The statements stand in for the clock (issue 13, "Done when"): the same
statement texts in the same order do the same work, so the two paths cannot
be told apart by timing them, and the test does not fail when the machine is
busy. The medians are still measured, as a reported figure, by ``make bench``
(``bench/enumeration.py``).

The limits (rate limits, the five-failure lock, the SMS resend wait) are moved
out of the way here: they answer both paths alike anyway and are tested on
their own.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from recovery.formatting import format_phone
from tests.helpers.account import Clock
from tests.helpers.cast import api_claim, make_cast
from tests.helpers.claims import WizardAnswers, fill_wizard
from tests.helpers.people import make_subscriber
from tests.helpers.statements import Statements, captured_statements
from tests.helpers.web import csrf_token, without_tokens

OURS = "+79161234567"
UNKNOWN = "+79990001122"
#: Tries per path: the first warms caches (a first request may read what later ones reuse).
TRIES = 3


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


@dataclass(frozen=True)
class Observed:
    """What one request showed: its statements, and what the visitor saw."""

    statements: Statements
    status: int
    location: str | None
    body: str
    cookies: tuple[str, ...]


def observe(app: Flask, send: Callable[[], TestResponse], number: str) -> Observed:
    """Run ``send`` with its statements captured; the body with tokens and the typed number blanked."""
    with captured_statements(app) as statements:
        response = send()
    cookies = tuple(sorted(header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")))
    return Observed(
        statements,
        response.status_code,
        response.headers.get("Location"),
        _alike(response.get_data(as_text=True), number),
        cookies,
    )


def _alike(page: str, number: str) -> str:
    """A page with its tokens blanked and the number the visitor typed replaced (also as shown, grouped)."""
    return without_tokens(page).replace(number, "NUMBER").replace(format_phone(number), "NUMBER")


def statement_diff(first: Statements, second: Statements) -> str:
    """The two sequences' differences, one statement a line, for a readable failure."""
    return "\n".join(difflib.unified_diff(first, second, "first", "second", lineterm="", n=0))


def assert_same_statements(first: Statements, second: Statements) -> None:
    """The same statement texts in the same order."""
    assert first == second, statement_diff(first, second)


def assert_alike(first: list[Observed], second: list[Observed]) -> None:
    """The last tries of both paths ran the same statements and showed the same answer."""
    a, b = first[-1], second[-1]
    assert (a.status, a.location, a.body, a.cookies) == (b.status, b.location, b.body, b.cookies)
    assert_same_statements(a.statements, b.statements)


# --- Registration and password recovery ----------------------------------------------------------------


class NumberStep:
    """One browser walking step one (number and captcha) and step two (a wrong code)."""

    def __init__(self, app: Flask, start: str) -> None:
        self.app = app
        self.client = app.test_client()
        self.start = start

    def number(self, phone: str) -> Observed:
        """Step one with a solved captcha; only the POST is observed."""
        page = self.client.get(self.start).get_data(as_text=True)
        answer = self.client.get("/dev/captcha-answer").get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "phone": phone, "captcha": answer}
        return observe(self.app, lambda: self.client.post(self.start, data=data), phone)

    def verify_page(self, phone: str) -> Observed:
        """The page that says a code was sent."""
        return observe(self.app, lambda: self.client.get("/account/verify"), phone)

    def wrong_code(self, phone: str) -> Observed:
        """Step two with a code that was not sent."""
        page = self.client.get("/account/verify").get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "code": "000000"}
        return observe(self.app, lambda: self.client.post("/account/verify", data=data), phone)


@pytest.mark.parametrize("start", ["/account/register", "/account/forgot"])
def test_step_one_runs_the_same_statements_for_an_unknown_number_as_for_ours(
    app, session, config, clock, start
):
    make_subscriber(session, config.PII_KEY, msisdn=OURS)
    ours, stranger = NumberStep(app, start), NumberStep(app, start)
    seen: dict[str, list[Observed]] = {"ours": [], "unknown": []}
    for _ in range(TRIES):
        clock.advance(hours=2)  # past the resend wait and the hourly cap of codes
        seen["ours"].append(ours.number(OURS))
        seen["unknown"].append(stranger.number(UNKNOWN))
    assert seen["ours"][-1].location == "/account/verify"
    assert_alike(seen["ours"], seen["unknown"])
    assert_alike([ours.verify_page(OURS)], [stranger.verify_page(UNKNOWN)])


@pytest.mark.parametrize("start", ["/account/register", "/account/forgot"])
def test_a_wrong_code_runs_the_same_statements_for_an_unknown_number_as_for_ours(
    app, session, config, clock, start
):
    make_subscriber(session, config.PII_KEY, msisdn=OURS)
    ours, stranger = NumberStep(app, start), NumberStep(app, start)
    seen: dict[str, list[Observed]] = {"ours": [], "unknown": []}
    for _ in range(TRIES):
        clock.advance(hours=2)
        ours.number(OURS)
        stranger.number(UNKNOWN)
        seen["ours"].append(ours.wrong_code(OURS))
        seen["unknown"].append(stranger.wrong_code(UNKNOWN))
    assert seen["ours"][-1].status == 200 and "Это не тот код" in seen["ours"][-1].body
    assert_alike(seen["ours"], seen["unknown"])


# --- Claims: the wizard and the API ----------------------------------------------------------------


@pytest.fixture
def cast(app, session, config):
    """Иванов with his ledger, and everyone else."""
    return make_cast(app, session, config.PII_KEY)


#: A wrong detail on a number that is ours: the passport (everything else right).
WRONG_PASSPORT = "4509 000000"


def _wizard_submit(app: Flask, answers: WizardAnswers) -> tuple[Observed, Observed]:
    client: FlaskClient = app.test_client()
    fill_wizard(client, answers)
    token = csrf_token(client.get("/lost/review").get_data(as_text=True))
    submit = observe(app, lambda: client.post("/lost/submit", data={"csrf_token": token}), answers.msisdn)
    result = observe(app, lambda: client.get("/lost/result"), answers.msisdn)
    return submit, result


def test_the_wizard_runs_the_same_statements_for_an_unknown_number_as_for_a_wrong_answer(app, cast):
    seen: dict[str, list[tuple[Observed, Observed]]] = {"unknown": [], "wrong": []}
    for _ in range(TRIES):
        seen["unknown"].append(_wizard_submit(app, WizardAnswers(msisdn=UNKNOWN)))
        seen["wrong"].append(_wizard_submit(app, WizardAnswers(passport=WRONG_PASSPORT)))
    unknown, wrong = seen["unknown"][-1], seen["wrong"][-1]
    assert (unknown[0].status, unknown[0].location) == (302, "/lost/result")
    assert_alike([unknown[0]], [wrong[0]])
    assert_alike([unknown[1]], [wrong[1]])


def test_the_claims_api_runs_the_same_statements_for_an_unknown_number_as_for_wrong_answers(app, cast):
    client = cast.client("anonymous")
    # Every answer wrong, so that the per-answer flags an agent sees are the same too.
    wrong = api_claim(
        fullName="Петров Пётр Петрович",
        passport=WRONG_PASSPORT,
        registeredAddress="г. Тверь, ул. Советская, д. 1, кв. 1",
        recentCalls=["+79000000001", "+79000000002", "+79000000003"],
    )
    claims = {"unknown": {**wrong, "phoneNumber": UNKNOWN}, "wrong": wrong}
    seen: dict[str, list[Observed]] = {"unknown": [], "wrong": []}
    bodies: dict[str, set[str]] = {"unknown": set(), "wrong": set()}
    for _ in range(TRIES):
        for kind in ("unknown", "wrong"):
            responses: list[TestResponse] = []

            def send(kind: str = kind, responses: list[TestResponse] = responses) -> TestResponse:
                response = client.post("/api/v1/claims", json=claims[kind], headers=cast.bearer("agent"))
                responses.append(response)
                return response

            seen[kind].append(observe(app, send, str(claims[kind]["phoneNumber"])))
            response = responses[0]
            assert response.status_code == 201
            body = response.get_json()
            assert body["outcome"] == "rejected"
            body.pop("claimId")
            bodies[kind].add(json.dumps(body, sort_keys=True, ensure_ascii=False))
    assert len(bodies["unknown"]) == 1 and bodies["unknown"] == bodies["wrong"], bodies
    a, b = seen["unknown"][-1], seen["wrong"][-1]
    assert (a.status, a.cookies) == (b.status, b.cookies)
    assert_same_statements(a.statements, b.statements)

"""Each feature's routes carry the limits docs/SECURITY.md §2 promises: the wizard, the agent
console, the claims API, staff and account logins, registration, and the partner APIs.

``test_ratelimit.py`` shows how the helpers count on probe routes; these show
that the real routes are wired to them. Limits are read from the named
constants, so the tests follow a change of policy.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from limits import parse_many

from recovery.account.login_routes import CODE_REQUEST_LIMIT
from recovery.camara.common import DEFAULT_PARTNER_RATE_LIMIT
from recovery.security.ratelimit import (
    AGENT_CLAIM_LIMITS_PER_USER,
    API_CLAIM_LIMITS_PER_CLIENT,
    API_LIMITS_PER_IP,
    CLAIM_LIMITS_PER_IP,
    CLAIM_LIMITS_PER_NUMBER,
    LOGIN_LIMITS,
    LOGIN_LIMITS_PER_ACCOUNT,
)
from tests.helpers.cast import Cast, api_claim, console_claim, make_cast
from tests.helpers.claims import WizardAnswers, fill_wizard
from tests.helpers.people import IVANOV
from tests.helpers.web import csrf_token, post_form

REDIS_URL = "redis://127.0.0.1:6379"


def first_limit(limits: str) -> int:
    """How many requests the tightest window of ``limits`` allows ("10 per hour;20 per day" → 10)."""
    return parse_many(limits)[0].amount


def address(n: int) -> dict[str, object]:
    """``environ_base`` for a request from the n-th address of a documentation range."""
    return {"environ_base": {"REMOTE_ADDR": f"198.51.100.{n % 250 + 1}"}}


def unknown_number(n: int) -> str:
    """The n-th number that is not ours."""
    return f"+7999{n:07d}"


@pytest.fixture
def cast(app, session, config) -> Cast:
    """Everyone, signed in, with a subscriber and API tokens."""
    return make_cast(app, session, config.PII_KEY)


def wizard_submit(app: Flask, answers: WizardAnswers, **kwargs: object):
    """A fresh visitor answers every step and submits; returns the submit's response."""
    client = app.test_client()
    fill_wizard(client, answers, **kwargs)
    return post_form(client, "/lost/review", "/lost/submit", {}, **kwargs)


# --- Claims ---------------------------------------------------------------------------------------


def test_the_wizard_is_limited_per_address(app, cast):
    allowed = first_limit(CLAIM_LIMITS_PER_IP)
    for n in range(allowed):
        response = wizard_submit(app, WizardAnswers(msisdn=unknown_number(n)), **address(1))
        assert response.status_code == 302, n
    refused = wizard_submit(app, WizardAnswers(msisdn=unknown_number(allowed)), **address(1))
    assert refused.status_code == 429
    assert "Слишком много попыток" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    # Another address is not affected.
    assert wizard_submit(app, WizardAnswers(msisdn=unknown_number(99)), **address(2)).status_code == 302


def test_the_wizard_is_limited_per_number_whatever_the_address(app, cast):
    allowed = first_limit(CLAIM_LIMITS_PER_NUMBER)
    spellings = ["8 916 123-45-67", "+7 916 1234567", IVANOV["msisdn"]]
    for n in range(allowed):
        wrong = WizardAnswers(msisdn=spellings[n % 3], passport="4509 000000")
        assert wizard_submit(app, wrong, **address(n)).status_code == 302, n
    refused = wizard_submit(app, WizardAnswers(), **address(allowed))
    assert refused.status_code == 429


def test_the_agent_console_is_limited_per_agent(app, cast):
    # The per-agent ceiling of failed numbers (recovery.claims.ceiling) would answer first: this
    # test is about the limiter's wiring, so the ceiling is lifted above the limit here.
    app.config["MAX_FAILED_NUMBERS_PER_CLIENT"] = first_limit(AGENT_CLAIM_LIMITS_PER_USER) + 1
    agent = cast.client("agent")
    token = csrf_token(agent.get("/agent/").get_data(as_text=True))
    allowed = first_limit(AGENT_CLAIM_LIMITS_PER_USER)
    for n in range(allowed):
        data = {**console_claim(msisdn=unknown_number(n), action="block"), "csrf_token": token}
        assert agent.post("/agent/claims", data=data).status_code == 302, n
    data = {**console_claim(msisdn=unknown_number(allowed), action="block"), "csrf_token": token}
    assert agent.post("/agent/claims", data=data).status_code == 429


def test_api_claims_are_limited_per_number(app, cast):
    client = cast.client("anonymous")
    allowed = first_limit(CLAIM_LIMITS_PER_NUMBER)
    wrong = api_claim(passport="4509 000000")
    for n in range(allowed):
        assert client.post("/api/v1/claims", json=wrong, headers=cast.bearer("agent")).status_code == 201, n
    refused = client.post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent"))
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "TOO_MANY_REQUESTS"
    assert int(refused.headers["Retry-After"]) > 0


def test_api_claims_are_limited_per_client(app, cast, session):
    from recovery.models import ApiRole
    from tests.helpers.people import make_api_client

    client = cast.client("anonymous")
    allowed = first_limit(API_CLAIM_LIMITS_PER_CLIENT)
    # Bodies the schema refuses still count: the limit comes before the work.
    for n in range(allowed):
        body = {"phoneNumber": unknown_number(n)}
        assert client.post("/api/v1/claims", json=body, headers=cast.bearer("agent")).status_code == 400
    body = {"phoneNumber": unknown_number(allowed)}
    assert client.post("/api/v1/claims", json=body, headers=cast.bearer("agent")).status_code == 429
    other = {"Authorization": f"Bearer {make_api_client(session, ApiRole.AGENT)}"}
    assert client.post("/api/v1/claims", json=body, headers=other).status_code == 400


# --- Logins and codes ---------------------------------------------------------------------------------


def staff_login(app: Flask, login: str, n: int):
    """A wrong password for ``login`` from the n-th address."""
    client = app.test_client()
    return post_form(
        client, "/staff/login", "/staff/login", {"login": login, "password": "guess-1234"}, **address(n)
    )


def test_staff_logins_are_limited_per_login_typed_from_one_address(app, cast):
    allowed = first_limit(LOGIN_LIMITS_PER_ACCOUNT)
    login = cast.users["agent"].login
    for n in range(allowed):
        assert staff_login(app, login.upper() if n % 2 else login, 3).status_code == 200
    assert staff_login(app, login, 3).status_code == 429
    # From another address the login is not refused (was: 429 whatever the address).
    assert staff_login(app, login, 4).status_code == 200


def test_staff_logins_are_limited_per_address(app, cast):
    allowed = first_limit(LOGIN_LIMITS)
    for n in range(allowed):
        assert staff_login(app, f"someone-{n}", 7).status_code == 200
    assert staff_login(app, "someone-else", 7).status_code == 429
    assert staff_login(app, "someone-else", 8).status_code == 200


def test_registration_codes_are_limited_per_number_whatever_the_address(app, cast):
    allowed = first_limit(CODE_REQUEST_LIMIT)

    def ask(n: int):
        client = app.test_client()
        # A wrong captcha: no SMS goes out, but the request still counts.
        data = {"phone": "8 916 123-45-67", "captcha": "WRONG"}
        return post_form(client, "/account/register", "/account/register", data, **address(n))

    for n in range(allowed):
        assert ask(n).status_code == 200, n
    assert ask(allowed).status_code == 429


def test_partner_apis_count_made_up_tokens_per_address(app, cast):
    client = cast.client("anonymous")
    allowed = first_limit(DEFAULT_PARTNER_RATE_LIMIT)
    body = {"phoneNumber": IVANOV["msisdn"]}
    for n in range(allowed):
        # Made-up tokens share one bucket: their address's (issue 12: no fresh bucket per token).
        headers = {"Authorization": f"Bearer made-up-{n}"}
        assert client.post("/camara/sim-swap/v2/retrieve-date", json=body, headers=headers).status_code == 401
    headers = {"Authorization": "Bearer made-up-once-more"}
    refused = client.post("/camara/sim-swap/v2/retrieve-date", json=body, headers=headers)
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "TOO_MANY_REQUESTS"
    # A real partner at the same address has its own client budget.
    answered = client.post("/camara/sim-swap/v2/retrieve-date", json=body, headers=cast.bearer("partner"))
    assert answered.status_code == 200


def test_partner_apis_have_a_ceiling_per_address(app, cast, session):
    from tests.helpers.people import make_api_client

    client = cast.client("anonymous")
    allowed = first_limit(API_LIMITS_PER_IP)
    per_client = first_limit(DEFAULT_PARTNER_RATE_LIMIT)
    # Many genuine clients behind one address: the address's ceiling still counts them all.
    # (A number each time: one number's own partner budget is far smaller, camara/budget.py.)
    tokens = [make_api_client(session) for _ in range(allowed // per_client + 1)]
    sent = 0
    for token in tokens:
        for _ in range(per_client):
            if sent == allowed:
                break
            headers = {"Authorization": f"Bearer {token}"}
            body = {"phoneNumber": unknown_number(sent)}
            assert client.post("/camara/sim-swap/v2/check", json=body, headers=headers).status_code == 404
            sent += 1
    refused = client.post(
        "/camara/sim-swap/v2/check",
        json={"phoneNumber": unknown_number(sent)},
        headers={"Authorization": f"Bearer {tokens[-1]}"},
    )
    assert refused.status_code == 429


# --- What the store holds -----------------------------------------------------------------------------


@pytest.fixture
def on_redis(config) -> Iterator[str]:
    """The app counts on the local Redis, under a key prefix of this test's own (removed afterwards)."""
    prefix = f"test-{uuid.uuid4().hex}"
    config.RATELIMIT_STORAGE_URI, config.RATELIMIT_KEY_PREFIX = REDIS_URL, prefix
    server = redis.Redis.from_url(REDIS_URL)
    try:
        yield prefix
    finally:
        keys = list(server.scan_iter(match=f"*{prefix}*"))
        if keys:
            server.delete(*keys)
        server.close()


@pytest.mark.redis
def test_the_store_holds_no_number_or_login_in_clear(on_redis, app, cast):
    digits = IVANOV["msisdn"].lstrip("+")
    wizard_submit(app, WizardAnswers(), **address(1))
    cast.client("anonymous").post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent"))
    staff_login(app, cast.users["agent"].login, 1)
    post_form(
        app.test_client(),
        "/account/login",
        "/account/login",
        {"phone": IVANOV["msisdn"], "password": "guess-1234"},
    )
    server = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key.decode() for key in server.scan_iter(match=f"*{on_redis}*")]
    finally:
        server.close()
    assert keys, "nothing was counted in Redis"
    for key in keys:
        assert digits not in key and digits[1:] not in key and cast.users["agent"].login not in key, key

"""Rate limits on memory and on the real Redis: who is counted, what a 429 looks like,
limits shared between app instances, and failing closed (claims) or open (elsewhere)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask.testing import FlaskClient

from recovery.models import ApiRole
from recovery.security.ratelimit import (
    AGENT_CLAIM_LIMITS_PER_USER,
    API_CLAIM_LIMITS_PER_CLIENT,
    API_LIMITS_PER_CLIENT,
)
from tests.helpers.databases import make_config
from tests.helpers.people import add_token, make_api_client
from tests.helpers.web import csrf_token_of

#: These tests drive the probe routes (tests/helpers/probes.py).
pytestmark = pytest.mark.probes

REDIS_URL = "redis://127.0.0.1:6379"
REDIS_DOWN = "redis://127.0.0.1:1"  # a closed port: the store does not answer
NUMBER = "+79161234567"
SAME_NUMBER_TYPED = ["8 (916) 123-45-67", "+7 916 1234567", "79161234567", "89161234567", NUMBER]


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the local Redis; its keys are removed afterwards."""
    prefix = f"test-{uuid.uuid4().hex}"
    server = redis.Redis.from_url(REDIS_URL)
    try:
        yield prefix
    finally:
        keys = list(server.scan_iter(match=f"*{prefix}*"))
        if keys:
            server.delete(*keys)
        server.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest) -> tuple[str, str]:
    """A rate-limit store (URI) and a key prefix of this test's own."""
    if request.param == "memory":
        return "memory://", f"test-{uuid.uuid4().hex}"
    return REDIS_URL, request.getfixturevalue("redis_prefix")


@pytest.fixture
def config(config, store):
    config.RATELIMIT_STORAGE_URI, config.RATELIMIT_KEY_PREFIX = store
    return config


def _claim(client: FlaskClient, token: str, ip: str, number: str = NUMBER):
    return client.post(
        "/probe/claim",
        data={"csrf_token": token, "phone_number": number},
        environ_base={"REMOTE_ADDR": ip},
    )


def _numbers(count: int) -> list[str]:
    return [f"+7916{n:07d}" for n in range(1_000_000, 1_000_000 + count)]


def test_web_claims_are_limited_per_address_with_a_page_and_retry_after(client):
    token = csrf_token_of(client)
    for number in _numbers(10):
        assert _claim(client, token, "198.51.100.7", number).status_code == 200
    refused = _claim(client, token, "198.51.100.7", _numbers(11)[-1])
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    page = refused.get_data(as_text=True)
    assert "Слишком много попыток" in page and "Повторить попытку можно через" in page
    # Another address is not affected.
    assert _claim(client, token, "198.51.100.8", _numbers(12)[-1]).status_code == 200


def test_web_claims_are_limited_per_number_whatever_the_address_or_format(client):
    token = csrf_token_of(client)
    for n in range(10):
        typed = SAME_NUMBER_TYPED[n % len(SAME_NUMBER_TYPED)]
        assert _claim(client, token, f"203.0.113.{n + 1}", typed).status_code == 200
    assert _claim(client, token, "203.0.113.99", "8 916 123 45 67").status_code == 429
    assert _claim(client, token, "203.0.113.99", "+79031112233").status_code == 200


def test_only_submissions_count(client):
    token = csrf_token_of(client)
    for _ in range(15):
        assert client.get("/probe/claim", environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code == 200
    assert _claim(client, token, "198.51.100.9").status_code == 200


def _as(client: FlaskClient, user_id: str) -> None:
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user_id


def test_agent_claims_are_limited_per_agent_never_per_number_or_address(client):
    token = csrf_token_of(client)
    # The web has used up this number's budget …
    for n in range(10):
        assert _claim(client, token, f"203.0.113.{n + 1}").status_code == 200
    assert _claim(client, token, "203.0.113.50").status_code == 429
    # … yet an agent can still take the owner's call about it, from the shared office address.
    allowed = int(AGENT_CLAIM_LIMITS_PER_USER.split()[0])
    data = {"csrf_token": token, "phone_number": NUMBER}
    office = {"REMOTE_ADDR": "10.20.30.40"}
    _as(client, "staff:1")
    for _ in range(allowed):
        assert client.post("/probe/agent-claim", data=data, environ_base=office).status_code == 200
    assert client.post("/probe/agent-claim", data=data, environ_base=office).status_code == 429
    _as(client, "staff:2")  # a colleague at the next desk
    assert client.post("/probe/agent-claim", data=data, environ_base=office).status_code == 200


def test_api_claims_are_limited_per_number_with_the_json_shape(client):
    for _ in range(10):
        response = client.post("/api/probe/claims", json={"phoneNumber": "8 916 123-45-67"})
        assert response.status_code == 201
    refused = client.post("/api/probe/claims", json={"phoneNumber": NUMBER})
    assert refused.status_code == 429
    body = refused.get_json()
    assert (body["status"], body["code"]) == (429, "TOO_MANY_REQUESTS")
    assert int(refused.headers["Retry-After"]) > 0


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_api_claims_are_limited_per_client_whichever_of_its_tokens_is_used(client, session):
    allowed = int(API_CLAIM_LIMITS_PER_CLIENT.split()[0])
    first = make_api_client(session, ApiRole.AGENT, name="bank")
    second = add_token(session, first)
    for n, number in enumerate(_numbers(allowed)):
        bank = _bearer((first, second)[n % 2])
        assert client.post("/api/probe/claims", json={"phoneNumber": number}, headers=bank).status_code == 201
    extra = _numbers(allowed + 3)
    for token in (first, second):
        refused = client.post("/api/probe/claims", json={"phoneNumber": extra[-3]}, headers=_bearer(token))
        assert refused.status_code == 429
    shop = _bearer(make_api_client(session, ApiRole.AGENT, name="shop"))
    assert client.post("/api/probe/claims", json={"phoneNumber": extra[-1]}, headers=shop).status_code == 201


def test_a_json_blueprint_under_api_limits_shares_one_budget_per_client(client, session):
    allowed = int(API_LIMITS_PER_CLIENT.split()[0])
    bank = _bearer(make_api_client(session, ApiRole.PARTNER, name="bank"))
    for n in range(allowed):
        assert client.get(("/api/limited/ping", "/api/limited/pong")[n % 2], headers=bank).status_code == 200
    refused = client.post("/api/limited/pong", headers=bank)
    assert refused.status_code == 429 and refused.get_json()["code"] == "TOO_MANY_REQUESTS"
    other = _bearer(make_api_client(session, ApiRole.PARTNER, name="other"))
    assert client.get("/api/limited/ping", headers=other).status_code == 200


def test_unknown_tokens_share_one_bucket_per_address(client, session):
    # Made-up tokens no longer open a fresh bucket each: they are counted per address.
    allowed = int(API_LIMITS_PER_CLIENT.split()[0])
    for n in range(allowed):
        assert client.get("/api/limited/ping", headers=_bearer(f"made-up-{n}")).status_code == 200
    assert client.get("/api/limited/ping", headers=_bearer("made-up-again")).status_code == 429
    genuine = _bearer(make_api_client(session, ApiRole.PARTNER, name="genuine"))
    assert client.get("/api/limited/ping", headers=genuine).status_code == 200


def test_logins_are_limited_per_account_typed_and_per_address(client):
    token = csrf_token_of(client)
    # Per (login, address): five tries at one login from one address, however it is typed …
    for login in ["olga", "OLGA", " Olga ", "olga", "olga"]:
        response = client.post(
            "/probe/login",
            data={"csrf_token": token, "login": login},
            environ_base={"REMOTE_ADDR": "192.0.2.1"},
        )
        assert response.status_code == 200
    sixth = client.post(
        "/probe/login",
        data={"csrf_token": token, "login": "olga"},
        environ_base={"REMOTE_ADDR": "192.0.2.1"},
    )
    assert sixth.status_code == 429
    # … but the login from another address is not refused: guessing elsewhere cannot 429 the owner.
    elsewhere = client.post(
        "/probe/login",
        data={"csrf_token": token, "login": "olga"},
        environ_base={"REMOTE_ADDR": "192.0.2.50"},
    )
    assert elsewhere.status_code == 200
    # Per address: ten different logins, then the address is throttled.
    for n in range(10):
        data = {"csrf_token": token, "login": f"user{n}"}
        assert (
            client.post("/probe/login", data=data, environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code
            == 200
        )
    data = {"csrf_token": token, "login": "someone-else"}
    assert (
        client.post("/probe/login", data=data, environ_base={"REMOTE_ADDR": "192.0.2.77"}).status_code == 429
    )


def test_sms_codes_are_limited_per_number(client):
    token = csrf_token_of(client)
    for n in range(3):
        data = {"csrf_token": token, "phone_number": SAME_NUMBER_TYPED[n]}
        assert (
            client.post("/probe/sms", data=data, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"}).status_code
            == 200
        )
    data = {"csrf_token": token, "phone_number": NUMBER}
    assert client.post("/probe/sms", data=data, environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 429


def _store_config(database_url: str, store: tuple[str, str]):
    uri, prefix = store
    return make_config(database_url, RATELIMIT_STORAGE_URI=uri, RATELIMIT_KEY_PREFIX=prefix)


def test_limits_are_shared_by_app_instances_on_redis_and_only_there(client, make_app, database_url, store):
    # Two app instances, as two gunicorn workers or two servers would be.
    other = make_app(_store_config(database_url, store)).test_client()
    token, other_token = csrf_token_of(client), csrf_token_of(other)
    for number in _numbers(10):
        assert _claim(client, token, "198.51.100.20", number).status_code == 200
    eleventh = _claim(other, other_token, "198.51.100.20", _numbers(11)[-1])
    shared = store[0].startswith("redis://")
    assert eleventh.status_code == (429 if shared else 200)


@pytest.mark.redis
def test_redis_holds_no_phone_number_in_clear(make_app, database_url, redis_prefix):
    client = make_app(_store_config(database_url, (REDIS_URL, redis_prefix))).test_client()
    assert _claim(client, csrf_token_of(client), "198.51.100.30", "8 916 123-45-67").status_code == 200
    keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(match=f"*{redis_prefix}*")]
    assert any("/number:" in key for key in keys)
    assert not any("9161234567" in key for key in keys)


# --- The store is down -----------------------------------------------------------------------------
@pytest.fixture
def store_down_client(make_app, database_url: str) -> FlaskClient:
    return make_app(make_config(database_url, RATELIMIT_STORAGE_URI=REDIS_DOWN)).test_client()


def test_claims_fail_closed_when_the_store_is_down(store_down_client, caplog):
    client = store_down_client
    token = csrf_token_of(client)
    page = _claim(client, token, "198.51.100.40")
    assert page.status_code == 503
    assert "Сервис временно недоступен" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "30"
    api = client.post("/api/probe/claims", json={"phoneNumber": NUMBER})
    assert (api.status_code, api.get_json()["code"]) == (503, "UNAVAILABLE")
    sms = client.post("/probe/sms", data={"csrf_token": token, "phone_number": NUMBER})
    assert sms.status_code == 503


def test_other_limits_fail_open_when_the_store_is_down(store_down_client, caplog):
    client = store_down_client
    token = csrf_token_of(client)
    with caplog.at_level(logging.WARNING, logger="recovery.security"):
        for _ in range(5):  # the limit is 2 a minute: no limit applies without the store
            assert client.post("/probe/open", data={"csrf_token": token}).status_code == 200
        assert client.post("/probe/login", data={"csrf_token": token, "login": "olga"}).status_code == 200
        _as(client, "staff:1")  # the agent console: the owner's way to block by phone
        agent = client.post("/probe/agent-claim", data={"csrf_token": token, "phone_number": NUMBER})
        assert agent.status_code == 200
        assert client.get("/api/limited/ping").status_code == 200
        assert client.get("/").status_code == 200
    assert "served without limits" in caplog.text


def test_fail_closed_paths_come_from_config(make_app, database_url):
    config = make_config(
        database_url, RATELIMIT_STORAGE_URI=REDIS_DOWN, RATELIMIT_FAIL_CLOSED_PATHS=("/api/limited",)
    )
    client = make_app(config).test_client()
    assert client.get("/api/limited/ping").status_code == 503

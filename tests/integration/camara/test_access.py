"""Access to every partner operation: tokens, scopes, the per-client rate limit and x-correlator."""

from __future__ import annotations

import pytest

from recovery.models import ApiRole
from tests.helpers.camara import CORRELATOR, CamaraCaller, assert_error
from tests.helpers.people import make_api_client

NUMBER = "+79161234567"

#: (path, scope, a valid body) of every partner operation.
OPERATIONS = [
    ("/camara/kyc-match/v0.4/match", "kyc-match:match", {"phoneNumber": NUMBER, "familyName": "Ivanov"}),
    ("/camara/sim-swap/v2/retrieve-date", "sim-swap:retrieve-date", {"phoneNumber": NUMBER}),
    ("/camara/sim-swap/v2/check", "sim-swap:check", {"phoneNumber": NUMBER, "maxAge": 24}),
    (
        "/camara/number-recycling/v0.2/check",
        "number-recycling:check",
        {"phoneNumber": NUMBER, "specifiedDate": "2024-10-31"},
    ),
    (
        "/camara/kyc-tenure/v0.2/check-tenure",
        "kyc-tenure:check-tenure",
        {"phoneNumber": NUMBER, "tenureDate": "2023-07-03"},
    ),
]
PATHS = [path for path, _, _ in OPERATIONS]


@pytest.fixture(params=OPERATIONS, ids=PATHS)
def operation(request):
    return request.param


def test_valid_request_succeeds_and_echoes_the_correlator(camara, subscriber, operation):
    path, _, body = operation
    response = camara.post(path, body)
    assert response.status_code == 200
    assert response.headers["x-correlator"] == CORRELATOR


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Bearer ", "Basic YmFuazpzZWNyZXQ=", "bearer" + " x" * 300],
    ids=["none", "unknown", "empty", "basic", "long"],
)
def test_401_without_a_valid_token(camara, subscriber, operation, authorization):
    path, _, body = operation
    headers = {} if authorization is None else {"Authorization": authorization}
    response = camara.post(path, body, token=None, headers=headers)
    assert_error(response, 401, "UNAUTHENTICATED")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_401_for_a_disabled_client(client, session, subscriber, operation):
    """Our tokens do not expire; a revoked (disabled) client is CAMARA's 'expired token' case."""
    path, _, body = operation
    caller = CamaraCaller(client, make_api_client(session, enabled=False))
    assert_error(caller.post(path, body), 401, "UNAUTHENTICATED")


def test_401_comes_before_checking_the_body(camara, operation):
    path, _, _ = operation
    assert_error(camara.post(path, {"phoneNumber": "nonsense"}, token=None), 401, "UNAUTHENTICATED")


def test_403_without_the_operations_scope(client, session, subscriber, operation):
    path, scope, body = operation
    others = tuple(s for _, s, _ in OPERATIONS if s != scope)
    caller = CamaraCaller(client, make_api_client(session, scopes=others))
    assert_error(caller.post(path, body), 403, "PERMISSION_DENIED")


@pytest.mark.parametrize("role", [ApiRole.AGENT, ApiRole.OFFICE])
def test_403_for_staff_tokens(client, session, subscriber, operation, role):
    path, _, body = operation
    caller = CamaraCaller(client, make_api_client(session, role, region="RU-MOW"))
    assert_error(caller.post(path, body), 403, "PERMISSION_DENIED")


def test_no_correlator_sent_none_returned(camara, subscriber, operation):
    path, _, body = operation
    response = camara.post(path, body, correlator=None)
    assert response.status_code == 200
    assert "x-correlator" not in response.headers


@pytest.mark.parametrize("correlator", ["has space", "x" * 257, "semi;colon\u00e9"])
def test_invalid_correlator_is_refused_and_not_echoed(camara, subscriber, operation, correlator):
    path, _, body = operation
    response = camara.post(path, body, correlator=correlator)
    assert response.status_code == 400
    assert response.get_json()["code"] == "INVALID_ARGUMENT"
    assert "x-correlator" in response.get_json()["message"]
    assert "x-correlator" not in response.headers


def test_per_client_rate_limit_is_shared_by_every_partner_operation(app, client, session, subscriber):
    app.config["PARTNER_RATE_LIMIT"] = f"{len(OPERATIONS) + 1}/minute"
    bank = CamaraCaller(client, make_api_client(session, name="bank"))
    shop = CamaraCaller(client, make_api_client(session, name="shop"))
    for path, _, body in [*OPERATIONS, OPERATIONS[0]]:
        assert bank.post(path, body).status_code == 200
    for path, _, body in OPERATIONS:
        response = bank.post(path, body)
        assert_error(response, 429, "TOO_MANY_REQUESTS")
        assert int(response.headers["Retry-After"]) > 0
    # Another client has its own quota.
    assert shop.post(*OPERATIONS[0][::2]).status_code == 200


def test_wrong_method_names_the_allowed_one(camara, operation):
    path, _, _ = operation
    response = camara.client.get(path)
    assert response.status_code == 405
    assert response.get_json()["code"] == "METHOD_NOT_ALLOWED"
    assert "POST" in response.headers["Allow"]

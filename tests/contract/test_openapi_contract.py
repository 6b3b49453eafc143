"""Contract fuzzing: every operation in /api/v1/openapi.json, run against the live WSGI app.

Schemathesis generates requests from the document (its examples, boundary
values and random data, valid and invalid) and checks each answer: never a
5xx, and status, headers, content type and body as the document says.
Each request carries a token of the role the operation asks for (the
``x-api-client`` extension); the subscriber of the documented example number
is on record, so the examples and rewritten cases reach the success path.
Bounded to a few dozen cases per operation, so the run stays well under a
minute per database.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from recovery import create_app
from recovery.api.auth import CLIENT_EXTENSION
from recovery.models import ApiRole
from tests.helpers.databases import make_config
from tests.helpers.people import make_api_client, make_subscriber

SUBSCRIPTIONS = "/camara/sim-swap-subscriptions/v0.3/subscriptions"
#: The documented creation example (its number is EXAMPLE_NUMBER).
SUBSCRIPTION_EXAMPLE = {
    "protocol": "HTTP",
    "types": ["org.camaraproject.sim-swap-subscriptions.v0.swapped"],
    "config": {"subscriptionDetail": {"phoneNumber": "+79161234567"}},
}
#: The number the documented examples use; seeded so that they succeed.
EXAMPLE_NUMBER = "+79161234567"
MAX_EXAMPLES = 30


@pytest.fixture
def tokens(session) -> dict[str, str]:
    """A bearer token for each API role (office clients work in RU-MOW)."""
    return {role.value: make_api_client(session, role, region="RU-MOW") for role in ApiRole}


@pytest.fixture
def config(database_url):
    """Rate limits off: the per-client limit would answer 429 (documented) to most of the run.
    Sinks as in production (https, public addresses): the document shows the https pattern."""
    return make_config(database_url, RATELIMIT_ENABLED=False, SUBSCRIPTION_SINKS_ALLOW_PRIVATE=False)


@pytest.fixture
def live_app(app, session, config):
    """The app under test, with the subscriber of the documented examples on record."""
    make_subscriber(session, config.PII_KEY, msisdn=EXAMPLE_NUMBER)
    return app


def _document_app() -> Flask:
    """An app built only to serve the document at collection time (it never opens its database)."""
    return create_app(make_config("sqlite://"))


schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    _document_app(),
    config=SchemathesisConfig.from_dict(
        {
            "seed": 20261120,
            # The API refuses NUL in any text (stated in the document's description, a rule
            # JSON Schema cannot express; PostgreSQL cannot store it): test_bad_input.py tests it.
            "generation": {"max-examples": MAX_EXAMPLES, "allow-x00": False},
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


def _token_for(case: Any, tokens: dict[str, str]) -> dict[str, str]:
    requirement = case.operation.definition.raw.get(CLIENT_EXTENSION)
    if requirement is None:
        return {}
    return {"Authorization": f"Bearer {tokens[requirement['role']]}"}


#: 4xx codes a schema-valid request may still earn: rules no JSON Schema expresses.
SEMANTIC_REFUSALS = {
    (400, "KNOW_YOUR_CUSTOMER.INVALID_PARAM_COMBINATION"),  # only phoneNumber
    (422, "MISSING_IDENTIFIER"),  # phoneNumber is optional in CAMARA, needed with two-legged tokens
    # A claim's lostAt in the future or over a year ago; a specifiedDate or tenureDate after today.
    (400, "OUT_OF_RANGE"),
    # SIM Swap Subscriptions: the published enums list protocols, credential and token types that
    # CAMARA answers with their own codes; a sink must also reach a public host.
    (400, "INVALID_PROTOCOL"),
    (400, "INVALID_CREDENTIAL"),
    (400, "INVALID_TOKEN"),
    (400, "INVALID_SINK"),
}
#: Messages of 400 INVALID_ARGUMENT that a schema-valid request may still earn: a time relative to now.
SEMANTIC_MESSAGES = ("is in the past",)


def _call(case: Any, headers: dict[str, str], app: Flask) -> None:
    """Call and validate; a valid request must succeed unless a CAMARA rule refuses it."""
    response = case.call_and_validate(headers=headers, app=app, excluded_checks=[positive_data_acceptance])
    if case.meta.generation.mode.is_positive and response.status_code in (400, 422):
        answer = response.json()
        refusal = (response.status_code, answer.get("code"))
        relative = refusal == (400, "INVALID_ARGUMENT") and any(
            m in answer["message"] for m in SEMANTIC_MESSAGES
        )
        assert refusal in SEMANTIC_REFUSALS or relative, (
            f"valid request refused: {case.body!r} -> {response.text}"
        )


@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, live_app, tokens):
    headers = _token_for(case, tokens)
    _call(case, headers, live_app)
    # Reach the success path with the same generated fields: a random number is rarely ours.
    if case.meta.generation.mode.is_positive and isinstance(case.body, dict) and "phoneNumber" in case.body:
        case.body = {**case.body, "phoneNumber": EXAMPLE_NUMBER}
        _call(case, headers, live_app)
    # A subscription's id is random: reach get and delete with one that exists.
    if case.meta.generation.mode.is_positive and "subscriptionId" in (case.path_parameters or {}):
        create = {**SUBSCRIPTION_EXAMPLE, "sink": "https://sink.bank.example/events"}
        made = live_app.test_client().post(SUBSCRIPTIONS, json=create, headers=headers)
        if made.status_code == 201:
            case.path_parameters = {**case.path_parameters, "subscriptionId": made.get_json()["id"]}
            _call(case, headers, live_app)

"""Text that cannot be encoded (a lone UTF-16 surrogate) is 400 everywhere, never a 500.

JSON may spell a lone surrogate as the escape ``"\\ud800"``; Python decodes it
into a ``str`` that no UTF-8 encoder accepts. The rate limiter keys requests by
the number in the body (a keyed hash of its UTF-8 bytes), so before the fix the
claims API and KYC Match were a 500 in the limiter's key function, before any
view ran. Rate limits are on here: the limiter is the part that broke.
"""

from __future__ import annotations

import pytest

from tests.helpers.cast import Cast, make_cast
from tests.helpers.web import csrf_token_of

LONE_SURROGATE = '"+7916\\ud8001234567"'
LONE_LOW = '"\\udfff"'


@pytest.fixture
def cast(app, session, config) -> Cast:
    return make_cast(app, session, config.PII_KEY)


def _raw_json(**fields: str) -> bytes:
    """A JSON object whose values are given already as JSON text (escapes kept as sent)."""
    return ("{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}").encode()


@pytest.mark.parametrize(
    ("url", "role", "body"),
    [
        ("/api/v1/claims", "agent", _raw_json(phoneNumber=LONE_SURROGATE, fullName='"Иванов"')),
        ("/camara/kyc-match/v0.4/match", "partner", _raw_json(phoneNumber=LONE_SURROGATE, name='"x"')),
        (
            "/camara/kyc-match/v0.4/match",
            "partner",
            _raw_json(phoneNumber='"+79161234567"', name=LONE_LOW),
        ),
        ("/camara/sim-swap/v2/check", "partner", _raw_json(phoneNumber=LONE_SURROGATE)),
        ("/api/v1/claims", "agent", b'{"\\ud800": "key, not value"}'),
    ],
)
def test_a_lone_surrogate_in_a_json_body_is_invalid_argument(cast, url, role, body):
    response = cast.client("anonymous").post(
        url, data=body, content_type="application/json", headers=cast.bearer(role)
    )
    assert response.status_code == 400
    assert response.get_json()["code"] == "INVALID_ARGUMENT"


def test_a_lone_surrogate_is_refused_before_the_token_is_even_looked_at(cast):
    # The hook runs before the limiter and before authentication: any caller gets the same 400.
    response = cast.client("anonymous").post(
        "/api/v1/claims",
        data=_raw_json(phoneNumber=LONE_SURROGATE),
        content_type="application/json",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 400


def test_a_surrogate_in_a_form_is_not_a_server_error(cast):
    # A form cannot carry a lone surrogate as such: its bytes (CESU-8 "\xed\xa0\x80") are invalid
    # UTF-8, read as U+FFFD. The wizard's first step must answer a page, not a 500.
    client = cast.client("anonymous")
    token = csrf_token_of(client)
    body = b"csrf_token=" + token.encode() + b"&msisdn=%2B7916%ED%A0%801234567&full_name=%ED%A0%80"
    response = client.post("/lost", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


def test_a_surrogate_in_a_json_body_of_a_web_form_endpoint_is_refused(cast):
    # The same hook covers the web forms: a JSON body is read there too when it is sent as JSON.
    client = cast.client("anonymous")
    response = client.post("/lost", data=_raw_json(msisdn=LONE_SURROGATE), content_type="application/json")
    assert response.status_code == 400

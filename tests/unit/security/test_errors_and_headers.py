"""Error codes, API paths, security headers and idle time, without an app."""

from __future__ import annotations

import pytest

from recovery.errors import error_code
from recovery.security.headers import CONTENT_SECURITY_POLICY, security_headers
from recovery.security.sessions import staff_session_expiry
from recovery.web import is_api_path

API = ("/api/", "/camara/")


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "INVALID_ARGUMENT"),
        (401, "UNAUTHENTICATED"),
        (403, "PERMISSION_DENIED"),
        (404, "NOT_FOUND"),
        (405, "METHOD_NOT_ALLOWED"),
        (409, "CONFLICT"),
        (413, "PAYLOAD_TOO_LARGE"),
        (429, "TOO_MANY_REQUESTS"),
        (500, "INTERNAL"),
        (503, "UNAVAILABLE"),
        (415, "UNSUPPORTED_MEDIA_TYPE"),
        (422, "UNPROCESSABLE_ENTITY"),
    ],
)
def test_error_codes(status, code):
    assert error_code(status) == code


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/api/v1/claims", True),
        ("/camara/sim-swap/v2/check", True),
        ("/api", False),
        ("/apis/x", False),
        ("/lost", False),
        ("/camara", False),
    ],
)
def test_api_paths_are_whole_segments(path, api):
    assert is_api_path(path, API) is api


def test_the_headers_and_the_exact_policy():
    headers = security_headers({"SECURITY_HSTS": False})
    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


def test_hsts_only_where_enabled():
    headers = security_headers({"SECURITY_HSTS": True, "HSTS_MAX_AGE": 600})
    assert headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


IDLE, MAX_AGE = 30 * 60, 12 * 3600


@pytest.mark.parametrize(
    ("since", "seen_at", "now", "expected"),
    [
        (None, None, 10_000.0, None),  # the first request after sign-in
        (0.0, 9_000.0, 9_000.0 + IDLE, None),  # exactly at the idle limit
        (0.0, 9_000.0, 9_001.0 + IDLE, "idle"),
        (0.0, MAX_AGE - 60.0, MAX_AGE, None),  # busy, within the shift
        (0.0, MAX_AGE, MAX_AGE + 1.0, "lifetime"),  # busy, but past the shift
        (0.0, 100.0, MAX_AGE + 1_000.0, "idle"),  # both: idle is the reason given
    ],
)
def test_staff_session_expiry(since, seen_at, now, expected):
    assert staff_session_expiry(since, seen_at, now, IDLE, MAX_AGE) == expected

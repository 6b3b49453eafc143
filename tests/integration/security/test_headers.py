"""Security headers on every response, and pages that a strict CSP does not break."""

from __future__ import annotations

import re

import pytest

from recovery.security.headers import CONTENT_SECURITY_POLICY
from tests.helpers.databases import make_config

#: These tests drive the probe routes (tests/helpers/probes.py).
pytestmark = pytest.mark.probes

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@pytest.mark.parametrize(
    "path", ["/", "/probe/abort/404", "/api/probe/abort/404", "/healthz", "/static/css/app.css"]
)
def test_every_response_carries_the_security_headers(client, path):
    with client.get(path) as response:
        for name, value in EXPECTED.items():
            assert response.headers[name] == value
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response.headers  # not without HTTPS (development, tests)


def test_pages_are_not_stored_but_static_files_may_be_cached(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/api/probe/abort/404").headers["Cache-Control"] == "no-store"
    for path in ("/static/css/app.css", "/bootstrap/static/css/bootstrap.min.css"):
        with client.get(path) as response:
            assert response.status_code == 200
            assert "no-store" not in response.headers.get("Cache-Control", "")


def test_hsts_is_sent_where_configured(make_app, database_url):
    app = make_app(make_config(database_url, SECURITY_HSTS=True))
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),  # a script without src
    re.compile(r"<style\b", re.IGNORECASE),
    re.compile(r"\sstyle\s*=", re.IGNORECASE),
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),  # onclick=, onload= …
    re.compile(r"javascript:", re.IGNORECASE),
]


@pytest.mark.parametrize("path", ["/", "/probe/abort/404", "/probe/abort/429"])
def test_pages_have_no_inline_script_or_style_for_the_csp_to_block(client, path):
    page = client.get(path).get_data(as_text=True)
    for pattern in INLINE:
        assert not pattern.search(page), pattern.pattern
    # Scripts and styles come from this site only (Bootstrap served locally, no CDN).
    for url in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page):
        assert url.startswith("/"), url

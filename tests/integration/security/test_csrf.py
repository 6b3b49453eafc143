"""CSRF: every form is protected; token-only JSON APIs are exempt by path or by blueprint."""

from __future__ import annotations

import pytest

from tests.helpers.web import csrf_token_of

#: These tests drive the probe routes (tests/helpers/probes.py).
pytestmark = pytest.mark.probes


def test_a_web_form_without_a_token_is_refused(client):
    assert client.post("/probe/form", data={"a": "1"}).status_code == 400


def test_a_web_form_with_the_token_passes(client):
    response = client.post("/probe/form", data={"csrf_token": csrf_token_of(client), "a": "1"})
    assert response.status_code == 200


def test_json_apis_under_api_and_camara_take_no_csrf_token(client):
    response = client.post("/api/probe/echo", json={"phoneNumber": "+79161234567"})
    assert response.status_code == 200
    assert response.get_json() == {"phoneNumber": "+79161234567"}
    assert client.post("/camara/probe/abort/404", json={}).status_code == 404  # not 400 for CSRF


def test_an_api_blueprint_mounted_elsewhere_can_be_exempted(client):
    response = client.post("/partner-feed/push", json={"event": "x"})
    assert response.status_code == 200
    assert response.get_json() == {"accepted": True}

"""The human-readable API reference at /api/v1/docs."""

import re

import pytest


def test_reference_lists_every_operation_of_the_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    methods = ("get", "post", "put", "patch", "delete")  # a path item also holds "parameters"
    operations = [(m.upper(), path) for path, item in document["paths"].items() for m in item if m in methods]
    assert operations
    for method, path in operations:
        assert f"<code>{method} {path}</code>" in page
    assert 'id="schema-ErrorInfo"' in page


def test_reference_is_russian_by_default_and_english_on_request(client):
    russian = client.get("/api/v1/docs").get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Справочник API</h1>", russian)
    assert "<title>Справочник API" in russian
    english = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert re.search(r"<h1[^>]*>API reference</h1>", english)


def test_reference_needs_no_script_and_nothing_from_elsewhere(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    page = response.get_data(as_text=True)
    # No inline script or handler (strict CSP), and every asset served by the app itself.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert re.findall(r'(?:src|href)="(https?:)?//', page) == []


@pytest.mark.parametrize("text", ["x-correlator", "sim-swap:check", "OUT_OF_RANGE", "IDENTIFIER_NOT_FOUND"])
def test_reference_shows_partner_details(client, text):
    assert text in client.get("/api/v1/docs").get_data(as_text=True)

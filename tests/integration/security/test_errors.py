"""Errors: JSON on /api/ and /camara/, a Russian/English page elsewhere, 503 when the database is down."""

from __future__ import annotations

import pytest

from recovery.errors import json_error
from tests.helpers.databases import ON_POSTGRES, make_config
from tests.helpers.web import csrf_token_of

#: These tests drive the probe routes (tests/helpers/probes.py).
pytestmark = pytest.mark.probes

API_CODES = [
    (400, "INVALID_ARGUMENT"),
    (401, "UNAUTHENTICATED"),
    (403, "PERMISSION_DENIED"),
    (404, "NOT_FOUND"),
    (409, "CONFLICT"),
    (413, "PAYLOAD_TOO_LARGE"),
    (429, "TOO_MANY_REQUESTS"),
    (500, "INTERNAL"),
    (503, "UNAVAILABLE"),
]

PAGE_TITLES = [
    (400, "Не удалось обработать запрос", "The request could not be processed"),
    (403, "Доступ запрещён", "Access denied"),
    (404, "Страница не найдена", "Page not found"),
    (413, "Слишком много данных", "Too much data"),
    (429, "Слишком много попыток", "Too many attempts"),
    (500, "Что-то пошло не так", "Something went wrong"),
    (503, "Сервис временно недоступен", "Service temporarily unavailable"),
]


@pytest.mark.parametrize("prefix", ["/api/probe", "/camara/probe"])
@pytest.mark.parametrize(("status", "code"), API_CODES)
def test_api_errors_have_the_json_shape(client, prefix, status, code):
    response = client.get(f"{prefix}/abort/{status}")
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == status and body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert "<" not in body["message"]


def test_unknown_api_paths_and_methods_are_json_too(client):
    missing = client.get("/api/v1/no-such-thing")
    assert (missing.status_code, missing.get_json()["code"]) == (404, "NOT_FOUND")
    wrong_method = client.delete("/api/probe/echo")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["code"] == "METHOD_NOT_ALLOWED"
    assert "POST" in wrong_method.headers["Allow"]


def test_an_api_message_given_by_the_code_reaches_the_client(client):
    body = client.get("/api/probe/explained").get_json()
    assert body == {
        "status": 409,
        "code": "CONFLICT",
        "message": "An open reissue ticket already exists for this number.",
    }


def test_api_401_asks_for_a_bearer_token(client):
    response = client.get("/api/probe/abort/401")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_camara_errors_echo_a_well_formed_x_correlator_only(client):
    good = client.get(
        "/camara/probe/abort/404", headers={"x-correlator": "b4333c46-49c0-4f62-80d7-f0ef930f1c46"}
    )
    assert good.headers["x-correlator"] == "b4333c46-49c0-4f62-80d7-f0ef930f1c46"
    bad = client.get("/camara/probe/abort/404", headers={"x-correlator": "x" * 300})
    assert "x-correlator" not in bad.headers


def test_json_error_helper_builds_the_shape(app):
    with app.test_request_context("/api/v1/claims"):
        response = json_error(400, message="phoneNumber: not a phone number")
        assert response.status_code == 400
        assert response.get_json() == {
            "status": 400,
            "code": "INVALID_ARGUMENT",
            "message": "phoneNumber: not a phone number",
        }
        custom = json_error(404, "IDENTIFIER_NOT_FOUND", "Unknown number.", headers={"X-Test": "1"})
        assert custom.get_json()["code"] == "IDENTIFIER_NOT_FOUND"
        assert custom.headers["X-Test"] == "1"


@pytest.mark.parametrize(("status", "russian", "english"), PAGE_TITLES)
def test_web_errors_are_a_page_in_the_visitors_language(client, status, russian, english):
    ru = client.get(f"/probe/abort/{status}")
    assert ru.status_code == status
    assert ru.mimetype == "text/html"
    page = ru.get_data(as_text=True)
    assert '<html lang="ru">' in page and russian in page and f"Ошибка {status}" in page
    en = client.get(f"/probe/abort/{status}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in en and english in en


@pytest.mark.parametrize("status", [429, 500, 503])
def test_pages_that_might_keep_an_owner_from_blocking_name_the_other_way(client, status):
    page = client.get(f"/probe/abort/{status}").get_data(as_text=True)
    assert "позвоните на 0890" in page


def test_a_web_405_is_a_page_with_allow(client):
    response = client.delete("/probe/form")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "POST" in response.headers["Allow"]
    assert "Это действие здесь недоступно" in response.get_data(as_text=True)


def test_an_expired_form_says_so(client):
    response = client.post("/probe/form", data={"csrf_token": "stale"})
    assert response.status_code == 400
    assert "Срок действия формы истёк" in response.get_data(as_text=True)


@pytest.mark.parametrize(("path", "json"), [("/probe/form", False), ("/api/probe/echo", True)])
def test_a_body_over_max_content_length_is_413(client, path, json):
    token = csrf_token_of(client)
    big = "x" * (65 * 1024)
    if json:
        response = client.post(path, json={"padding": big})
        assert response.get_json()["code"] == "PAYLOAD_TOO_LARGE"
    else:
        response = client.post(path, data={"csrf_token": token, "padding": big})
        assert "Слишком много данных" in response.get_data(as_text=True)
    assert response.status_code == 413


def test_an_unhandled_exception_is_a_500_page_without_the_details(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    response = client.get("/probe/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Что-то пошло не так" in page
    assert "4509" not in page and "RuntimeError" not in page


UNREACHABLE_DATABASES = [
    pytest.param("sqlite:///{tmp}/no-such-dir/x.sqlite3", id="sqlite-missing-file"),
    pytest.param("postgresql+psycopg://postgres@127.0.0.1:1/nothing", id="postgres-closed-port"),
]


@pytest.mark.parametrize("url", UNREACHABLE_DATABASES)
def test_a_database_that_does_not_answer_is_503_not_500(make_app, tmp_path, url):
    app = make_app(make_config(url.format(tmp=tmp_path)))
    client = app.test_client()
    page = client.get("/probe/db")
    assert page.status_code == 503
    assert "Сервис временно недоступен" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "30"
    api = client.get("/api/probe/db")
    assert api.status_code == 503
    assert api.get_json()["code"] == "UNAVAILABLE"


@pytest.mark.skipif(not ON_POSTGRES, reason="terminating server connections needs PostgreSQL")
def test_a_dropped_connection_is_survived_by_the_next_request(app, client, database_url):
    from sqlalchemy import create_engine, text

    assert client.get("/probe/db").status_code == 200
    # Kill the app's pooled connections from a connection of our own (not from the app's pool,
    # whose one connection would be the killer itself), as a database restart would.
    killer = create_engine(database_url)
    try:
        with killer.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        killer.dispose()
    assert killed >= 1
    # pool_pre_ping notices the dead connection and reconnects: no error at all.
    assert client.get("/probe/db").status_code == 200

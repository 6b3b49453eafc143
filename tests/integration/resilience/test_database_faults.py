"""The database fails: unreachable from the start, going away mid-run, connections killed, or a
statement failing half-way through a claim. Every answer is a 503 (page or JSON), never a
500; nothing is half-written; and the app recovers by itself when the database is back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from recovery import create_app
from recovery.extensions import db
from recovery.models import ApiRole
from tests.api_clients import make_api_client
from tests.conftest import ON_POSTGRES, make_config
from tests.factories import make_subscriber
from tests.integration.account.conftest import PASSWORD, csrf_token, log_in_as, make_account
from tests.integration.security.cast import IVANOV

UNREACHABLE = [
    pytest.param("sqlite:///{tmp}/no-such-dir/x.sqlite3", id="sqlite-missing-file"),
    pytest.param("postgresql+psycopg://postgres@127.0.0.1:1/nothing", id="postgres-closed-port"),
]
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="server-side connection faults need PostgreSQL")


@pytest.fixture
def make_app() -> Iterator:
    """Build apps for other databases; their connections are closed afterwards."""
    apps: list[Flask] = []

    def build(url: str) -> Flask:
        apps.append(create_app(make_config(url)))
        return apps[-1]

    yield build
    for built in apps:
        with built.app_context():
            db.session.remove()
            db.engine.dispose()


def assert_unavailable_page(response) -> None:
    """The 503 page, in Russian, with a retry hint and the ways that never depend on this site."""
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Сервис временно недоступен" in page and "0890" in page
    # 30 s, or the rate-limit window's reset where the route is limited (Flask-Limiter takes the later).
    assert int(response.headers["Retry-After"]) >= 30


def assert_unavailable_json(response) -> None:
    """The 503 in the API's error shape."""
    assert response.status_code == 503
    assert response.get_json() == {
        "status": 503,
        "code": "UNAVAILABLE",
        "message": "The service is temporarily unavailable; retry later.",
    }


@pytest.mark.parametrize("url", UNREACHABLE)
def test_an_unreachable_database_is_a_503_on_every_kind_of_route(make_app, tmp_path, url):
    client = make_app(url.format(tmp=tmp_path)).test_client()
    page = client.get("/account/login").get_data(as_text=True)  # the form itself needs no database
    assert_unavailable_page(
        client.post(
            "/account/login",
            data={"csrf_token": csrf_token(page), "phone": IVANOV["msisdn"], "password": PASSWORD},
        )
    )
    bearer = {"Authorization": "Bearer some-token"}
    assert_unavailable_json(
        client.post("/camara/sim-swap/v2/check", json={"phoneNumber": IVANOV["msisdn"]}, headers=bearer)
    )
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()) == (503, {"status": "unavailable"})


# --- PostgreSQL: the server side -----------------------------------------------------------------------


def _maintenance(database_url: str):
    """An engine on the server's maintenance database (the test's own, not the app's pool)."""
    return create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _terminate_connections(database_url: str) -> int:
    """Kill every connection to the test database, as a restart or a failover would."""
    server = _maintenance(database_url)
    try:
        with server.connect() as connection:
            return connection.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :name"),
                {"name": make_url(database_url).database},
            ).scalar_one()
    finally:
        server.dispose()


@postgres_only
def test_killed_connections_are_replaced_before_the_next_request(app, session, config, database_url):
    subscriber = make_subscriber(session, config.PII_KEY, msisdn=IVANOV["msisdn"])
    account = make_account(session, subscriber)
    token = make_api_client(session, ApiRole.PARTNER)
    holder, partner = app.test_client(), app.test_client()
    log_in_as(holder, account)
    bearer = {"Authorization": f"Bearer {token}"}
    body = {"phoneNumber": IVANOV["msisdn"]}
    assert holder.get("/account/").status_code == 200
    assert partner.post("/camara/sim-swap/v2/retrieve-date", json=body, headers=bearer).status_code == 200

    session.close()
    assert _terminate_connections(database_url) >= 1
    # pool_pre_ping finds the pooled connections dead and opens new ones: no error at all.
    assert holder.get("/account/").status_code == 200
    assert partner.post("/camara/sim-swap/v2/retrieve-date", json=body, headers=bearer).status_code == 200


@postgres_only
def test_a_database_that_goes_away_mid_run_is_503_until_it_is_back(app, session, config, database_url):
    subscriber = make_subscriber(session, config.PII_KEY, msisdn=IVANOV["msisdn"])
    account = make_account(session, subscriber)
    holder = app.test_client()
    log_in_as(holder, account)
    assert holder.get("/account/").status_code == 200

    name = make_url(database_url).database
    admin = _maintenance(database_url)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        session.close()
        assert _terminate_connections(database_url) >= 1
        assert_unavailable_page(holder.get("/account/"))
        assert (holder.get("/healthz").status_code, holder.get("/healthz").get_json()["status"]) == (
            503,
            "unavailable",
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    # Back: the next request simply works.
    assert holder.get("/account/").status_code == 200

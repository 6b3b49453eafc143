"""The database fails: unreachable from the start, going away mid-run, connections killed, or a
statement failing half-way through a claim. Every answer is a 503 (page or JSON), never a
500; nothing is half-written; and the app recovers by itself when the database is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, func, make_url, select, text

from recovery.extensions import db
from recovery.models import ApiRole, AuditEvent, Claim, Notification, SimStatus, Subscriber, Ticket
from tests.helpers.cast import api_claim, console_claim, make_cast
from tests.helpers.claims import WizardAnswers, fill_wizard
from tests.helpers.databases import ON_POSTGRES
from tests.helpers.people import IVANOV, PASSWORD, make_account, make_api_client, make_subscriber
from tests.helpers.web import csrf_token, log_in_as, post_form

UNREACHABLE = [
    pytest.param("sqlite:///{tmp}/no-such-dir/x.sqlite3", id="sqlite-missing-file"),
    pytest.param("postgresql+psycopg://postgres@127.0.0.1:1/nothing", id="postgres-closed-port"),
]
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="server-side connection faults need PostgreSQL")


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


# --- A statement fails half-way through a claim ------------------------------------------------------


@contextmanager
def failing_inserts_into(app: Flask, table: str) -> Iterator[list[str]]:
    """Make every ``INSERT INTO <table>`` fail as a lost connection would (the driver's OperationalError)."""
    with app.app_context():
        engine = db.engine
    failed: list[str] = []

    def fail(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            failed.append(statement)
            raise engine.dialect.loaded_dbapi.OperationalError("simulated: server closed the connection")

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield failed
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def _nothing_written(session, subscriber_id: int) -> None:
    session.rollback()
    session.expire_all()
    for model in (Claim, Ticket, Notification):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    actions = set(session.scalars(select(AuditEvent.action)))
    assert not actions & {"claim.submitted", "sim.blocked", "ticket.opened", "ticket.done"}, actions
    assert session.get(Subscriber, subscriber_id).current_sim.status is SimStatus.ACTIVE


@pytest.mark.parametrize("action", ["reissue", "block"])
def test_an_api_claim_whose_ticket_cannot_be_written_leaves_nothing_behind(app, session, config, action):
    cast = make_cast(app, session, config.PII_KEY)
    client = cast.client("anonymous")
    body = api_claim(action=action)
    with failing_inserts_into(app, "tickets") as failed:
        response = client.post("/api/v1/claims", json=body, headers=cast.bearer("agent"))
    assert failed, "the claim never reached the ticket"
    assert_unavailable_json(response)
    _nothing_written(session, cast.subscriber.id)
    # Nothing half-done stands in the way: the same claim goes through once the database is back.
    retried = client.post("/api/v1/claims", json=body, headers=cast.bearer("agent"))
    assert (retried.status_code, retried.get_json()["outcome"]) == (201, action)


def test_a_wizard_claim_that_fails_half_way_keeps_the_answers_for_another_try(app, session, config):
    cast = make_cast(app, session, config.PII_KEY)
    client = app.test_client()
    fill_wizard(client, WizardAnswers())
    with failing_inserts_into(app, "tickets") as failed:
        response = post_form(client, "/lost/review", "/lost/submit", {})
    assert failed
    assert_unavailable_page(response)
    _nothing_written(session, cast.subscriber.id)
    assert client.get("/lost/review").status_code == 200
    retried = post_form(client, "/lost/review", "/lost/submit", {})
    assert retried.headers["Location"] == "/lost/result"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_an_agent_claim_that_fails_half_way_leaves_nothing_behind(app, session, config):
    cast = make_cast(app, session, config.PII_KEY)
    with failing_inserts_into(app, "tickets") as failed:
        response = post_form(cast.client("agent"), "/agent/", "/agent/claims", console_claim())
    assert failed
    assert_unavailable_page(response)
    _nothing_written(session, cast.subscriber.id)

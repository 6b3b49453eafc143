"""Staff controls: login throttling kept in the database, deny by default on every route,
office staff confined to their region, unlocks for supervisors only, and every staff action
in the audit log. (That the audit log cannot be changed or deleted is
``test_audit_guard.py`` for the application and ``test_migrations.py`` for the
database's triggers; here, that no route offers to.)

Rate limits are off: they are tested in ``test_rate_limit_wiring.py``, and
here they would answer before the database's own lockout.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from recovery import create_app
from recovery.account.login_routes import PUBLIC_ENDPOINTS as ACCOUNT_PUBLIC_ENDPOINTS
from recovery.claims import lockout
from recovery.extensions import db
from recovery.models import AuditEvent, SimStatus, StaffRole, StaffUser, Ticket, TicketStatus
from recovery.security import throttle
from recovery.verification import Policy
from tests.helpers.cast import Cast, api_claim, console_claim, make_cast
from tests.helpers.people import IVANOV, STAFF_PASSWORD, add_regular_calls, iccid, make_staff, make_subscriber
from tests.helpers.web import csrf_token, log_in_as, post_form

#: Routes anyone may use without signing in, and why.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",  # stylesheets and scripts
        "bootstrap.static",
        "main.index",  # the front page
        "main.healthz",  # for the load balancer
        "main.readyz",  # the readiness probe (names failing parts, never data)
        "observability.metrics",  # 404 unless METRICS_ALLOWED_NETWORKS or METRICS_TOKEN lets the caller in
        "main.set_language",
        "apidocs.reference",  # the API's documentation and OpenAPI document
        "api-docs.openapi_json",
        *ACCOUNT_PUBLIC_ENDPOINTS,  # the way into the personal account
        "lost.start",  # the self-service wizard
        "lost.step",
        "lost.review",
        "lost.submit",
        "lost.result",
        "lost.restart",
        "staff.login",  # the way into the staff pages
        "staff.logout",
    }
)
#: Development pages (DEV_PAGES): on in development and tests, absent in production.
DEVELOPMENT_ENDPOINTS = frozenset({"dev.sms_outbox", "dev_testing.captcha_answer"})
#: Which staff role each staff blueprint is for.
STAFF_AREAS = {"agent": "agent", "support": "agent", "office": "office", "supervisor": "supervisor"}
LOGIN_PAGES = ("/staff/login", "/account/login")


@pytest.fixture
def config(config):
    config.RATELIMIT_ENABLED = False
    return config


@pytest.fixture
def cast(app, session, config) -> Cast:
    """Everyone, signed in, with Иванов's ledger and API tokens."""
    return make_cast(app, session, config.PII_KEY)


def example_url(rule: Rule) -> str:
    """A path for ``rule`` with made-up arguments of the right type."""
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        values[name] = {"UUIDConverter": uuid.uuid4(), "IntegerConverter": 1}.get(converter, "x")
    return rule.build(values, append_unknown=False)[1]


def visit(client: FlaskClient, rule: Rule):
    """GET the rule, DELETE when it takes only DELETE, else POST to it with a valid CSRF token."""
    url = example_url(rule)
    if "GET" in (rule.methods or ()):
        response = client.get(url)
    elif "DELETE" in (rule.methods or ()):
        response = client.delete(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    response.get_data()  # read to the end (a streamed export closes its cursor)
    return response


def needs_login(response) -> bool:
    """The answer to someone who has not signed in: a login page, or 401 from an API."""
    if response.status_code == 401:
        return True
    return response.status_code == 302 and response.headers["Location"].startswith(LOGIN_PAGES)


# --- Login throttling lives in the database ------------------------------------------------------


def _staff_login(app: Flask, login: str, password: str):
    return post_form(
        app.test_client(), "/staff/login", "/staff/login", {"login": login, "password": password}
    )


def test_staff_login_failures_are_counted_in_the_database_for_every_worker(app, config, session, cast):
    user: StaffUser = cast.users["agent"]
    for _ in range(throttle.CAPTCHA_AFTER - 1):
        assert _staff_login(app, user.login, "wrong-password-1").status_code == 200
    session.expire_all()
    assert session.get(StaffUser, user.id).failed_logins == throttle.CAPTCHA_AFTER - 1

    # Another worker (its own memory, the same database) sees the count: its failure brings the captcha.
    other_worker = create_app(config)
    try:
        third = _staff_login(other_worker, user.login, "wrong-password-1")
        assert third.status_code == 200 and "captcha-image" in third.get_data(as_text=True)
    finally:
        with other_worker.app_context():
            db.engine.dispose()
    session.expire_all()
    assert session.get(StaffUser, user.id).locked_until is None  # a captcha, never a lock

    # The first worker now asks for the captcha even with the right password, and signs nobody in.
    asked = _staff_login(app, user.login, STAFF_PASSWORD)
    assert asked.status_code == 200 and "Введите и символы с картинки" in asked.get_data(as_text=True)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "staff.login_failed").order_by(AuditEvent.id)
    ).all()
    assert len(events) == throttle.CAPTCHA_AFTER
    assert all(e.ip == "127.0.0.1" and e.actor == f"staff:{user.login}" for e in events)
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "staff.login")).all()


# --- Deny by default -----------------------------------------------------------------------------------


def test_every_route_outside_the_public_list_needs_a_login(app, cast):
    anonymous = cast.client("anonymous")
    checked, refused = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS | DEVELOPMENT_ENDPOINTS:
            continue
        checked.append(rule.rule)
        response = visit(anonymous, rule)
        if not needs_login(response):
            refused.append(f"{rule.rule} ({rule.endpoint}): {response.status_code}")
    assert refused == [], "open to anyone though not listed as public"
    assert len(checked) > 20


def test_the_public_list_names_only_routes_that_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints >= PUBLIC_ENDPOINTS
    assert endpoints >= DEVELOPMENT_ENDPOINTS


def test_development_pages_are_absent_in_production(database_url):
    from cryptography.fernet import Fernet

    from config import ProductionConfig

    keys = {
        "SECRET_KEY": "s" * 40,
        "PII_KEY": "p" * 40,
        "DATABASE_URL": database_url,
        "PII_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    }
    production = create_app(ProductionConfig(keys))
    try:
        endpoints = {rule.endpoint for rule in production.url_map.iter_rules()}
    finally:
        with production.app_context():
            db.engine.dispose()
    assert not endpoints & DEVELOPMENT_ENDPOINTS


@pytest.mark.parametrize("person", ["holder", "agent", "office", "supervisor"])
def test_staff_areas_admit_only_their_role_and_the_account_only_its_holder(app, cast, person):
    client = cast.client(person)
    wrong = []
    for rule in app.url_map.iter_rules():
        area = rule.endpoint.rpartition(".")[0]
        if rule.endpoint.endswith(".logout"):
            continue  # signing out is for everyone (and would end this walk)
        if area in STAFF_AREAS:
            allowed = STAFF_AREAS[area] == person
        elif area == "account" and rule.endpoint not in ACCOUNT_PUBLIC_ENDPOINTS:
            allowed = person == "holder"
        else:
            continue
        response = visit(client, rule)
        denied = response.status_code == 403 or needs_login(response)
        if denied == allowed:
            wrong.append(f"{rule.rule}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)


# --- Offices serve their own region ---------------------------------------------------------------------


@pytest.fixture
def petersburg_office(session) -> StaffUser:
    """An office clerk in Saint Petersburg."""
    clerk = make_staff(session, StaffRole.OFFICE)
    clerk.region = "RU-SPE"
    session.commit()
    return clerk


def _open_reissue(cast: Cast) -> str:
    response = cast.client("anonymous").post("/api/v1/claims", json=api_claim(), headers=cast.bearer("agent"))
    assert response.get_json()["outcome"] == "reissue"
    return response.get_json()["ticket"]["id"]


def test_an_office_sees_and_closes_only_its_own_regions_tickets(app, cast, session, petersburg_office):
    ticket_id = _open_reissue(cast)
    moscow, petersburg = cast.client("office"), app.test_client()
    log_in_as(petersburg, petersburg_office)
    assert ticket_id in moscow.get("/office/").get_data(as_text=True)
    assert ticket_id not in petersburg.get("/office/").get_data(as_text=True)
    assert petersburg.get(f"/office/tickets/{ticket_id}").status_code == 403

    token = csrf_token(petersburg.get("/office/").get_data(as_text=True))
    fulfil = {"csrf_token": token, "passport": IVANOV["passport"], "iccid": iccid()}
    assert petersburg.post(f"/office/tickets/{ticket_id}/fulfil", data=fulfil).status_code == 403
    cancel = {"csrf_token": token, "reason": "not ours"}
    assert petersburg.post(f"/office/tickets/{ticket_id}/cancel", data=cancel).status_code == 403
    session.expire_all()
    assert session.get(Ticket, uuid.UUID(ticket_id)).status is TicketStatus.OPEN

    # The home region's office can.
    page = moscow.get(f"/office/tickets/{ticket_id}").get_data(as_text=True)
    fulfil = {"csrf_token": csrf_token(page), "passport": IVANOV["passport"], "iccid": iccid()}
    assert moscow.post(f"/office/tickets/{ticket_id}/fulfil", data=fulfil).status_code == 302
    session.expire_all()
    assert session.get(Ticket, uuid.UUID(ticket_id)).status is TicketStatus.DONE


# --- Unlocks are for supervisors ---------------------------------------------------------------------------


def _lock(cast: Cast, session) -> str:
    wrong = api_claim(passport="4509 000000")
    for _ in range(Policy().max_failed_claims):
        cast.client("anonymous").post("/api/v1/claims", json=wrong, headers=cast.bearer("agent"))
    assert lockout.current_lock(session, IVANOV["msisdn"], datetime.now(UTC)).locked
    return IVANOV["msisdn"]


@pytest.mark.parametrize("person", ["anonymous", "holder", "agent", "office"])
def test_only_a_supervisor_can_unlock(cast, session, person):
    msisdn = _lock(cast, session)
    client = cast.client(person)
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(
        "/supervisor/locks/unlock", data={"csrf_token": token, "msisdn": msisdn, "reason": "caller verified"}
    )
    assert response.status_code == 403 or needs_login(response)
    session.expire_all()
    assert lockout.current_lock(session, msisdn, datetime.now(UTC)).locked

    supervisor = cast.client("supervisor")
    data = {"msisdn": msisdn, "reason": "owner came to the office", "confirm": "y"}
    assert post_form(supervisor, "/supervisor/locks", "/supervisor/locks/unlock", data).status_code == 302
    session.expire_all()
    assert not lockout.current_lock(session, msisdn, datetime.now(UTC)).locked


# --- Every staff action is audited -----------------------------------------------------------------------


def _staff_actions(cast: Cast, session) -> dict[str, tuple[str, object, str]]:
    """Per staff POST endpoint: who does it, how (a function of the client), and the audit action."""
    ticket_id = _open_reissue(cast)
    other = make_subscriber(session, cast.app.config["PII_KEY"], msisdn="+79217654321", region="RU-MOW")
    add_regular_calls(session, other.msisdn, list(IVANOV["calls"]), datetime.now(UTC))
    cancel_id = (
        cast.client("anonymous")
        .post("/api/v1/claims", json=api_claim(phoneNumber=other.msisdn), headers=cast.bearer("agent"))
        .get_json()["ticket"]["id"]
    )
    locked = _lock(cast, session)
    ticket_page = f"/office/tickets/{ticket_id}"
    # The owner found the phone and brings the passport to an office.
    found = make_subscriber(session, cast.app.config["PII_KEY"], msisdn="+79031230099", region="RU-MOW")
    found.current_sim.status = SimStatus.BLOCKED
    session.commit()
    # Agents answer conversations that subscribers start.
    holder = cast.client("holder")
    assert (
        post_form(holder, "/account/support", "/account/support", {"body": "Где мой счёт?"}).status_code
        == 302
    )
    return {
        "staff.login": (
            "anonymous",
            lambda c: post_form(
                c,
                "/staff/login",
                "/staff/login",
                {"login": cast.users["agent"].login, "password": STAFF_PASSWORD},
            ),
            "staff.login",
        ),
        "agent.submit": (
            "agent",
            lambda c: post_form(c, "/agent/", "/agent/claims", console_claim(action="block")),
            "claim.submitted",
        ),
        "support.conversation": (
            "agent",
            lambda c: post_form(
                c,
                f"/agent/support/{cast.subscriber.id}",
                f"/agent/support/{cast.subscriber.id}",
                {"body": "Здравствуйте! Чем помочь?"},
            ),
            "support.message",
        ),
        "office.fulfil": (
            "office",
            lambda c: post_form(
                c, ticket_page, f"{ticket_page}/fulfil", {"passport": IVANOV["passport"], "iccid": iccid()}
            ),
            "ticket.fulfilled",
        ),
        "office.cancel": (
            "office",
            lambda c: post_form(
                c,
                f"/office/tickets/{cancel_id}",
                f"/office/tickets/{cancel_id}/cancel",
                {"reason": "a duplicate of another ticket", "confirm": "y"},
            ),
            "ticket.cancelled",
        ),
        "office.unblock": (
            "office",
            lambda c: post_form(
                c,
                "/office/unblock",
                "/office/unblock",
                {"msisdn": found.msisdn, "passport": IVANOV["passport"]},
            ),
            "sim.unblocked",
        ),
        "supervisor.unlock": (
            "supervisor",
            lambda c: post_form(
                c,
                "/supervisor/locks",
                "/supervisor/locks/unlock",
                {"msisdn": locked, "reason": "owner verified in person", "confirm": "y"},
            ),
            "number.unlocked",
        ),
        # Last: it ends the office clerk's session.
        "staff.logout": ("office", lambda c: post_form(c, "/office/", "/staff/logout", {}), "staff.logout"),
    }


def test_every_staff_action_is_audited_with_who_and_where_from(app, cast, session):
    actions = _staff_actions(cast, session)
    staff_posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and rule.endpoint.rpartition(".")[0] in {*STAFF_AREAS, "staff"}
    }
    assert staff_posts == set(actions), "a staff action without an audit check here"
    for endpoint, (person, act, action) in actions.items():
        before = session.scalar(select(func.max(AuditEvent.id))) or 0
        response = act(cast.client(person))
        assert response.status_code in (200, 302), (endpoint, response.status_code)
        session.expire_all()
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == action)
        ).all()
        assert len(events) == 1, (endpoint, action)
        login = cast.users["agent" if person == "anonymous" else person].login
        assert (events[0].actor, events[0].ip) == (f"staff:{login}", "127.0.0.1"), endpoint

    # Reading the audit log out is itself recorded.
    exported = cast.client("supervisor").get("/supervisor/audit.csv")
    exported.get_data()
    assert session.scalar(select(func.count()).where(AuditEvent.action == "audit.exported")) == 1


def test_no_route_offers_to_change_the_audit_log(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}, rule.rule

"""Every route of the claim workflow × every kind of visitor → the expected status (deny by default).

The matrix only reads or is refused, so its tests share one app and database
(built from the same migrated template as every other test) to stay quick.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from recovery import create_app
from recovery.extensions import db
from recovery.models import ApiRole, StaffRole
from tests.helpers.databases import FreshDatabases, make_config
from tests.helpers.people import make_api_client, make_staff
from tests.helpers.web import bearer, csrf_token, login

ROLES = ("anonymous", "agent", "office", "supervisor", "api_agent", "api_partner")
# A fixed id no row has (fixed, so that parallel test workers collect the same test ids).
NOBODY = uuid.UUID("8c8721d5-5154-447a-aaa3-38eff568a779")

# Staff pages: anonymous visitors and API clients (no session) are sent to the login page.
AGENT_ONLY = {
    "anonymous": 302,
    "agent": 200,
    "office": 403,
    "supervisor": 403,
    "api_agent": 302,
    "api_partner": 302,
}
OFFICE_ONLY = {
    "anonymous": 302,
    "agent": 403,
    "office": 200,
    "supervisor": 403,
    "api_agent": 302,
    "api_partner": 302,
}
SUPERVISOR_ONLY = {
    "anonymous": 302,
    "agent": 403,
    "office": 403,
    "supervisor": 200,
    "api_agent": 302,
    "api_partner": 302,
}
PUBLIC = dict.fromkeys(ROLES, 200)


def _with(base: dict[str, int], **changes: int) -> dict[str, int]:
    return {**base, **changes}


ROUTES: list[tuple[str, str, dict[str, int]]] = [
    ("GET", "/lost/", PUBLIC),
    ("GET", "/lost/step/number", PUBLIC),
    ("GET", "/lost/review", dict.fromkeys(ROLES, 302)),
    ("GET", "/lost/result", dict.fromkeys(ROLES, 302)),
    ("POST", "/lost/step/number", dict.fromkeys(ROLES, 400)),
    ("POST", "/lost/submit", dict.fromkeys(ROLES, 302)),
    ("POST", "/lost/restart", dict.fromkeys(ROLES, 302)),
    ("GET", "/staff/login", {**PUBLIC, "agent": 302, "office": 302, "supervisor": 302}),
    ("POST", "/staff/logout", dict.fromkeys(ROLES, 302)),
    ("GET", "/agent/", AGENT_ONLY),
    ("GET", "/agent/number-status?msisdn=%2B79161234567", AGENT_ONLY),
    ("GET", f"/agent/claims/{NOBODY}", _with(AGENT_ONLY, agent=404)),
    ("POST", "/agent/claims", _with(AGENT_ONLY, agent=400)),
    ("GET", "/office/", OFFICE_ONLY),
    ("GET", f"/office/tickets/{NOBODY}", _with(OFFICE_ONLY, office=404)),
    ("POST", f"/office/tickets/{NOBODY}/fulfil", _with(OFFICE_ONLY, office=404)),
    ("POST", f"/office/tickets/{NOBODY}/cancel", _with(OFFICE_ONLY, office=404)),
    ("GET", "/supervisor/", SUPERVISOR_ONLY),
    ("GET", "/supervisor/locks", SUPERVISOR_ONLY),
    ("POST", "/supervisor/locks/unlock", _with(SUPERVISOR_ONLY, supervisor=400)),
    ("GET", "/supervisor/audit", SUPERVISOR_ONLY),
    ("GET", "/supervisor/audit.csv", SUPERVISOR_ONLY),
    ("GET", "/supervisor/outbox", SUPERVISOR_ONLY),
    ("GET", "/supervisor/queues/RU-MOW", SUPERVISOR_ONLY),
    # The JSON API answers to bearer tokens only: a staff session is no credential there.
    (
        "POST",
        "/api/v1/claims",
        {**dict.fromkeys(ROLES, 401), "api_agent": 400, "api_partner": 403},
    ),
    ("GET", f"/api/v1/claims/{NOBODY}", {**dict.fromkeys(ROLES, 401), "api_agent": 404, "api_partner": 403}),
    ("GET", f"/api/v1/tickets/{NOBODY}", {**dict.fromkeys(ROLES, 401), "api_agent": 404, "api_partner": 403}),
    (
        "POST",
        f"/api/v1/tickets/{NOBODY}/fulfil",
        {**dict.fromkeys(ROLES, 401), "api_agent": 403, "api_partner": 403},
    ),
]


@pytest.fixture(scope="module")
def shared_app(fresh_databases: FreshDatabases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app and database for the whole matrix."""
    with fresh_databases.copy(tmp_path_factory.mktemp("matrix"), name="matrix") as url:
        # Every visitor signs in from one address: the login rate limits (tested in
        # tests/integration/security/test_rate_limit_wiring.py) would answer 429 here.
        application = create_app(make_config(url, RATELIMIT_ENABLED=False))
        try:
            yield application
        finally:
            with application.app_context():
                db.engine.dispose()


@pytest.fixture
def shared_session(shared_app: Flask) -> Iterator[Session]:
    """A session on the shared database."""
    with shared_app.app_context():
        engine = db.engine
    with Session(engine, expire_on_commit=False) as own:
        yield own


@pytest.fixture
def visitor(shared_app, shared_session, request):
    """A test client acting as ``request.param``, plus extra headers for API clients."""
    client = shared_app.test_client()
    role = request.param
    headers: dict[str, str] = {}
    if role in ("agent", "office", "supervisor"):
        staff_role = StaffRole(role)
        region = "RU-MOW" if staff_role is StaffRole.OFFICE else None
        user = make_staff(shared_session, staff_role, region=region)
        assert login(client, user).status_code == 302
    elif role == "api_agent":
        headers = bearer(make_api_client(shared_session, ApiRole.AGENT))
    elif role == "api_partner":
        headers = bearer(make_api_client(shared_session, ApiRole.PARTNER))
    return role, client, headers


@pytest.mark.parametrize("visitor", ROLES, indirect=True)
@pytest.mark.parametrize(("method", "path", "expected"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_route_by_role(visitor, method, path, expected):
    role, client, headers = visitor
    if method == "GET":
        response = client.get(path, headers=headers)
    elif path.startswith("/api/"):
        response = client.post(path, json={}, headers=headers)
    else:
        # A valid CSRF token of this session, so that only the access rules decide.
        token = csrf_token(client.get("/lost/", headers=headers).get_data(as_text=True))
        response = client.post(path, data={"csrf_token": token}, headers=headers)
    assert response.status_code == expected[role], (role, method, path)
    if (
        response.status_code == 302
        and expected is not PUBLIC
        and path.startswith(("/agent", "/office", "/supervisor"))
    ):
        assert response.headers["Location"].startswith("/staff/login")


STAFF_FORMS = [
    ("agent", "/agent/", "/agent/claims"),
    ("supervisor", "/supervisor/locks", "/supervisor/locks/unlock"),
    ("anonymous", "/lost/step/number", "/lost/step/number"),
    ("anonymous", "/staff/login", "/staff/login"),
]


@pytest.mark.parametrize(("role", "page", "action"), STAFF_FORMS)
def test_every_form_carries_a_csrf_token_and_refuses_a_post_without_it(
    shared_app, shared_session, role, page, action
):
    client = shared_app.test_client()
    if role != "anonymous":
        login(client, make_staff(shared_session, StaffRole(role)))
    html = client.get(page).get_data(as_text=True)
    assert csrf_token(html)
    assert client.post(action, data={}).status_code == 400
    assert client.post(action, data={"csrf_token": "forged"}).status_code == 400


WEB_POSTS = [path for method, path, _ in ROUTES if method == "POST" and not path.startswith("/api/")]


@pytest.mark.parametrize("visitor", ["anonymous", "agent", "office", "supervisor"], indirect=True)
@pytest.mark.parametrize("path", WEB_POSTS)
def test_no_web_post_is_accepted_without_a_csrf_token(visitor, path):
    _role, client, headers = visitor
    assert client.post(path, data={}, headers=headers).status_code == 400

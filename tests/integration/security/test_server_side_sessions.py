"""Issue 13, item 2: sessions end on the server side.

The session cookie is signed, not stored: before, a copy taken before logout
(or before a password reset) kept working. Now the session id carries the
user's session version (recovery/auth.py), raised on logout, password change
or reset and on a staff role change; a copy of an older cookie is refused.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from recovery.models import Account, StaffRole, StaffUser
from tests.helpers.account import Flow, code_in, latest_sms
from tests.helpers.people import PASSWORD, STAFF_PASSWORD, hashed, make_staff, make_subscriber
from tests.helpers.web import csrf_token

NUMBER = "+79161234567"


def _copy_of(client: FlaskClient, app) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie (as an attacker who took it)."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie.value)
    return thief


def _staff_login(client: FlaskClient, user: StaffUser) -> None:
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        "/staff/login", data={"csrf_token": csrf_token(page), "login": user.login, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 302


def _account(session, pii_key: str) -> Account:
    subscriber = make_subscriber(session, pii_key)
    account = Account(subscriber_id=subscriber.id, password_hash=hashed(PASSWORD), failed_logins=0)
    session.add(account)
    session.commit()
    return account


def _account_login(client: FlaskClient) -> None:
    page = client.get("/account/login").get_data(as_text=True)
    response = client.post(
        "/account/login", data={"csrf_token": csrf_token(page), "phone": NUMBER, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/"


def _logout(client: FlaskClient, page_url: str, action: str) -> None:
    page = client.get(page_url).get_data(as_text=True)
    assert client.post(action, data={"csrf_token": csrf_token(page)}).status_code == 302


def test_a_staff_cookie_copied_before_logout_no_longer_opens_the_audit_log(app, session):
    supervisor = make_staff(session, StaffRole.SUPERVISOR)
    client = app.test_client()
    _staff_login(client, supervisor)
    thief = _copy_of(client, app)
    assert thief.get("/supervisor/audit").status_code == 200  # the copy works while the session lives
    _logout(client, "/supervisor/audit", "/staff/logout")
    response = thief.get("/supervisor/audit")
    assert response.status_code != 200 and "Журнал аудита" not in response.get_data(as_text=True)


def test_an_account_cookie_copied_before_logout_no_longer_opens_the_details(app, session, config):
    _account(session, config.PII_KEY)
    client = app.test_client()
    _account_login(client)
    thief = _copy_of(client, app)
    assert thief.get("/account/details").status_code == 200
    _logout(client, "/account/", "/account/logout")
    response = thief.get("/account/details")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login")


def test_a_password_reset_ends_the_sessions_opened_before(app, session, config):
    _account(session, config.PII_KEY)
    before = app.test_client()
    _account_login(before)
    flow = Flow(app.test_client(), start="/account/forgot")
    flow.submit_number(NUMBER)
    flow.submit_code(code_in(latest_sms(session, NUMBER)))
    assert flow.submit_password("a-brand-new-one-9").headers["Location"] == "/account/"
    assert flow.client.get("/account/details").status_code == 200  # the new session works
    assert before.get("/account/details").status_code == 302


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, session, config):
    _account(session, config.PII_KEY)
    here, elsewhere = app.test_client(), app.test_client()
    _account_login(here)
    _account_login(elsewhere)
    page = here.get("/account/settings").get_data(as_text=True)
    token = re.search(r'name="password-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = here.post(
        "/account/settings/password",
        data={
            "password-csrf_token": token,
            "password-current": PASSWORD,
            "password-password": "a-brand-new-one-9",
            "password-confirm": "a-brand-new-one-9",
        },
    )
    assert response.headers["Location"] == "/account/settings"
    assert here.get("/account/details").status_code == 200
    assert elsewhere.get("/account/details").status_code == 302


def test_a_role_change_ends_the_staff_session(app, session):
    agent = make_staff(session, StaffRole.AGENT)
    client = app.test_client()
    _staff_login(client, agent)
    assert client.get("/agent/").status_code == 200
    # Promoted (by whatever code path): the session from before must not carry the new powers.
    user = session.get(StaffUser, agent.id)
    user.role = StaffRole.SUPERVISOR
    session.commit()
    assert client.get("/supervisor/audit").status_code != 200
    assert client.get("/agent/").status_code != 200
    _staff_login(client, user)  # signing in again gives the new role
    assert client.get("/supervisor/audit").status_code == 200


def test_disabling_a_staff_account_ends_its_session(app, session):
    agent = make_staff(session, StaffRole.AGENT)
    client = app.test_client()
    _staff_login(client, agent)
    session.get(StaffUser, agent.id).is_enabled = False
    session.commit()
    assert client.get("/agent/").status_code != 200
    versions = session.scalars(select(StaffUser.session_version)).all()
    assert versions == [1]

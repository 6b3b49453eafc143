"""Staff and API-client commands, and the demo seed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from recovery.extensions import db
from recovery.models import ApiClient, AuditEvent, CallEvent, StaffRole, StaffUser, Subscriber
from recovery.security.passwords import verify_password
from recovery.security.tokens import ROLE_SCOPES, token_hash
from recovery.seed import DEMO_CASES, seed_demo
from tests.helpers.camara import CamaraCaller
from tests.helpers.people import make_subscriber


def test_create_user_reads_the_password_from_stdin_and_hashes_it(runner, session):
    result = runner.invoke(
        args=["create-user", "olga", "--role", "office", "--region", "ru-spe", "--password-stdin"],
        input="a-long-office-password\n",
    )
    assert result.exit_code == 0, result.output
    user = session.scalars(select(StaffUser)).one()
    assert (user.login, user.role, user.region) == ("olga", StaffRole.OFFICE, "RU-SPE")
    assert verify_password(user.password_hash, "a-long-office-password")
    assert "a-long-office-password" not in user.password_hash
    assert session.scalars(select(AuditEvent.action)).all() == ["staff.create"]


def test_create_user_prompts_for_the_password(runner, session):
    result = runner.invoke(
        args=["create-user", "ivan", "--role", "agent"], input="agent-password-1\nagent-password-1\n"
    )
    assert result.exit_code == 0, result.output
    assert session.scalars(select(StaffUser.login)).all() == ["ivan"]


def test_create_user_refusals(runner, session):
    weak = runner.invoke(args=["create-user", "a", "--role", "agent", "--password-stdin"], input="123456\n")
    assert weak.exit_code != 0 and "password rejected" in weak.output
    no_region = runner.invoke(
        args=["create-user", "b", "--role", "office", "--password-stdin"], input="x" * 12 + "\n"
    )
    assert no_region.exit_code != 0 and "--region" in no_region.output
    bad_region = runner.invoke(
        args=["create-user", "c", "--role", "office", "--region", "RU-XX", "--password-stdin"],
        input="pass-word-long\n",
    )
    assert bad_region.exit_code != 0 and "ISO 3166-2:RU" in bad_region.output
    assert (
        runner.invoke(
            args=["create-user", "d", "--role", "agent", "--password-stdin"], input="pass-word-long\n"
        ).exit_code
        == 0
    )
    again = runner.invoke(
        args=["create-user", "d", "--role", "agent", "--password-stdin"], input="pass-word-long\n"
    )
    assert again.exit_code != 0 and "already exists" in again.output
    assert session.scalars(select(StaffUser.login)).all() == ["d"]


def test_create_api_client_prints_the_token_once_and_stores_its_hash(runner, session):
    result = runner.invoke(args=["create-api-client", "Bank", "--role", "partner"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 40
    client = session.scalars(select(ApiClient)).one()
    assert [stored.token_hash for stored in client.tokens] == [token_hash(token)]
    assert token not in client.tokens[0].token_hash
    assert {
        "kyc-match:match",
        "sim-swap:retrieve-date",
        "sim-swap:check",
        "number-recycling:check",
        "kyc-tenure:check-tenure",
    } <= client.scope_set
    assert client.scope_set == set(ROLE_SCOPES["partner"])  # every partner scope by default


def test_create_api_client_new_token_adds_a_second_token_to_the_same_client(runner, session):
    first = runner.invoke(args=["create-api-client", "Bank", "--role", "partner"]).output
    result = runner.invoke(args=["create-api-client", "Bank", "--new-token"])
    assert result.exit_code == 0, result.output
    second = result.output.strip().splitlines()[-1]
    assert second != first.strip().splitlines()[-1] and len(second) >= 40
    client = session.scalars(select(ApiClient)).one()
    assert {stored.token_hash for stored in client.tokens} == {
        token_hash(first.strip().splitlines()[-1]),
        token_hash(second),
    }
    unknown = runner.invoke(args=["create-api-client", "Nobody", "--new-token"])
    assert unknown.exit_code != 0 and "no API client" in unknown.output
    mixed = runner.invoke(args=["create-api-client", "Bank", "--new-token", "--role", "agent"])
    assert mixed.exit_code != 0


def test_create_api_client_with_limited_scopes_and_refusals(runner, session):
    result = runner.invoke(
        args=["create-api-client", "Shop", "--role", "partner", "--scope", "sim-swap:check"]
    )
    assert result.exit_code == 0, result.output
    assert session.scalars(select(ApiClient.scopes)).one() == "sim-swap:check"
    wrong = runner.invoke(args=["create-api-client", "X", "--role", "partner", "--scope", "claims:write"])
    assert wrong.exit_code != 0 and "claims:write" in wrong.output
    office = runner.invoke(args=["create-api-client", "Office", "--role", "office"])
    assert office.exit_code != 0 and "--region" in office.output


@pytest.mark.parametrize(
    ("scope", "path", "body", "other"),
    [
        (
            "number-recycling:check",
            "/camara/number-recycling/v0.2/check",
            {"phoneNumber": "+79161234567", "specifiedDate": "2024-10-31"},
            "/camara/kyc-tenure/v0.2/check-tenure",
        ),
        (
            "kyc-tenure:check-tenure",
            "/camara/kyc-tenure/v0.2/check-tenure",
            {"phoneNumber": "+79161234567", "tenureDate": "2024-10-31"},
            "/camara/number-recycling/v0.2/check",
        ),
    ],
)
def test_create_api_client_for_one_of_the_contract_apis(
    runner, session, client, config, scope, path, body, other
):
    result = runner.invoke(args=["create-api-client", "Bank", "--role", "partner", "--scope", scope])
    assert result.exit_code == 0, result.output
    assert f"with scopes: {scope}" in result.output
    assert session.scalars(select(ApiClient.scopes)).one() == scope
    make_subscriber(session, config.PII_KEY)
    caller = CamaraCaller(client, result.output.strip().splitlines()[-1])
    assert caller.post(path, body).status_code == 200
    other_body = {"phoneNumber": "+79161234567", "specifiedDate": "2024-10-31", "tenureDate": "2024-10-31"}
    assert caller.post(other, other_body).get_json()["code"] == "PERMISSION_DENIED"


def test_seed_demo_loads_the_documented_cases_and_prints_logins(runner, session):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "agent-demo-0890" in result.output and "+79161234567" in result.output
    assert session.scalar(select(func.count()).select_from(Subscriber)) >= 200
    assert session.scalar(select(func.count()).select_from(CallEvent)) >= 20_000
    regions = session.scalars(select(Subscriber.home_region).distinct()).all()
    assert len(regions) >= 5
    kinds = dict(session.execute(select(CallEvent.kind, func.count()).group_by(CallEvent.kind)).all())
    assert set(kinds) == {"voice", "sms", "ussd"}
    assert session.scalar(select(func.count()).select_from(CallEvent).where(CallEvent.callee == "0890")) > 0
    for case in DEMO_CASES:
        assert session.scalar(select(Subscriber).where(Subscriber.msisdn == case.msisdn)) is not None

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "empty" in again.output
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0


def _snapshot(app, now):
    with app.app_context():
        seed_demo(db.session, pii_key="fixed-key", now=now)
        db.session.flush()
        subscribers = db.session.execute(
            select(
                Subscriber.msisdn,
                Subscriber.last_name,
                Subscriber.registered_address,
                Subscriber.passport_hmac,
            ).order_by(Subscriber.msisdn)
        ).all()
        calls = db.session.execute(
            select(CallEvent.caller, CallEvent.callee, CallEvent.started_at, CallEvent.kind).order_by(
                CallEvent.caller, CallEvent.started_at, CallEvent.callee
            )
        ).all()
        db.session.rollback()
    return subscribers, calls


def test_the_demo_seed_is_deterministic(app):
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    first, second = _snapshot(app, now), _snapshot(app, now)
    assert first == second
    assert len(first[0]) >= 200

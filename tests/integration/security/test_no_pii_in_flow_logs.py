"""No passport, name, address or e-mail reaches a log in the product's real flows (ASVS 16.2.5).

An import, a registration, a partner's KYC Match, and claims through the wizard,
the agent console and the JSON API — with every logger at DEBUG and SQLAlchemy
echoing statements and result rows, once with SQL parameters hidden (as
configured) and once shown, so that the encryption and hashing themselves are
what keep the values out. The CLI's own output counts as a log too.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from recovery.iccid import with_check_digit
from recovery.models import ApiRole, Subscriber
from recovery.passports import normalise_passport
from tests.api_clients import make_api_client
from tests.factories import add_regular_calls
from tests.integration.account.conftest import Flow, code_in, latest_sms

#: Someone whose details appear nowhere else in the code or the demo data.
PERSON = {
    "msisdn": "+79051234567",
    "full_name": "Заглушкина Серафима Ильинична",
    "passport": "4601 987654",
    "address": "г. Казань, ул. Баумана, д. 19, кв. 4",
    "email": "zaglushkina@example.ru",
    "region": "RU-TA",
    "calls": ("+79031112233", "+79254445566", "+74951234567"),
}
CSV = (
    "msisdn,full_name,passport,registered_address,home_region,iccid,activated_at,email,tariff,balance_rub\n"
    f'{PERSON["msisdn"]},{PERSON["full_name"]},{PERSON["passport"]},"{PERSON["address"]}",{PERSON["region"]},'
    f"{with_check_digit('8970199000000000077')},2024-01-01T10:00:00+03:00,{PERSON['email']},smart,10\n"
)


def identity_values() -> set[str]:
    """The person's identity data in every form a log line might show it."""
    words = {word for word in PERSON["full_name"].split()}
    address_words = {"Баумана", "Казань"}
    passport = PERSON["passport"]
    return {
        PERSON["full_name"],
        *words,
        passport,
        normalise_passport(passport),
        passport.replace(" ", ""),
        PERSON["address"],
        *address_words,
        PERSON["email"],
        PERSON["email"].split("@")[0],
    }


@pytest.fixture(params=[True, False], ids=["parameters-hidden", "parameters-shown"])
def config(config, request):
    """SQL statements and result rows logged; parameters hidden as configured, or shown."""
    config.SQLALCHEMY_ECHO = "debug"
    config.SQLALCHEMY_ENGINE_OPTIONS = {**config.SQLALCHEMY_ENGINE_OPTIONS, "hide_parameters": request.param}
    config.RATELIMIT_ENABLED = False
    return config


def _import(runner, tmp_path) -> str:
    path = tmp_path / "subscribers.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["import-subscribers", str(path)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["import-subscribers", str(path)])  # read back and compared
    assert again.exit_code == 0, again.output
    return result.output + again.output


def _register(client, session) -> None:
    flow = Flow(client)
    assert flow.submit_number(PERSON["msisdn"]).status_code == 302
    assert flow.submit_code(code_in(latest_sms(session, PERSON["msisdn"]))).status_code == 302
    assert flow.submit_password("violet-tram-1987").status_code == 302


def _kyc_match(client, session) -> None:
    token = make_api_client(session, ApiRole.PARTNER)
    family, given, middle = PERSON["full_name"].split()
    response = client.post(
        "/camara/kyc-match/v0.4/match",
        json={
            "phoneNumber": PERSON["msisdn"],
            "idDocument": PERSON["passport"],
            "name": PERSON["full_name"],
            "familyName": family,
            "givenName": given,
            "middleNames": middle,
            "address": PERSON["address"],
            "email": PERSON["email"],
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.get_json()


def test_the_flows_log_no_identity_data(app, client, runner, session, config, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    output = _import(runner, tmp_path)
    subscriber = session.scalars(select(Subscriber).where(Subscriber.msisdn == PERSON["msisdn"])).one()
    add_regular_calls(session, subscriber.msisdn, list(PERSON["calls"]), subscriber.sims[0].activated_at)
    _register(client, session)
    _kyc_match(app.test_client(), session)

    logged = "\n".join(record.getMessage() for record in caplog.records) + output
    # The capture worked: statements, rows and (when shown) parameters are there.
    assert "INSERT INTO subscribers" in logged and "INSERT INTO accounts" in logged
    assert "Row (values hidden" in logged  # rows were logged, without their decrypted values
    if not config.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"]:
        assert PERSON["msisdn"] in logged and PERSON["region"] in logged
    leaked = sorted(value for value in identity_values() if value in logged)
    assert leaked == []

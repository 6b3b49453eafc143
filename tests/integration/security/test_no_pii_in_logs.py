"""No passport, name, address or e-mail reaches a log, even at DEBUG with SQL echo on.

Run as configured (SQL parameters hidden) and with parameters shown, so that
the encryption itself is what keeps the values out of the SQL log.
"""

from __future__ import annotations

import logging

import pytest

from recovery.iccid import with_check_digit
from recovery.passports import normalise_passport
from recovery.seed import DEMO_CASES

IMPORTED = {
    "full_name": "Заглушкина Серафима Ильинична",
    "passport": "4601 987654",
    "address": "г. Казань, ул. Баумана, д. 19, кв. 4",
    "email": "zaglushkina@example.ru",
}
CSV = (
    "msisdn,full_name,passport,registered_address,home_region,iccid,activated_at,email,tariff,balance_rub\n"
    f'+79051234567,{IMPORTED["full_name"]},{IMPORTED["passport"]},"{IMPORTED["address"]}",RU-TA,'
    f"{with_check_digit('8970199000000000077')},2024-01-01T10:00:00+03:00,{IMPORTED['email']},smart,10\n"
)


def _secrets() -> set[str]:
    """Every identity value of the import and of the demo seed, in the forms a log might show."""
    people = [
        (IMPORTED["full_name"], IMPORTED["passport"], IMPORTED["address"], IMPORTED["email"]),
        *((c.full_name, c.passport, c.address, c.email) for c in DEMO_CASES),
    ]
    values: set[str] = set()
    for full_name, passport, address, email in people:
        values.update(full_name.split())
        values.update({full_name, passport, normalise_passport(passport), address, email})
    return values


@pytest.fixture(params=[True, False], ids=["parameters-hidden", "parameters-shown"])
def config(config, request):
    config.SQLALCHEMY_ECHO = True
    config.SQLALCHEMY_ENGINE_OPTIONS = {**config.SQLALCHEMY_ENGINE_OPTIONS, "hide_parameters": request.param}
    return config


def test_import_and_seed_log_no_identity_data(config, runner, tmp_path, caplog):
    path = tmp_path / "subscribers.csv"
    path.write_text(CSV, encoding="utf-8")
    with caplog.at_level(logging.DEBUG):
        seeded = runner.invoke(args=["seed-demo"])  # needs an empty database: first
        assert seeded.exit_code == 0, seeded.output
        imported = runner.invoke(args=["import-subscribers", str(path)])
        assert imported.exit_code == 0, imported.output
        changed = runner.invoke(args=["import-subscribers", str(path)], input=None)  # read back, compared
        assert changed.exit_code == 0, changed.output

    logged = "\n".join(record.getMessage() for record in caplog.records)
    # The capture worked: the SQL of both commands is there (and, when shown, its parameters).
    assert "INSERT INTO subscribers" in logged and "INSERT INTO call_events" in logged
    if not config.SQLALCHEMY_ENGINE_OPTIONS["hide_parameters"]:
        assert "+79051234567" in logged and "RU-TA" in logged
    leaked = sorted(value for value in _secrets() if value in logged)
    assert leaked == []

"""CAMARA KYC Tenure v0.2, ported from the published Gherkin scenarios (kyc-tenure.feature).

Every answer is checked against the published yaml (tests/integration/camara/published).
Scenarios that need a three-legged token (C02.03 UNNECESSARY_IDENTIFIER) or lines
the service does not apply to (C02.05) do not arise: partner tokens are
two-legged and every line is served (docs/CAMARA.md); 401 and 403 for every
partner operation are in test_access.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from recovery.models import AuditEvent, Subscriber
from tests.helpers.camara import CORRELATOR, UNKNOWN_NUMBER, assert_error, assert_published_answer, reissue
from tests.helpers.people import import_new_owner

CHECK = "/camara/kyc-tenure/v0.2/check-tenure"
DOCUMENT = "kyc-tenure.yaml"
NUMBER = "+79161234567"
#: Иванов's contract (tests/helpers/people.make_subscriber) starts with his SIM, 2024-01-01 00:00 UTC.
SIGNED = date(2024, 1, 1)


def tenure(camara, tenure_date: date | str, number: str = NUMBER) -> dict:
    """Ask, check the 200 against the published schema (and the Gherkin's checks), return the body."""
    response = camara.post(CHECK, {"phoneNumber": number, "tenureDate": str(tenure_date)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    assert response.headers["x-correlator"] == CORRELATOR
    body = assert_published_answer(DOCUMENT, response, "TenureInfo")
    assert isinstance(body["tenureDateCheck"], bool)
    assert body.get("contractType", "PAYG") in ("PAYG", "PAYM", "Business")
    return body


def error(camara, body, status: int, code: str) -> None:
    response = camara.post(CHECK, body)
    assert_error(response, status, code)
    assert_published_answer(DOCUMENT, response)


# --- happy paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tenure_date", [SIGNED, date(2024, 6, 30), date(2025, 6, 1)])
def test_1_tenure_since_a_date_on_or_after_the_contract_began(camara, subscriber, tenure_date):
    # The day the contract was signed counts. Иванов's tariff «Смарт» is a monthly contract.
    assert tenure(camara, tenure_date) == {"tenureDateCheck": True, "contractType": "PAYM"}


@pytest.mark.parametrize("tenure_date", [date(2020, 5, 17), date(2023, 12, 31)])
def test_2_no_tenure_since_a_date_before_the_contract_began(camara, subscriber, tenure_date):
    assert tenure(camara, tenure_date) == {"tenureDateCheck": False, "contractType": "PAYM"}


def test_2_a_new_owner_has_tenure_only_from_the_hand_over(camara, session, config, subscriber):
    handed_over = datetime(2025, 9, 21, 10, tzinfo=UTC)
    import_new_owner(session, config.PII_KEY, handed_over, tariff="basic")
    # The new owner holds it since 2025-09-21 on the prepaid «Базовый».
    assert tenure(camara, SIGNED) == {"tenureDateCheck": False, "contractType": "PAYG"}
    assert tenure(camara, date(2025, 9, 20))["tenureDateCheck"] is False
    assert tenure(camara, date(2025, 9, 21))["tenureDateCheck"] is True
    assert tenure(camara, date(2025, 12, 1))["tenureDateCheck"] is True


def test_a_reissue_does_not_reset_the_tenure(camara, session, subscriber):
    reissue(session, subscriber, datetime.now(UTC) - timedelta(hours=2))
    assert tenure(camara, SIGNED)["tenureDateCheck"] is True


def test_today_is_a_valid_tenure_date(camara, subscriber):
    assert tenure(camara, datetime.now(UTC).date())["tenureDateCheck"] is True


@pytest.mark.parametrize(("tariff", "contract_type"), [("basic", "PAYG"), ("unlimited", "PAYM")])
def test_contract_type_comes_from_the_current_tariff(camara, session, subscriber, tariff, contract_type):
    subscriber.tariff = tariff
    session.commit()
    assert tenure(camara, SIGNED)["contractType"] == contract_type


def test_contract_type_is_left_out_for_a_tariff_not_in_the_catalogue(camara, session, subscriber):
    subscriber.tariff = "legacy-2009"
    session.commit()
    assert tenure(camara, SIGNED) == {"tenureDateCheck": True}


def test_a_number_whose_contract_ended_has_no_tenure(camara, session, subscriber):
    session.get(Subscriber, subscriber.id).current_contract.ended_at = datetime(2025, 1, 1, tzinfo=UTC)
    session.commit()
    assert tenure(camara, SIGNED)["tenureDateCheck"] is False


# --- 400 -------------------------------------------------------------------------------------------


def test_400_1_no_request_body(camara, subscriber):
    response = camara.post(CHECK)
    assert_error(response, 400, "INVALID_ARGUMENT")
    assert_published_answer(DOCUMENT, response)


def test_400_2_empty_request_body(camara, subscriber):
    error(camara, {}, 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("days", [1, 3650])
def test_400_3_tenure_date_in_the_future_is_out_of_range(camara, subscriber, days):
    future = datetime.now(UTC).date() + timedelta(days=days)
    error(camara, {"phoneNumber": NUMBER, "tenureDate": str(future)}, 400, "OUT_OF_RANGE")


@pytest.mark.parametrize(
    "body",
    [
        {"phoneNumber": NUMBER},
        {"phoneNumber": NUMBER, "tenureDate": "2023-07-03T00:00:00Z"},
        {"phoneNumber": NUMBER, "tenureDate": "03.07.2023"},
        {"phoneNumber": NUMBER, "tenureDate": "2023-02-29"},
        {"phoneNumber": NUMBER, "tenureDate": 20230703},
        {"phoneNumber": NUMBER, "tenureDate": "2023-07-03", "contractType": "PAYM"},
        [NUMBER],
    ],
)
def test_400_4_body_not_compliant_with_the_schema(camara, subscriber, body):
    error(camara, body, 400, "INVALID_ARGUMENT")


# --- phoneNumber (C02) -----------------------------------------------------------------------------


@pytest.mark.parametrize("phone_number", ["79161234567", "+7 916 123-45-67", "+7916", "+79161234567\n", 7])
def test_c02_01_phone_number_not_schema_compliant(camara, subscriber, phone_number):
    error(camara, {"phoneNumber": phone_number, "tenureDate": "2023-07-03"}, 400, "INVALID_ARGUMENT")


def test_c02_02_phone_number_not_found(camara, subscriber):
    error(camara, {"phoneNumber": UNKNOWN_NUMBER, "tenureDate": "2023-07-03"}, 404, "IDENTIFIER_NOT_FOUND")


def test_c02_04_missing_phone_number(camara, subscriber):
    error(camara, {"tenureDate": "2023-07-03"}, 422, "MISSING_IDENTIFIER")


# --- audit -----------------------------------------------------------------------------------------


def test_each_lookup_is_audited_without_identity_data(camara, session, subscriber):
    tenure(camara, "2023-07-03")
    camara.post(CHECK, {"phoneNumber": UNKNOWN_NUMBER, "tenureDate": "2023-07-03"})
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.channel == "api").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.subject, e.details["result"]) for e in events] == [
        ("camara.kyc_tenure.check_tenure", NUMBER, False),
        ("camara.kyc_tenure.check_tenure", UNKNOWN_NUMBER, "not_found"),
    ]
    assert events[0].details["tenure_date"] == "2023-07-03"
    assert "Иванов" not in str([e.details for e in events])

"""CAMARA Number Recycling v0.2, ported from the published Gherkin scenarios (number-recycling.feature).

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

from recovery.models import AuditEvent
from tests.helpers.camara import CORRELATOR, UNKNOWN_NUMBER, assert_error, assert_published_answer, reissue
from tests.helpers.people import import_new_owner, make_subscriber

CHECK = "/camara/number-recycling/v0.2/check"
DOCUMENT = "number-recycling.yaml"
NUMBER = "+79161234567"
#: Иванов's contract (tests/helpers/people.make_subscriber) starts with his SIM, 2024-01-01 00:00 UTC.
SIGNED = date(2024, 1, 1)


def recycled(camara, specified: date | str, number: str = NUMBER) -> bool:
    """Ask, check the 200 against the published schema, return phoneNumberRecycled."""
    response = camara.post(CHECK, {"phoneNumber": number, "specifiedDate": str(specified)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    assert response.headers["x-correlator"] == CORRELATOR
    body = assert_published_answer(DOCUMENT, response, "CheckNumRecyclingInfo")
    assert set(body) == {"phoneNumberRecycled"} and isinstance(body["phoneNumberRecycled"], bool)
    return body["phoneNumberRecycled"]


def error(camara, body, status: int, code: str, **kwargs) -> None:
    response = camara.post(CHECK, body, **kwargs)
    assert_error(response, status, code)
    assert_published_answer(DOCUMENT, response)


# --- happy paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("specified", [SIGNED, date(2024, 6, 30), date.today()])
def test_01_phone_number_still_linked_to_the_user_is_not_recycled(camara, subscriber, specified):
    assert recycled(camara, specified) is False


def test_02_number_cancelled_by_user_a_and_used_by_user_b_is_recycled(camara, session, config, subscriber):
    handed_over = datetime(2025, 9, 21, 10, tzinfo=UTC)
    assert import_new_owner(session, config.PII_KEY, handed_over).owners_changed == 1
    # User A's dates, up to the day before user B signed: recycled.
    for specified in (SIGNED, date(2024, 12, 22), date(2025, 9, 20)):
        assert recycled(camara, specified) is True
    # From user B's signing day on: B still holds it.
    for specified in (date(2025, 9, 21), date(2025, 10, 1)):
        assert recycled(camara, specified) is False


def test_a_reissue_to_the_same_subscriber_is_not_recycling(camara, session, subscriber):
    reissue(session, subscriber, datetime(2025, 3, 1, tzinfo=UTC))
    reissue(session, subscriber, datetime.now(UTC) - timedelta(hours=1))
    assert recycled(camara, SIGNED) is False
    assert recycled(camara, date(2025, 2, 1)) is False


def test_a_date_before_the_first_contract_is_recycled(camara, subscriber):
    """Nobody held the number then: whoever the caller knew then, it was not our subscriber."""
    assert recycled(camara, SIGNED - timedelta(days=1)) is True


def test_a_day_between_two_owners_is_recycled(camara, session, subscriber):
    """Scenario 2's note: a date on which no contract held the number answers true."""
    contract = subscriber.current_contract
    contract.ended_at = datetime(2024, 2, 25, 12, tzinfo=UTC)
    session.commit()
    assert recycled(camara, date(2024, 2, 25)) is True  # ended that day: A no longer holds it
    assert recycled(camara, date(2024, 5, 1)) is True


# --- 400 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "specified", ["2024-13-01", "2024-02-30", "01.01.2024", "2024-01-01T00:00:00Z", "", 20240101, None]
)
def test_400_01_invalid_specified_date(camara, subscriber, specified):
    error(camara, {"phoneNumber": NUMBER, "specifiedDate": specified}, 400, "INVALID_ARGUMENT")


def test_400_2_no_request_body(camara, subscriber):
    response = camara.post(CHECK)
    assert_error(response, 400, "INVALID_ARGUMENT")
    assert_published_answer(DOCUMENT, response)


def test_400_3_empty_request_body(camara, subscriber):
    error(camara, {}, 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("days", [1, 400])
def test_400_4_specified_date_in_the_future_is_out_of_range(camara, subscriber, days):
    future = datetime.now(UTC).date() + timedelta(days=days)
    error(camara, {"phoneNumber": NUMBER, "specifiedDate": str(future)}, 400, "OUT_OF_RANGE")


@pytest.mark.parametrize(
    "body",
    [
        {"phoneNumber": NUMBER},
        {"phoneNumber": NUMBER, "specifiedDate": "2024-01-01", "maxAge": 24},
        [NUMBER, "2024-01-01"],
        "2024-01-01",
    ],
)
def test_400_5_body_not_compliant_with_the_schema(camara, subscriber, body):
    error(camara, body, 400, "INVALID_ARGUMENT")


# --- phoneNumber (C02) -----------------------------------------------------------------------------


@pytest.mark.parametrize("phone_number", ["79161234567", "+7 916 123-45-67", "+7916", "+79161234567\n", 7])
def test_c02_01_phone_number_not_schema_compliant(camara, subscriber, phone_number):
    error(camara, {"phoneNumber": phone_number, "specifiedDate": "2024-01-01"}, 400, "INVALID_ARGUMENT")


def test_c02_04_missing_phone_number(camara, subscriber):
    error(camara, {"specifiedDate": "2024-01-01"}, 422, "MISSING_IDENTIFIER")


def test_unknown_number_is_identifier_not_found_as_in_the_published_404(camara, subscriber):
    """The yaml's 404 IDENTIFIER_NOT_FOUND (a number of another operator), as SIM Swap answers."""
    error(camara, {"phoneNumber": UNKNOWN_NUMBER, "specifiedDate": "2024-01-01"}, 404, "IDENTIFIER_NOT_FOUND")


def test_an_unknown_number_spends_the_number_budget_as_a_known_one(app, camara, session, config):
    app.config["PARTNER_NUMBER_MAX_REQUESTS"] = 2
    make_subscriber(session, config.PII_KEY)
    ours = [camara.post(CHECK, {"phoneNumber": NUMBER, "specifiedDate": "2024-01-01"}) for _ in range(3)]
    theirs = [
        camara.post(CHECK, {"phoneNumber": UNKNOWN_NUMBER, "specifiedDate": "2024-01-01"}) for _ in range(3)
    ]
    assert [r.status_code for r in ours] == [200, 200, 429]
    assert [r.status_code for r in theirs] == [404, 404, 429]


# --- audit -----------------------------------------------------------------------------------------


def test_each_lookup_is_audited_without_identity_data(camara, session, subscriber):
    recycled(camara, "2024-05-01")
    camara.post(CHECK, {"phoneNumber": UNKNOWN_NUMBER, "specifiedDate": "2024-05-01"})
    camara.post(CHECK, {"phoneNumber": NUMBER, "specifiedDate": "2999-01-01"})  # refused: no look-up
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.channel == "api").order_by(AuditEvent.id)
    ).all()
    assert [(e.actor, e.action, e.subject, e.details["result"]) for e in events] == [
        ("api:bank", "camara.number_recycling.check", NUMBER, False),
        ("api:bank", "camara.number_recycling.check", UNKNOWN_NUMBER, "not_found"),
    ]
    assert events[0].details["specified_date"] == "2024-05-01"
    assert "Иванов" not in str([e.details for e in events])

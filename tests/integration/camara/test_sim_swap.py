"""CAMARA SIM Swap v2, ported from the published Gherkin scenarios (sim-swap-*.feature, r3.3).

Scenarios that need a three-legged token (C02.03 UNNECESSARY_IDENTIFIER), a
limited history window (retrieve 5, check 400.3) or lines the service does not
apply to (C02.05) do not arise here: partner tokens are two-legged, the
operator keeps the whole SIM history and every line is served (docs/CAMARA.md).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from recovery.models import AuditEvent, SimStatus
from tests.helpers.camara import CORRELATOR, UNKNOWN_NUMBER, assert_error, hours_ago, reissue

RETRIEVE = "/camara/sim-swap/v2/retrieve-date"
CHECK = "/camara/sim-swap/v2/check"
NUMBER = "+79161234567"


def assert_success(response) -> dict:
    """200, JSON, x-correlator echoed; returns the body."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    assert response.headers["x-correlator"] == CORRELATOR
    return response.get_json()


# --- retrieveSimSwapDate ---------------------------------------------------------------------------


def test_retrieve_1_generic_success(camara, subscriber):
    body = assert_success(camara.post(RETRIEVE, {"phoneNumber": NUMBER}))
    assert set(body) == {"latestSimChange"}
    assert datetime.fromisoformat(body["latestSimChange"]).utcoffset() is not None


def test_retrieve_2_swapped_sim_gives_the_time_of_the_swap(camara, session, subscriber):
    swapped_at = hours_ago(5).replace(microsecond=0)
    reissue(session, subscriber, swapped_at)
    body = assert_success(camara.post(RETRIEVE, {"phoneNumber": NUMBER}))
    assert datetime.fromisoformat(body["latestSimChange"]) == swapped_at


def test_retrieve_3_never_swapped_gives_the_activation_time(camara, subscriber):
    body = assert_success(camara.post(RETRIEVE, {"phoneNumber": NUMBER}))
    assert datetime.fromisoformat(body["latestSimChange"]) == subscriber.sims[0].activated_at


def test_retrieve_4_number_without_a_sim_gives_null(camara, session, subscriber):
    sim = subscriber.sims[0]
    sim.status = SimStatus.RETIRED
    sim.retired_at = hours_ago(1)
    session.commit()
    body = assert_success(camara.post(RETRIEVE, {"phoneNumber": NUMBER}))
    assert body == {"latestSimChange": None}


def test_retrieve_keeps_the_blocked_sims_date_until_the_reissue_is_fulfilled(camara, session, subscriber):
    """A lost SIM is blocked at once, but the number moves only when the office hands over a new one."""
    sim = subscriber.sims[0]
    sim.status = SimStatus.BLOCKED
    sim.blocked_at = hours_ago(1)
    session.commit()
    body = assert_success(camara.post(RETRIEVE, {"phoneNumber": NUMBER}))
    assert datetime.fromisoformat(body["latestSimChange"]) == sim.activated_at


# --- checkSimSwap ----------------------------------------------------------------------------------


def test_check_1_generic_success(camara, subscriber):
    body = assert_success(camara.post(CHECK, {"phoneNumber": NUMBER}))
    assert body == {"swapped": False}


def test_check_2_swapped_within_the_default_240_hours(camara, session, subscriber):
    reissue(session, subscriber, hours_ago(239))
    assert assert_success(camara.post(CHECK, {"phoneNumber": NUMBER})) == {"swapped": True}


@pytest.mark.parametrize("hours", [260, 120, 24, 12])
def test_check_3_swapped_within_max_age(camara, session, subscriber, hours):
    reissue(session, subscriber, hours_ago(hours - 0.5))
    body = assert_success(camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": hours}))
    assert body == {"swapped": True}


def test_check_4_swapped_more_than_240_hours_ago(camara, session, subscriber):
    reissue(session, subscriber, hours_ago(241))
    assert assert_success(camara.post(CHECK, {"phoneNumber": NUMBER})) == {"swapped": False}


def test_check_5_swapped_just_before_max_age(camara, session, subscriber):
    reissue(session, subscriber, hours_ago(49.5))
    body = assert_success(camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": 49 - 1}))
    assert body == {"swapped": False}


def test_check_6_never_swapped_activated_more_than_240_hours_ago(camara, subscriber):
    assert assert_success(camara.post(CHECK, {"phoneNumber": NUMBER})) == {"swapped": False}


@pytest.mark.parametrize("hours", [260, 120, 24, 12])
def test_check_7_never_swapped_activated_before_max_age(camara, session, config, hours):
    from tests.helpers.people import make_subscriber

    make_subscriber(session, config.PII_KEY, activated_at=hours_ago(hours + 0.5))
    body = assert_success(camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": hours - 1}))
    assert body == {"swapped": False}


def test_check_counts_a_new_subscription_as_a_swap(camara, session, config):
    from tests.helpers.people import make_subscriber

    make_subscriber(session, config.PII_KEY, activated_at=hours_ago(2))
    assert assert_success(camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": 3})) == {"swapped": True}


@pytest.mark.parametrize(
    ("max_age", "swapped_hours_ago", "swapped"),
    [
        (1, 0.5, True),
        (1, 1.5, False),
        (240, 239.5, True),
        (240, 240.5, False),
        (2400, 2399.5, True),
        (2400, 2400.5, False),
    ],
)
def test_check_max_age_edges_inside_the_range(
    camara, session, subscriber, max_age, swapped_hours_ago, swapped
):
    reissue(session, subscriber, hours_ago(swapped_hours_ago))
    body = assert_success(camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": max_age}))
    assert body == {"swapped": swapped}


@pytest.mark.parametrize("max_age", [2401, 100000, 0, -1, 2**63])
def test_check_400_2_max_age_outside_1_to_2400_is_out_of_range(camara, subscriber, max_age):
    assert_error(camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": max_age}), 400, "OUT_OF_RANGE")


@pytest.mark.parametrize("max_age", ["240", 24.5, True, None, [240], {"hours": 1}])
def test_check_400_1_max_age_not_an_integer_is_invalid(camara, subscriber, max_age):
    assert_error(camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": max_age}), 400, "INVALID_ARGUMENT")


# --- phoneNumber handling (C02), both operations -------------------------------------------------


@pytest.mark.parametrize("path", [RETRIEVE, CHECK])
@pytest.mark.parametrize(
    "phone_number",
    ["79161234567", "+7 916 123-45-67", "+09161234567", "+7916", "+79161234567\n", "", 79161234567],
)
def test_c02_01_phone_number_not_schema_compliant(camara, subscriber, path, phone_number):
    assert_error(camara.post(path, {"phoneNumber": phone_number}), 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("path", [RETRIEVE, CHECK])
def test_c02_02_unknown_number_is_identifier_not_found(camara, subscriber, path):
    assert_error(camara.post(path, {"phoneNumber": UNKNOWN_NUMBER}), 404, "IDENTIFIER_NOT_FOUND")


@pytest.mark.parametrize(("path", "body"), [(RETRIEVE, {}), (CHECK, {}), (CHECK, {"maxAge": 24})])
def test_c02_04_missing_phone_number(camara, subscriber, path, body):
    assert_error(camara.post(path, body), 422, "MISSING_IDENTIFIER")


# --- request shape -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [RETRIEVE, CHECK])
def test_missing_body_is_invalid(camara, subscriber, path):
    assert_error(camara.post(path), 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("path", [RETRIEVE, CHECK])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "phoneNumber=%2B79161234567", "content_type": "application/x-www-form-urlencoded"},
        {"data": "{not json", "content_type": "application/json"},
        {"json": [NUMBER]},
        {"json": NUMBER},
    ],
)
def test_body_that_is_not_a_json_object_is_invalid(camara, subscriber, path, kwargs):
    assert_error(camara.post(path, **kwargs), 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("path", [RETRIEVE, CHECK])
def test_unknown_property_is_invalid(camara, subscriber, path):
    response = camara.post(path, {"phoneNumber": NUMBER, "imsi": "250011234567890"})
    assert_error(response, 400, "INVALID_ARGUMENT")
    assert "imsi" in response.get_json()["message"]


# --- audit -----------------------------------------------------------------------------------------


def test_each_lookup_is_audited_without_identity_data(camara, session, subscriber):
    camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": 24})
    camara.post(RETRIEVE, {"phoneNumber": UNKNOWN_NUMBER})
    query = select(AuditEvent).where(AuditEvent.channel == "api").order_by(AuditEvent.id)
    events = session.scalars(query).all()
    assert [(e.actor, e.action, e.subject) for e in events] == [
        ("api:bank", "camara.sim_swap.check", NUMBER),
        ("api:bank", "camara.sim_swap.retrieve_date", UNKNOWN_NUMBER),
    ]
    assert events[0].details["result"] is False
    assert events[0].details["max_age"] == 24
    assert events[1].details["result"] == "not_found"
    assert "Иванов" not in str([e.details for e in events])


def test_refused_requests_are_not_lookups(camara, session, subscriber):
    camara.post(CHECK, {"phoneNumber": NUMBER, "maxAge": 0})
    camara.post(CHECK, {"phoneNumber": NUMBER}, token="wrong")
    assert session.scalars(select(AuditEvent).where(AuditEvent.channel == "api")).all() == []


@pytest.mark.parametrize("path", [CHECK, RETRIEVE], ids=["check", "retrieve-date"])
def test_an_unknown_number_runs_the_same_statements_as_ours(app, camara, subscriber, path):
    """The budget, one look-up (the SIMs joined, not loaded after) and the audit row, for both:
    the statements do not tell a subscriber from a number that is not ours."""
    from tests.helpers.statements import captured_statements

    body = {"maxAge": 240} if path == CHECK else {}
    camara.post(path, {"phoneNumber": "+79990000042", **body})  # the token is resolved (and cached)
    with captured_statements(app) as ours:
        assert camara.post(path, {"phoneNumber": NUMBER, **body}).status_code == 200
    with captured_statements(app) as unknown:
        assert camara.post(path, {"phoneNumber": UNKNOWN_NUMBER, **body}).status_code == 404
    assert ours == unknown
    assert ours.kinds() == ["INSERT", "SELECT", "INSERT"]

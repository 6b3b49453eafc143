"""The costing rule of the call details (no app)."""

import pytest

from recovery.account.costs import Prices, billed_minutes, event_cost

SMART = Prices(per_minute=150, per_sms=150)


@pytest.mark.parametrize(("seconds", "minutes"), [(0, 0), (1, 1), (60, 1), (61, 2), (3600, 60), (-5, 0)])
def test_every_started_minute_is_billed(seconds, minutes):
    assert billed_minutes(seconds) == minutes


@pytest.mark.parametrize(
    ("kind", "outgoing", "to_service", "duration_s", "kopecks"),
    [
        ("voice", True, False, 125, 450),
        ("voice", False, False, 125, 0),  # incoming
        ("voice", True, True, 600, 0),  # 0890
        ("sms", True, False, 0, 150),
        ("sms", False, False, 0, 0),
        ("ussd", True, True, 0, 0),  # *100#
        ("ussd", True, False, 0, 0),
    ],
)
def test_outgoing_usage_to_full_numbers_is_charged(kind, outgoing, to_service, duration_s, kopecks):
    assert (
        event_cost(kind, outgoing=outgoing, to_service=to_service, duration_s=duration_s, prices=SMART)
        == kopecks
    )


def test_an_unlimited_tariff_costs_nothing():
    assert event_cost("voice", outgoing=True, to_service=False, duration_s=900, prices=Prices(0, 0)) == 0

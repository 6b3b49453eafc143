"""What an event in the call details costs, derived from the tariff's prices.

The rule (stated to the subscriber on the call details page):

* an outgoing call to a full number costs the tariff's price per minute for
  every started minute (61 s are two minutes);
* an outgoing SMS to a full number costs the tariff's price per SMS;
* incoming calls and SMS, USSD requests (``*100#``) and anything to a service
  number (``0890``, ``0500``) are free;
* the monthly fee is not spread over events.

Kopecks throughout; no floats.
"""

from __future__ import annotations

from dataclasses import dataclass

SECONDS_PER_MINUTE = 60


@dataclass(frozen=True)
class Prices:
    """A tariff's usage prices in kopecks."""

    per_minute: int
    per_sms: int


def billed_minutes(duration_s: int) -> int:
    """Started minutes of a call: 0 s is nothing, 1–60 s one minute, 61 s two."""
    if duration_s <= 0:
        return 0
    return -(-duration_s // SECONDS_PER_MINUTE)


def event_cost(kind: str, *, outgoing: bool, to_service: bool, duration_s: int, prices: Prices) -> int:
    """The cost in kopecks of one ledger event for its subscriber."""
    if not outgoing or to_service:
        return 0
    if kind == "voice":
        return billed_minutes(duration_s) * prices.per_minute
    if kind == "sms":
        return prices.per_sms
    return 0

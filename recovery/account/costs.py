"""What an event in the call details costs, derived from the tariff's prices.

The rule (stated to the subscriber on the call details page):

* an outgoing call to a full number costs the tariff's price per minute for
  every started minute (61 s are two minutes);
* an outgoing SMS to a full number costs the tariff's price per SMS;
* incoming calls and SMS, USSD requests (``*100#``) and anything to a service
  number (``0890``, ``0500``) are free;
* the monthly fee is not spread over events;
* the prices are those of the tariff in force when the event happened: a
  tariff change never reprices past usage (``PriceHistory``).

Kopecks throughout; no floats.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

SECONDS_PER_MINUTE = 60


@dataclass(frozen=True)
class Prices:
    """A tariff's usage prices in kopecks."""

    per_minute: int
    per_sms: int


@dataclass(frozen=True)
class PriceHistory:
    """The prices in force over time: ``initial`` until the first change, then each change's own.

    ``None`` prices stand for a tariff we do not list (its events show no cost).
    """

    initial: Prices | None
    changes: tuple[tuple[datetime, Prices | None], ...] = ()  # (in force from, prices), oldest first

    def at(self, instant: datetime) -> Prices | None:
        """The prices of the tariff in force at ``instant``."""
        index = bisect_right([start for start, _ in self.changes], instant)
        return self.initial if index == 0 else self.changes[index - 1][1]


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

"""Who is how busy in the synthetic ledger: the mix of subscribers (issue 16).

Subscribers are not all alike. Each one has a *profile*, derived from a hash
of the seed and their index (nothing stored), and a weight: the number of
events the profile makes in six months. Every event of the ledger picks its
subscriber in proportion to the weights, so a ledger whose
``events_per_subscriber`` is :func:`mix_events_per_subscriber` for its months
has, with Poisson noise, these counts over six months:

* **ordinary** (95 %): 220–480 events, the plain mix of calls, SMS and USSD;
  with the noise, most land between 200 and 500;
* **heavy** (5 %, ``HEAVY_SHARE``): 3 000–6 000 events, half of them SMS they
  send, with a longer contact list;
* **bulk senders** (``BULK_SENDERS``, the last indices; none below
  ``50`` subscribers per sender): a bank's or a shop's number that sends SMS
  to any of the other subscribers (``BULK_EVENTS_PER_RECIPIENT`` each in six
  months, so thousands of recipients at 1 000+ subscribers), and that nobody
  calls or writes to: a caller of many and a callee of none.

A subscriber's events, as counted here and in the tests, are the rows their
SIM made (any kind, to anyone) and the rows from outside our subscribers to
them (incoming calls from outside numbers, SMS from ``900``); a call from one
subscriber to another is the caller's. With another ``events_per_subscriber``
the shape is the same, scaled.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from enum import StrEnum

HEAVY_SHARE = 0.05
ORDINARY_EVENTS = (220, 480)
HEAVY_EVENTS = (3_000, 6_000)
BULK_SENDERS = 3
#: Subscribers per bulk sender at least: a tiny ledger has fewer senders, or none.
SUBSCRIBERS_PER_BULK_SENDER = 50
BULK_EVENTS_PER_RECIPIENT = 4
#: The weights are events in this many months.
WEIGHT_MONTHS = 6
HEAVY_CONTACTS = (40, 120)


class Profile(StrEnum):
    """How a subscriber uses the phone."""

    ORDINARY = "ordinary"
    HEAVY = "heavy"
    BULK = "bulk"


def _hash(*values: int) -> int:
    """A cheap, well-mixed 32-bit hash of small integers (not for security)."""
    h = 2_166_136_261
    for value in values:
        h = ((h ^ value) * 16_777_619) & 0xFFFFFFFF
        h ^= h >> 15
        h = (h * 2_246_822_519) & 0xFFFFFFFF
        h ^= h >> 13
    return h


def _unit(*values: int) -> float:
    return _hash(*values) / 4_294_967_296


def bulk_senders(subscribers: int) -> int:
    """How many of the last subscriber indices are bulk senders."""
    return min(BULK_SENDERS, subscribers // SUBSCRIBERS_PER_BULK_SENDER)


def profile(seed: int, subscribers: int, index: int) -> Profile:
    """The profile of subscriber ``index`` (0-based) of a ledger of ``subscribers``."""
    if index >= subscribers - bulk_senders(subscribers):
        return Profile.BULK
    return Profile.HEAVY if _unit(seed, index, 5) < HEAVY_SHARE else Profile.ORDINARY


def weight(seed: int, subscribers: int, index: int) -> float:
    """Events of subscriber ``index`` in ``WEIGHT_MONTHS`` months, before scaling."""
    kind = profile(seed, subscribers, index)
    if kind is Profile.BULK:
        return float(BULK_EVENTS_PER_RECIPIENT * (subscribers - bulk_senders(subscribers)))
    low, high = HEAVY_EVENTS if kind is Profile.HEAVY else ORDINARY_EVENTS
    return low + (high - low) * _unit(seed, index, 6)


def mix_events_per_subscriber(subscribers: int, months: int, seed: int) -> int:
    """The mean events per subscriber at which the profiles' counts hold for ``months`` of history."""
    total = sum(weight(seed, subscribers, index) for index in range(subscribers))
    return max(1, round(total / subscribers * months / WEIGHT_MONTHS))


@dataclass
class Picker:
    """Picks a subscriber for an event in proportion to the weights (a bisect of their running sum)."""

    cumulative: list[float]
    profiles: list[Profile]
    ordinary: int

    @classmethod
    def of(cls, seed: int, subscribers: int) -> Picker:
        """The picker of a ledger of ``subscribers``."""
        weights = (weight(seed, subscribers, index) for index in range(subscribers))
        profiles = [profile(seed, subscribers, index) for index in range(subscribers)]
        return cls(list(itertools.accumulate(weights)), profiles, subscribers - bulk_senders(subscribers))

    def pick(self, u: float) -> int:
        """The subscriber for ``u`` in [0, 1)."""
        return min(bisect.bisect_right(self.cumulative, u * self.cumulative[-1]), len(self.cumulative) - 1)

    def recipient(self, u: float) -> int:
        """Any subscriber but the bulk senders, uniformly (a bulk sender's recipient)."""
        return int(u * self.ordinary)

"""A realistic synthetic ledger and the subscribers to match, streamed as CSV.

For benchmarks and load tests (``flask --app wsgi bench generate-ledger``).
Rows are written day by day in time order, as billing sends them; only one
day's rows are ever held in memory, so months of history take no more memory
than one day. Everything follows from the seed: two runs with the same arguments
write the same bytes.

The shape follows what an operator's ledger looks like:

* each subscriber has a personal list of 10–40 contacts, half of them other
  subscribers and half numbers outside our network (landlines, other
  operators); the outside numbers' popularity is Zipf-like (a taxi firm or a
  clinic is in thousands of lists, most numbers in one);
* within a list, the favourite contacts get most of the calls;
* outgoing voice calls and SMS to contacts, incoming calls from outside
  contacts, balance checks (``*100#``), calls to the support lines
  (``0890``, ``0500``) and SMS from short numbers (``900``);
* calls happen in the daytime (Moscow time), spread over the months before
  ``end``; a few are made while roaming in another region;
* subscribers are not all alike: most are ordinary, 5 % are heavy users (half
  of their events SMS) and a few are bulk senders (a bank, a shop) that write
  to thousands of the others; :mod:`recovery.ledger.mix` has the numbers.

Contacts and per-subscriber traits are derived from integer hashes of the
subscriber's index rather than stored, so memory does not grow with the
number of subscribers either.
"""

from __future__ import annotations

import csv
import gzip
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import IO, TYPE_CHECKING, TextIO

from recovery.iccid import with_check_digit
from recovery.ledger.mix import HEAVY_CONTACTS, Picker, Profile, _hash, _unit, bulk_senders
from recovery.ledger.rows import CALL_HEADER, SUBSCRIBER_HEADER

if TYPE_CHECKING:
    from faker import Faker

MOSCOW = timezone(timedelta(hours=3))
DEFAULT_SEED = 20261126
DEFAULT_MONTHS = 6
DAYS_PER_MONTH = 30

#: Our subscribers' number ranges and the region each is sold in.
SUBSCRIBER_PREFIXES = (
    ("+7916", "RU-MOW"),
    ("+7915", "RU-MOW"),
    ("+7985", "RU-MOW"),
    ("+7921", "RU-SPE"),
    ("+7911", "RU-SPE"),
    ("+7913", "RU-NVS"),
    ("+7912", "RU-SVE"),
    ("+7917", "RU-TA"),
    ("+7918", "RU-KDA"),
)
#: Numbers outside our network: other operators' mobiles and city landlines.
OUTSIDE_PREFIXES = ("+7903", "+7926", "+7905", "+7962", "+7495", "+7812", "+7383", "+7343")
REGIONS = tuple(sorted({region for _, region in SUBSCRIBER_PREFIXES}))
BLOCK = 10_000_000  # 7 digits after a prefix
ZIPF_EXPONENT = 1.1
MIN_CONTACTS, MAX_CONTACTS = 10, 40
ROAMING_SHARE = 0.05
# Hours of the day (Moscow time) weighted by how busy they are.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10, 9, 8, 6, 4, 2)
TARIFFS = ("smart", "smart-plus", "basic", "unlimited")


@lru_cache(maxsize=1 << 16)
def subscriber_msisdn(index: int) -> str:
    """The number of subscriber ``index`` (0-based), in E.164."""
    prefix, _ = SUBSCRIBER_PREFIXES[index % len(SUBSCRIBER_PREFIXES)]
    return f"{prefix}{index // len(SUBSCRIBER_PREFIXES):07d}"


def subscriber_region(index: int) -> str:
    """The home region of subscriber ``index``."""
    return SUBSCRIBER_PREFIXES[index % len(SUBSCRIBER_PREFIXES)][1]


def outside_number(rank: int) -> str:
    """The outside number of popularity ``rank`` (1 is the most popular)."""
    prefix = OUTSIDE_PREFIXES[rank % len(OUTSIDE_PREFIXES)]
    # A multiplicative scramble so that neighbouring ranks do not look consecutive.
    return f"{prefix}{(rank * 7_368_787 + 1_000_003) % BLOCK:07d}"


def zipf_rank(u: float, size: int, exponent: float = ZIPF_EXPONENT) -> int:
    """Map ``u`` in [0, 1) to a rank in 1..size with Zipf-like (power law) weights."""
    # Inverse of the continuous power law's distribution function.
    a = 1.0 - exponent
    rank = int(((size**a - 1.0) * u + 1.0) ** (1.0 / a))
    return min(max(rank, 1), size)


@dataclass(frozen=True)
class LedgerShape:
    """What to generate: how many subscribers, events and months, from which seed."""

    subscribers: int
    events_per_subscriber: int
    end: datetime
    months: int = DEFAULT_MONTHS
    seed: int = DEFAULT_SEED

    @property
    def days(self) -> int:
        """Days of history before ``end``."""
        return self.months * DAYS_PER_MONTH

    @property
    def total_events(self) -> int:
        """Exactly how many rows the ledger will have."""
        return self.subscribers * self.events_per_subscriber

    @property
    def outside_pool(self) -> int:
        """How many distinct outside numbers the contacts are drawn from."""
        return max(2 * self.subscribers, 100)

    def first_day(self) -> date:
        """The first day (Moscow time) of the history."""
        return (self.end.astimezone(MOSCOW) - timedelta(days=self.days)).date()


@lru_cache(maxsize=1 << 16)
def _contact_count(seed: int, subscriber: int, heavy: bool) -> int:
    low, high = HEAVY_CONTACTS if heavy else (MIN_CONTACTS, MAX_CONTACTS)
    return low + _hash(seed, subscriber, 1) % (high - low + 1)


class Contacts:
    """A subscriber's contact list, computed on demand from hashes (nothing stored).

    Bulk senders are in nobody's list: only the ordinary and heavy subscribers
    (``ordinary`` of them, the first indices) are called and written to.
    """

    def __init__(self, shape: LedgerShape, picker: Picker) -> None:
        self.shape = shape
        self.picker = picker
        self.ordinary = shape.subscribers - bulk_senders(shape.subscribers)

    def count(self, subscriber: int) -> int:
        """How many contacts ``subscriber`` has."""
        heavy = self.picker.profiles[subscriber] is Profile.HEAVY
        return _contact_count(self.shape.seed, subscriber, heavy)

    def number(self, subscriber: int, position: int) -> str:
        """The contact at ``position``: outside numbers at even positions, subscribers at odd ones."""
        if position % 2 == 0 or self.ordinary < 2:
            u = _unit(self.shape.seed, subscriber, position, 2)
            return outside_number(zipf_rank(u, self.shape.outside_pool))
        other = _hash(self.shape.seed, subscriber, position, 3) % (self.ordinary - 1)
        return subscriber_msisdn(other if other < subscriber else other + 1)

    def favourite(self, subscriber: int, u: float, outside_only: bool = False) -> str:
        """A contact picked with a bias to the top of the list (favourites get most calls)."""
        count = self.count(subscriber)
        position = int(count * u * u)
        if outside_only:
            position -= position % 2
        return self.number(subscriber, position)


#: Where a random number in [0, 1) falls picks the event: the upper bounds of outgoing
#: voice, outgoing SMS, incoming voice, ``*100#`` and the support lines; above them an
#: SMS from ``900``. A heavy user's events are half SMS (45 % sent, 6 % from ``900``).
KIND_BOUNDS = {
    Profile.ORDINARY: (0.55, 0.78, 0.90, 0.94, 0.97),
    Profile.HEAVY: (0.27, 0.72, 0.86, 0.90, 0.94),
}


def _day_rows(shape: LedgerShape, contacts: Contacts, rng: random.Random, day: date, count: int) -> list:
    """``count`` events of one day, as (second of day, row) pairs sorted by time."""
    taken: set[tuple[int, int]] = set()
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    stamp = day.isoformat()
    rows = []
    random_unit = rng.random
    for hour in hours:
        # int(random() * n) rather than randrange(n): a third of the cost, the same spread.
        subscriber = contacts.picker.pick(random_unit())
        second = hour * 3600 + int(random_unit() * 3600)
        # One event per subscriber per second: keeps the natural key unique.
        while (subscriber, second) in taken:
            second = (second + 1) % 86_400
        taken.add((subscriber, second))
        me = subscriber_msisdn(subscriber)
        region = subscriber_region(subscriber)
        r = rng.random()
        duration = 0
        kind_of = contacts.picker.profiles[subscriber]
        voice, sms, incoming, ussd, support = KIND_BOUNDS.get(kind_of, KIND_BOUNDS[Profile.ORDINARY])
        if kind_of is Profile.BULK:
            caller, callee, kind = me, subscriber_msisdn(contacts.picker.recipient(r)), "sms"
        elif r < voice:
            caller, callee, kind = me, contacts.favourite(subscriber, rng.random()), "voice"
            duration = min(int(rng.expovariate(1 / 90)) + 1, 3600)
        elif r < sms:
            caller, callee, kind = me, contacts.favourite(subscriber, rng.random()), "sms"
        elif r < incoming:
            caller, callee, kind = (
                contacts.favourite(subscriber, rng.random(), outside_only=True),
                me,
                "voice",
            )
            duration = min(int(rng.expovariate(1 / 120)) + 1, 3600)
        elif r < ussd:
            caller, callee, kind = me, "*100#", "ussd"
        elif r < support:
            caller, callee, kind = me, rng.choice(("0890", "0500")), "voice"
            duration = rng.randrange(30, 600)
        else:
            caller, callee, kind = "900", me, "sms"
        if rng.random() < ROAMING_SHARE:
            region = rng.choice(REGIONS)
        started = f"{stamp}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}+03:00"
        rows.append((second, (caller, callee, started, duration, kind, region)))
    rows.sort(key=lambda pair: pair[0])
    return rows


def generate_ledger(shape: LedgerShape) -> Iterator[tuple[str, str, str, int, str, str]]:
    """Yield ``calls.csv`` rows in time order: exactly ``shape.total_events`` of them."""
    rng = random.Random(shape.seed)  # noqa: S311 - synthetic data, reproducible by design
    contacts = Contacts(shape, Picker.of(shape.seed, shape.subscribers))
    first = shape.first_day()
    per_day, extra = divmod(shape.total_events, shape.days)
    for offset in range(shape.days):
        count = per_day + (1 if offset < extra else 0)
        for _, row in _day_rows(shape, contacts, rng, first + timedelta(days=offset), count):
            yield row


def open_output(path: str) -> IO[str]:
    """Open ``path`` for writing text; ``-`` is stdout (the caller must not close it), ``.gz`` compresses."""
    if path.endswith(".gz"):
        return gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=3)
    return open(path, "w", encoding="utf-8", newline="")


def write_ledger(shape: LedgerShape, out: TextIO) -> int:
    """Write the header and every row of the ledger to ``out``; return the row count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CALL_HEADER)
    rows = 0
    for row in generate_ledger(shape):
        writer.writerow(row)
        rows += 1
    return rows


@dataclass(frozen=True)
class SyntheticSubscriber:
    """A generated subscriber and the answers that pass the checks (for load tests)."""

    msisdn: str
    full_name: str
    passport: str
    registered_address: str
    home_region: str
    iccid: str
    activated_at: str
    email: str
    tariff: str
    balance_rub: str

    def row(self) -> tuple[str, ...]:
        """The ``subscribers.csv`` row."""
        return tuple(getattr(self, name) for name in SUBSCRIBER_HEADER)


CITIES = {
    "RU-MOW": "г. Москва",
    "RU-SPE": "г. Санкт-Петербург",
    "RU-NVS": "г. Новосибирск",
    "RU-SVE": "г. Екатеринбург",
    "RU-TA": "г. Казань",
    "RU-KDA": "г. Краснодар",
}


def _faker() -> Faker:
    # Imported here: Faker is large, and only the generators need it.
    from faker import Faker

    return Faker("ru_RU")


def synthetic_subscriber(
    index: int, seed: int = DEFAULT_SEED, faker: Faker | None = None
) -> SyntheticSubscriber:
    """Subscriber ``index``: the same person for the same seed, whichever order they are asked for."""
    faker = faker or _faker()
    faker.seed_instance(seed * 1_000_003 + index)
    rng = random.Random(seed * 1_000_003 + index)  # noqa: S311 - synthetic data
    male = rng.random() < 0.5
    if male:
        name = f"{faker.last_name_male()} {faker.first_name_male()} {faker.middle_name_male()}"
    else:
        name = f"{faker.last_name_female()} {faker.first_name_female()} {faker.middle_name_female()}"
    region = subscriber_region(index)
    street = faker.street_title()
    address = f"{CITIES[region]}, ул. {street}, д. {rng.randrange(1, 120)}, кв. {rng.randrange(1, 300)}"
    activated = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(4 * 365 * 86_400))
    return SyntheticSubscriber(
        msisdn=subscriber_msisdn(index),
        full_name=name,
        passport=f"{rng.randrange(1000, 10_000):04d} {rng.randrange(1_000_000):06d}",
        registered_address=address,
        home_region=region,
        iccid=with_check_digit(f"897010{index:012d}"),
        activated_at=activated.astimezone(MOSCOW).isoformat(),
        email=f"subscriber{index}@example.ru" if rng.random() < 0.7 else "",
        tariff=rng.choice(TARIFFS),
        balance_rub=f"{rng.randrange(-500, 5000)}.{rng.randrange(100):02d}",
    )


def write_subscribers(count: int, out: TextIO, seed: int = DEFAULT_SEED) -> int:
    """Write ``subscribers.csv`` for subscribers 0..count-1 (the ledger's callers); return the count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUBSCRIBER_HEADER)
    faker = _faker()
    for index in range(count):
        writer.writerow(synthetic_subscriber(index, seed, faker).row())
    return count

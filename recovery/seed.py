"""A reproducible demo data set: subscribers, SIMs, a ledger and staff.

Everything is drawn from a fixed seed and placed relative to ``now`` (the
ledger must cover the 30 days before a loss reported today), so two seeds
with the same ``now`` are identical. The documented demo cases below are
listed in the README.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from faker import Faker
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from recovery.contracts import open_contract
from recovery.iccid import with_check_digit
from recovery.models import CallEvent, Office, Sim, SimStatus, StaffRole, StaffUser, Subscriber
from recovery.passports import passport_digest
from recovery.security.passwords import hash_password

SEED = 20261125
SUBSCRIBER_COUNT = 240
EVENTS_PER_SUBSCRIBER = (70, 130)
HISTORY_DAYS = 90

REGION_CITIES = {
    "RU-MOW": "Москва",
    "RU-SPE": "Санкт-Петербург",
    "RU-NVS": "Новосибирск",
    "RU-SVE": "Екатеринбург",
    "RU-TA": "Казань",
    "RU-KDA": "Краснодар",
}
TARIFFS = ("smart", "smart-plus", "basic", "unlimited")
SERVICE_PARTIES = ("0890", "0500", "*100#", "*111#")


@dataclass(frozen=True)
class DemoCase:
    """A subscriber whose answers the README gives, to try each outcome."""

    msisdn: str
    full_name: str
    passport: str
    address: str
    region: str
    email: str
    recent_calls: tuple[str, ...]
    story: str


DEMO_CASES = (
    DemoCase(
        msisdn="+79161234567",
        full_name="Иванов Иван Иванович",
        passport="4509 123456",
        address="г. Москва, ул. Ленина, д. 5, кв. 12",
        region="RU-MOW",
        email="ivanov@example.ru",
        recent_calls=("+79031112233", "+79254445566", "+74951234567"),
        story="passes every check: reissue in RU-MOW, block anywhere",
    ),
    DemoCase(
        msisdn="+79217654321",
        full_name="Петрова Анна Сергеевна",
        passport="4010 654321",
        address="г. Санкт-Петербург, Невский пр-т, д. 28, кв. 7",
        region="RU-SPE",
        email="petrova@example.ru",
        recent_calls=("+79213334455", "+78123456789", "+79119998877"),
        story="lost the phone 2 days ago at noon; a finder has used it since (post-loss activity)",
    ),
    DemoCase(
        msisdn="+79135550011",
        full_name="Смирнов Олег Петрович",
        passport="5003 777888",
        address="г. Новосибирск, ул. Кирова, д. 10, кв. 3",
        region="RU-NVS",
        email="smirnov@example.ru",
        recent_calls=("+79607770001", "+79607770002", "+79607770003"),
        story=(
            "call-back scheme: these three numbers phoned him 3 days ago and were called back;"
            " they do not count"
        ),
    ),
)


#: Offices where a reissued SIM is collected, two per demo region: (name, address, opening hours).
DEMO_OFFICES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "RU-MOW": (
        ("Салон на Тверской", "г. Москва, ул. Тверская, д. 6, стр. 1", "ежедневно 9:00–21:00"),
        ("Салон у м. Курская", "г. Москва, ул. Земляной Вал, д. 33", "ежедневно 10:00–22:00"),
    ),
    "RU-SPE": (
        ("Салон на Невском", "г. Санкт-Петербург, Невский пр-т, д. 44", "ежедневно 9:00–21:00"),
        ("Салон на Московском", "г. Санкт-Петербург, Московский пр-т, д. 137", "ежедневно 10:00–21:00"),
    ),
    "RU-NVS": (
        ("Салон на Красном проспекте", "г. Новосибирск, Красный пр-т, д. 29", "пн–сб 9:00–20:00"),
        ("Салон в Академгородке", "г. Новосибирск, Морской пр-т, д. 54", "пн–сб 10:00–19:00"),
    ),
    "RU-SVE": (
        ("Салон на Ленина", "г. Екатеринбург, пр-т Ленина, д. 50", "ежедневно 9:00–21:00"),
        ("Салон на Малышева", "г. Екатеринбург, ул. Малышева, д. 5", "ежедневно 10:00–21:00"),
    ),
    "RU-TA": (
        ("Салон на Баумана", "г. Казань, ул. Баумана, д. 58", "ежедневно 9:00–21:00"),
        ("Салон на Пушкина", "г. Казань, ул. Пушкина, д. 2", "пн–сб 10:00–20:00"),
    ),
    "RU-KDA": (
        ("Салон на Красной", "г. Краснодар, ул. Красная, д. 176", "ежедневно 9:00–21:00"),
        ("Салон на Северной", "г. Краснодар, ул. Северная, д. 324", "ежедневно 10:00–21:00"),
    ),
}


@dataclass(frozen=True)
class DemoStaff:
    """A staff login printed by ``seed-demo``."""

    login: str
    password: str
    role: StaffRole
    region: str | None


DEMO_STAFF = (
    DemoStaff("agent", "agent-demo-0890", StaffRole.AGENT, None),
    DemoStaff("office-msk", "office-demo-msk", StaffRole.OFFICE, "RU-MOW"),
    DemoStaff("office-spb", "office-demo-spb", StaffRole.OFFICE, "RU-SPE"),
    DemoStaff("supervisor", "supervisor-demo-1", StaffRole.SUPERVISOR, None),
)


def database_is_empty(session: Session) -> bool:
    """True when no subscriber has been loaded yet."""
    return session.scalar(select(func.count()).select_from(Subscriber)) == 0


class _Generator:
    """Draws the demo data from one seeded random source."""

    def __init__(self, now: datetime) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
        self.fake = Faker("ru_RU")
        self.fake.seed_instance(SEED)
        self.now = now
        self.used_msisdns = {case.msisdn for case in DEMO_CASES}
        self.iccid_serial = 0

    def msisdn(self) -> str:
        while True:
            number = f"+79{self.rng.randrange(10**9):09d}"
            if number not in self.used_msisdns:
                self.used_msisdns.add(number)
                return number

    def iccid(self) -> str:
        self.iccid_serial += 1
        return with_check_digit(f"897010{self.iccid_serial:013d}")

    def passport(self) -> str:
        return f"{self.rng.randrange(1000, 10000)} {self.rng.randrange(10**6):06d}"

    def person(self) -> tuple[str, str, str]:
        if self.rng.random() < 0.5:
            return self.fake.last_name_male(), self.fake.first_name_male(), self.fake.middle_name_male()
        return self.fake.last_name_female(), self.fake.first_name_female(), self.fake.middle_name_female()

    def address(self, region: str) -> str:
        street = self.fake.street_title()
        house, flat = self.rng.randrange(1, 120), self.rng.randrange(1, 300)
        return f"г. {REGION_CITIES[region]}, ул. {street}, д. {house}, кв. {flat}"

    def instant(self, days_back_min: float, days_back_max: float) -> datetime:
        seconds = self.rng.uniform(days_back_min * 86400, days_back_max * 86400)
        return (self.now - timedelta(seconds=seconds)).replace(microsecond=0)


def _event(caller: str, callee: str, at: datetime, kind: str, region: str, rng: random.Random) -> dict:
    duration = rng.randrange(5, 900) if kind == "voice" else 0
    return {
        "caller": caller,
        "callee": callee,
        "started_at": at,
        "duration_s": duration,
        "kind": kind,
        "region": region,
    }


def _ordinary_events(gen: _Generator, msisdn: str, region: str, contacts: list[str]) -> list[dict]:
    rng = gen.rng
    events = []
    for _ in range(rng.randrange(*EVENTS_PER_SUBSCRIBER)):
        at = gen.instant(0.1, HISTORY_DAYS)
        roll = rng.random()
        if roll < 0.08:
            party = rng.choice(SERVICE_PARTIES)
            events.append(
                _event(msisdn, party, at, "ussd" if party.startswith("*") else "voice", region, rng)
            )
        else:
            # Popular contacts are called far more often (a Zipf-like mix).
            contact = contacts[min(int(rng.paretovariate(1.2)) - 1, len(contacts) - 1)]
            kind = "voice" if roll < 0.75 else "sms"
            if rng.random() < 0.3:
                events.append(_event(contact, msisdn, at, kind, region, rng))
            else:
                events.append(_event(msisdn, contact, at, kind, region, rng))
    return events


def _demo_case_events(gen: _Generator, case: DemoCase, others: list[str]) -> list[dict]:
    """The ledger behind each demo case's story."""
    rng, now = gen.rng, gen.now
    events = []
    lost_at = now - timedelta(days=2)
    for day in range(2, 60, 3):
        for contact in case.recent_calls:
            at = now - timedelta(days=day, hours=rng.randrange(1, 10))
            if case.region == "RU-NVS" and day > 3:
                continue  # the scheme's numbers appear only in the last days
            events.append(_event(case.msisdn, contact, at, "voice", case.region, rng))
            if case.region == "RU-NVS":
                events.append(
                    _event(contact, case.msisdn, at - timedelta(minutes=30), "voice", case.region, rng)
                )
    if case.region == "RU-NVS":
        for day in range(5, 60, 4):
            contact = others[day % len(others)]
            events.append(_event(case.msisdn, contact, now - timedelta(days=day), "voice", case.region, rng))
    events.append(_event(case.msisdn, "0890", now - timedelta(hours=1), "voice", case.region, rng))
    events.append(_event(case.msisdn, "*100#", now - timedelta(days=10), "ussd", case.region, rng))
    if case.region == "RU-SPE":
        # The finder: a balance check and calls after the loss at noon two days ago.
        finder = lost_at.replace(hour=9, minute=0, second=0)
        events.append(_event(case.msisdn, "*100#", finder + timedelta(hours=6), "ussd", "RU-SPE", rng))
        for n, callee in enumerate(("+79990001122", "+79990003344", "+79990005566", "+79990001122")):
            events.append(
                _event(case.msisdn, callee, finder + timedelta(hours=7 + n * 5), "voice", "RU-SPE", rng)
            )
    return events


def seed_demo(session: Session, pii_key: str, now: datetime | None = None) -> dict[str, int]:
    """Load the demo data into an empty database; returns counts. The caller commits."""
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    gen = _Generator(now)
    regions = list(REGION_CITIES)
    subscribers: list[Subscriber] = []
    for case in DEMO_CASES:
        last, first, middle = case.full_name.split()
        subscribers.append(
            Subscriber(
                msisdn=case.msisdn,
                last_name=last,
                first_name=first,
                patronymic=middle,
                passport_hmac=passport_digest(case.passport, pii_key),
                registered_address=case.address,
                home_region=case.region,
                email=case.email,
                tariff="smart",
                balance_kopecks=35_000,
            )
        )
    while len(subscribers) < SUBSCRIBER_COUNT:
        region = gen.rng.choice(regions)
        last, first, middle = gen.person()
        subscribers.append(
            Subscriber(
                msisdn=gen.msisdn(),
                last_name=last,
                first_name=first,
                patronymic=None if gen.rng.random() < 0.03 else middle,
                passport_hmac=passport_digest(gen.passport(), pii_key),
                registered_address=gen.address(region),
                home_region=region,
                email=f"user{len(subscribers)}@example.ru" if gen.rng.random() < 0.8 else None,
                tariff=gen.rng.choice(TARIFFS),
                balance_kopecks=gen.rng.randrange(-5_000, 200_000),
            )
        )
    for subscriber in subscribers:
        activated = gen.instant(HISTORY_DAYS + 30, HISTORY_DAYS + 900)
        subscriber.sims.append(Sim(iccid=gen.iccid(), status=SimStatus.ACTIVE, activated_at=activated))
        open_contract(subscriber, activated)
    session.add_all(subscribers)

    msisdns = [s.msisdn for s in subscribers]
    outsiders = [gen.msisdn() for _ in range(400)] + ["+74951234567", "+78123456789"]
    events: list[dict] = []
    for case in DEMO_CASES:
        events.extend(_demo_case_events(gen, case, outsiders))
    for subscriber in subscribers[len(DEMO_CASES) :]:
        contacts = gen.rng.sample(msisdns, 6) + gen.rng.sample(outsiders, 10)
        events.extend(_ordinary_events(gen, subscriber.msisdn, subscriber.home_region, contacts))
    unique = {(e["caller"], e["callee"], e["started_at"], e["kind"]): e for e in events}
    rows = list(unique.values())
    for start in range(0, len(rows), 5_000):
        session.execute(insert(CallEvent.__table__), rows[start : start + 5_000])

    for staff in DEMO_STAFF:
        session.add(
            StaffUser(
                login=staff.login,
                password_hash=hash_password(staff.password),
                role=staff.role,
                region=staff.region,
            )
        )
    offices = [
        Office(region=region, name=name, address=address, opening_hours=hours)
        for region, listed in DEMO_OFFICES.items()
        for name, address, hours in listed
    ]
    session.add_all(offices)
    session.flush()
    return {
        "subscribers": len(subscribers),
        "calls": len(rows),
        "staff": len(DEMO_STAFF),
        "offices": len(offices),
    }


def describe_demo() -> str:
    """The demo logins and cases, as printed by ``seed-demo`` and ``make run``."""
    lines = ["Demo staff logins (http://127.0.0.1:5000/staff/login):"]
    lines += [
        f"  {s.role.value:<10} {s.login:<12} {s.password}" + (f"  ({s.region})" if s.region else "")
        for s in DEMO_STAFF
    ]
    lines.append("Demo subscribers (answers that pass):")
    for case in DEMO_CASES:
        lines.append(f"  {case.msisdn}  {case.full_name}, passport {case.passport}, {case.region}")
        lines.append(f"    address: {case.address}")
        lines.append(f"    recent calls: {', '.join(case.recent_calls)}")
        lines.append(f"    {case.story}")
    return "\n".join(lines)

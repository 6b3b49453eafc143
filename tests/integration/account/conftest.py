"""Fixtures of the personal account's tests: a movable clock, account holders,
and helpers that walk the registration forms as a browser would."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pytest
from flask.testing import FlaskClient
from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from config import TestingConfig
from recovery.models import Account, Notification, NotificationStatus, StaffRole, StaffUser, Subscriber
from recovery.security.passwords import hash_password
from tests.conftest import make_config
from tests.factories import STAFF_PASSWORD, make_subscriber

PASSWORD = "violet-tram-1987"
OTHER_NUMBER = "+79267654321"


class Clock:
    """A clock the test moves by hand (set as ``CLOCK`` in the config)."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        """Move time forward, e.g. ``clock.advance(minutes=5)``."""
        self.current += timedelta(**delta)


@pytest.fixture
def clock(now: datetime) -> Clock:
    """The application's clock, starting at the ``now`` fixture."""
    return Clock(now)


@pytest.fixture
def config(database_url: str, clock: Clock) -> TestingConfig:
    """The testing config with the movable clock."""
    return make_config(database_url, CLOCK=clock)


@pytest.fixture
def subscriber(session: Session, config: TestingConfig) -> Subscriber:
    """The demo owner, +79161234567 in Moscow, with an active SIM and no account yet."""
    return make_subscriber(session, config.PII_KEY)


@pytest.fixture
def other_subscriber(session: Session, config: TestingConfig) -> Subscriber:
    """Another subscriber, in Novosibirsk, with an account of their own."""
    other = make_subscriber(
        session,
        config.PII_KEY,
        msisdn=OTHER_NUMBER,
        full_name="Петрова Анна Сергеевна",
        passport="4010 654321",
        address="г. Новосибирск, ул. Кирова, д. 1, кв. 1",
        region="RU-NVS",
        email="petrova@example.ru",
    )
    make_account(session, other)
    return other


@cache
def hashed(password: str) -> str:
    """An argon2 hash of ``password``, computed once per run."""
    return hash_password(password)


def make_account(session: Session, subscriber: Subscriber, password: str = PASSWORD) -> Account:
    """An account for ``subscriber`` whose password is ``password``."""
    account = Account(subscriber_id=subscriber.id, password_hash=hashed(password), failed_logins=0)
    session.add(account)
    session.commit()
    return account


@pytest.fixture
def account(session: Session, subscriber: Subscriber) -> Account:
    """The demo owner's account (password ``PASSWORD``)."""
    return make_account(session, subscriber)


def make_staff_member(session: Session, role: StaffRole) -> StaffUser:
    """A staff account (password ``STAFF_PASSWORD``) with the hash computed once per run."""
    user = StaffUser(
        login=f"{role.value}-{secrets.token_hex(4)}", password_hash=hashed(STAFF_PASSWORD), role=role
    )
    session.add(user)
    session.commit()
    return user


def log_in_as(client: FlaskClient, user: Account | StaffUser) -> None:
    """Put ``user`` in the client's session, as Flask-Login does after a login."""
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
        flask_session["_fresh"] = True


@pytest.fixture
def holder(client: FlaskClient, account: Account) -> FlaskClient:
    """A client logged in as the demo owner."""
    log_in_as(client, account)
    return client


def csrf_token(page: str, prefix: str = "") -> str:
    """The CSRF token of the form (``prefix`` for the settings page's prefixed forms)."""
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    match = re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]+)"', page)
    assert match, f"no {name} in the page"
    return match.group(1)


def without_tokens(page: str) -> str:
    """The page with its per-request tokens and captcha ids blanked, for comparing two answers."""
    page = re.sub(r'value="[^"]*"(?=>)', 'value=""', page)
    return re.sub(r"/account/captcha/[0-9a-f-]+\.png", "/account/captcha/X.png", page)


def latest_sms(session: Session, msisdn: str) -> str | None:
    """The text of the latest SMS queued for ``msisdn`` (to be delivered: a withheld decoy is not)."""
    session.expire_all()
    # The recipient is encrypted at rest (a random token each time): compare in Python.
    messages = session.scalars(
        select(Notification)
        .where(Notification.channel == "sms", Notification.status != NotificationStatus.WITHHELD)
        .order_by(desc(Notification.id))
    )
    return next((message.body for message in messages if message.recipient == msisdn), None)


def code_in(sms: str | None) -> str:
    """The six-digit code in an SMS."""
    assert sms is not None
    match = re.search(r"\b(\d{6})\b", sms)
    assert match
    return match.group(1)


@dataclass
class Flow:
    """Walks registration or recovery through the web forms."""

    client: FlaskClient
    start: str = "/account/register"

    def captcha_answer(self) -> str:
        """What the picture says, read through the test-only hook."""
        response = self.client.get("/dev/captcha-answer")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def submit_number(self, phone: str, answer: str | None = None):
        """Open step one and send the number with the captcha's answer (the right one by default)."""
        page = self.client.get(self.start).get_data(as_text=True)
        answer = self.captcha_answer() if answer is None else answer
        return self.client.post(
            self.start, data={"csrf_token": csrf_token(page), "phone": phone, "captcha": answer}
        )

    def submit_code(self, code: str):
        """Type the SMS code."""
        page = self.client.get("/account/verify").get_data(as_text=True)
        return self.client.post("/account/verify", data={"csrf_token": csrf_token(page), "code": code})

    def resend(self):
        """Ask for another code."""
        page = self.client.get("/account/verify").get_data(as_text=True)
        return self.client.post("/account/verify/resend", data={"csrf_token": csrf_token(page)})

    def submit_password(self, password: str, confirm: str | None = None):
        """Choose the password."""
        response = self.client.get("/account/password/new")
        if response.status_code != 200:
            return response
        page = response.get_data(as_text=True)
        return self.client.post(
            "/account/password/new",
            data={"csrf_token": csrf_token(page), "password": password, "confirm": confirm or password},
        )


@pytest.fixture
def flow(client: FlaskClient) -> Flow:
    """Registration through the forms."""
    return Flow(client)

"""The personal account as its holder walks it: a movable clock, SMS codes, the registration forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import desc, select
from sqlalchemy.orm import Session

from recovery.models import Notification, NotificationStatus
from tests.helpers.web import csrf_token

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

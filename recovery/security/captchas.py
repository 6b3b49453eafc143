"""Captchas for the sign-in and registration forms: issue, spend once, and the gate after failures.

Shared by the account (registration, password reset, login) and the staff
sign-in: the same table, picture route and session key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from recovery.account import codes
from recovery.models import Captcha
from recovery.security import throttle


class CaptchaFailed(Exception):
    """The captcha answer was wrong, or the captcha was used, expired or missing."""


class CaptchaRequired(Exception):
    """This login has failed often lately: the password is checked only with a solved captcha."""

    def __init__(self, wrong: bool) -> None:
        super().__init__("captcha required")
        #: A captcha was typed, and it was wrong (not just missing).
        self.wrong = wrong


def new_captcha(session: Session, *, now: datetime) -> Captcha:
    """A fresh captcha challenge, stored with its answer; expired ones are cleared."""
    session.execute(delete(Captcha).where(Captcha.expires_at < now - codes.CAPTCHA_TTL))
    captcha = Captcha(
        answer=codes.generate_captcha_answer(), created_at=now, expires_at=now + codes.CAPTCHA_TTL
    )
    session.add(captcha)
    session.flush()
    return captcha


def check_captcha(session: Session, captcha_id: str | None, typed: str, *, now: datetime) -> None:
    """Spend the captcha (one try only, right or wrong); raise ``CaptchaFailed`` unless it was solved.

    Spent in one conditional ``UPDATE … WHERE used_at IS NULL``: of parallel
    requests carrying the same captcha, only the one whose update changed the
    row may go on (the others wait on its row lock, then find it used).
    """
    try:
        key = uuid.UUID(str(captcha_id))
    except ValueError:
        raise CaptchaFailed("no captcha") from None
    spent = session.execute(
        update(Captcha)
        .where(Captcha.id == key, Captcha.used_at.is_(None))
        .values(used_at=now)
        .returning(Captcha.answer, Captcha.expires_at)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if spent is None:
        raise CaptchaFailed("no captcha")
    if now >= spent.expires_at or not codes.captcha_matches(spent.answer, typed):
        raise CaptchaFailed("wrong or expired")


def pass_captcha(
    session: Session, captcha_id: str | None, typed: str, *, now: datetime, on_wrong: Callable[[], None]
) -> None:
    """The gate of a login that needs a captcha: ``CaptchaRequired`` unless ``typed`` solves it.

    Nothing typed is not a failure; a wrong answer spends the captcha and is
    counted by ``on_wrong`` (a failed login) before ``CaptchaRequired(wrong=True)``.
    """
    if not typed.strip():
        raise CaptchaRequired(wrong=False)
    try:
        check_captcha(session, captcha_id, typed, now=now)
    except CaptchaFailed:
        on_wrong()
        raise CaptchaRequired(wrong=True) from None


class LoginThrottled(Exception):
    """This address (or this login from it) has failed too often lately: no try for now."""


def pass_login_gate(
    session: Session,
    kind: str,
    subject: str,
    address: str,
    *,
    now: datetime,
    captcha_id: str | None,
    captcha_typed: str,
    on_failure: Callable[[], None],
    on_refused: Callable[[], None] = lambda: None,
) -> throttle.Standing:
    """The gate before a password is checked, the same for the account and the staff sign-in.

    Raises ``LoginThrottled`` for an address that failed too often (after
    ``on_refused``, e.g. its audit), and when a captcha is due
    ``CaptchaRequired`` unless it is solved (a wrong one counted by
    ``on_failure``, as a failed login). Returns the standing of the login
    (``recovery.security.throttle``), for the captcha hint after a failure.
    """
    standing = throttle.standing(session, kind, subject, address, now=now)
    if standing.refused:
        on_refused()
        raise LoginThrottled()
    if standing.needs_captcha:
        pass_captcha(session, captcha_id, captcha_typed, now=now, on_wrong=on_failure)
    return standing

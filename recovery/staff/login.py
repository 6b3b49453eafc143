"""Staff sign-in as a use-case: throttle, captcha gate, one password check, audit.

Takes the session, ``now`` and the caller's address as arguments and raises the
named exceptions below; the request boundary commits, also after a failure, so
that failures and spent captchas are counted. An unknown login costs the same
argon2 verification as a wrong password (``DUMMY_HASH``) and gets the same
answer. Failures are counted per login typed, per (login, address) and per
address (``recovery.security.throttle``), for unknown logins too; nobody can
lock the owner out (``locked_until`` is only ever set by an operator).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from recovery import audit
from recovery.models import Channel, StaffUser
from recovery.security import throttle
from recovery.security.captchas import CaptchaRequired, LoginThrottled, pass_login_gate
from recovery.security.passwords import DUMMY_HASH, verify_password

__all__ = ["CaptchaRequired", "LoginFailed", "LoginThrottled", "authenticate", "record_staff_event"]


class LoginFailed(Exception):
    """Unknown, disabled or locked login, or wrong password (the same answer for all)."""

    def __init__(self, captcha_next: bool = False) -> None:
        super().__init__("login failed")
        #: The next try for this login must come with a captcha.
        self.captcha_next = captcha_next


def authenticate(
    session: Session,
    typed_login: str,
    password: str,
    *,
    now: datetime,
    secret: str,
    ip: str | None = None,
    captcha_id: str | None = None,
    captcha_typed: str = "",
) -> StaffUser:
    """The enabled, unlocked staff user for ``typed_login`` and ``password``, signed in (audited).

    Raises ``LoginThrottled``, ``CaptchaRequired`` (a captcha is due: missing or
    wrong) or ``LoginFailed``. A typed login that matches no enabled, unlocked
    account is not recorded (it is sometimes a password typed in the wrong field).
    """
    typed = typed_login.strip()
    subject = throttle.subject_of(throttle.STAFF, typed.casefold(), secret)
    address = ip or "unknown"
    standing = pass_login_gate(
        session,
        throttle.STAFF,
        subject,
        address,
        now=now,
        captcha_id=captcha_id,
        captcha_typed=captcha_typed,
        on_failure=lambda: _record_failure(session, None, subject, address, ip, now),
    )
    user = session.scalar(select(StaffUser).where(StaffUser.login == typed))
    password_ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    active = user is not None and user.is_enabled and not _locked(user, now)
    if not (active and password_ok):
        _record_failure(session, user if active else None, subject, address, ip, now)
        raise LoginFailed(captcha_next=standing.for_login + 1 >= throttle.CAPTCHA_AFTER)
    assert user is not None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    record_staff_event(session, user, "staff.login", ip, role=user.role.value)
    return user


def record_staff_event(
    session: Session, user: StaffUser, action: str, ip: str | None, **details: object
) -> None:
    """Audit ``action`` by and about ``user`` (sign-in, failure, sign-out) on the staff web channel."""
    audit.record(
        session,
        actor=f"staff:{user.login}",
        action=action,
        channel=Channel.WEB,
        subject=f"staff:{user.login}",
        ip=ip,
        **details,
    )


def _locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _record_failure(
    session: Session, user: StaffUser | None, subject: str, address: str, ip: str | None, now: datetime
) -> None:
    """Count a failure for the login typed (known or not); audit it, without the typed text if unknown."""
    throttle.record_failure(session, throttle.STAFF, subject, address, now=now)
    if user is None:
        audit.record(session, actor="anonymous", action="staff.login_failed", channel=Channel.WEB, ip=ip)
        return
    # The user's own count of failures (shown nowhere as a lock): atomic, for every worker.
    session.execute(
        update(StaffUser).where(StaffUser.id == user.id).values(failed_logins=StaffUser.failed_logins + 1)
    )
    record_staff_event(session, user, "staff.login_failed", ip)

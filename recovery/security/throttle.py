"""Login throttling that slows a guesser without locking the owner out.

OWASP ASVS 6.1.1 / NIST SP 800-63B 5.2.2: a hard lock on an account after N
failures lets anyone lock the owner out from anywhere. Instead, failed logins
(account numbers and staff logins alike) are counted over ``WINDOW``:

* per login typed, from every address: after ``CAPTCHA_AFTER`` failures the
  login asks for a captcha for that login — the owner still gets in with the
  right password and the captcha, a script does not;
* per (login, address): after ``MAX_PER_LOGIN_AND_ADDRESS`` failures that
  address may not try that login again until the window has passed;
* per address: after ``MAX_PER_ADDRESS`` failures, whatever the login, the
  address may not try any login until the window has passed.

Logins are counted whether or not they exist (by a keyed hash of the
normalised text), so neither the captcha nor a refusal tells which exist.
Each failure is one inserted row, so parallel failures are all counted, and
:func:`standing` first takes the login's guard row (held until the request's
transaction ends), so parallel guesses for one login are checked one at a
time: they get no more password checks before the captcha than serial ones.

Flask-free: functions over a session and plain values.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.orm import Session

from recovery.models import LoginFailure
from recovery.security.guards import take_guard

WINDOW = timedelta(minutes=15)
#: Failures for one login (from any address) after which its login form asks for a captcha.
CAPTCHA_AFTER = 3
#: Failures for one login from one address after which that address is refused for that login.
MAX_PER_LOGIN_AND_ADDRESS = 10
#: Failures from one address (any login) after which the address is refused.
MAX_PER_ADDRESS = 30

ACCOUNT = "account"
STAFF = "staff"


def subject_of(kind: str, typed: str, secret: str) -> str:
    """The keyed hash a typed login (canonical number, or casefolded staff login) is counted under."""
    return hmac.new(secret.encode(), f"login:{kind}:{typed}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Standing:
    """What the failures in the window mean for one login attempt."""

    for_login: int
    for_login_and_address: int
    for_address: int

    @property
    def refused(self) -> bool:
        """This address has failed too often (for this login, or at all): no try until the window passes."""
        return self.for_login_and_address >= MAX_PER_LOGIN_AND_ADDRESS or self.for_address >= MAX_PER_ADDRESS

    @property
    def needs_captcha(self) -> bool:
        """The login has failed often enough (from anywhere) that a captcha must come with the password."""
        return self.for_login >= CAPTCHA_AFTER


def standing(session: Session, kind: str, subject: str, ip: str, *, now: datetime) -> Standing:
    """The failures in the window for ``subject``, for (``subject``, ``ip``) and for ``ip`` — one query.

    Takes the login's guard first: the caller's password check and its failure,
    if any, happen before any other attempt at the same login reads its standing.
    """
    take_guard(session, f"login:{subject[:32]}")
    of_subject = LoginFailure.subject == subject
    of_ip = LoginFailure.ip == ip
    row = session.execute(
        select(
            func.coalesce(func.sum(case((of_subject, 1), else_=0)), 0),
            func.coalesce(func.sum(case((of_subject & of_ip, 1), else_=0)), 0),
            func.coalesce(func.sum(case((of_ip, 1), else_=0)), 0),
        ).where(LoginFailure.kind == kind, LoginFailure.created_at > now - WINDOW, or_(of_subject, of_ip))
    ).one()
    return Standing(int(row[0]), int(row[1]), int(row[2]))


def record_failure(session: Session, kind: str, subject: str, ip: str, *, now: datetime) -> None:
    """Count one failure (an insert: parallel failures never overwrite each other); the caller commits.

    The login's failures older than the window are deleted on the way: they
    no longer count, and the table stays as small as the logins under attack.
    """
    stale = LoginFailure.created_at <= now - WINDOW
    session.execute(
        delete(LoginFailure).where(LoginFailure.kind == kind, LoginFailure.subject == subject, stale)
    )
    session.add(LoginFailure(kind=kind, subject=subject, ip=ip, created_at=now))
    session.flush()

"""Registration, password reset and login: captcha → SMS code → password.

Use-cases take the session, ``now`` and their collaborators as arguments and
raise the named exceptions below; the request boundary commits, also after a
failure, so that spent captchas, code attempts and failed logins are counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import desc, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from recovery import audit
from recovery.account import codes
from recovery.claims import notifications
from recovery.models import Account, Channel, CodePurpose, SimStatus, SmsCode, Subscriber
from recovery.phones import InvalidPhoneNumber, to_e164
from recovery.security import throttle
from recovery.security.captchas import LoginThrottled as LoginThrottled  # raised by authenticate
from recovery.security.captchas import pass_login_gate
from recovery.security.passwords import (
    DUMMY_HASH,
    check_password_strength,
    guessable_words,
    hash_password,
    verify_password,
)
from recovery.sms import SmsBackend

CHANNEL = Channel.ACCOUNT.value


class ResendTooSoon(Exception):
    """A code was sent to this number moments ago."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(f"wait {wait_seconds} s")
        self.wait_seconds = wait_seconds


class TooManyCodes(Exception):
    """This number has had as many codes as it may have for now."""


class CodeExpired(Exception):
    """No code is waiting: none was sent, it was used, or its five minutes are over."""


class TooManyAttempts(Exception):
    """The code was typed wrong too often; a new one is needed."""


class WrongCode(Exception):
    """The code typed is not the one sent."""

    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"{attempts_left} attempts left")
        self.attempts_left = attempts_left


class LoginFailed(Exception):
    """Unknown number or wrong password (the same answer for both)."""

    def __init__(self, captcha_next: bool = False) -> None:
        super().__init__("login failed")
        #: The next try for this number must come with a captcha.
        self.captcha_next = captcha_next


# -- SMS codes ---------------------------------------------------------------


def eligible_subscriber(session: Session, msisdn: str) -> Subscriber | None:
    """The subscriber of ``msisdn`` when their SIM is active (an SMS can reach it).

    One query, SIMs joined, whether the number is ours or not: a second query
    only for our numbers would tell them apart by the clock.
    """
    subscriber = (
        session.scalars(
            select(Subscriber).options(joinedload(Subscriber.sims)).where(Subscriber.msisdn == msisdn)
        )
        .unique()
        .one_or_none()
    )
    if subscriber is None:
        return None
    sim = subscriber.current_sim
    return subscriber if sim is not None and sim.status == SimStatus.ACTIVE else None


def request_code(
    session: Session,
    msisdn: str,
    purpose: CodePurpose,
    *,
    now: datetime,
    key: str,
    sms: SmsBackend,
    compose: Callable[[str], str],
    ip: str | None = None,
) -> SmsCode:
    """Send a one-time code to ``msisdn`` if it is ours and registrable.

    Both paths run the same statements — a code is generated, hashed and
    stored, the message composed and queued, the request audited — and differ
    only in the parameters: for a number that is not ours the message is a
    decoy that is never delivered (``deliver=False``). The caller must not
    learn whether the number is ours, neither from the answer nor the clock.
    """
    recent = session.scalars(
        select(SmsCode.created_at)
        .where(SmsCode.msisdn == msisdn, SmsCode.created_at > now - codes.CODES_WINDOW)
        .order_by(desc(SmsCode.created_at))
    ).all()
    if len(recent) >= codes.MAX_CODES_PER_WINDOW:
        raise TooManyCodes(msisdn)
    wait = codes.resend_wait(recent[0] if recent else None, now)
    if wait:
        raise ResendTooSoon(wait)

    subscriber = eligible_subscriber(session, msisdn)
    code = codes.generate_code()
    row = SmsCode(
        msisdn=msisdn,
        subscriber_id=subscriber.id if subscriber else None,
        purpose=purpose,
        code_hash=codes.hash_code(code, msisdn, key),
        attempts=0,
        created_at=now,
        expires_at=now + codes.CODE_TTL,
    )
    session.add(row)
    body = compose(code)
    sms.send(session, msisdn, body, deliver=subscriber is not None)
    audit.record(
        session,
        actor="account:anonymous",
        action="account.code_requested",
        channel=CHANNEL,
        subject=msisdn,
        ip=ip,
        purpose=purpose.value,
        sent=subscriber is not None,
    )
    return row


def verify_code(
    session: Session, msisdn: str, purpose: CodePurpose, typed: str, *, now: datetime, key: str
) -> Subscriber:
    """Check the latest code sent to ``msisdn``; on success spend it and return the subscriber.

    The attempt is counted by one conditional ``UPDATE … RETURNING`` before the
    code is compared: parallel guesses queue on the row's lock, each gets an
    attempt number of its own, and none is compared once ``MAX_CODE_ATTEMPTS``
    are spent — whatever the interleaving, a fourth guess (even the right code)
    is refused.
    """
    latest = session.execute(
        select(SmsCode.id, SmsCode.attempts, SmsCode.consumed_at, SmsCode.expires_at)
        .where(SmsCode.msisdn == msisdn, SmsCode.purpose == purpose)
        .order_by(desc(SmsCode.created_at), desc(SmsCode.id))
        .limit(1)
    ).one_or_none()
    if latest is None or latest.consumed_at is not None or now >= latest.expires_at:
        raise CodeExpired(msisdn)
    counted = session.execute(
        update(SmsCode)
        .where(
            SmsCode.id == latest.id,
            SmsCode.attempts < codes.MAX_CODE_ATTEMPTS,
            SmsCode.consumed_at.is_(None),
        )
        .values(attempts=SmsCode.attempts + 1)
        .returning(SmsCode.attempts, SmsCode.code_hash, SmsCode.subscriber_id)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if counted is None:
        # Spent by parallel guesses, or consumed by a parallel right code, since the read above.
        raise TooManyAttempts(msisdn)
    # The subscriber is read only after a right code: a wrong code costs the same for every number.
    matched = codes.code_matches(counted.code_hash, typed, msisdn, key)
    ours = matched and counted.subscriber_id is not None
    subscriber = eligible_subscriber(session, msisdn) if ours else None
    if subscriber is None or subscriber.id != counted.subscriber_id:
        left = codes.MAX_CODE_ATTEMPTS - counted.attempts
        if left == 0:
            raise TooManyAttempts(msisdn)
        raise WrongCode(left)
    consumed = session.execute(
        update(SmsCode)
        .where(SmsCode.id == latest.id, SmsCode.consumed_at.is_(None))
        .values(consumed_at=now)
        .execution_options(synchronize_session=False)
    )
    if consumed.rowcount != 1:  # a parallel right code was first
        raise CodeExpired(msisdn)
    return subscriber


# -- passwords and login -------------------------------------------------------


def set_password(
    session: Session,
    subscriber: Subscriber,
    password: str,
    *,
    now: datetime,
    purpose: CodePurpose,
    ip: str | None = None,
) -> Account:
    """Create the subscriber's account, or give it a new password (after an SMS code).

    Raises ``recovery.security.passwords.WeakPassword`` for a short or common password.
    """
    check_password_strength(password, user_inputs=guessable_words(subscriber.msisdn))
    password_hash = hash_password(password)
    account = session.scalar(select(Account).where(Account.subscriber_id == subscriber.id))
    if account is None:
        account = Account(
            subscriber_id=subscriber.id,
            password_hash=password_hash,
            failed_logins=0,
            created_at=now,
            password_changed_at=now,
        )
        session.add(account)
        try:
            session.flush()
        except IntegrityError:
            # Registered a moment ago in another request (a double submit): the
            # insert was this request's first write, so nothing else is lost.
            session.rollback()
            account = session.scalars(select(Account).where(Account.subscriber_id == subscriber.id)).one()
    account.password_hash = password_hash
    account.password_changed_at = now
    account.failed_logins = 0
    account.last_failed_login_at = None
    action = "account.registered" if purpose == CodePurpose.REGISTER else "account.password_reset"
    audit.record(
        session,
        actor=f"account:{account.id}",
        action=action,
        channel=CHANNEL,
        subject=subscriber.msisdn,
        ip=ip,
    )
    if purpose == CodePurpose.RESET:
        # Whoever holds the code may not be the owner (a code seen by someone else): tell the address
        # on record. The new hash has ended every earlier session (recovery/auth.py).
        notifications.queue(session, subscriber, notifications.password_changed(subscriber.msisdn))
    return account


def authenticate(
    session: Session,
    number: str,
    password: str,
    *,
    now: datetime,
    secret: str,
    ip: str | None = None,
    captcha_id: str | None = None,
    captcha_typed: str = "",
) -> Account:
    """The account for ``number`` and ``password``, or ``LoginFailed``.

    Throttled (``recovery.security.throttle``) instead of locked: an address
    that failed too often is refused (``LoginThrottled``), and a number that
    failed often from anywhere needs a solved captcha (``CaptchaRequired``) —
    so that an attacker cannot lock the owner out. Every failure looks the
    same to the caller (unknown number or wrong password), costs one password
    hash and is counted alike, so that the login page reveals no number's
    account by its answer, its captcha or its time.
    """
    try:
        msisdn: str | None = to_e164(number)
    except InvalidPhoneNumber:
        msisdn = None
    address = ip or "unknown"
    subject = throttle.subject_of(throttle.ACCOUNT, msisdn or " ".join(number.split()), secret)
    standing = pass_login_gate(
        session,
        throttle.ACCOUNT,
        subject,
        address,
        now=now,
        captcha_id=captcha_id,
        captcha_typed=captcha_typed,
        on_failure=lambda: throttle.record_failure(session, throttle.ACCOUNT, subject, address, now=now),
        on_refused=lambda: _audit_failure(session, "account:anonymous", msisdn, ip, "throttled"),
    )
    account = None
    if msisdn is not None:
        account = session.scalar(select(Account).join(Subscriber).where(Subscriber.msisdn == msisdn))
    correct = verify_password(account.password_hash if account else DUMMY_HASH, password)
    if account is None or not correct:
        throttle.record_failure(session, throttle.ACCOUNT, subject, address, now=now)
        if account is not None:  # the account's own tally (a lock no longer follows from it): atomic
            session.execute(
                update(Account)
                .where(Account.id == account.id)
                .values(failed_logins=Account.failed_logins + 1, last_failed_login_at=now)
                .execution_options(synchronize_session=False)
            )
        actor = f"account:{account.id}" if account else "account:anonymous"
        _audit_failure(session, actor, msisdn, ip, "password" if account else "unknown")
        raise LoginFailed(captcha_next=standing.for_login + 1 >= throttle.CAPTCHA_AFTER)
    account.failed_logins = 0
    account.last_failed_login_at = None
    account.last_login_at = now
    audit.record(
        session, actor=f"account:{account.id}", action="account.login", channel=CHANNEL, subject=msisdn, ip=ip
    )
    return account


def _audit_failure(session: Session, actor: str, msisdn: str | None, ip: str | None, reason: str) -> None:
    audit.record(
        session,
        actor=actor,
        action="account.login_failed",
        channel=CHANNEL,
        subject=msisdn,
        ip=ip,
        reason=reason,
    )

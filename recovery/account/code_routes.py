"""Registration and password recovery: number → captcha → SMS code → password.

Both ways run the same steps (``CodePurpose`` tells them apart); the session
holds the number waiting for its code (``PENDING_KEY``) and, after the code,
the confirmed number for a few minutes (``VERIFIED_KEY``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from recovery.account import bp, codes, registration
from recovery.account.forms import CodeForm, NewPasswordForm, NumberAndCaptchaForm, ResendForm
from recovery.account.login_routes import (
    CAPTCHA_KEY,
    CODE_ENTRY_LIMIT,
    CODE_REQUEST_LIMIT,
    PENDING_KEY,
    VERIFIED_KEY,
    fresh_captcha,
    number_key,
    start_session,
)
from recovery.account.web import client_ip
from recovery.clock import now
from recovery.extensions import db, limiter
from recovery.models import CodePurpose
from recovery.security import captchas
from recovery.security.passwords import guessable_words
from recovery.security.ratelimit import ip_key, number_bucket, sms_limits
from recovery.sms import sms_backend


def _pending_number_key() -> str:
    """Rate-limit key of the number a resend goes to (it is in the session, not the form)."""
    pending = _pending()
    if pending is None:
        return ip_key()
    return number_bucket(pending[0], current_app.config["PII_KEY"])


def _code_was_requested(_response: object) -> bool:
    """Whether this request asked for an SMS code (also a stranger's decoy): what ``sms_limits`` count."""
    return bool(g.get("sms_code_requested"))


#: 3 SMS codes per number in 10 minutes (docs/SECURITY.md): counted when a code is sent, so that a
#: wrong captcha spends nothing; refused with the 429 page once spent.
sms_code_limits = sms_limits(("phone",), deduct_when=_code_was_requested)


def _purpose_texts(purpose: CodePurpose) -> dict[str, str]:
    if purpose == CodePurpose.REGISTER:
        return {"title": _("Register"), "endpoint": "account.register"}
    return {"title": _("Restore your password"), "endpoint": "account.forgot"}


def _number_step(purpose: CodePurpose) -> str | BaseResponse:
    form = NumberAndCaptchaForm()
    if form.validate_on_submit():
        try:
            captchas.check_captcha(db.session, session.pop(CAPTCHA_KEY, None), form.captcha.data, now=now())
        except captchas.CaptchaFailed:
            db.session.commit()
            form.captcha.errors.append(_("The characters do not match the picture. Try this new one."))
        else:
            return _send_code(form.phone.data, purpose, form)
    form.captcha.data = ""
    captcha = fresh_captcha()
    return render_template("account/number.html", form=form, captcha=captcha, **_purpose_texts(purpose))


def _send_code(msisdn: str, purpose: CodePurpose, form: NumberAndCaptchaForm) -> str | BaseResponse:
    try:
        _request_code(msisdn, purpose)
    except registration.ResendTooSoon as exc:
        db.session.rollback()
        session[PENDING_KEY] = {"msisdn": msisdn, "purpose": purpose.value}
        flash(
            _(
                "A code was sent a moment ago. You can ask for another in %(seconds)d s.",
                seconds=exc.wait_seconds,
            )
        )
        return redirect(url_for("account.verify"))
    except registration.TooManyCodes:
        db.session.rollback()
        form.phone.errors.append(_("Too many codes were requested for this number. Try again in an hour."))
        form.captcha.data = ""
        captcha = fresh_captcha()
        return render_template("account/number.html", form=form, captcha=captcha, **_purpose_texts(purpose))
    db.session.commit()
    g.sms_code_requested = True
    session[PENDING_KEY] = {"msisdn": msisdn, "purpose": purpose.value}
    session.pop(VERIFIED_KEY, None)
    return redirect(url_for("account.verify"))


def _request_code(msisdn: str, purpose: CodePurpose) -> None:
    """Send a code for ``purpose`` to ``msisdn`` (``ResendTooSoon``, ``TooManyCodes``)."""
    registration.request_code(
        db.session,
        msisdn,
        purpose,
        now=now(),
        key=current_app.config["SECRET_KEY"],
        sms=sms_backend(kind=f"{purpose.value}_code"),
        compose=_sms_text,
        ip=client_ip(),
    )


def _sms_text(code: str) -> str:
    return _("Your personal account code: %(code)s. Never tell it to anyone, not even our staff.", code=code)


def _sends_code(view: Callable[..., Any]) -> Callable[..., Any]:
    """The limits of a form that sends an SMS code, per address and per number typed.

    Fail closed: no unthrottled sending when the rate-limit store is down.
    """
    view = sms_code_limits(view)
    view = limiter.limit(CODE_REQUEST_LIMIT, key_func=number_key, methods=["POST"])(view)
    view = limiter.limit(CODE_REQUEST_LIMIT, methods=["POST"])(view)
    return limiter.fail_closed(view)


@bp.route("/register", methods=["GET", "POST"])
@_sends_code
def register() -> str | BaseResponse:
    """Registration, step one: number and captcha."""
    return _number_step(CodePurpose.REGISTER)


@bp.route("/forgot", methods=["GET", "POST"])
@_sends_code
def forgot() -> str | BaseResponse:
    """Password recovery, step one: number and captcha (the same way as registration)."""
    return _number_step(CodePurpose.RESET)


def _pending() -> tuple[str, CodePurpose] | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    try:
        return pending["msisdn"], CodePurpose(pending["purpose"])
    except (KeyError, ValueError):
        return None


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(CODE_ENTRY_LIMIT, methods=["POST"])
def verify() -> str | BaseResponse:
    """Step two: the SMS code."""
    pending = _pending()
    if pending is None:
        return redirect(url_for("account.register"))
    msisdn, purpose = pending
    form = CodeForm()
    if form.validate_on_submit():
        try:
            registration.verify_code(
                db.session, msisdn, purpose, form.code.data, now=now(), key=current_app.config["SECRET_KEY"]
            )
        except registration.WrongCode as exc:
            form.code.errors.append(
                _("This is not the code we sent. Attempts left: %(left)d.", left=exc.attempts_left)
            )
        except registration.TooManyAttempts:
            form.code.errors.append(_("The code was typed wrong too many times. Ask for a new code."))
        except registration.CodeExpired:
            form.code.errors.append(_("The code has expired or was already used. Ask for a new code."))
        else:
            db.session.commit()
            session.pop(PENDING_KEY, None)
            session[VERIFIED_KEY] = {"msisdn": msisdn, "purpose": purpose.value, "at": now().isoformat()}
            return redirect(url_for("account.new_password"))
        db.session.commit()
    return render_template(
        "account/verify.html", form=form, resend_form=ResendForm(), msisdn=msisdn, **_purpose_texts(purpose)
    )


@bp.post("/verify/resend")
@limiter.fail_closed  # sends an SMS: no unthrottled sending when the store is down
@limiter.limit(CODE_REQUEST_LIMIT)
@sms_limits(number_key=_pending_number_key, deduct_when=_code_was_requested)
def resend() -> BaseResponse:
    """Another code to the same number (throttled per number in the database)."""
    pending = _pending()
    if pending is None or not ResendForm().validate_on_submit():
        return redirect(url_for("account.register"))
    msisdn, purpose = pending
    try:
        _request_code(msisdn, purpose)
    except registration.ResendTooSoon as exc:
        db.session.rollback()
        flash(_("You can ask for another code in %(seconds)d s.", seconds=exc.wait_seconds), "warning")
    except registration.TooManyCodes:
        db.session.rollback()
        flash(_("Too many codes were requested for this number. Try again in an hour."), "warning")
    else:
        db.session.commit()
        g.sms_code_requested = True
        flash(_("If the number is ours and its SIM card is active, a new code was sent to it."))
    return redirect(url_for("account.verify"))


def _verified() -> tuple[str, CodePurpose] | None:
    verified = session.get(VERIFIED_KEY)
    if not isinstance(verified, dict):
        return None
    try:
        at = datetime.fromisoformat(verified["at"])
        purpose = CodePurpose(verified["purpose"])
    except (KeyError, ValueError, TypeError):
        return None
    if now() - at > codes.VERIFIED_TTL:
        return None
    return verified["msisdn"], purpose


@bp.route("/password/new", methods=["GET", "POST"])
def new_password() -> str | BaseResponse:
    """Step three: a permanent password, then straight into the account."""
    verified = _verified()
    if verified is None:
        session.pop(VERIFIED_KEY, None)
        flash(_("Please start again: confirm your number with a new code."), "warning")
        return redirect(url_for("account.register"))
    msisdn, purpose = verified
    form = NewPasswordForm()
    form.user_inputs = guessable_words(msisdn)
    if form.validate_on_submit():
        subscriber = registration.eligible_subscriber(db.session, msisdn)
        if subscriber is None:  # the SIM was blocked in the meantime
            session.pop(VERIFIED_KEY, None)
            return redirect(url_for("account.register"))
        account = registration.set_password(
            db.session, subscriber, form.password.data, now=now(), purpose=purpose, ip=client_ip()
        )
        db.session.commit()
        start_session(account)
        flash(_("Your password is saved. Welcome to your personal account."), "success")
        return redirect(url_for("account.overview"))
    return render_template("account/new_password.html", form=form, msisdn=msisdn, **_purpose_texts(purpose))

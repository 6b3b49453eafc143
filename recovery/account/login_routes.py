"""Getting into the account: registration and password recovery (number →
captcha → SMS code → password), login and logout."""

from __future__ import annotations

import io
import uuid
from datetime import datetime

from captcha.image import ImageCaptcha
from flask import Response, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from recovery import audit
from recovery.account import bp, codes, registration
from recovery.account.forms import (
    CodeForm,
    LoginForm,
    LogoutForm,
    NewPasswordForm,
    NumberAndCaptchaForm,
    ResendForm,
)
from recovery.account.web import client_ip
from recovery.auth import end_all_sessions
from recovery.clock import now
from recovery.extensions import db, limiter
from recovery.models import Account, Captcha, CodePurpose
from recovery.safe_redirect import safe_next
from recovery.security import captchas
from recovery.security.ratelimit import ip_key, number_bucket, number_key_for, sms_limits
from recovery.sms import sms_backend

#: Per IP and, separately, per number (``number_key``).
LOGIN_LIMIT = "5/minute;20/hour"
CODE_REQUEST_LIMIT = "10/minute;40/hour"
CODE_ENTRY_LIMIT = "10/minute;60/hour"

PUBLIC_ENDPOINTS = frozenset(
    {
        "account.login",
        "account.register",
        "account.forgot",
        "account.captcha_image",
        "account.verify",
        "account.resend",
        "account.new_password",
    }
)

# Keys of the Flask session during registration and recovery.
CAPTCHA_KEY = "account_captcha"
PENDING_KEY = "account_code_for"
VERIFIED_KEY = "account_code_ok"


#: Rate-limit key of the number typed into a form (so one number cannot be hammered from many IPs):
#: normalised, then a keyed hash, so that the rate-limit store holds no phone number.
number_key = number_key_for(("phone",))


def number_and_ip_key() -> str:
    """Rate-limit key of the number typed *from this address*: a guesser elsewhere cannot 429 the owner."""
    return f"{number_key()}:{ip_key()}"


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


def _fresh_captcha() -> Captcha:
    captcha = captchas.new_captcha(db.session, now=now())
    session[CAPTCHA_KEY] = str(captcha.id)
    db.session.commit()
    return captcha


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
    captcha = _fresh_captcha()
    return render_template("account/number.html", form=form, captcha=captcha, **_purpose_texts(purpose))


def _send_code(msisdn: str, purpose: CodePurpose, form: NumberAndCaptchaForm) -> str | BaseResponse:
    try:
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
        captcha = _fresh_captcha()
        return render_template("account/number.html", form=form, captcha=captcha, **_purpose_texts(purpose))
    db.session.commit()
    g.sms_code_requested = True
    session[PENDING_KEY] = {"msisdn": msisdn, "purpose": purpose.value}
    session.pop(VERIFIED_KEY, None)
    return redirect(url_for("account.verify"))


def _sms_text(code: str) -> str:
    return _("Your personal account code: %(code)s. Never tell it to anyone, not even our staff.", code=code)


@bp.route("/register", methods=["GET", "POST"])
@limiter.fail_closed  # sends an SMS: no unthrottled sending when the store is down
@limiter.limit(CODE_REQUEST_LIMIT, methods=["POST"])
@limiter.limit(CODE_REQUEST_LIMIT, key_func=number_key, methods=["POST"])
@sms_code_limits
def register() -> str | BaseResponse:
    """Registration, step one: number and captcha."""
    return _number_step(CodePurpose.REGISTER)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.fail_closed  # sends an SMS: no unthrottled sending when the store is down
@limiter.limit(CODE_REQUEST_LIMIT, methods=["POST"])
@limiter.limit(CODE_REQUEST_LIMIT, key_func=number_key, methods=["POST"])
@sms_code_limits
def forgot() -> str | BaseResponse:
    """Password recovery, step one: number and captcha (the same way as registration)."""
    return _number_step(CodePurpose.RESET)


@bp.get("/captcha/<uuid:captcha_id>.png")
def captcha_image(captcha_id: uuid.UUID) -> Response:
    """The picture of this visitor's current captcha (no one else's)."""
    if session.get(CAPTCHA_KEY) != str(captcha_id):
        abort(404)
    captcha = db.session.get(Captcha, captcha_id)
    if captcha is None or captcha.used_at is not None:
        abort(404)
    image: io.BytesIO = ImageCaptcha(width=200, height=70).generate(captcha.answer)
    response = Response(image.getvalue(), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


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
    except registration.ResendTooSoon as exc:
        db.session.rollback()
        flash(_("You can ask for another code in %(seconds)d s.", seconds=exc.wait_seconds), "warning")
    except registration.TooManyCodes:
        db.session.rollback()
        flash(_("Too many codes were requested for this number. Try again in an hour."), "warning")
    else:
        db.session.commit()
        g.sms_code_requested = True
        flash(_("If the number is ours, a new code was sent to it."))
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
    if form.validate_on_submit():
        subscriber = registration.eligible_subscriber(db.session, msisdn)
        if subscriber is None:  # the SIM was blocked in the meantime
            session.pop(VERIFIED_KEY, None)
            return redirect(url_for("account.register"))
        account = registration.set_password(
            db.session, subscriber, form.password.data, now=now(), purpose=purpose, ip=client_ip()
        )
        db.session.commit()
        _start_session(account)
        flash(_("Your password is saved. Welcome to your personal account."), "success")
        return redirect(url_for("account.overview"))
    return render_template("account/new_password.html", form=form, msisdn=msisdn, **_purpose_texts(purpose))


def _start_session(account: Account) -> None:
    # A new session on login: nothing from before (e.g. a planted session) carries over.
    language = session.get("lang")
    session.clear()
    if account.language or language:
        session["lang"] = account.language or language
    login_user(account)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
@limiter.limit(LOGIN_LIMIT, key_func=number_and_ip_key, methods=["POST"])
def login() -> str | BaseResponse:
    """Number and password (and, after failures for the number, a captcha)."""
    if isinstance(current_user._get_current_object(), Account):
        return redirect(url_for("account.overview"))
    form = LoginForm()
    captcha = None
    if form.validate_on_submit():
        try:
            account = registration.authenticate(
                db.session,
                form.phone.data,
                form.password.data,
                now=now(),
                secret=current_app.config["PII_KEY"],
                ip=client_ip(),
                captcha_id=session.pop(CAPTCHA_KEY, None),
                captcha_typed=form.captcha.data or "",
            )
        except registration.LoginThrottled:
            db.session.commit()
            abort(429)
        except captchas.CaptchaRequired as exc:
            db.session.commit()
            message = (
                _("The characters do not match the picture. Try this new one.")
                if exc.wrong
                else _(
                    "Several wrong passwords were typed for this number. "
                    "Type the characters in the picture too."
                )
            )
            form.captcha.errors.append(message)
            captcha = _fresh_captcha()
        except registration.LoginFailed as exc:
            db.session.commit()
            form.password.errors.append(_("Wrong number or password."))
            if exc.captcha_next:
                captcha = _fresh_captcha()
        else:
            db.session.commit()
            _start_session(account)
            return redirect(safe_next(request.args.get("next"), url_for("account.overview")))
    form.captcha.data = ""
    return render_template("account/login.html", form=form, captcha=captcha)


@bp.post("/logout")
def logout() -> BaseResponse:
    """End the session."""
    if LogoutForm().validate_on_submit():
        account = current_user._get_current_object()
        if isinstance(account, Account):
            audit.record(
                db.session,
                actor=f"account:{account.id}",
                action="account.logout",
                channel=registration.CHANNEL,
                subject=account.subscriber.msisdn,
                ip=client_ip(),
            )
            # Server side: a copy of this session's cookie must not keep working (recovery/auth.py).
            end_all_sessions(account)
            db.session.commit()
        logout_user()
        session.clear()
    return redirect(url_for("account.login"))


@bp.errorhandler(429)
def too_many_attempts(error: Exception) -> tuple[str, int]:
    """A rate limit was hit: a page in the product's voice instead of a bare error."""
    return render_template("account/too_many.html"), 429

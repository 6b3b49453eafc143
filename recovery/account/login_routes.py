"""Getting into the account: login and logout, the captcha picture, and the account's public
endpoints and limits. Registration and password recovery (number → captcha → SMS code →
password) are in :mod:`recovery.account.code_routes`."""

from __future__ import annotations

import io
import uuid

from captcha.image import ImageCaptcha
from flask import Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from recovery import audit
from recovery.account import bp, registration
from recovery.account.forms import (
    LoginForm,
    LogoutForm,
)
from recovery.account.web import client_ip
from recovery.auth import end_all_sessions
from recovery.clock import now
from recovery.extensions import db, limiter
from recovery.models import Account, Captcha
from recovery.security import captchas
from recovery.security.ratelimit import ip_key, number_key_for
from recovery.security.safe_redirect import safe_next

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


def fresh_captcha() -> Captcha:
    captcha = captchas.new_captcha(db.session, now=now())
    session[CAPTCHA_KEY] = str(captcha.id)
    db.session.commit()
    return captcha


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


def start_session(account: Account) -> None:
    """Sign ``account`` in with a fresh session (the language choice survives)."""
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
            captcha = fresh_captcha()
        except registration.LoginFailed as exc:
            db.session.commit()
            form.password.errors.append(_("Wrong number or password."))
            if exc.captcha_next:
                captcha = fresh_captcha()
        else:
            db.session.commit()
            start_session(account)
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

"""Staff sign-in with argon2 passwords, throttled failed logins, and sign-out.

An unknown login costs the same argon2 verification as a wrong password
(``DUMMY_HASH``) and gets the same answer, so the form does not tell which
logins exist. Failures are counted in the database per login typed, per
(login, address) and per address (``recovery.security.throttle``), for
unknown logins too: after ``throttle.CAPTCHA_AFTER`` failures for a login the
form asks for a captcha with the password, and an address that failed too
often is refused for a while — but nobody elsewhere can lock the owner out
(there is no lock an outsider can trigger; ``locked_until`` is only ever set
by an operator). Every sign-in, failure and sign-out is audited; a typed login
that matches no enabled, unlocked account is not recorded (it is sometimes a
password typed in the wrong field).
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from recovery import clock
from recovery.account.login_routes import CAPTCHA_KEY
from recovery.auth import end_all_sessions
from recovery.extensions import db, login_manager
from recovery.models import Captcha, StaffRole, StaffUser
from recovery.security import captchas, throttle
from recovery.security.ratelimit import login_limits
from recovery.security.safe_redirect import safe_next
from recovery.staff import bp
from recovery.staff import login as staff_login
from recovery.staff.forms import LoginForm

#: Where each role lands after signing in.
HOME_ENDPOINTS: dict[StaffRole, str] = {
    StaffRole.AGENT: "agent.console",
    StaffRole.OFFICE: "office.queue",
    StaffRole.SUPERVISOR: "supervisor.dashboard",
}
#: Staff blueprints send an anonymous visitor to the staff sign-in page.
STAFF_BLUEPRINTS = ("agent", "office", "supervisor")


def N_(msgid: str) -> str:
    """Mark a msgid for extraction; it is translated when flashed."""
    return msgid


#: Flashed on the sign-in page when a staff page was asked for without signing in.
SIGN_IN_FIRST = N_("Please sign in to open this page.")


@bp.record_once
def _point_staff_pages_at_login(_state: object) -> None:
    for name in STAFF_BLUEPRINTS:
        login_manager.blueprint_login_views[name] = "staff.login"
    login_manager.login_message = SIGN_IN_FIRST
    login_manager.login_message_category = "info"
    login_manager.localize_callback = _


def staff_home(user: StaffUser) -> str:
    """The first page of ``user``'s role."""
    return url_for(HOME_ENDPOINTS[user.role])


def _is_staff() -> bool:
    return current_user.is_authenticated and isinstance(current_user._get_current_object(), StaffUser)


def _start_session(user: StaffUser) -> None:
    """A fresh session for the signed-in user (only the language choice survives)."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@login_limits("login")
def login() -> Response | str:
    """Sign in; on success go to ``next`` (a local path) or the role's first page."""
    if _is_staff():
        return redirect(staff_home(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    captcha = None
    if form.validate_on_submit():
        now = clock.now()
        try:
            user = staff_login.authenticate(
                db.session,
                form.login.data,
                form.password.data,
                now=now,
                secret=current_app.config["PII_KEY"],
                ip=request.remote_addr,
                captcha_id=session.pop(CAPTCHA_KEY, None),
                captcha_typed=form.captcha.data or "",
            )
        except staff_login.LoginThrottled:
            abort(429)
        except staff_login.CaptchaRequired as exc:
            db.session.commit()
            form.captcha.errors.append(
                _("The characters do not match the picture. Try this new one.")
                if exc.wrong
                else _(
                    "Several wrong passwords were typed for this login. "
                    "Type the characters in the picture too."
                )
            )
            return _login_page(form, _fresh_captcha(now))
        except staff_login.LoginFailed as exc:
            db.session.commit()
            flash(
                _(
                    "Wrong login or password. After %(count)s wrong attempts for a login, the sign-in "
                    "also asks for the characters in a picture.",
                    count=throttle.CAPTCHA_AFTER,
                ),
                "error",
            )
            if exc.captcha_next:
                captcha = _fresh_captcha(now)
            return _login_page(form, captcha)
        _start_session(user)
        db.session.commit()
        return redirect(safe_next(form.next.data, staff_home(user)))
    return _login_page(form, captcha)


def _login_page(form: LoginForm, captcha: Captcha | None) -> str:
    form.captcha.data = ""
    return render_template("staff/login.html", form=form, captcha=captcha)


def _fresh_captcha(now: datetime) -> Captcha:
    # The account's captchas: the same table, picture route and session key.
    captcha = captchas.new_captcha(db.session, now=now)
    session[CAPTCHA_KEY] = str(captcha.id)
    db.session.commit()
    return captcha


@bp.post("/logout")
def logout() -> Response:
    """Sign out (POST only, with CSRF) and forget the session."""
    if _is_staff():
        staff_login.record_staff_event(db.session, current_user, "staff.logout", request.remote_addr)
        # Server side: a copy of this session's cookie must not keep working (recovery/auth.py).
        end_all_sessions(current_user._get_current_object())
        db.session.commit()
    language = session.get("lang")
    logout_user()
    session.clear()
    if language:
        session["lang"] = language
    flash(_("You have signed out."), "info")
    return redirect(url_for("staff.login"))

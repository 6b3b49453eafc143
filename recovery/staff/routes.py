"""Staff sign-in with argon2 passwords, a failed-login counter in the database, and sign-out.

An unknown login costs the same argon2 verification as a wrong password
(``DUMMY_HASH``) and gets the same answer, so the form does not tell which
logins exist. ``STAFF_MAX_FAILED_LOGINS`` wrong passwords in a row lock the
account for ``STAFF_LOCK_MINUTES``. Every sign-in, failure and sign-out is
audited; a typed login that matches no enabled, unlocked account is not
recorded (it is sometimes a password typed in the wrong field).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select, update

from recovery import audit
from recovery.auth import end_all_sessions
from recovery.extensions import db, login_manager
from recovery.models import Channel, StaffRole, StaffUser
from recovery.models.types import utcnow
from recovery.passwords import DUMMY_HASH, verify_password
from recovery.safe_redirect import safe_next
from recovery.security.ratelimit import login_limits
from recovery.staff import bp
from recovery.staff.forms import LoginForm

#: Wrong passwords in a row before the account is locked for a while.
STAFF_MAX_FAILED_LOGINS = 5
STAFF_LOCK_MINUTES = 15

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


def _locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _record_failure(user: StaffUser, now: datetime) -> None:
    """Count a wrong password atomically; lock the account at the limit."""
    db.session.execute(
        update(StaffUser).where(StaffUser.id == user.id).values(failed_logins=StaffUser.failed_logins + 1)
    )
    db.session.refresh(user)
    locked = user.failed_logins >= STAFF_MAX_FAILED_LOGINS
    if locked:
        user.locked_until = now + timedelta(minutes=STAFF_LOCK_MINUTES)
        user.failed_logins = 0
    audit.record(
        db.session,
        actor=f"staff:{user.login}",
        action="staff.login_failed",
        channel=Channel.WEB,
        subject=f"staff:{user.login}",
        ip=request.remote_addr,
        locked=locked,
    )


def _start_session(user: StaffUser, now: datetime) -> None:
    """A fresh session for the signed-in user (only the language choice survives)."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    login_user(user)
    audit.record(
        db.session,
        actor=f"staff:{user.login}",
        action="staff.login",
        channel=Channel.WEB,
        subject=f"staff:{user.login}",
        ip=request.remote_addr,
        role=user.role.value,
    )


@bp.route("/login", methods=["GET", "POST"])
@login_limits("login")
def login() -> Response | str:
    """Sign in; on success go to ``next`` (a local path) or the role's first page."""
    if _is_staff():
        return redirect(staff_home(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        now = utcnow()
        user = db.session.scalar(select(StaffUser).where(StaffUser.login == form.login.data.strip()))
        password_ok = verify_password(user.password_hash if user else DUMMY_HASH, form.password.data)
        if user is not None and user.is_enabled and not _locked(user, now) and password_ok:
            _start_session(user, now)
            db.session.commit()
            return redirect(safe_next(form.next.data, staff_home(user)))
        if user is not None and user.is_enabled and not _locked(user, now):
            _record_failure(user, now)
        else:
            # Unknown, disabled or locked: recorded without the typed login.
            audit.record(
                db.session,
                actor="anonymous",
                action="staff.login_failed",
                channel=Channel.WEB,
                ip=request.remote_addr,
            )
        db.session.commit()
        flash(
            _(
                "Wrong login or password. After %(count)s wrong attempts in a row the account "
                "is locked for %(minutes)s minutes.",
                count=STAFF_MAX_FAILED_LOGINS,
                minutes=STAFF_LOCK_MINUTES,
            ),
            "error",
        )
        return render_template("staff/login.html", form=form), 200
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Sign out (POST only, with CSRF) and forget the session."""
    if _is_staff():
        audit.record(
            db.session,
            actor=f"staff:{current_user.login}",
            action="staff.logout",
            channel=Channel.WEB,
            subject=f"staff:{current_user.login}",
            ip=request.remote_addr,
        )
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

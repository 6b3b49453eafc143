"""Sessions: staff are signed out when idle or after a shift; JSON APIs skip CSRF (tokens only).

An agent's console left open on a shared desk is an insider's way in to
claims about any number, so a staff session ends after ``STAFF_IDLE_MINUTES``
without a request, and ``STAFF_SESSION_MAX_HOURS`` after it began however
busy (ASVS 7.3.1, 7.3.2). Account holders and claimants are not affected here.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import logout_user

from recovery import audit
from recovery.extensions import csrf, db
from recovery.models import Channel
from recovery.web import is_api_request

#: Session keys: when a signed-in staff member's session began, and their last request (epoch seconds).
STAFF_SINCE = "staff_since"
STAFF_SEEN_AT = "staff_seen_at"
# Flask-Login keeps the signed-in id here ("staff:12"): read it without a database query.
_USER_ID = "_user_id"


def staff_session_expiry(
    since: float | None, seen_at: float | None, now: float, idle_limit: float, max_age: float
) -> str | None:
    """Why a staff session must end now (``"idle"`` or ``"lifetime"``), or None while it may go on.

    A session never stamped (its first request) has neither limit running yet.
    """
    if seen_at is not None and now - seen_at > idle_limit:
        return "idle"
    if since is not None and now - since > max_age:
        return "lifetime"
    return None


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def expire_staff_sessions() -> None:
    """``before_request``: end a staff session idle longer than ``STAFF_IDLE_MINUTES`` or older than
    ``STAFF_SESSION_MAX_HOURS``; otherwise stamp this request's time."""
    user_id = session.get(_USER_ID)
    if not isinstance(user_id, str) or not user_id.startswith("staff:"):
        return
    now = time.time()
    config = current_app.config
    since, seen_at = _number(session.get(STAFF_SINCE)), _number(session.get(STAFF_SEEN_AT))
    reason = staff_session_expiry(
        since, seen_at, now, config["STAFF_IDLE_MINUTES"] * 60, config["STAFF_SESSION_MAX_HOURS"] * 3600
    )
    if reason is None:
        session.setdefault(STAFF_SINCE, int(now))
        session[STAFF_SEEN_AT] = int(now)
        return
    logout_user()
    session.pop(STAFF_SINCE, None)
    session.pop(STAFF_SEEN_AT, None)
    audit.record(
        db.session,
        actor=user_id,
        action="staff.session_expired",
        channel=Channel.WEB,
        ip=request.remote_addr,
        reason=reason,
        idle_minutes=int((now - (seen_at or now)) // 60),
    )
    db.session.commit()
    if reason == "idle":
        message = _(
            "You were signed out after %(minutes)s minutes without activity. Please sign in again.",
            minutes=config["STAFF_IDLE_MINUTES"],
        )
    else:
        message = _(
            "Your session ended after %(hours)s hours. Please sign in again.",
            hours=config["STAFF_SESSION_MAX_HOURS"],
        )
    flash(message, "warning")


def protect_csrf() -> None:
    """``before_request``: Flask-WTF's CSRF check, except on the token-only JSON APIs.

    Replaces Flask-WTF's own hook (``WTF_CSRF_CHECK_DEFAULT`` is turned off
    where this is installed), so ``@csrf.exempt`` keeps working as documented.
    APIs are exempt by path: they must authenticate with a bearer token only,
    never with the session cookie, which is what makes CSRF moot there.
    """
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or is_api_request():
        return
    csrf.protect(apply_exemptions=True)


def exempt_api_blueprint(bp: Blueprint) -> Blueprint:
    """Exempt a token-only JSON blueprint from CSRF, wherever it is mounted.

    Blueprints under ``API_PATH_PREFIXES`` are already exempt; this is for one
    mounted elsewhere. Returns ``bp`` so it can wrap the definition.
    """
    csrf.exempt(bp)
    return bp

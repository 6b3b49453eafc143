"""Sessions: staff are signed out when idle; JSON APIs skip CSRF (they take tokens only).

An agent's console left open on a shared desk is an insider's way in to
claims about any number, so a staff session ends after ``STAFF_IDLE_MINUTES``
without a request. Account holders and claimants are not affected here.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, request, session
from flask_babel import gettext as _
from flask_login import logout_user

from recovery import audit
from recovery.errors import is_api_request
from recovery.extensions import csrf, db
from recovery.models import Channel

#: Session key holding the time (epoch seconds) of a signed-in staff member's last request.
STAFF_SEEN_AT = "staff_seen_at"
# Flask-Login keeps the signed-in id here ("staff:12"): read it without a database query.
_USER_ID = "_user_id"


def staff_idle_seconds(seen_at: float | None, now: float) -> float:
    """How long a staff session has been idle (0 when it was never stamped)."""
    return 0.0 if seen_at is None else max(0.0, now - seen_at)


def expire_idle_staff() -> None:
    """``before_request``: sign out staff idle longer than ``STAFF_IDLE_MINUTES``, else stamp the time."""
    user_id = session.get(_USER_ID)
    if not isinstance(user_id, str) or not user_id.startswith("staff:"):
        return
    now = time.time()
    seen_at = session.get(STAFF_SEEN_AT)
    idle = staff_idle_seconds(seen_at if isinstance(seen_at, int | float) else None, now)
    limit = current_app.config["STAFF_IDLE_MINUTES"] * 60
    if idle > limit:
        logout_user()
        session.pop(STAFF_SEEN_AT, None)
        audit.record(
            db.session,
            actor=user_id,
            action="staff.idle_logout",
            channel=Channel.WEB,
            ip=request.remote_addr,
            idle_minutes=int(idle // 60),
        )
        db.session.commit()
        flash(
            _(
                "You were signed out after %(minutes)s minutes without activity. Please sign in again.",
                minutes=current_app.config["STAFF_IDLE_MINUTES"],
            ),
            "warning",
        )
        return
    session[STAFF_SEEN_AT] = int(now)


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

"""The SMS outbox for developers, and a captcha hook for browser tests."""

from __future__ import annotations

import uuid

from flask import Response, abort, render_template, session
from sqlalchemy import desc, select

from recovery.account.login_routes import CAPTCHA_KEY
from recovery.dev import bp, testing_bp
from recovery.extensions import db
from recovery.models import Captcha, Notification, NotificationStatus
from recovery.sms import SMS_CHANNEL

LATEST = 50


@bp.get("/sms")
def sms_outbox() -> str:
    """The latest SMS messages queued in the outbox, newest first."""
    messages = db.session.scalars(
        select(Notification)
        # Decoys for numbers that are not ours are never sent, so they are not shown either.
        .where(Notification.channel == SMS_CHANNEL, Notification.status != NotificationStatus.WITHHELD)
        .order_by(desc(Notification.created_at), desc(Notification.id))
        .limit(LATEST)
    ).all()
    return render_template("dev/sms.html", messages=messages)


@testing_bp.get("/captcha-answer")
def captcha_answer() -> Response:
    """The answer of this browser session's current captcha (testing only)."""
    raw = session.get(CAPTCHA_KEY)
    captcha = db.session.get(Captcha, uuid.UUID(raw)) if raw else None
    if captcha is None:
        abort(404)
    return Response(captcha.answer, mimetype="text/plain")

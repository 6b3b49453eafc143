"""Agents answer subscribers' support messages. The agent sees the number and
the conversation only — never the subscriber's name, passport, address or calls."""

from __future__ import annotations

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from recovery.auth import staff_required
from recovery.clock import now
from recovery.extensions import db
from recovery.models import Channel, MessageAuthor, StaffRole, Subscriber, SupportMessage
from recovery.support import bp
from recovery.support import services as support
from recovery.support.forms import ReplyForm

POLL_SECONDS = 5


def _message_json(message: SupportMessage) -> dict[str, object]:
    return {
        "id": message.id,
        "author": message.author.value,
        "body": message.body,
        "createdAt": message.created_at.isoformat(),
        # Staff read times in the service's time zone (BABEL_DEFAULT_TIMEZONE).
        "time": format_datetime(message.created_at, "short"),
    }


def _subscriber_or_404(subscriber_id: int) -> Subscriber:
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is None:
        abort(404)
    return subscriber


@bp.get("/")
@staff_required(StaffRole.AGENT)
def conversations() -> str:
    """Conversations, those waiting for an answer first."""
    return render_template("support/conversations.html", conversations=support.conversations(db.session))


@bp.route("/<int:subscriber_id>", methods=["GET", "POST"])
@staff_required(StaffRole.AGENT)
def conversation(subscriber_id: int) -> str | BaseResponse:
    """One subscriber's conversation and the reply form."""
    subscriber = _subscriber_or_404(subscriber_id)
    if not support.messages_after(db.session, subscriber.id, limit=1):
        abort(404)  # agents answer conversations; they neither browse subscribers nor start chats
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            support.post_message(
                db.session,
                subscriber,
                MessageAuthor.AGENT,
                form.body.data,
                now=now(),
                actor=f"staff:{current_user.login}",
                channel=Channel.AGENT.value,
                staff_user_id=current_user.id,
                ip=request.remote_addr,
            )
        except support.EmptyMessage:
            form.body.errors.append(_("Write a reply first."))
        else:
            db.session.commit()
            return redirect(url_for("support.conversation", subscriber_id=subscriber.id) + "#chat-form")
    messages = support.messages_after(db.session, subscriber.id)
    return render_template(
        "support/conversation.html",
        form=form,
        msisdn=subscriber.msisdn,
        messages=[_message_json(m) for m in messages],
        poll_url=url_for("support.messages", subscriber_id=subscriber.id),
        poll_seconds=POLL_SECONDS,
    )


@bp.get("/<int:subscriber_id>/messages.json")
@staff_required(StaffRole.AGENT)
def messages(subscriber_id: int) -> Response:
    """New messages of a conversation after ``?after=<id>``."""
    subscriber = _subscriber_or_404(subscriber_id)
    after = request.args.get("after", 0, type=int) or 0
    return jsonify(
        messages=[_message_json(m) for m in support.messages_after(db.session, subscriber.id, after)]
    )

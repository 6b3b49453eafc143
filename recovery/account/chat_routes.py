"""The subscriber's side of the support chat (agents answer at /agent/support)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from recovery.account import bp, services
from recovery.account.forms import SupportMessageForm
from recovery.account.web import account_tz, client_ip, current_account, local_time
from recovery.clock import now
from recovery.extensions import db
from recovery.models import MessageAuthor, SupportMessage
from recovery.support import services as support

SUPPORT_POLL_SECONDS = 5


def message_json(message: SupportMessage, tz: ZoneInfo) -> dict[str, object]:
    """A chat message as the polling script receives it."""
    return {
        "id": message.id,
        "author": message.author.value,
        "body": message.body,
        "createdAt": message.created_at.isoformat(),
        "time": local_time(message.created_at, tz),
    }


@bp.route("/support", methods=["GET", "POST"])
def support_chat() -> str | BaseResponse:
    """The subscriber's conversation with support."""
    account = current_account()
    form = SupportMessageForm()
    if form.validate_on_submit():
        try:
            support.post_message(
                db.session,
                account.subscriber,
                MessageAuthor.SUBSCRIBER,
                form.body.data,
                now=now(),
                actor=services.actor_of(account),
                channel=services.CHANNEL,
                ip=client_ip(),
            )
        except support.EmptyMessage:
            form.body.errors.append(_("Write a message first."))
        else:
            db.session.commit()
            return redirect(url_for("account.support_chat") + "#chat-form")
    tz = account_tz(account)
    messages = support.messages_after(db.session, account.subscriber_id)
    return render_template(
        "account/support.html",
        form=form,
        messages=[message_json(m, tz) for m in messages],
        poll_url=url_for("account.support_messages"),
        poll_seconds=SUPPORT_POLL_SECONDS,
    )


@bp.get("/support/messages.json")
def support_messages() -> Response:
    """New messages of the logged-in subscriber's conversation after ``?after=<id>``."""
    account = current_account()
    after = request.args.get("after", 0, type=int) or 0
    tz = account_tz(account)
    messages = support.messages_after(db.session, account.subscriber_id, after)
    return jsonify(messages=[message_json(m, tz) for m in messages])

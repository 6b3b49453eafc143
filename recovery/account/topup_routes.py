"""Top-up of the balance and its receipts."""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from recovery.account import bp, payments
from recovery.account.forms import TopUpForm
from recovery.account.money import parse_rubles
from recovery.account.web import account_tz, client_ip, current_account
from recovery.clock import now
from recovery.extensions import db
from recovery.models import TopUp


def payment_provider() -> payments.PaymentProvider:
    """The payment provider of this app (``app.extensions["payment_provider"]``; simulated by default)."""
    return current_app.extensions.get("payment_provider") or payments.SimulatedPaymentProvider()


@bp.route("/topup", methods=["GET", "POST"])
def topup() -> str | BaseResponse:
    """Top the balance up; a double submit of the same form charges once."""
    account = current_account()
    form = TopUpForm()
    if form.validate_on_submit():
        try:
            row, created = payments.top_up(
                db.session,
                account,
                parse_rubles(form.amount.data),
                form.idempotency_key.data,
                now=now(),
                provider=payment_provider(),
                ip=client_ip(),
            )
        except payments.InvalidIdempotencyKey:
            db.session.rollback()
            flash(_("The form has expired. Please enter the amount again."), "warning")
            return redirect(url_for("account.topup"))
        db.session.commit()
        if not created:
            flash(_("This payment was already made; you were not charged twice."), "info")
        return redirect(url_for("account.topup_receipt", top_up_id=row.id))
    if not form.is_submitted():
        form.idempotency_key.data = uuid.uuid4().hex
    return render_template(
        "account/topup.html",
        form=form,
        balance=account.subscriber.balance_kopecks,
        history=payments.top_up_history(db.session, account.subscriber_id),
        tz=account_tz(account),
    )


@bp.get("/topup/<int:top_up_id>")
def topup_receipt(top_up_id: int) -> str:
    """A top-up's receipt — only one's own (another's id answers 404)."""
    account = current_account()
    row = db.session.get(TopUp, top_up_id)
    if row is None or row.subscriber_id != account.subscriber_id:
        abort(404)
    return render_template(
        "account/topup_receipt.html",
        top_up=row,
        balance=account.subscriber.balance_kopecks,
        tz=account_tz(account),
    )

"""The account's sections: overview, call details, expenses, tariff, top-up,
support chat and settings. Everything is read for the logged-in subscriber;
no view takes a subscriber's id from the request."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import timedelta

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from recovery.account import bp, details, payments, services
from recovery.account.forms import (
    BlockSimForm,
    ChangePasswordForm,
    DetailsFilterForm,
    EmailForm,
    LanguageForm,
    LogoutForm,
    SimLockForm,
    SupportMessageForm,
    TariffForm,
    TopUpForm,
)
from recovery.account.login_routes import PUBLIC_ENDPOINTS
from recovery.account.money import format_rubles, parse_rubles
from recovery.account.web import account_tz, client_ip, current_account, local_time, support_numbers
from recovery.clock import now
from recovery.extensions import db
from recovery.models import Account, CallKind, MessageAuthor, SimStatus, Tariff, TopUp
from recovery.passwords import WeakPassword
from recovery.regions import UnknownRegion, get_region
from recovery.support import services as support

SUPPORT_POLL_SECONDS = 5


@bp.before_request
def require_account_holder() -> BaseResponse | None:
    """Deny by default: every page but the way in needs a logged-in account holder."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if request.path.endswith(".json"):
            return jsonify(status=401, code="UNAUTHENTICATED", message="log in first"), 401
        return redirect(url_for("account.login", next=request.full_path.rstrip("?")))
    if not isinstance(current_user._get_current_object(), Account):
        abort(403)  # staff are not account holders
    return None


@bp.context_processor
def account_helpers() -> dict[str, object]:
    """Formatting used by the account's templates."""
    return {
        "rubles": format_rubles,
        "logout_form": LogoutForm(),
        "region_name": _region_name,
        "local_time": local_time,
    }


def _region_name(code: str) -> str:
    try:
        return get_region(code).name(str(get_locale()))
    except UnknownRegion:
        return code


def _tariff(code: str) -> Tariff | None:
    return db.session.get(Tariff, code)


# -- overview --------------------------------------------------------------------


@bp.get("/")
def overview() -> str:
    """Number, tariff, balance and SIM status."""
    account = current_account()
    subscriber = account.subscriber
    sim = subscriber.current_sim
    return render_template(
        "account/overview.html",
        subscriber=subscriber,
        sim=sim,
        tariff=_tariff(subscriber.tariff),
        SimStatus=SimStatus,
        lost_at=details.loss_reported_at(db.session, subscriber.id),
    )


# -- call details ----------------------------------------------------------------


def _details_filter(form: DetailsFilterForm, tz) -> tuple[details.Period, CallKind | None, list[str]]:
    period = details.default_period(now(), tz)
    problems: list[str] = []
    first = form.date_from.data or period.first
    last = form.date_to.data or period.last
    if form.errors:
        problems.append(_("Dates are written as YYYY-MM-DD; showing the last 30 days."))
    elif first > last:
        problems.append(_("The start of the period is after its end; showing the last 30 days."))
    elif last - first > timedelta(days=details.MAX_PERIOD_DAYS):
        problems.append(_("A period may be at most a year; showing the last 30 days."))
    else:
        period = details.Period(first, last)
    kind = CallKind(form.kind.data) if form.kind.data in {k.value for k in CallKind} else None
    return period, kind, problems


@bp.get("/details")
def call_details() -> str:
    """The ledger for this number, both directions, with post-loss highlighting."""
    account = current_account()
    subscriber = account.subscriber
    tz = account_tz(account)
    form = DetailsFilterForm(request.args)
    form.validate()
    period, kind, problems = _details_filter(form, tz)
    page = request.args.get("page", 1, type=int) or 1
    lost_at = details.loss_reported_at(db.session, subscriber.id)
    result = details.details_page(
        db.session,
        subscriber,
        period,
        kind,
        page,
        tz=tz,
        lost_at=lost_at,
        support_numbers=support_numbers(),
    )
    since_loss = details.events_since(db.session, subscriber.msisdn, lost_at) if lost_at else 0
    query = {"date_from": period.first.isoformat(), "date_to": period.last.isoformat(), "kind": kind or ""}
    return render_template(
        "account/details.html",
        form=form,
        result=result,
        period=period,
        problems=problems,
        lost_at=lost_at.astimezone(tz) if lost_at else None,
        since_loss=since_loss,
        query=query,
        tariff=_tariff(subscriber.tariff),
        tz=tz,
    )


CSV_COLUMNS = (
    "started_at",
    "direction",
    "other_party",
    "kind",
    "duration_s",
    "region",
    "cost_rub",
    "possibly_not_you",
)


@bp.get("/details.csv")
def call_details_csv() -> Response:
    """The filtered call details as CSV (UTF-8, comma-separated, times with their offset)."""
    account = current_account()
    subscriber = account.subscriber
    tz = account_tz(account)
    form = DetailsFilterForm(request.args)
    form.validate()
    period, kind, _problems = _details_filter(form, tz)
    lost_at = details.loss_reported_at(db.session, subscriber.id)
    rows = details.iter_details(
        db.session, subscriber, period, kind, tz=tz, lost_at=lost_at, support_numbers=support_numbers()
    )

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            cost = (
                "" if row.cost_kopecks is None else f"{row.cost_kopecks // 100}.{row.cost_kopecks % 100:02d}"
            )
            writer.writerow(
                (
                    row.started_at.isoformat(timespec="seconds"),
                    "out" if row.outgoing else "in",
                    _csv_safe(row.other_party),
                    row.kind.value,
                    row.duration_s,
                    row.region,
                    cost,
                    "yes" if row.possibly_not_you else "no",
                )
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    filename = f"details-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _csv_safe(value: str) -> str:
    # Spreadsheets run cells starting with = + - @ as formulas; a USSD code or a
    # caller id from another network must stay text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") and not value[1:].isdigit() else value


# -- expenses --------------------------------------------------------------------


@bp.get("/expenses")
def expenses() -> str:
    """Usage costs per month and kind, with a bar chart drawn as SVG on the server."""
    account = current_account()
    tz = account_tz(account)
    months = details.expenses_by_month(
        db.session, account.subscriber, now=now(), tz=tz, support_numbers=support_numbers()
    )
    peak = max((month.total for month in months), default=0)
    return render_template(
        "account/expenses.html",
        months=months,
        peak=peak,
        kinds=list(CallKind),
        tariff=_tariff(account.subscriber.tariff),
    )


# -- tariff ----------------------------------------------------------------------


@bp.route("/tariff", methods=["GET", "POST"])
def tariff() -> str | BaseResponse:
    """The tariffs on offer; switching is audited."""
    account = current_account()
    form = TariffForm()
    if form.validate_on_submit():
        try:
            chosen = services.change_tariff(db.session, account, form.tariff.data, now=now(), ip=client_ip())
        except services.UnknownTariff:
            db.session.rollback()
            flash(_("This tariff is not available."), "error")
        else:
            db.session.commit()
            flash(_("Your tariff is now “%(name)s”.", name=chosen.name(str(get_locale()))), "success")
        return redirect(url_for("account.tariff"))
    return render_template(
        "account/tariff.html",
        tariffs=services.available_tariffs(db.session),
        current=account.subscriber.tariff,
        form=form,
    )


# -- top-up ----------------------------------------------------------------------


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


# -- support chat ----------------------------------------------------------------


def message_json(message, tz) -> dict[str, object]:
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


# -- settings --------------------------------------------------------------------


def _settings_forms(account: Account) -> dict[str, object]:
    subscriber = account.subscriber
    return {
        "language_form": LanguageForm(prefix="language", language=account.language or str(get_locale())),
        "email_form": EmailForm(prefix="email", email=subscriber.email),
        "password_form": ChangePasswordForm(prefix="password"),
        "lock_form": SimLockForm(prefix="lock", enabled=subscriber.reissue_in_person_only),
        "block_form": BlockSimForm(prefix="block"),
    }


def _settings_page(account: Account, **forms: object) -> str:
    context = _settings_forms(account) | forms
    sim = account.subscriber.current_sim
    return render_template(
        "account/settings.html",
        subscriber=account.subscriber,
        sim=sim,
        sim_active=sim is not None and sim.status == SimStatus.ACTIVE,
        **context,
    )


@bp.get("/settings")
def settings() -> str:
    """Language, e-mail, password, SIM lock and "block my SIM now"."""
    return _settings_page(current_account())


@bp.post("/settings/language")
def settings_language() -> str | BaseResponse:
    """Save the interface language."""
    account = current_account()
    form = LanguageForm(prefix="language")
    if not form.validate_on_submit():
        return _settings_page(account, language_form=form)
    services.change_language(db.session, account, form.language.data, ip=client_ip())
    db.session.commit()
    session["lang"] = form.language.data
    flash(_("The language is saved."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/settings/email")
def settings_email() -> str | BaseResponse:
    """Save the e-mail for notifications."""
    account = current_account()
    form = EmailForm(prefix="email")
    if not form.validate_on_submit():
        return _settings_page(account, email_form=form)
    email = (form.email.data or "").strip() or None
    services.change_email(db.session, account, email, now=now(), ip=client_ip())
    db.session.commit()
    flash(_("The e-mail for notifications is saved."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/settings/password")
def settings_password() -> str | BaseResponse:
    """Change the password (the current one proves it is you)."""
    account = current_account()
    form = ChangePasswordForm(prefix="password")
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session, account, form.current.data, form.password.data, now=now(), ip=client_ip()
            )
        except services.WrongPassword:
            form.current.errors.append(_("This is not your current password."))
        except WeakPassword:  # pragma: no cover - the form's validator refuses it first
            form.password.errors.append(_("Choose a stronger password."))
        else:
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for("account.settings"))
    return _settings_page(account, password_form=form)


@bp.post("/settings/sim-lock")
def settings_sim_lock() -> str | BaseResponse:
    """Turn the SIM lock on, or off with the password."""
    account = current_account()
    form = SimLockForm(prefix="lock")
    if not form.validate_on_submit():
        return _settings_page(account, lock_form=form)
    enabled = bool(form.enabled.data)
    if not enabled and account.subscriber.reissue_in_person_only:
        # Turning the protection off is what an intruder in a live session would want.
        try:
            services.confirm_password(account, form.password.data or "")
        except services.WrongPassword:
            form.password.errors.append(_("Enter your password to turn the SIM lock off."))
            return _settings_page(account, lock_form=form)
    services.set_sim_lock(db.session, account, enabled, now=now(), ip=client_ip())
    db.session.commit()
    if enabled:
        flash(_("SIM lock is on: a new SIM for your number is given only in person at an office."), "success")
    else:
        flash(_("SIM lock is off."), "success")
    return redirect(url_for("account.settings"))


@bp.post("/settings/block")
def settings_block() -> str | BaseResponse:
    """Block my SIM now. The password is the proof; unblocking is only at an office."""
    account = current_account()
    form = BlockSimForm(prefix="block")
    if not form.validate_on_submit():
        return _settings_page(account, block_form=form)
    try:
        services.confirm_password(account, form.password.data)
    except services.WrongPassword:
        form.password.errors.append(_("This is not your password."))
        return _settings_page(account, block_form=form)
    try:
        services.block_current_sim(
            db.session, account.subscriber, now=now(), actor=services.actor_of(account), ip=client_ip()
        )
    except services.SimNotActive:
        db.session.rollback()
        flash(_("Your SIM is already blocked. Visit an office with your passport to unblock it."), "info")
        return redirect(url_for("account.settings"))
    db.session.commit()
    message = _("Your SIM is blocked. To unblock it or get a new SIM with the same number, visit an office.")
    flash(message, "success")
    return redirect(url_for("account.overview"))

"""The account's access rule and its sections: overview, call details, expenses
and tariff (top-up, support chat and settings have modules of their own).
Everything is read for the logged-in subscriber; no view takes a subscriber's
id from the request."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from recovery.account import bp, details, services
from recovery.account.codes import CODE_TTL
from recovery.account.forms import CancelLockReleaseForm, DetailsFilterForm, LogoutForm, TariffForm
from recovery.account.login_routes import PUBLIC_ENDPOINTS
from recovery.account.money import MAX_TOP_UP_KOPECKS, MIN_TOP_UP_KOPECKS
from recovery.account.web import (
    account_tz,
    client_ip,
    current_account,
    local_time,
    rubles,
    support_numbers,
    zone_name,
    zoned_time,
)
from recovery.clock import now
from recovery.extensions import db
from recovery.formatting import region_name
from recovery.models import Account, CallKind, SimStatus, Subscriber, Tariff
from recovery.network.unblock import reissue_open
from recovery.security.passwords import MIN_PASSWORD_LENGTH


@dataclass(frozen=True)
class Policy:
    """The policy numbers the pages quote, from the modules that enforce them."""

    min_password_length: int = MIN_PASSWORD_LENGTH
    code_minutes: int = int(CODE_TTL.total_seconds() // 60)
    min_top_up: int = MIN_TOP_UP_KOPECKS
    max_top_up: int = MAX_TOP_UP_KOPECKS


POLICY = Policy()


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
        "rubles": rubles,
        # Not bound to the request's body: an error page (a 413) renders this too.
        "logout_form": LogoutForm(formdata=None),
        "region_name": region_name,
        "local_time": local_time,
        "zoned_time": zoned_time,
        "zone_name": zone_name,
        "policy": POLICY,
        "sim_lock_release": _sim_lock_release,
        "sim_lock_on": _sim_lock_on,
        "keep_lock_form": CancelLockReleaseForm(prefix="keep", formdata=None),
    }


def _sim_lock_on() -> bool:
    """Whether the account's SIM lock holds now (a release that has come due turns it off)."""
    account = current_user._get_current_object()
    return isinstance(account, Account) and account.subscriber.reissue_lock_effective(now())


def _sim_lock_release() -> str | None:
    """When the SIM lock goes off (local time), while a release asked for in the account is pending."""
    account = current_user._get_current_object()
    if not isinstance(account, Account):
        return None
    release: datetime | None = account.subscriber.reissue_lock_release_pending(now())
    return zoned_time(release, account_tz(account)) if release is not None else None


def _tariff(code: str) -> Tariff | None:
    return db.session.get(Tariff, code)


# -- overview --------------------------------------------------------------------


@bp.get("/")
def overview() -> str:
    """Number, tariff, balance and SIM status."""
    account = current_account()
    subscriber = account.subscriber
    sim = subscriber.current_sim
    lost_at, since_loss = details.post_loss_activity(db.session, subscriber)
    blocked = sim is not None and sim.status == SimStatus.BLOCKED
    return render_template(
        "account/overview.html",
        subscriber=subscriber,
        sim=sim,
        tariff=_tariff(subscriber.tariff),
        SimStatus=SimStatus,
        lost_at=lost_at,
        since_loss=since_loss,
        reissue_open=blocked and reissue_open(db.session, subscriber),
    )


# -- call details ----------------------------------------------------------------


#: The period and kind a details filter asks for, and what was wrong with it.
_Filter = tuple[details.Period, CallKind | None, list[str]]


def _details_filter(form: DetailsFilterForm, tz: ZoneInfo) -> _Filter:
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


def _details_request() -> tuple[Subscriber, ZoneInfo, DetailsFilterForm, _Filter, datetime | None]:
    """What both call-details views read: the subscriber, their time zone, the filter, the loss."""
    account = current_account()
    tz = account_tz(account)
    form = DetailsFilterForm(request.args)
    form.validate()
    lost_at = details.loss_reported_at(db.session, account.subscriber.id)
    return account.subscriber, tz, form, _details_filter(form, tz), lost_at


@bp.get("/details")
def call_details() -> str:
    """The ledger for this number, both directions, with post-loss highlighting."""
    subscriber, tz, form, (period, kind, problems), lost_at = _details_request()
    page = request.args.get("page", 1, type=int) or 1
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
    lost_at, since_loss = details.post_loss_activity(db.session, subscriber)
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
        zone=zone_name(tz, now()),
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
    subscriber, tz, _form, (period, kind, _problems), lost_at = _details_request()
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
    """The tariffs on offer; a switch is confirmed first, takes effect at once and is audited."""
    account = current_account()
    form = TariffForm()
    if form.validate_on_submit():
        chosen = db.session.get(Tariff, form.tariff.data)
        if chosen is not None and chosen.is_available and form.confirmed.data != "yes":
            return render_template(
                "account/tariff_confirm.html",
                chosen=chosen,
                current=_tariff(account.subscriber.tariff),
                form=form,
                moment=now(),
                tz=account_tz(account),
            )
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

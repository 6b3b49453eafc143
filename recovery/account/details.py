"""Call details («детализация») and expenses for one subscriber's number.

Reads the ledger in both directions, costs each event by the prices of the
tariff in force when it happened (``recovery.account.costs``) and marks the
events the SIM made at or after a reported loss as "possibly not you": after
``lostAt`` the phone may be in a finder's hands (DESIGN 2.2, the same rule as
``recovery.verification.repository.post_loss_events``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, desc, func, or_, select
from sqlalchemy.orm import Session

from recovery.account.costs import PriceHistory, Prices, event_cost
from recovery.models import CallEvent, CallKind, Claim, Outcome, Subscriber, Tariff, TariffChange
from recovery.phones import is_service_number
from recovery.verification.repository import post_loss_events

PAGE_SIZE = 50
DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 366
EXPENSE_MONTHS = 6


@dataclass(frozen=True)
class Period:
    """Whole days ``first``..``last`` (inclusive) in the subscriber's time zone."""

    first: date
    last: date

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The instants [start, end) the period covers."""
        start = datetime.combine(self.first, time.min, tzinfo=tz)
        end = datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=tz)
        return start, end


def default_period(now: datetime, tz: ZoneInfo) -> Period:
    """The last 30 days up to today."""
    today = now.astimezone(tz).date()
    return Period(today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)


@dataclass(frozen=True)
class DetailRow:
    """One line of the call details as the subscriber sees it."""

    id: int
    started_at: datetime  # in the subscriber's time zone
    outgoing: bool
    other_party: str
    kind: CallKind
    duration_s: int
    region: str
    cost_kopecks: int | None
    possibly_not_you: bool


def _prices(session: Session, code: str) -> Prices | None:
    tariff = session.get(Tariff, code)
    if tariff is None:
        return None
    return Prices(per_minute=tariff.per_minute_kopecks, per_sms=tariff.per_sms_kopecks)


def price_history(session: Session, subscriber: Subscriber) -> PriceHistory:
    """The prices of each tariff the subscriber had, from the moment it was in force."""
    changes = session.scalars(
        select(TariffChange)
        .where(TariffChange.subscriber_id == subscriber.id)
        .order_by(TariffChange.effective_from, TariffChange.id)
    ).all()
    if not changes:
        return PriceHistory(_prices(session, subscriber.tariff))
    return PriceHistory(
        _prices(session, changes[0].previous),
        tuple((change.effective_from, _prices(session, change.tariff)) for change in changes),
    )


def loss_reported_at(session: Session, subscriber_id: int) -> datetime | None:
    """``lostAt`` of the latest claim for this subscriber that blocked or reissued the SIM."""
    return session.scalar(
        select(Claim.lost_at)
        .where(Claim.subscriber_id == subscriber_id, Claim.outcome.in_((Outcome.BLOCK, Outcome.REISSUE)))
        .order_by(desc(Claim.created_at))
        .limit(1)
    )


def post_loss_activity(session: Session, subscriber: Subscriber) -> tuple[datetime | None, int]:
    """The reported loss time and the events the SIM made at or after it (DESIGN 2.2).

    The count is the one the claim's result and the API give
    (``post_loss_events``), so the account never tells another number.
    """
    lost_at = loss_reported_at(session, subscriber.id)
    if lost_at is None:
        return None, 0
    return lost_at, post_loss_events(session, subscriber.msisdn, lost_at)


def _events(msisdn: str, start: datetime, end: datetime, kind: CallKind | None) -> Select:
    query = select(CallEvent).where(
        or_(CallEvent.caller == msisdn, CallEvent.callee == msisdn),
        CallEvent.started_at >= start,
        CallEvent.started_at < end,
    )
    if kind is not None:
        query = query.where(CallEvent.kind == kind)
    return query


def _row(
    event: CallEvent,
    msisdn: str,
    tz: ZoneInfo,
    history: PriceHistory,
    lost_at: datetime | None,
    support_numbers: Iterable[str],
) -> DetailRow:
    outgoing = event.caller == msisdn
    other = event.callee if outgoing else event.caller
    cost = None
    prices = history.at(event.started_at)
    if prices is not None:
        cost = event_cost(
            event.kind.value,
            outgoing=outgoing,
            to_service=is_service_number(other, support_numbers),
            duration_s=event.duration_s,
            prices=prices,
        )
    return DetailRow(
        id=event.id,
        started_at=event.started_at.astimezone(tz),
        outgoing=outgoing,
        other_party=other,
        kind=event.kind,
        duration_s=event.duration_s,
        region=event.region,
        cost_kopecks=cost,
        possibly_not_you=outgoing and lost_at is not None and event.started_at >= lost_at,
    )


@dataclass(frozen=True)
class DetailsPage:
    """One page of call details and what the page's header shows."""

    rows: list[DetailRow]
    total: int
    page: int
    pages: int


def details_page(
    session: Session,
    subscriber: Subscriber,
    period: Period,
    kind: CallKind | None,
    page: int,
    *,
    tz: ZoneInfo,
    lost_at: datetime | None,
    support_numbers: Iterable[str] = (),
    page_size: int = PAGE_SIZE,
) -> DetailsPage:
    """A page of the subscriber's events in ``period``, newest first."""
    start, end = period.bounds(tz)
    query = _events(subscriber.msisdn, start, end, kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    events = session.scalars(
        query.order_by(desc(CallEvent.started_at), desc(CallEvent.id))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    history = price_history(session, subscriber)
    rows = [_row(e, subscriber.msisdn, tz, history, lost_at, support_numbers) for e in events]
    return DetailsPage(rows=rows, total=total, page=page, pages=pages)


def iter_details(
    session: Session,
    subscriber: Subscriber,
    period: Period,
    kind: CallKind | None,
    *,
    tz: ZoneInfo,
    lost_at: datetime | None,
    support_numbers: Iterable[str] = (),
) -> Iterator[DetailRow]:
    """Every event in ``period``, newest first, read in batches (for the CSV export)."""
    start, end = period.bounds(tz)
    query = _events(subscriber.msisdn, start, end, kind).order_by(
        desc(CallEvent.started_at), desc(CallEvent.id)
    )
    history = price_history(session, subscriber)
    for event in session.scalars(query.execution_options(yield_per=500)):
        yield _row(event, subscriber.msisdn, tz, history, lost_at, support_numbers)


@dataclass(frozen=True)
class MonthExpenses:
    """What a calendar month's outgoing usage cost, by kind."""

    month: date  # the first day of the month
    by_kind: dict[CallKind, int]

    @property
    def total(self) -> int:
        """The month's total in kopecks."""
        return sum(self.by_kind.values())


def month_starts(now: datetime, tz: ZoneInfo, months: int) -> list[date]:
    """The first days of the last ``months`` calendar months, oldest first (this month last)."""
    current = now.astimezone(tz).date().replace(day=1)
    starts = [current]
    for _ in range(months - 1):
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    return starts[::-1]


def expenses_by_month(
    session: Session,
    subscriber: Subscriber,
    *,
    now: datetime,
    tz: ZoneInfo,
    months: int = EXPENSE_MONTHS,
    support_numbers: Iterable[str] = (),
) -> list[MonthExpenses]:
    """Usage costs per calendar month (in the subscriber's time zone) and kind.

    Only outgoing events cost anything (see ``costs``), so only the caller
    side of the ledger is read, through its (caller, started_at) index.
    """
    starts = month_starts(now, tz, months)
    totals: dict[date, dict[CallKind, int]] = {start: defaultdict(int) for start in starts}
    history = price_history(session, subscriber)
    first = datetime.combine(starts[0], time.min, tzinfo=tz)
    query = select(CallEvent).where(CallEvent.caller == subscriber.msisdn, CallEvent.started_at >= first)
    for event in session.scalars(query.execution_options(yield_per=500)):
        month = event.started_at.astimezone(tz).date().replace(day=1)
        prices = history.at(event.started_at)
        if month in totals and prices is not None:
            totals[month][event.kind] += event_cost(
                event.kind.value,
                outgoing=True,
                to_service=is_service_number(event.callee, support_numbers),
                duration_s=event.duration_s,
                prices=prices,
            )
    return [
        MonthExpenses(month=start, by_kind={kind: totals[start].get(kind, 0) for kind in CallKind})
        for start in starts
    ]

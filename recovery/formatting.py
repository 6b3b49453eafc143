"""Locale-aware formatting of dates, money, numbers, durations, regions and numbers.

The ``format_*`` functions are plain: they take the locale (and time zone)
as arguments and are tested without an app. ``register_formatting(app)``
exposes them to templates as filters and globals that fill in the locale and
time zone of the current request (Flask-Babel's ``get_locale``/``get_timezone``)::

    {{ sim.activated_at|datetime }}                 20 нояб. 2026 г., 18:00
    {{ event.started_at|time(tz="Asia/Novosibirsk") }}
    {{ subscriber.balance_kopecks|money }}          1 234,50 ₽  /  RUB 1,234.50
    {{ event.duration_s|duration }}                 1 мин 5 с   /  1 min 5 sec
    {{ region_name(ticket.region) }}                Москва      /  Moscow

Stored times are UTC; people read them in a time zone (the default is
``BABEL_DEFAULT_TIMEZONE``, Moscow), so every time shown passes through here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.dates import get_timezone_location as babel_timezone_location
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_symbol
from babel.units import format_unit
from flask import Flask
from flask_babel import get_locale, get_timezone

from recovery.regions import UnknownRegion, get_region

CURRENCY = "RUB"
KOPECKS_PER_RUBLE = 100
NBSP = "\u00a0"

# (seconds in the unit, CLDR unit) from the largest down.
_DURATION_UNITS = (
    (86_400, "duration-day"),
    (3_600, "duration-hour"),
    (60, "duration-minute"),
    (1, "duration-second"),
)


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _aware(value: datetime) -> datetime:
    # The models store aware UTC times; a naive value can only be UTC too.
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo("UTC"))


def format_date(value: date | datetime, locale: str, tz: str | tzinfo = "UTC", fmt: str = "medium") -> str:
    """A calendar date: ``20 нояб. 2026 г.`` / ``Nov 20, 2026`` (``fmt``: short, medium, long, full).

    A datetime is first moved to ``tz``: 23:30 UTC is already the next day in Moscow.
    """
    if isinstance(value, datetime):
        value = _aware(value).astimezone(_zone(tz)).date()
    return babel_format_date(value, fmt, locale=locale)


def format_time(value: datetime | time, locale: str, tz: str | tzinfo = "UTC", fmt: str = "short") -> str:
    """A time of day in ``tz``: ``18:00`` / ``6:00 PM``."""
    if isinstance(value, datetime):
        value = _aware(value).astimezone(_zone(tz))
        return babel_format_time(value, fmt, locale=locale)
    return babel_format_time(value, fmt, locale=locale)


def format_datetime(value: datetime, locale: str, tz: str | tzinfo = "UTC") -> str:
    """Date and time in ``tz``, without seconds: ``20 нояб. 2026 г., 18:00`` / ``Nov 20, 2026, 6:00 PM``."""
    moment = _aware(value).astimezone(_zone(tz))
    pattern = Locale.parse(locale).datetime_formats["medium"]
    return pattern.replace("{1}", format_date(moment, locale, tz)).replace(
        "{0}", format_time(moment, locale, tz)
    )


def format_zone(tz: str | tzinfo, locale: str, at: datetime) -> str:
    """A time zone as people name it, with its offset at ``at``: ``Москва, UTC+3`` / ``Moscow, UTC+3``."""
    zone = _zone(tz)
    offset = _aware(at).astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"
    city = babel_timezone_location(zone, locale=locale, return_city=True) if str(zone) != "UTC" else ""
    return f"{city}, {utc}" if city else utc


def format_zoned_datetime(value: datetime, locale: str, tz: str | tzinfo = "UTC") -> str:
    """Date and time naming the zone: ``20 нояб. 2026 г., 18:00 (Москва, UTC+3)``."""
    return f"{format_datetime(value, locale, tz)} ({format_zone(tz, locale, value)})"


def format_money(kopecks: int | None, locale: str, currency: str = CURRENCY) -> str:
    """An amount held in kopecks: ``1 234,50 ₽`` / ``RUB 1,234.50``.

    CLDR separates a letter symbol (``RUB``) from the digits by a no-break
    space ("currency spacing"), which Babel does not apply; it is added here.
    """
    if kopecks is None:
        return ""
    amount = Decimal(kopecks) / KOPECKS_PER_RUBLE
    text = format_currency(amount, currency, locale=locale)
    symbol = get_currency_symbol(currency, locale=locale)
    if symbol[-1:].isalpha():
        text = re.sub(rf"({re.escape(symbol)})(\d)", rf"\1{NBSP}\2", text)
    if symbol[:1].isalpha():
        text = re.sub(rf"(\d)({re.escape(symbol)})", rf"\1{NBSP}\2", text)
    return text


def format_number(value: int | float | Decimal, locale: str) -> str:
    """A number with the locale's grouping and decimal mark: ``1 234,5`` / ``1,234.5``."""
    return format_decimal(value, locale=locale)


def format_percentage(fraction: float | Decimal, locale: str) -> str:
    """A fraction as a percentage: 0.25 → ``25 %`` / ``25%``."""
    return format_percent(fraction, locale=locale)


def format_duration(value: int | float | timedelta, locale: str) -> str:
    """A length of time, in compact units: 3725 s → ``1 ч 2 мин 5 с`` / ``1 hr 2 min 5 sec``.

    Call lengths and waiting times are read at a glance, so zero parts are left
    out and no approximation is made (unlike ``babel.dates.format_timedelta``).
    """
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    parts = []
    for size, unit in _DURATION_UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(format_unit(count, unit, length="short", locale=locale))
    if not parts:
        parts.append(format_unit(0, "duration-second", length="short", locale=locale))
    return sign + format_list(parts, style="unit-narrow", locale=locale)


def format_region(code: str | None, locale: str) -> str:
    """A federal subject's name in ``locale``; an unknown code is shown as it is."""
    if not code:
        return ""
    try:
        return get_region(code).name(locale)
    except UnknownRegion:
        return code


def format_phone(value: str | None) -> str:
    """A number as people write it: ``+7 916 123-45-67``; service numbers as they are."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(value, "RU")
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(parsed):
        return value
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


#: The support line's short number: it works only from the operator's own SIM cards.
SHORT_SUPPORT_NUMBER = "0890"


def support_line(numbers: tuple[str, ...] | list[str]) -> tuple[str, str]:
    """The support line to dial from any phone, as (``tel:`` target, as written): the first full number.

    A subscriber who lost the SIM calls from someone else's phone, often on
    another network, where the short 0890 does not connect.
    """
    number = next(iter(numbers), SHORT_SUPPORT_NUMBER)
    return number, format_phone(number)


def _locale() -> str:
    return str(get_locale() or "ru")


def region_name(code: str | None) -> str:
    """The region's name in the current request's language (``format_region`` there)."""
    return format_region(code, _locale())


def register_formatting(app: Flask) -> None:
    """Make the formatters available in templates, in the request's locale and time zone.

    Filters: ``date``, ``time``, ``datetime`` (each takes ``tz=`` to show another
    zone, e.g. a region's; ``datetime(named=True)`` names the zone), ``money``
    (kopecks), ``number``, ``percent``,
    ``duration`` (seconds or timedelta), ``region_name``, ``phone``.
    Global: ``region_name(code)``.
    """

    def zone(tz: str | tzinfo | None) -> str | tzinfo:
        return tz if tz is not None else get_timezone()

    def date_filter(value: date | datetime | None, fmt: str = "medium", tz: str | None = None) -> str:
        return "" if value is None else format_date(value, _locale(), zone(tz), fmt)

    def time_filter(value: datetime | time | None, fmt: str = "short", tz: str | None = None) -> str:
        return "" if value is None else format_time(value, _locale(), zone(tz), fmt)

    def datetime_filter(value: datetime | None, tz: str | None = None, named: bool = False) -> str:
        if value is None:
            return ""
        formatter = format_zoned_datetime if named else format_datetime
        return formatter(value, _locale(), zone(tz))

    def optional(formatter: Callable[[Any, str], str]) -> Callable[[Any], str]:
        return lambda value: "" if value is None else formatter(value, _locale())

    filters: dict[str, Callable[..., str]] = {
        "date": date_filter,
        "time": time_filter,
        "datetime": datetime_filter,
        "money": lambda kopecks, currency=CURRENCY: format_money(kopecks, _locale(), currency),
        "number": optional(format_number),
        "percent": optional(format_percentage),
        "duration": optional(format_duration),
        "region_name": region_name,
        "phone": format_phone,
    }
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals["region_name"] = filters["region_name"]
    app.jinja_env.globals["support_line"] = lambda: support_line(app.config.get("SUPPORT_NUMBERS", ()))

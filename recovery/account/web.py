"""Small helpers shared by the account's views: the clock, the caller's IP and
the logged-in account."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

from recovery.account.timezones import timezone_for
from recovery.formatting import format_zone
from recovery.models import Account


def client_ip() -> str | None:
    """The caller's address, as the audit log records it."""
    return request.remote_addr


def current_account() -> Account:
    """The logged-in account holder (the blueprint lets no one else through)."""
    account = current_user._get_current_object()
    assert isinstance(account, Account)
    return account


def account_tz(account: Account) -> ZoneInfo:
    """The time zone in which the subscriber reads times."""
    return timezone_for(account.subscriber.home_region)


def support_numbers() -> tuple[str, ...]:
    """The operator's full-length service lines (never charged)."""
    return tuple(current_app.config.get("SUPPORT_NUMBERS", ()))


def local_time(moment: datetime, tz: ZoneInfo, fmt: str = "short") -> str:
    """``moment`` as the subscriber reads it: in their time zone and interface language."""
    return format_datetime(moment, fmt, tzinfo=tz, locale=str(get_locale()))


def zoned_time(moment: datetime, tz: ZoneInfo, fmt: str = "short") -> str:
    """``local_time`` naming the zone: ``02.12.2026, 18:00 (Москва, UTC+3)``."""
    return f"{local_time(moment, tz, fmt)} ({zone_name(tz, moment)})"


def zone_name(tz: ZoneInfo, moment: datetime) -> str:
    """The zone's name in the interface language: ``Новосибирск, UTC+7``."""
    return format_zone(tz, str(get_locale()), moment)

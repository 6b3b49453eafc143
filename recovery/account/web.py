"""Small helpers shared by the account's views: the clock, the caller's IP and
the logged-in account."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, request
from flask_babel import get_locale
from flask_login import current_user

from recovery.account.timezones import timezone_for
from recovery.formatting import format_datetime, format_money, format_zone
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


def rubles(kopecks: int) -> str:
    """An amount in the interface language: ``1 234,50 ₽`` / ``RUB 1,234.50``."""
    return format_money(kopecks, str(get_locale()))


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    """``moment`` as the subscriber reads it, in their zone and language, the month by name:
    ``2 дек. 2026 г., 18:00`` / ``Dec 2, 2026, 6:00 PM``."""
    return format_datetime(moment, str(get_locale()), tz)


def zoned_time(moment: datetime, tz: ZoneInfo) -> str:
    """``local_time`` naming the zone: ``2 дек. 2026 г., 18:00 (Москва, UTC+3)``."""
    return f"{local_time(moment, tz)} ({zone_name(tz, moment)})"


def zone_name(tz: ZoneInfo, moment: datetime) -> str:
    """The zone's name in the interface language: ``Новосибирск, UTC+7``."""
    return format_zone(tz, str(get_locale()), moment)

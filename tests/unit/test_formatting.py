"""Dates, money, numbers, durations, regions and phone numbers in both languages."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from recovery.formatting import (
    format_date,
    format_datetime,
    format_duration,
    format_money,
    format_number,
    format_percentage,
    format_phone,
    format_region,
    format_time,
)

NBSP = "\u00a0"
NNBSP = "\u202f"  # CLDR puts a narrow no-break space before «г.» and «PM»
# 15:00 UTC on 20 November 2026: 18:00 in Moscow, 22:00 in Novosibirsk.
MOMENT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kopecks", "locale", "expected"),
    [
        (123_450, "ru", f"1{NBSP}234,50{NBSP}₽"),
        (123_450, "en", f"RUB{NBSP}1,234.50"),
        (0, "ru", f"0,00{NBSP}₽"),
        (5, "en", f"RUB{NBSP}0.05"),
        (-10_000, "ru", f"-100,00{NBSP}₽"),
        (-10_000, "en", f"-RUB{NBSP}100.00"),
        (100_000_000, "ru", f"1{NBSP}000{NBSP}000,00{NBSP}₽"),
    ],
)
def test_money_is_kopecks_shown_as_rubles(kopecks, locale, expected):
    assert format_money(kopecks, locale) == expected


def test_money_of_nothing_is_empty():
    assert format_money(None, "ru") == ""


@pytest.mark.parametrize(
    ("value", "locale", "tz", "expected"),
    [
        (MOMENT, "ru", "Europe/Moscow", f"20 нояб. 2026{NNBSP}г., 18:00"),
        (MOMENT, "en", "Europe/Moscow", f"Nov 20, 2026, 6:00{NNBSP}PM"),
        (MOMENT, "ru", "Asia/Novosibirsk", f"20 нояб. 2026{NNBSP}г., 22:00"),
        # A naive time from storage is UTC.
        (MOMENT.replace(tzinfo=None), "ru", "Europe/Moscow", f"20 нояб. 2026{NNBSP}г., 18:00"),
    ],
)
def test_datetime_is_shown_in_the_given_time_zone(value, locale, tz, expected):
    assert format_datetime(value, locale, tz) == expected


@pytest.mark.parametrize(
    ("locale", "tz", "expected"),
    [("ru", "Europe/Moscow", "18:00"), ("en", "Asia/Vladivostok", f"1:00{NNBSP}AM"), ("ru", "UTC", "15:00")],
)
def test_time_is_shown_in_the_given_time_zone(locale, tz, expected):
    assert format_time(MOMENT, locale, tz) == expected


def test_a_plain_time_of_day_has_no_zone():
    assert format_time(time(9, 5), "ru") == "09:05"


@pytest.mark.parametrize(
    ("value", "locale", "tz", "fmt", "expected"),
    [
        (date(2026, 3, 8), "ru", "UTC", "long", f"8 марта 2026{NNBSP}г."),
        (date(2026, 3, 8), "en", "UTC", "long", "March 8, 2026"),
        (date(2026, 3, 8), "ru", "UTC", "short", "08.03.2026"),
        # 22:30 UTC on the 20th is already the 21st in Moscow.
        (
            datetime(2026, 11, 20, 22, 30, tzinfo=UTC),
            "ru",
            "Europe/Moscow",
            "medium",
            f"21 нояб. 2026{NNBSP}г.",
        ),
        (datetime(2026, 11, 20, 22, 30, tzinfo=UTC), "ru", "UTC", "medium", f"20 нояб. 2026{NNBSP}г."),
    ],
)
def test_date_is_the_calendar_day_in_the_time_zone(value, locale, tz, fmt, expected):
    assert format_date(value, locale, tz, fmt) == expected


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (1_234_567, "ru", f"1{NBSP}234{NBSP}567"),
        (1_234_567, "en", "1,234,567"),
        (1234.5, "ru", f"1{NBSP}234,5"),
        (1234.5, "en", "1,234.5"),
    ],
)
def test_number_uses_the_locale_grouping_and_decimal_mark(value, locale, expected):
    assert format_number(value, locale) == expected


@pytest.mark.parametrize(("locale", "expected"), [("ru", f"25{NBSP}%"), ("en", "25%")])
def test_percentage(locale, expected):
    assert format_percentage(0.25, locale) == expected


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        (65, "ru", "1 мин 5 с"),
        (65, "en", "1 min 5 sec"),
        (3725, "ru", "1 ч 2 мин 5 с"),
        (3600, "en", "1 hr"),
        (0, "ru", "0 с"),
        (timedelta(days=1, minutes=30), "en", "1 day 30 min"),
        (timedelta(hours=24), "ru", "1 дн."),
        (-90, "en", "-1 min 30 sec"),
    ],
)
def test_duration_is_exact_and_compact(value, locale, expected):
    assert format_duration(value, locale) == expected


@pytest.mark.parametrize(
    ("code", "locale", "expected"),
    [
        ("RU-MOW", "ru", "Москва"),
        ("RU-MOW", "en", "Moscow"),
        ("ru-spe", "ru", "Санкт-Петербург"),
        ("RU-XXX", "ru", "RU-XXX"),
        ("", "en", ""),
        (None, "en", ""),
    ],
)
def test_region_name_is_in_the_locale_and_never_fails(code, locale, expected):
    assert format_region(code, locale) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+79161234567", "+7 916 123-45-67"),
        ("0890", "0890"),
        ("*100#", "*100#"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_is_shown_as_people_write_it(value, expected):
    assert format_phone(value) == expected

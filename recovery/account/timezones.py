"""The subscriber's time zone, from the home region (ISO 3166-2:RU code).

Call details are shown in the time of the subscriber's home region. Regions
not listed here keep Moscow time, as most of European Russia does.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Moscow"

REGION_TIMEZONES: dict[str, str] = {
    "RU-KGD": "Europe/Kaliningrad",
    "RU-SAM": "Europe/Samara",
    "RU-UD": "Europe/Samara",
    "RU-ULY": "Europe/Ulyanovsk",
    "RU-AST": "Europe/Astrakhan",
    "RU-SAR": "Europe/Saratov",
    "RU-VGG": "Europe/Volgograd",
    "RU-KIR": "Europe/Kirov",
    "RU-BA": "Asia/Yekaterinburg",
    "RU-CHE": "Asia/Yekaterinburg",
    "RU-KGN": "Asia/Yekaterinburg",
    "RU-KHM": "Asia/Yekaterinburg",
    "RU-ORE": "Asia/Yekaterinburg",
    "RU-PER": "Asia/Yekaterinburg",
    "RU-SVE": "Asia/Yekaterinburg",
    "RU-TYU": "Asia/Yekaterinburg",
    "RU-YAN": "Asia/Yekaterinburg",
    "RU-OMS": "Asia/Omsk",
    "RU-NVS": "Asia/Novosibirsk",
    "RU-AL": "Asia/Barnaul",
    "RU-ALT": "Asia/Barnaul",
    "RU-TOM": "Asia/Tomsk",
    "RU-KEM": "Asia/Novokuznetsk",
    "RU-KYA": "Asia/Krasnoyarsk",
    "RU-KK": "Asia/Krasnoyarsk",
    "RU-TY": "Asia/Krasnoyarsk",
    "RU-IRK": "Asia/Irkutsk",
    "RU-BU": "Asia/Irkutsk",
    "RU-ZAB": "Asia/Chita",
    "RU-SA": "Asia/Yakutsk",
    "RU-AMU": "Asia/Yakutsk",
    "RU-PRI": "Asia/Vladivostok",
    "RU-KHA": "Asia/Vladivostok",
    "RU-YEV": "Asia/Vladivostok",
    "RU-MAG": "Asia/Magadan",
    "RU-SAK": "Asia/Sakhalin",
    "RU-KAM": "Asia/Kamchatka",
    "RU-CHU": "Asia/Anadyr",
}


def timezone_for(region: str | None) -> ZoneInfo:
    """The IANA time zone of a home region; Moscow when unknown."""
    return ZoneInfo(REGION_TIMEZONES.get((region or "").upper(), DEFAULT_TIMEZONE))

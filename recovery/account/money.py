"""Amounts of money typed by a subscriber: roubles in, kopecks out."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MIN_TOP_UP_KOPECKS = 100  # 1 ₽
MAX_TOP_UP_KOPECKS = 15_000_00  # 15 000 ₽ per payment, as card acquirers commonly cap it

_AMOUNT_RE = re.compile(r"^[0-9]{1,9}([.,][0-9]{1,2})?$")  # ASCII digits only


class InvalidAmount(ValueError):
    """Not an amount of roubles with at most two decimal places, or out of range."""


def parse_rubles(text: str) -> int:
    """Kopecks for a typed amount (``500``, ``500,50``, ``1 000.5``) or ``InvalidAmount``."""
    compact = re.sub(r"[\s\u00a0\u202f₽]", "", text or "").removesuffix("руб.").removesuffix("р.")
    if not _AMOUNT_RE.match(compact):
        raise InvalidAmount("not an amount")
    try:
        kopecks = int(Decimal(compact.replace(",", ".")) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise InvalidAmount("not an amount") from None
    if kopecks < MIN_TOP_UP_KOPECKS:
        raise InvalidAmount("too small")
    if kopecks > MAX_TOP_UP_KOPECKS:
        raise InvalidAmount("too large")
    return kopecks


def format_rubles(kopecks: int) -> str:
    """``123456`` → ``1 234,56 ₽`` (the Russian way; thin spaces between thousands)."""
    sign = "−" if kopecks < 0 else ""
    rubles, rest = divmod(abs(kopecks), 100)
    grouped = f"{rubles:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{rest:02d}\u00a0₽"

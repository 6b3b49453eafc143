"""Typed amounts of roubles (no app)."""

import pytest

from recovery.account.money import MAX_TOP_UP_KOPECKS, InvalidAmount, format_rubles, parse_rubles


@pytest.mark.parametrize(
    ("typed", "kopecks"),
    [("1", 100), ("500", 50_000), ("500,5", 50_050), ("500.05", 50_005), ("1 000", 100_000),
     ("1\u00a0000,00 ₽", 100_000), ("15000", MAX_TOP_UP_KOPECKS), ("99 р.", 9_900)],
)  # fmt: skip
def test_amounts_are_read_in_kopecks(typed, kopecks):
    assert parse_rubles(typed) == kopecks


@pytest.mark.parametrize(
    "typed",
    ["", "0", "0,99", "-1", "+5", "1,234", "1.2.3", "abc", "1e3", "15000,01", "١٠٠", "NaN", "Infinity", None],
)
def test_bad_amounts_are_refused(typed):
    with pytest.raises(InvalidAmount):
        parse_rubles(typed)


@pytest.mark.parametrize(
    ("kopecks", "text"),
    [(0, "0,00\u00a0₽"), (5, "0,05\u00a0₽"), (123_456, "1\u202f234,56\u00a0₽"), (-2_500, "−25,00\u00a0₽")],
)
def test_rubles_are_written_the_russian_way(kopecks, text):
    assert format_rubles(kopecks) == text

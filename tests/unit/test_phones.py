"""Phone numbers in search boxes: any usual format finds the E.164 the records hold."""

from __future__ import annotations

import pytest

from recovery.phones import search_term


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("8 (916) 123-45-67", "+79161234567"),
        ("+7 916 123 45 67", "+79161234567"),
        ("89161234567", "+79161234567"),
        ("7-916-123-45-67", "+79161234567"),
        (" supervisor ", "supervisor"),
        ("R-7K4M-2Q9", "R-7K4M-2Q9"),
        ("916123", "916123"),  # a part of a number is searched as typed
        ("0890", "0890"),
        ("3fa85f64-5717-4562-b3fc-2c963f66afa6", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ],
)
def test_search_term(typed: str, searched: str) -> None:
    assert search_term(typed) == searched

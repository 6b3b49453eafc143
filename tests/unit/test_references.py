"""Ticket references: short, without look-alike characters, read back from any typing."""

from __future__ import annotations

import re

import pytest

from recovery.references import ALPHABET, new_reference, normalise_reference


def test_a_reference_is_short_and_has_no_look_alikes() -> None:
    references = {new_reference() for _ in range(2000)}
    assert len(references) == 2000
    for reference in references:
        assert re.fullmatch(r"R-[A-Z0-9]{4}-[A-Z0-9]{3}", reference)
        assert not set(reference[2:].replace("-", "")) & set("0O1IL8BSZU")


def test_the_alphabet_has_no_pair_read_alike() -> None:
    for pair in ("0O", "1I", "1L", "8B", "5S", "2Z", "UV"):
        assert not set(pair) <= set(ALPHABET), pair


@pytest.mark.parametrize(
    ("typed", "reference"),
    [
        ("R-7K4M-2Q9", "R-7K4M-2Q9"),
        ("r 7k4m 2q9", "R-7K4M-2Q9"),
        ("7K4M2Q9", "R-7K4M-2Q9"),
        ("R-7K4M-2Q0", None),
    ],
)
def test_a_typed_reference_is_read_back(typed: str, reference: str | None) -> None:
    assert normalise_reference(typed) == reference

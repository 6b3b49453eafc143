"""The passport answer: any spacing, keyed hash only."""

import pytest

from recovery.passports import InvalidPassport, passport_digest
from recovery.verification.passport import match_passport, match_passport_digest
from recovery.verification.results import FieldResult

KEY = "test-pii-key-0123456789abcdef0123456789"
STORED = passport_digest("4509 123456", KEY)


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [
        ("4509 123456", FieldResult.match(scored=False)),
        ("45 09 123456", FieldResult.match(scored=False)),
        ("4509123456", FieldResult.match(scored=False)),
        (" 45 09  123456 ", FieldResult.match(scored=False)),
        ("4509-123456", FieldResult.match(scored=False)),
        ("4509 123457", FieldResult.no_match()),
        ("4510 123456", FieldResult.no_match()),
        ("4509 12345", FieldResult.no_match()),
        ("", FieldResult.no_match()),
        ("серия 4509", FieldResult.no_match()),
    ],
)
def test_match_passport(claimed, expected):
    assert match_passport(claimed, STORED, KEY) == expected


def test_another_key_does_not_match():
    assert match_passport("4509 123456", STORED, KEY + "x") == FieldResult.no_match()


@pytest.mark.parametrize("stored", [None, ""])
def test_nothing_on_record(stored):
    assert match_passport("4509 123456", stored, KEY) == FieldResult.not_available()


def test_passport_result_never_has_a_score():
    assert match_passport("4509 123457", STORED, KEY).camara("idDocument") == {"idDocumentMatch": "false"}


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [
        (STORED, FieldResult.match(scored=False)),
        (passport_digest("4509 123457", KEY), FieldResult.no_match()),
        (passport_digest("4509 123456", KEY + "x"), FieldResult.no_match()),
        (None, FieldResult.no_match()),
        ("", FieldResult.no_match()),
        ("не хеш", FieldResult.no_match()),
    ],
)
def test_match_passport_digest(claimed, expected):
    assert match_passport_digest(claimed, STORED) == expected


@pytest.mark.parametrize("stored", [None, ""])
def test_a_digest_against_nothing_on_record(stored):
    assert match_passport_digest(STORED, stored) == FieldResult.not_available()


@pytest.mark.parametrize("typed", ["4509 123456", "45 09 123456", "4509 123457", "garbage", ""])
def test_typed_and_digest_give_the_same_result(typed):
    """The wizard keeps only the digest, the console and the API the typed text: one rule."""
    try:
        digest = passport_digest(typed, KEY)
    except InvalidPassport:
        digest = None
    assert match_passport(typed, STORED, KEY) == match_passport_digest(digest, STORED)

"""One-time codes and captcha answers (no app)."""

from datetime import UTC, datetime, timedelta

import pytest

from recovery.account import codes

KEY = "k" * 32
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def test_codes_are_six_digits_and_vary():
    drawn = {codes.generate_code() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() for code in drawn)
    assert len(drawn) > 150


def test_a_code_is_stored_as_a_keyed_hash_bound_to_the_number():
    stored = codes.hash_code("012345", "+79161234567", KEY)
    assert "012345" not in stored and len(stored) == 64
    assert codes.code_matches(stored, "012345", "+79161234567", KEY)
    assert not codes.code_matches(stored, "012345", "+79161234568", KEY)
    assert not codes.code_matches(stored, "012345", "+79161234567", "another-key")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("012345", "012345"), ("012 345", "012345"), ("012-345", "012345"), ("12345", None), ("0123456", None),
     ("01234a", None), ("０１２３４５", None), ("", None)],
)  # fmt: skip
def test_typed_codes_are_tidied_or_refused(typed, expected):
    assert codes.normalise_code(typed) == expected


@pytest.mark.parametrize(
    ("sent_ago", "wait"),
    [(None, 0), (timedelta(seconds=0), 60), (timedelta(seconds=59.5), 1), (timedelta(seconds=60), 0),
     (timedelta(hours=1), 0)],
)  # fmt: skip
def test_resend_waits_a_minute(sent_ago, wait):
    assert codes.resend_wait(None if sent_ago is None else NOW - sent_ago, NOW) == wait


def test_captcha_answers_avoid_look_alike_characters():
    answers = [codes.generate_captcha_answer() for _ in range(100)]
    assert all(len(a) == codes.CAPTCHA_LENGTH and set(a) <= set(codes.CAPTCHA_ALPHABET) for a in answers)
    assert not set(codes.CAPTCHA_ALPHABET) & set("0O1IL2Z5S8B")


@pytest.mark.parametrize(
    ("typed", "ok"), [("AB3C4", True), ("ab3c4", True), (" ab 3c4 ", True), ("AB3C", False)]
)
def test_captcha_answers_ignore_case_and_spaces(typed, ok):
    assert codes.captcha_matches("AB3C4", typed) is ok

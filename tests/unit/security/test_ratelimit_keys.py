"""Rate-limit buckets and the limit policy, without an app."""

from __future__ import annotations

import pytest
from limits import parse_many

from recovery.security import ratelimit
from recovery.security.ratelimit import keyed_bucket, number_bucket

SECRET = "s" * 40
#: The database's lock: five failed claims on a number in 24 hours (DESIGN 2.3).
FAILED_CLAIMS_LOCK = 5


@pytest.mark.parametrize("typed", ["+79161234567", "8 (916) 123-45-67", "+7 916 1234567", "79161234567"])
def test_every_form_of_a_number_shares_one_bucket(typed):
    assert number_bucket(typed, SECRET) == number_bucket("89161234567", SECRET)


def test_buckets_name_neither_the_number_nor_the_login():
    bucket = number_bucket("+79161234567", SECRET)
    assert bucket.startswith("number:") and "9161234567" not in bucket
    assert "olga" not in keyed_bucket("field", "olga", SECRET)


def test_buckets_depend_on_the_secret_so_they_cannot_be_precomputed():
    assert number_bucket("+79161234567", SECRET) != number_bucket("+79161234567", "t" * 40)


def test_junk_is_bucketed_as_typed_and_tidied():
    assert number_bucket("not  a number", SECRET) == number_bucket(" not a number ", SECRET)
    assert number_bucket("not a number", SECRET) != number_bucket("another", SECRET)
    assert number_bucket("x" * 10_000, SECRET).startswith("number:")


LIMITS = [
    name
    for name in dir(ratelimit)
    if name.isupper()
    and (name.endswith("LIMITS") or "_LIMITS_" in name)
    and isinstance(getattr(ratelimit, name), str)
]


@pytest.mark.parametrize("name", LIMITS)
def test_every_named_limit_parses(name):
    assert parse_many(getattr(ratelimit, name))


def _per_day(limits: str) -> int:
    return min(item.amount * (86_400 // item.get_expiry()) for item in parse_many(limits))


def test_the_claim_limits_keep_the_lock_meaningful():
    # The database lock should normally answer a number's claims before the per-number limit does …
    assert min(item.amount for item in parse_many(ratelimit.CLAIM_LIMITS_PER_NUMBER)) > FAILED_CLAIMS_LOCK
    # … and one address can push only a handful of numbers into that lock in a day.
    assert _per_day(ratelimit.CLAIM_LIMITS_PER_IP) // FAILED_CLAIMS_LOCK <= 4


def test_the_per_user_key_outlives_a_new_session_version():
    # Signing out and in again raises the session version (recovery/auth.py): the user's budget stays.
    from flask import Flask, session

    app = Flask(__name__)
    app.secret_key = "test"
    keys = []
    for user_id in ("staff:12:0", "staff:12:7"):
        with app.test_request_context():
            session["_user_id"] = user_id
            keys.append(ratelimit.user_key())
    assert keys == ["user:staff:12", "user:staff:12"]

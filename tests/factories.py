"""Old import path: the builders live in ``tests.helpers.people``."""

from tests.helpers.people import (
    DEFAULT_PASSPORT,
    STAFF_PASSWORD,
    add_call,
    add_regular_calls,
    iccid,
    make_staff,
    make_subscriber,
)

__all__ = [
    "DEFAULT_PASSPORT",
    "STAFF_PASSWORD",
    "add_call",
    "add_regular_calls",
    "iccid",
    "make_staff",
    "make_subscriber",
]

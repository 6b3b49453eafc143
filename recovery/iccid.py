"""SIM card serial numbers (ICCID): 19–20 digits with a Luhn check digit."""

from __future__ import annotations

import re

from stdnum import luhn

_ICCID_RE = re.compile(r"^\d{19,20}$")


class InvalidIccid(ValueError):
    """The text is not a Luhn-valid 19–20 digit ICCID."""


def normalise_iccid(raw: str) -> str:
    """Return the digits of an ICCID (spaces allowed) or raise ``InvalidIccid``."""
    digits = re.sub(r"\s+", "", raw or "") if isinstance(raw, str) else ""
    if not _ICCID_RE.match(digits):
        raise InvalidIccid("ICCID must be 19 or 20 digits")
    if not luhn.is_valid(digits):
        raise InvalidIccid("ICCID check digit is wrong")
    return digits


def with_check_digit(body: str) -> str:
    """Append the Luhn check digit to an 18–19 digit ICCID body."""
    return body + luhn.calc_check_digit(body)

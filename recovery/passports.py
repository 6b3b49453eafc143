"""Russian internal passports: series (4 digits) and number (6 digits).

The service never stores a passport in clear: only a keyed HMAC, so a leak of
the database does not leak passports, and the key lives outside it. Comparing a
passport with the digest on record is the verification engine's one rule
(``recovery.verification.passport``).
"""

from __future__ import annotations

import hashlib
import hmac
import re

_PASSPORT_RE = re.compile(r"^\d{10}$")
_SEPARATORS = re.compile(r"[\s\-№N]+")


class InvalidPassport(ValueError):
    """The text is not a series and number of a Russian passport."""


def normalise_passport(raw: str) -> str:
    """Return the ten digits of ``4509 123456`` / ``45 09 123456`` forms."""
    if not isinstance(raw, str) or len(raw) > 40:
        raise InvalidPassport("passport must be 4 digits of series and 6 of number")
    digits = _SEPARATORS.sub("", raw)
    if not _PASSPORT_RE.match(digits):
        raise InvalidPassport("passport must be 4 digits of series and 6 of number")
    return digits


def passport_digest(raw: str, key: str) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised passport."""
    normalised = normalise_passport(raw)
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()

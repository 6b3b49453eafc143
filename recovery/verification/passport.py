"""The passport answer, compared by keyed hash only (DESIGN 2.1)."""

from __future__ import annotations

from recovery.passports import passport_matches
from recovery.verification.results import FieldResult


def match_passport(claimed: str, stored_digest: str | None, key: str) -> FieldResult:
    """Compare a typed series and number with the HMAC on record.

    Exact match only, in constant time; a malformed passport is simply not a
    match. No score: CAMARA ``idDocumentMatch`` has none, and a similarity of
    passport numbers would leak digits.
    """
    if not stored_digest:
        return FieldResult.not_available()
    if passport_matches(claimed, stored_digest, key):
        return FieldResult.match(scored=False)
    return FieldResult.no_match()

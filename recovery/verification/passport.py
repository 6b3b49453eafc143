"""The passport answer, compared by keyed hash only (DESIGN 2.1).

One rule for every channel: the wizard (which holds only the digest of what
was typed), the console and the API (typed), the office hand-over and KYC
Match (typed) all end in :func:`match_passport_digest`.
"""

from __future__ import annotations

import hmac

from recovery.passports import InvalidPassport, passport_digest
from recovery.verification.results import FieldResult


def match_passport_digest(claimed_digest: str | None, stored_digest: str | None) -> FieldResult:
    """Compare the keyed digest of a claimed passport with the one on record.

    Exact match only, in constant time; ``None`` (a malformed passport) is
    simply not a match. No score: CAMARA ``idDocumentMatch`` has none, and a
    similarity of passport numbers would leak digits.
    """
    if not stored_digest:
        return FieldResult.not_available()
    if claimed_digest is not None and hmac.compare_digest(claimed_digest.encode(), stored_digest.encode()):
        return FieldResult.match(scored=False)
    return FieldResult.no_match()


def match_passport(claimed: str, stored_digest: str | None, key: str) -> FieldResult:
    """Compare a typed series and number with the HMAC on record (:func:`match_passport_digest`)."""
    try:
        digest: str | None = passport_digest(claimed, key)
    except InvalidPassport:
        digest = None
    return match_passport_digest(digest, stored_digest)

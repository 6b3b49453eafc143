"""One-time SMS codes and captcha answers: the policy numbers and the rules.

Flask-free: plain functions over plain values. A code is stored only as a
keyed hash, since six digits are a million guesses away from any plain hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

CODE_LENGTH = 6
CODE_TTL = timedelta(minutes=5)
MAX_CODE_ATTEMPTS = 3
#: A new code for the same number no sooner than this after the last one.
RESEND_AFTER = timedelta(seconds=60)
#: At most this many codes per number in ``CODES_WINDOW`` (an SMS flood guard).
MAX_CODES_PER_WINDOW = 5
CODES_WINDOW = timedelta(hours=1)
#: Between a confirmed code and the new password.
VERIFIED_TTL = timedelta(minutes=10)

CAPTCHA_LENGTH = 5
CAPTCHA_TTL = timedelta(minutes=5)
# No look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B) so that a person can read the picture.
CAPTCHA_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def generate_code() -> str:
    """A random six-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def hash_code(code: str, msisdn: str, key: str) -> str:
    """The keyed hash stored for ``code`` sent to ``msisdn``."""
    message = f"{msisdn}:{code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def code_matches(stored_hash: str, code: str, msisdn: str, key: str) -> bool:
    """True when ``code`` is the one whose hash is stored, compared in constant time."""
    cleaned = normalise_code(code)
    if cleaned is None:
        return False
    return hmac.compare_digest(stored_hash, hash_code(cleaned, msisdn, key))


def normalise_code(code: str) -> str | None:
    """The six digits of a typed code (spaces and dashes dropped), or None."""
    digits = "".join(ch for ch in code if ch not in " -")
    if len(digits) != CODE_LENGTH or not digits.isascii() or not digits.isdigit():
        return None
    return digits


def resend_wait(last_sent_at: datetime | None, now: datetime) -> int:
    """Seconds to wait before another code may be sent (0: may send now)."""
    if last_sent_at is None:
        return 0
    remaining = last_sent_at + RESEND_AFTER - now
    return max(0, int(remaining.total_seconds() + 0.999))


def generate_captcha_answer() -> str:
    """Random characters for a captcha picture."""
    return "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))


def captcha_matches(answer: str, typed: str) -> bool:
    """True when the typed text is the answer, ignoring case and spaces."""
    cleaned = "".join(typed.split()).upper()
    return hmac.compare_digest(answer.encode(), cleaned.encode())

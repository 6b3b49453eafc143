"""Password hashing (argon2) and the rules for choosing a password."""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()

# The commonest passwords in public leak lists; each is rejected whatever its length.
COMMON_PASSWORDS = frozenset(
    (
        "123456",
        "123456789",
        "12345678",
        "1234567890",
        "qwerty",
        "qwerty123",
        "qwertyuiop",
        "password",
        "password1",
        "password123",
        "111111",
        "000000",
        "123123",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "1qaz2wsx",
        "zaq12wsx",
        "abc123",
        "iloveyou",
        "admin",
        "admin123",
        "welcome",
        "654321",
        "987654321",
        "qazwsxedc",
        "asdfghjkl",
        "1234qwer",
        "q1w2e3r4t5",
        "123qweasd",
        "letmein",
        "dragon",
        "monkey",
        "football",
        "baseball",
        "sunshine",
        "princess",
        "superman",
        "michael",
        "1111111111",
        "0987654321",
        "12345qwert",
        "йцукен",
        "йцукенгшщз",
        "пароль",
        "пароль123",
        "qwerty12345",
        "password12",
        "passw0rd1",
        "1234567890q",
    )
)


class WeakPassword(ValueError):
    """The password is too short or too common."""


def check_password_strength(password: str) -> None:
    """Raise ``WeakPassword`` for a short or common password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"at least {MIN_PASSWORD_LENGTH} characters")
    if password.casefold() in COMMON_PASSWORDS or len(set(password)) < 4:
        raise WeakPassword("too common")


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises on a bad hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_PASSWORD = "not-a-real-password-used-for-timing"  # noqa: S105 - verified against, never accepted

#: Verified against when the account does not exist, so that an unknown login
#: costs the same time as a wrong password.
DUMMY_HASH = hash_password(_DUMMY_PASSWORD)


def use_parameters(parameters: Parameters) -> None:
    """Hash with ``parameters`` from now on (the test suite's cheap profile).

    Only for tests, called before the app is built: the views import
    ``DUMMY_HASH`` when their blueprint is imported, so it is recomputed here
    with the same parameters as every other hash. Production keeps argon2's
    recommended defaults (RFC 9106 low-memory profile).
    """
    global _hasher, DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(parameters)
    DUMMY_HASH = hash_password(_DUMMY_PASSWORD)

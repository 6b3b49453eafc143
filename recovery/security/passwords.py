"""Password hashing (argon2) and the rules for choosing a password.

Strength is estimated by zxcvbn (Dropbox's estimator, with its lists of
common passwords, names and words): a hand-kept list of a few dozen
passwords lets their neighbours (qwerty1234) through.
"""

from __future__ import annotations

from collections.abc import Sequence

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()

#: zxcvbn's score (0-4) a password must reach: 3 is "safely unguessable" (about
#: 10^10 guesses), so the common-password lists zxcvbn ships (qwerty1234,
#: password12, keyboard walks, dates, words with digits) fall short of it.
MIN_PASSWORD_SCORE = 3
#: zxcvbn's matching is quadratic in length; past this many characters the
#: rest of a long passphrase cannot make it weaker, so it is not read.
_ESTIMATED_PREFIX = 100


_RUSSIAN_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"
_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>~"
_RUSSIAN_LAYOUT = str.maketrans(_RUSSIAN_KEYS, _LATIN_KEYS)


class WeakPassword(ValueError):
    """The password is too short or too easy to guess."""


def check_password_strength(password: str, user_inputs: Sequence[str] = ()) -> None:
    """Raise ``WeakPassword`` for a short password or one zxcvbn scores below ``MIN_PASSWORD_SCORE``.

    ``user_inputs`` are words of the person's own (their number, their login)
    that a guesser would try first.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"at least {MIN_PASSWORD_LENGTH} characters")
    inputs = [str(word) for word in user_inputs if word]
    typed = password[:_ESTIMATED_PREFIX]
    # zxcvbn knows English keyboards and lists; a Russian speaker's "йцукен" is
    # "qwerty" typed with the Russian layout on, so the keys are judged too.
    for candidate in {typed, typed.translate(_RUSSIAN_LAYOUT)}:
        if zxcvbn(candidate, user_inputs=inputs)["score"] < MIN_PASSWORD_SCORE:
            raise WeakPassword("too easy to guess")


def guessable_words(msisdn: str) -> list[str]:
    """The forms of a number a guesser tries in a password: +79161234567, 79161234567, 9161234567."""
    digits = msisdn.lstrip("+")
    return [msisdn, digits, digits[1:]]


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

"""Personal data encrypted at rest: the keys (``PiiKeyring``) and their binding to an engine.

The column type is ``recovery.models.types.EncryptedText``; re-encryption under a
new key is ``recovery.security.rotation``.

Names, registered addresses and e-mail addresses are stored as Fernet tokens
(AES-128-CBC + HMAC-SHA256, from ``cryptography``): a copy of the database, a
backup or a replica leaks no identity without the keys, which live in config
(``PII_ENCRYPTION_KEYS``, newest first). Passports are not here: they are kept
only as an HMAC (``recovery.passports``), never decryptable at all.

The keys are bound to each app's database engine (its dialect object) by
``bind_keyring``, so that the column type finds them without an app context
(the tests' plain ``Session``, Alembic) and two apps with different keys in one
process do not mix them. Encrypted columns cannot be searched or sorted in
SQL (each token is randomised); look rows up by ``msisdn`` and compare in Python.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app, has_app_context
from sqlalchemy.engine import Dialect, Engine

APP_EXTENSION = "recovery.pii_keyring"


class MissingKeyring(RuntimeError):
    """An encrypted column was used on an engine with no keys bound (never stored in clear)."""


class PiiDecryptionError(ValueError):
    """A stored value cannot be decrypted with any configured key. The value is not quoted."""


class PiiKeyring:
    """The configured Fernet keys: the first encrypts, any of them decrypts."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one PII encryption key is needed")
        self._primary = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])
        self.size = len(keys)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PiiKeyring:
        """The keyring of ``config["PII_ENCRYPTION_KEYS"]``."""
        return cls(config["PII_ENCRYPTION_KEYS"])

    def encrypt(self, text: str) -> str:
        """A fresh token for ``text`` under the newest key."""
        return self._all.encrypt(text.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text of ``token``, under whichever configured key made it."""
        try:
            return self._all.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise PiiDecryptionError("a stored value cannot be decrypted with the configured keys") from None

    def is_current(self, token: str) -> bool:
        """True when ``token`` is already under the newest key."""
        try:
            self._primary.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True

    def rotate(self, token: str) -> str:
        """``token`` re-encrypted under the newest key (its timestamp kept)."""
        try:
            return self._all.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise PiiDecryptionError("a stored value cannot be decrypted with the configured keys") from None


# Keyed by the engine's dialect object: one per engine, and what a column type is handed.
_ENGINE_KEYRINGS: WeakKeyDictionary[Dialect, PiiKeyring] = WeakKeyDictionary()


def bind_keyring(engine: Engine, keyring: PiiKeyring) -> None:
    """Use ``keyring`` for every encrypted column read or written through ``engine``."""
    _ENGINE_KEYRINGS[engine.dialect] = keyring


def keyring_for(dialect: Dialect) -> PiiKeyring:
    """The keyring bound to ``dialect``'s engine, else the current app's; never none."""
    keyring = _ENGINE_KEYRINGS.get(dialect)
    if keyring is None and has_app_context():
        keyring = current_app.extensions.get(APP_EXTENSION)
    if keyring is None:
        raise MissingKeyring("no PII encryption keys are bound to this database engine")
    return keyring

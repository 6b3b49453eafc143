"""Personal data encrypted at rest: the ``EncryptedText`` column type and key rotation.

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

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app, has_app_context
from sqlalchemy import Column, MetaData, Table, Text, column, select, table, update
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.types import TypeDecorator

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


class EncryptedText(TypeDecorator[str]):
    """Text stored as a Fernet token; ``None`` stays NULL. Only IS [NOT] NULL works in SQL."""

    impl = Text
    cache_ok = True

    class comparator_factory(TypeDecorator.Comparator[str]):
        """Refuses comparisons: they would compare with a random token and silently match nothing."""

        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            null_test = op in (operators.is_, operators.is_not) or (
                op in (operators.eq, operators.ne) and other == (None,)
            )
            if not null_test:
                raise TypeError("encrypted columns cannot be compared or sorted in SQL; compare in Python")
            return super().operate(op, *other, **kwargs)

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        """Encrypt on the way in."""
        if value is None:
            return None
        return keyring_for(dialect).encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        """Decrypt on the way out."""
        if value is None:
            return None
        return keyring_for(dialect).decrypt(value)


def encrypted_columns(metadata: MetaData) -> Iterator[tuple[Table, list[Column]]]:
    """Each table of ``metadata`` with its ``EncryptedText`` columns (tables without any skipped)."""
    for tbl in metadata.sorted_tables:
        columns = [col for col in tbl.columns if isinstance(col.type, EncryptedText)]
        if columns:
            yield tbl, columns


@dataclass
class RotationResult:
    """What ``rotate_keys`` did."""

    rows: int = 0
    rotated: int = 0
    current: int = 0


def rotate_keys(
    session: Session,
    metadata: MetaData,
    keyring: PiiKeyring,
    batch_size: int = 500,
    checkpoint: Callable[[], None] = lambda: None,
) -> RotationResult:
    """Re-encrypt every encrypted value under the newest key, batch by batch.

    Works on the stored tokens directly (no decryption into model objects, no
    ``updated_at`` change). Values already under the newest key are left as
    they are, so a second run changes nothing and an interrupted run can simply
    be repeated. ``checkpoint`` is called after each batch (the CLI commits there).
    """
    result = RotationResult()
    for tbl, columns in encrypted_columns(metadata):
        (pk,) = tbl.primary_key.columns
        raw = table(tbl.name, column(pk.name), *(column(col.name, Text) for col in columns))
        key_col = raw.c[pk.name]
        last: Any = None
        while True:
            query = select(raw).order_by(key_col).limit(batch_size)
            if last is not None:
                query = query.where(key_col > last)
            rows = session.execute(query).all()
            if not rows:
                break
            for row in rows:
                values = row._mapping
                changes = {}
                for col in columns:
                    token = values[col.name]
                    if token is None:
                        continue
                    if keyring.is_current(token):
                        result.current += 1
                    else:
                        changes[col.name] = keyring.rotate(token)
                        result.rotated += 1
                if changes:
                    session.execute(update(raw).where(key_col == values[pk.name]).values(**changes))
                result.rows += 1
            last = rows[-1]._mapping[pk.name]
            checkpoint()
    return result

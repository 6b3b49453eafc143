"""Key rotation: every encrypted value re-encrypted under the newest key, in batches.

"Every" is every ``EncryptedText`` column of the models' metadata, found by its
type, so a new encrypted column is rotated without a change here: the
subscribers' personal data, the outbox, and the SIM inventory's Ki and OPc.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, MetaData, Table, Text, column, select, table, update
from sqlalchemy.orm import Session

from recovery.models.types import EncryptedText
from recovery.security.crypto import PiiKeyring


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

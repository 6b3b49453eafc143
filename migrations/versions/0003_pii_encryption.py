"""encrypt subscribers' names, addresses and e-mails at rest

The columns stay TEXT; their values become Fernet tokens under the newest key
of PII_ENCRYPTION_KEYS (read from the app's config, as the application does).
Values that already decrypt are left alone, so rows written by the new code
before this ran are not encrypted twice. Downgrade decrypts back to clear text.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

"""
import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ("last_name", "first_name", "patronymic", "registered_address", "email")
BATCH = 1000

subscribers = sa.table("subscribers", sa.column("id", sa.BigInteger), *(sa.column(c, sa.Text) for c in COLUMNS))


def _keys() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in current_app.config["PII_ENCRYPTION_KEYS"]])


def _decrypts(keys: MultiFernet, value: str) -> str | None:
    try:
        return keys.decrypt(value.encode("ascii")).decode()
    except (InvalidToken, UnicodeError):
        return None


def _rewrite(convert) -> None:
    connection = op.get_bind()
    last = None
    while True:
        query = sa.select(subscribers).order_by(subscribers.c.id).limit(BATCH)
        if last is not None:
            query = query.where(subscribers.c.id > last)
        rows = connection.execute(query).all()
        if not rows:
            return
        for row in rows:
            values = {c: convert(row._mapping[c]) for c in COLUMNS if row._mapping[c] is not None}
            changes = {c: v for c, v in values.items() if v is not None}
            if changes:
                connection.execute(subscribers.update().where(subscribers.c.id == row.id).values(**changes))
        last = rows[-1].id


def upgrade():
    keys = _keys()
    _rewrite(lambda value: None if _decrypts(keys, value) is not None else keys.encrypt(value.encode()).decode())


def downgrade():
    keys = _keys()
    _rewrite(lambda value: _decrypts(keys, value))

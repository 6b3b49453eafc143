"""account security: session versions, the SIM lock's delayed release, the outbox encrypted

* ``accounts.session_version`` and ``staff_users.session_version``: part of the
  Flask-Login session id; raising it ends every session of that user (logout,
  password change or reset, role change, disabling).
* ``subscribers.reissue_lock_release_at``: turning the SIM lock off takes effect
  only at this moment (``SIM_LOCK_RELEASE_HOURS`` after the request).
* ``notifications.kind``: what a message is, so staff pages name it without
  showing its body; ``recipient``, ``subject`` and ``body`` become Fernet tokens
  under the newest key of PII_ENCRYPTION_KEYS (the columns stay TEXT), as 0004
  did for subscribers. Values that already decrypt are left alone; downgrade
  decrypts back to clear text.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("recipient", "subject", "body")
BATCH = 1000

notifications = sa.table(
    "notifications", sa.column("id", sa.BigInteger), *(sa.column(c, sa.Text) for c in COLUMNS)
)


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
        query = sa.select(notifications).order_by(notifications.c.id).limit(BATCH)
        if last is not None:
            query = query.where(notifications.c.id > last)
        rows = connection.execute(query).all()
        if not rows:
            return
        for row in rows:
            values = {c: convert(row._mapping[c]) for c in COLUMNS if row._mapping[c] is not None}
            changes = {c: v for c, v in values.items() if v is not None}
            if changes:
                connection.execute(
                    notifications.update().where(notifications.c.id == row.id).values(**changes)
                )
        last = rows[-1].id


def _session_version() -> sa.Column:
    return sa.Column("session_version", sa.Integer(), server_default=sa.text("0"), nullable=False)


def _encrypt(keys: MultiFernet, value: str) -> str | None:
    return None if _decrypts(keys, value) is not None else keys.encrypt(value.encode()).decode()


def upgrade():
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    with op.batch_alter_table("subscribers") as batch_op:
        batch_op.add_column(sa.Column("reissue_lock_release_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
    keys = _keys()
    _rewrite(
        lambda value: None if _decrypts(keys, value) is not None else keys.encrypt(value.encode()).decode()
    )


def downgrade():
    keys = _keys()
    _rewrite(lambda value: _decrypts(keys, value))
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("subscribers") as batch_op:
        batch_op.drop_column("reissue_lock_release_at")
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.drop_column("session_version")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_column("session_version")

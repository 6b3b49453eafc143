"""notification retries: attempts, the next attempt's time and the last error (issue 19)

A transport error no longer fails a message at once: the worker tries again
with an exponential backoff and marks it ``failed`` after the last attempt.
Existing rows start at 0 attempts, due now.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("error", sa.String(length=500), nullable=True))
        batch_op.create_index("ix_notifications_status_next_attempt", ["status", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_index("ix_notifications_status_next_attempt")
        batch_op.drop_column("error")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")

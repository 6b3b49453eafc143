"""delivery: the outbox message's language, SMS parts submitted over SMPP and their receipts

``notifications.language`` is the account holder's language when on record
(the e-mail then goes in that language only, else in Russian and English).
``sms_deliveries`` keeps each SMS part's SMSC message id and the state its
delivery receipt reported — never the text.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=5), nullable=True))
    op.create_table(
        "sms_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("notification_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=65), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receipt_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name=op.f("fk_sms_deliveries_notification_id_notifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_deliveries")),
    )
    op.create_index(op.f("ix_sms_deliveries_notification_id"), "sms_deliveries", ["notification_id"])
    op.create_index(op.f("ix_sms_deliveries_message_id"), "sms_deliveries", ["message_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sms_deliveries_message_id"), table_name="sms_deliveries")
    op.drop_index(op.f("ix_sms_deliveries_notification_id"), table_name="sms_deliveries")
    op.drop_table("sms_deliveries")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("language")

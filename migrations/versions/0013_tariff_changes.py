"""tariff history: the tariff in force when an event happened prices it

``tariff_changes`` records each move between tariffs and the tariff it
replaced, so that a change never reprices past usage (issue 17).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tariff_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subscriber_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("previous", sa.String(length=40), nullable=False),
        sa.Column("tariff", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_tariff_changes_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_changes")),
    )
    op.create_index(
        "ix_tariff_changes_subscriber_id_effective_from", "tariff_changes", ["subscriber_id", "effective_from"]
    )


def downgrade() -> None:
    op.drop_index("ix_tariff_changes_subscriber_id_effective_from", table_name="tariff_changes")
    op.drop_table("tariff_changes")

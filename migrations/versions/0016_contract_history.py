"""contract history: who held a number from when to when; tariffs' contract type

``contracts`` holds one row per owner's tenure on a number (CAMARA Number
Recycling and KYC Tenure read it); ``tariffs.contract_type`` says whether a
tariff is prepaid (PAYG) or a monthly contract (PAYM).

Every existing subscriber gets one open contract, from the activation of the
first SIM (or, without a SIM, from the subscriber's creation): before this
migration the operator kept no owner history, so each number is taken to
have had its present owner since it first went into service. The monthly
tariffs (smart, smart-plus, unlimited) are PAYM, the others PAYG.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: The tariffs paid by the month (the seed's tariff codes, 0002_account).
PAYM_TARIFFS = ("smart", "smart-plus", "unlimited")


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", BigIntPK, nullable=False),
        sa.Column("msisdn", sa.String(length=16), nullable=False),
        sa.Column("subscriber_id", BigIntPK, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_contracts_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
    )
    op.create_index("ix_contracts_msisdn_started_at", "contracts", ["msisdn", "started_at"])
    op.create_index(op.f("ix_contracts_subscriber_id"), "contracts", ["subscriber_id"])
    op.create_index(
        "uq_contracts_open_per_msisdn",
        "contracts",
        ["msisdn"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    with op.batch_alter_table("tariffs") as batch_op:
        batch_op.add_column(
            sa.Column("contract_type", sa.String(length=16), nullable=False, server_default="PAYG")
        )
        batch_op.create_check_constraint(
            op.f("ck_tariffs_contract_type"), "contract_type IN ('PAYG', 'PAYM', 'Business')"
        )

    tariffs = sa.table("tariffs", sa.column("code", sa.String), sa.column("contract_type", sa.String))
    op.execute(tariffs.update().where(tariffs.c.code.in_(PAYM_TARIFFS)).values(contract_type="PAYM"))
    op.execute(
        """
        INSERT INTO contracts (msisdn, subscriber_id, started_at, ended_at)
        SELECT subscribers.msisdn, subscribers.id,
               COALESCE((SELECT MIN(sims.activated_at) FROM sims WHERE sims.subscriber_id = subscribers.id),
                        subscribers.created_at),
               NULL
        FROM subscribers
        ORDER BY subscribers.id
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("tariffs") as batch_op:
        batch_op.drop_constraint(op.f("ck_tariffs_contract_type"), type_="check")
        batch_op.drop_column("contract_type")
    op.drop_index("uq_contracts_open_per_msisdn", table_name="contracts")
    op.drop_index(op.f("ix_contracts_subscriber_id"), table_name="contracts")
    op.drop_index("ix_contracts_msisdn_started_at", table_name="contracts")
    op.drop_table("contracts")

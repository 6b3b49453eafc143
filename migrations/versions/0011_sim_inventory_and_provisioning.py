"""the SIM inventory and the provisioning outbox (issue 14)

* ``sim_inventory``: the vendor's cards, ICCID and IMSI unique; Ki and OPc are
  Fernet tokens under the newest key of PII_ENCRYPTION_KEYS (TEXT columns).
* ``provisioning``: network changes written in the transaction of the state
  change that causes them, delivered by ``flask --app wsgi worker``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OPERATIONS = ("block", "unblock", "hand_over", "data_on")
STATES = ("pending", "done", "failed")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "sim_inventory",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("iccid", sa.String(length=20), nullable=False),
        sa.Column("imsi", sa.String(length=15), nullable=False),
        sa.Column("ki", sa.Text(), nullable=False),
        sa.Column("opc", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_inventory")),
        sa.UniqueConstraint("iccid", name=op.f("uq_sim_inventory_iccid")),
        sa.UniqueConstraint("imsi", name=op.f("uq_sim_inventory_imsi")),
    )
    op.create_table(
        "provisioning",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("operation", _enum(OPERATIONS, "provisioning_operation"), nullable=False),
        sa.Column("msisdn", sa.String(length=16), nullable=False),
        sa.Column("imsi", sa.String(length=15), nullable=True),
        sa.Column("iccid", sa.String(length=20), nullable=True),
        sa.Column("state", _enum(STATES, "provisioning_state"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provisioning")),
    )
    op.create_index("ix_provisioning_state_due", "provisioning", ["state", "due_at"])
    op.create_index("ix_provisioning_msisdn", "provisioning", ["msisdn"])


def downgrade() -> None:
    op.drop_index("ix_provisioning_msisdn", table_name="provisioning")
    op.drop_index("ix_provisioning_state_due", table_name="provisioning")
    op.drop_table("provisioning")
    op.drop_table("sim_inventory")

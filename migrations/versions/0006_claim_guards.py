"""claim guards, failed reissue proofs, per-client failure indexes

``claim_guards`` holds one row per claimed number (and per claiming API client
or agent); a claim locks its rows (``SELECT … FOR UPDATE``) so that counting
failures and recording the claim happen as one step under concurrency.
``claims.reissue_proof_failed`` marks a failed reissue proof (name and passport
right, address or calls wrong) for the reissue budget; two indexes let the
per-client ceiling count a client's failures of the last hour.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "claim_guards",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_claim_guards")),
    )
    with op.batch_alter_table("claims") as batch:
        batch.add_column(
            sa.Column("reissue_proof_failed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_index("ix_claims_api_client_id_created_at", ["api_client_id", "created_at"])
        batch.create_index("ix_claims_staff_user_id_created_at", ["staff_user_id", "created_at"])


def downgrade():
    with op.batch_alter_table("claims") as batch:
        batch.drop_index("ix_claims_staff_user_id_created_at")
        batch.drop_index("ix_claims_api_client_id_created_at")
        batch.drop_column("reissue_proof_failed")
    op.drop_table("claim_guards")

"""partner budgets per number, tokens per API client, a lock on hand-over by passport

* ``api_tokens``: an API client may hold several bearer tokens; limits count the
  client (issue 12). Each client's existing token moves into it.
* ``partner_number_budgets``: what partner look-ups spent on a number in its
  24-hour window, across all partners (KYC Match, SIM Swap).
* ``tickets.fulfil_failures`` / ``fulfil_locked_until``: wrong passports typed at
  hand-over, and the lock they lead to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f("fk_api_tokens_client_id_api_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_api_tokens_client_id", ["client_id"], unique=False)
    op.execute(
        "INSERT INTO api_tokens (client_id, token_hash, created_at)"
        " SELECT id, token_hash, created_at FROM api_clients"
    )
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.drop_constraint("uq_api_clients_token_hash", type_="unique")
        batch_op.drop_column("token_hash")

    op.create_table(
        "partner_number_budgets",
        sa.Column("msisdn", sa.String(length=16), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("id_document_failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("msisdn", name=op.f("pk_partner_number_budgets")),
    )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fulfil_failures", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("fulfil_locked_until", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("fulfil_locked_until")
        batch_op.drop_column("fulfil_failures")
    op.drop_table("partner_number_budgets")
    # Back to one token per client: the oldest one that is not revoked (others are lost; a client
    # without one gets a value no token hashes to, as claims may still refer to it).
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE api_clients SET token_hash = (SELECT t.token_hash FROM api_tokens t"
        " WHERE t.client_id = api_clients.id AND t.revoked_at IS NULL ORDER BY t.id LIMIT 1)"
    )
    op.execute("UPDATE api_clients SET token_hash = 'revoked-' || id WHERE token_hash IS NULL")
    with op.batch_alter_table("api_clients", schema=None) as batch_op:
        batch_op.alter_column("token_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_api_clients_token_hash", ["token_hash"])
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_api_tokens_client_id")
    op.drop_table("api_tokens")

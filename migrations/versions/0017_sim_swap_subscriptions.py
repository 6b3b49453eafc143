"""SIM Swap Subscriptions: partners' subscriptions and the outbox of their CloudEvents

``sim_swap_subscriptions`` holds each partner's subscription to a number (the
sink's access token encrypted); ``subscription_events`` is the outbox the
worker delivers to the sinks, written in the hand-over's transaction.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SUBSCRIPTION_STATES = ("active", "ended", "deleted", "failed")
EVENT_STATES = ("pending", "done", "failed")


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "sim_swap_subscriptions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("msisdn", sa.String(length=16), nullable=False),
        sa.Column("sink", sa.String(length=2048), nullable=False),
        sa.Column("sink_token", sa.Text(), nullable=True),
        sa.Column("sink_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_events", sa.Integer(), nullable=True),
        sa.Column("events_sent", sa.Integer(), nullable=False),
        sa.Column("state", _enum(SUBSCRIPTION_STATES, "subscription_state"), nullable=False),
        sa.Column("termination_reason", sa.String(length=32), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["api_clients.id"], name=op.f("fk_sim_swap_subscriptions_client_id_api_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sim_swap_subscriptions")),
    )
    op.create_index("ix_sim_swap_subscriptions_msisdn_state", "sim_swap_subscriptions", ["msisdn", "state"])
    op.create_index(
        "ix_sim_swap_subscriptions_client_state", "sim_swap_subscriptions", ["client_id", "state"]
    )
    op.create_index(
        "ix_sim_swap_subscriptions_state_expires", "sim_swap_subscriptions", ["state", "expires_at"]
    )
    op.create_table(
        "subscription_events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("termination_reason", sa.String(length=32), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", _enum(EVENT_STATES, "subscription_event_state"), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["sim_swap_subscriptions.id"],
            name=op.f("fk_subscription_events_subscription_id_sim_swap_subscriptions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_subscription_events_event_id")),
    )
    op.create_index("ix_subscription_events_state_due", "subscription_events", ["state", "due_at"])
    op.create_index("ix_subscription_events_subscription", "subscription_events", ["subscription_id"])


def downgrade() -> None:
    op.drop_index("ix_subscription_events_subscription", table_name="subscription_events")
    op.drop_index("ix_subscription_events_state_due", table_name="subscription_events")
    op.drop_table("subscription_events")
    op.drop_index("ix_sim_swap_subscriptions_state_expires", table_name="sim_swap_subscriptions")
    op.drop_index("ix_sim_swap_subscriptions_client_state", table_name="sim_swap_subscriptions")
    op.drop_index("ix_sim_swap_subscriptions_msisdn_state", table_name="sim_swap_subscriptions")
    op.drop_table("sim_swap_subscriptions")

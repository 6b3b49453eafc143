"""an index of outgoing voice calls for the call check's window

The reference set is built from every outgoing voice call in the 30 days
before ``lostAt`` (issue 16): the window read used to stop after the
subscriber's last 100 events of any kind, so 150 SMS before the loss left no
calls. An index on (caller, kind, started_at DESC), INCLUDE (callee) on
PostgreSQL, lets the window read exactly the voice calls, index only,
whatever the subscriber's SMS and USSD volume. On the partitioned ledger
(0005) the index is created on the parent and so on every partition, present
and future.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NAME = "ix_call_events_caller_kind_started_at"


def upgrade() -> None:
    op.create_index(
        NAME,
        "call_events",
        ["caller", "kind", sa.literal_column("started_at").desc()],
        postgresql_include=["callee"],
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="call_events")

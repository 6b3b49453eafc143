"""ticket references: a short code a person can dictate (R-7K4M-2Q9), unique

Existing tickets get one each; the UUID stays the internal key (issue 17).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

from recovery.references import new_reference

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=12), nullable=True))
    connection = op.get_bind()
    tickets = sa.table("tickets", sa.column("id", sa.Uuid()), sa.column("reference", sa.String()))
    used: set[str] = set()
    for (ticket_id,) in connection.execute(sa.select(tickets.c.id)).all():
        reference = new_reference()
        while reference in used:
            reference = new_reference()
        used.add(reference)
        connection.execute(tickets.update().where(tickets.c.id == ticket_id).values(reference=reference))
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.alter_column("reference", existing_type=sa.String(length=12), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_tickets_reference"), ["reference"])


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_tickets_reference"), type_="unique")
        batch_op.drop_column("reference")

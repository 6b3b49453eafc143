"""claims workflow: offices, wizard drafts, unlocks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""
import sqlalchemy as sa
from alembic import op

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('opening_hours', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices'))
    )
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.create_index('ix_offices_region', ['region'], unique=False)

    op.create_table('claim_drafts',
    sa.Column('id', sa.String(length=43), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_drafts'))
    )
    with op.batch_alter_table('claim_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_claim_drafts_expires_at', ['expires_at'], unique=False)

    op.create_table('unlocks',
    sa.Column('id', BigIntPK, nullable=False),
    sa.Column('msisdn', sa.String(length=16), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], name=op.f('fk_unlocks_staff_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unlocks'))
    )
    with op.batch_alter_table('unlocks', schema=None) as batch_op:
        batch_op.create_index('ix_unlocks_msisdn_created_at', ['msisdn', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('unlocks', schema=None) as batch_op:
        batch_op.drop_index('ix_unlocks_msisdn_created_at')
    op.drop_table('unlocks')
    with op.batch_alter_table('claim_drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_claim_drafts_expires_at')
    op.drop_table('claim_drafts')
    with op.batch_alter_table('offices', schema=None) as batch_op:
        batch_op.drop_index('ix_offices_region')
    op.drop_table('offices')

"""participation: confirmation gaps accepted by the lead, and why

Revision ID: truth_01
Revises: fit_01
Create Date: 2026-12-04 20:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'truth_01'
down_revision = 'fit_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_gaps', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('accepted_gaps_reason', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('accepted_gaps_reason')
        batch_op.drop_column('accepted_gaps')

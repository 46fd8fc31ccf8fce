"""action milestones for the Gantt chart of the work plan

Revision ID: plan_01
Revises: truth_03
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'plan_01'
down_revision = 'truth_03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('milestones', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('milestones')

"""output version for optimistic locking

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('output', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('output', schema=None) as batch_op:
        batch_op.drop_column('version')

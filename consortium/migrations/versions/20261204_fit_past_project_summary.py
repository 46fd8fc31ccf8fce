"""past project summary, read by the partner fit

Revision ID: fit_01
Revises: sec_01
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'fit_01'
down_revision = 'sec_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('past_project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('past_project', schema=None) as batch_op:
        batch_op.drop_column('summary')

"""open-data jobs: a kind, so a job can match again without a file

Revision ID: opendata_02
Revises: grid_01
Create Date: 2026-12-05 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'opendata_02'
down_revision = 'grid_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('opendata_job', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=12), server_default='import', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('opendata_job', schema=None) as batch_op:
        batch_op.drop_column('kind')

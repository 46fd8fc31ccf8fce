"""directory data version: the version it replaced and the organisations it changed, so a
reader one version behind reads only those again

Revision ID: directory_02
Revises: directory_01
Create Date: 2026-12-06 00:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'directory_02'
down_revision = 'directory_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('directory_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('changed', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('directory_revision', schema=None) as batch_op:
        batch_op.drop_column('changed')
        batch_op.drop_column('previous')

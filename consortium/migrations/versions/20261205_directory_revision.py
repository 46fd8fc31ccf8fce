"""directory data version: a token that changes with every write to the organisations,
their themes and their past projects

Revision ID: directory_01
Revises: network_01
Create Date: 2026-12-05 14:00:00

"""
from uuid import uuid4

from alembic import op
import sqlalchemy as sa


revision = 'directory_01'
down_revision = 'network_01'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'directory_revision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'token': uuid4().hex}])


def downgrade():
    op.drop_table('directory_revision')

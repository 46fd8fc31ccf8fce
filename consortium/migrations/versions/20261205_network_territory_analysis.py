"""network: runs of the whole-territory analysis

Revision ID: network_01
Revises: opendata_02
Create Date: 2026-12-05 01:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'network_01'
down_revision = 'opendata_02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'territory_analysis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('fraction', sa.Float(), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('territory_analysis')

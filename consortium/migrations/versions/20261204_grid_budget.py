"""grid budget: monthly personnel rate per participation and reporting periods

Revision ID: grid_01
Revises: word_02
Create Date: 2026-12-04 22:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'grid_01'
down_revision = 'word_02'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('monthly_rate', sa.Numeric(precision=10, scale=2),
                                      nullable=True))
    op.create_table(
        'budget_periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('end_months', sa.JSON(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('proposal_id'),
    )


def downgrade():
    op.drop_table('budget_periods')
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_column('monthly_rate')

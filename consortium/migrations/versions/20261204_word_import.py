"""word import: uploaded Word files waiting for their per-section review

Revision ID: word_01
Revises: opendata_01
Create Date: 2026-12-04 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'word_01'
down_revision = 'opendata_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'word_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=100), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('base_versions', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('word_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_word_import_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('word_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_word_import_proposal_id'))
    op.drop_table('word_import')

"""open data: projects, participations, review queue, jobs; tie weight and evidence

Revision ID: opendata_01
Revises: plan_01
Create Date: 2026-12-04 20:48:21.334946

"""
from alembic import op
import sqlalchemy as sa


revision = 'opendata_01'
down_revision = 'plan_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('open_project',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('acronym', sa.String(length=60), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('programme', sa.String(length=60), nullable=False),
    sa.Column('topic', sa.String(length=120), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_project')),
    sa.UniqueConstraint('source', 'reference', name=op.f('uq_open_project_source'))
    )
    op.create_table('opendata_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('stored_path', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_opendata_job_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opendata_job'))
    )
    op.create_table('open_organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('pic', sa.String(length=9), nullable=True),
    sa.Column('registry_number', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('short_name', sa.String(length=60), nullable=True),
    sa.Column('activity_type', sa.String(length=10), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('project_count', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('match_status', sa.String(length=12), nullable=False),
    sa.Column('match_reason', sa.String(length=20), nullable=True),
    sa.Column('match_score', sa.Float(), nullable=True),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['organisation.id'], name=op.f('fk_open_organisation_candidate_id_organisation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_open_organisation_organisation_id_organisation'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_organisation')),
    sa.UniqueConstraint('key', name=op.f('uq_open_organisation_key'))
    )
    with op.batch_alter_table('open_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_organisation_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_organisation_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_organisation_match_status'), ['match_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_organisation_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_organisation_pic'), ['pic'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_organisation_registry_number'), ['registry_number'], unique=False)

    op.create_table('open_participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('open_organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('ec_contribution', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['open_organisation_id'], ['open_organisation.id'], name=op.f('fk_open_participation_open_organisation_id_open_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['open_project.id'], name=op.f('fk_open_participation_project_id_open_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_participation')),
    sa.UniqueConstraint('project_id', 'open_organisation_id', name=op.f('uq_open_participation_project_id'))
    )
    with op.batch_alter_table('open_participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_participation_open_organisation_id'), ['open_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_participation_project_id'), ['project_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registry_number', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisation_registry_number'), ['registry_number'], unique=False)

    with op.batch_alter_table('tie', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight', sa.Float(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('evidence', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))



def downgrade():
    with op.batch_alter_table('tie', schema=None) as batch_op:
        batch_op.drop_column('evidence')
        batch_op.drop_column('weight')

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_registry_number'))
        batch_op.drop_column('registry_number')

    with op.batch_alter_table('open_participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_participation_project_id'))
        batch_op.drop_index(batch_op.f('ix_open_participation_open_organisation_id'))

    op.drop_table('open_participation')
    with op.batch_alter_table('open_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_organisation_registry_number'))
        batch_op.drop_index(batch_op.f('ix_open_organisation_pic'))
        batch_op.drop_index(batch_op.f('ix_open_organisation_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_open_organisation_match_status'))
        batch_op.drop_index(batch_op.f('ix_open_organisation_country'))
        batch_op.drop_index(batch_op.f('ix_open_organisation_candidate_id'))

    op.drop_table('open_organisation')
    op.drop_table('opendata_job')
    op.drop_table('open_project')

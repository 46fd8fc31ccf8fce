"""organisation.sort_key: the directory's locale-aware order

Revision ID: truth_03
Revises: truth_02
Create Date: 2026-12-04 21:10:00

"""
from alembic import op
import sqlalchemy as sa

from consortium.folding import collation_key


revision = 'truth_03'
down_revision = 'truth_02'
branch_labels = None
depends_on = None

organisation = sa.table('organisation', sa.column('id', sa.Integer),
                        sa.column('name', sa.String), sa.column('sort_key', sa.String))


def upgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_key', sa.String(length=300), server_default='',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_organisation_sort_key'), ['sort_key'], unique=False)
    connection = op.get_bind()
    for org_id, name in connection.execute(sa.select(organisation.c.id, organisation.c.name)):
        connection.execute(organisation.update().where(organisation.c.id == org_id)
                           .values(sort_key=collation_key(name)))


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_sort_key'))
        batch_op.drop_column('sort_key')

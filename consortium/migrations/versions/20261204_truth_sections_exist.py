"""every proposal has its dossier sections (placeholders drafted on first use)

Revision ID: truth_02
Revises: truth_01
Create Date: 2026-12-04 21:00:00

Sections used to be created when someone first opened the dossier, so the dashboard said
"0 / 0 sections final" until then.  New proposals get their sections when they are created;
this migration gives existing proposals a row per section of their document language (the
family's sections from the database copy of the structure, else the shipped structure).  The
rows are placeholders (empty body, no generated draft): the dossier drafts them from the
proposal's data the first time it needs them (``dossier.services.ensure_sections``).
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

from consortium.dossier import structure


revision = 'truth_02'
down_revision = 'truth_01'
branch_labels = None
depends_on = None

proposal = sa.table('proposal', sa.column('id', sa.Integer), sa.column('topic_id', sa.Integer),
                    sa.column('document_language', sa.String))
topic = sa.table('topic', sa.column('id', sa.Integer), sa.column('action_type', sa.String))
template = sa.table('section_template', sa.column('family', sa.String),
                    sa.column('code', sa.String), sa.column('position', sa.Integer),
                    sa.column('drafting_key', sa.String))
section = sa.table('section', sa.column('proposal_id', sa.Integer), sa.column('code', sa.String),
                   sa.column('language', sa.String), sa.column('body', sa.Text),
                   sa.column('status', sa.String), sa.column('generated_body', sa.Text),
                   sa.column('sources', sa.JSON), sa.column('edited_by_writer', sa.Boolean),
                   sa.column('updated_at', sa.DateTime), sa.column('version', sa.Integer))


def _codes(connection, family):
    rows = connection.execute(
        sa.select(template.c.code, template.c.drafting_key)
        .where(template.c.family == family).order_by(template.c.position)).all()
    if rows:
        return [code for code, key in rows if key != 'heading']
    return [spec.code for spec in structure.load_structure(family)
            if spec.drafting_key != 'heading']


def upgrade():
    connection = op.get_bind()
    families = structure.families()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = connection.execute(
        sa.select(proposal.c.id, proposal.c.document_language, topic.c.action_type)
        .join(topic, topic.c.id == proposal.c.topic_id)).all()
    for proposal_id, language, action_type in rows:
        language = 'fr' if language == 'fr' else 'en'
        family = (action_type or '').upper()
        family = family if family in families else 'SAP'
        existing = set(connection.execute(
            sa.select(section.c.code).where(section.c.proposal_id == proposal_id,
                                            section.c.language == language)).scalars())
        missing = [code for code in _codes(connection, family) if code not in existing]
        if missing:
            op.bulk_insert(section, [
                {'proposal_id': proposal_id, 'code': code, 'language': language, 'body': '',
                 'status': 'draft', 'generated_body': None, 'sources': [],
                 'edited_by_writer': False, 'updated_at': now, 'version': 1}
                for code in missing])


def downgrade():
    # Placeholders that were never drafted go; drafted sections are the writers' work and stay.
    op.execute(section.delete().where(section.c.generated_body.is_(None),
                                      section.c.body == '', section.c.status == 'draft'))

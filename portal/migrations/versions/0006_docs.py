"""Documentation publishing: drafts, revisions, redirects after renames, article suggestion events.

Revision ID: 0006_docs
Revises: 0005_sla
Create Date: 2026-11-25 16:41:27.206214
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_docs"
down_revision: str | Sequence[str] | None = "0005_sla"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('doc_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('base_hash', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    with op.batch_alter_table('doc_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_draft_author_id'), ['author_id'], unique=False)

    op.create_table('doc_redirect',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('new_slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('old_slug')
    )
    with op.batch_alter_table('doc_redirect', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_redirect_new_slug'), ['new_slug'], unique=False)

    op.create_table('doc_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug', 'number', name='uq_doc_revision_slug_number')
    )
    with op.batch_alter_table('doc_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_revision_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_doc_revision_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_doc_revision_slug'), ['slug'], unique=False)

    op.create_table('doc_suggestion_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('interaction', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('slugs', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('query_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('excerpt', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('error_class', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('failure_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('doc_suggestion_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_doc_suggestion_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_doc_suggestion_event_interaction'), ['interaction'], unique=False)
        batch_op.create_index(batch_op.f('ix_doc_suggestion_event_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_doc_suggestion_event_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('doc_suggestion_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_suggestion_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_doc_suggestion_event_outcome'))
        batch_op.drop_index(batch_op.f('ix_doc_suggestion_event_interaction'))
        batch_op.drop_index(batch_op.f('ix_doc_suggestion_event_created_at'))

    op.drop_table('doc_suggestion_event')
    with op.batch_alter_table('doc_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_revision_slug'))
        batch_op.drop_index(batch_op.f('ix_doc_revision_created_at'))
        batch_op.drop_index(batch_op.f('ix_doc_revision_author_id'))

    op.drop_table('doc_revision')
    with op.batch_alter_table('doc_redirect', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_redirect_new_slug'))

    op.drop_table('doc_redirect')
    with op.batch_alter_table('doc_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_doc_draft_author_id'))

    op.drop_table('doc_draft')

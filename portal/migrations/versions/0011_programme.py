"""Programme: the RSP requirements board, application steps, documents, renewal self-assessments and the badge.

Revision ID: 0011_programme
Revises: 0010_checks
Create Date: 2026-12-04 12:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011_programme'
down_revision: str | Sequence[str] | None = '0010_checks'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('programme_requirement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', AutoString(length=40), nullable=False),
    sa.Column('status', AutoString(length=20), nullable=False),
    sa.Column('reason', AutoString(length=500), nullable=False),
    sa.Column('evidence', sa.Text(), server_default='', nullable=False),
    sa.Column('evaluated_at', sa.DateTime(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.Column('notified_status', AutoString(length=20), nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('attested_at', sa.DateTime(), nullable=True),
    sa.Column('attested_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attested_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('programme_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', AutoString(length=40), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=True),
    sa.Column('people', AutoString(length=500), nullable=False),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('programme_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('requirement_key', AutoString(length=40), nullable=False),
    sa.Column('step_key', AutoString(length=40), nullable=False),
    sa.Column('filename', AutoString(length=255), nullable=False),
    sa.Column('content_type', AutoString(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', AutoString(length=64), nullable=False),
    sa.Column('storage_key', AutoString(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('storage_key')
    )
    with op.batch_alter_table('programme_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_document_requirement_key'), ['requirement_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_document_step_key'), ['step_key'], unique=False)

    op.create_table('programme_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('answers', sa.Text(), server_default='', nullable=False),
    sa.Column('remarks', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(), nullable=True),
    sa.Column('overdue_reminded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year')
    )
    op.create_table('programme_badge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', AutoString(length=255), nullable=False),
    sa.Column('content_type', AutoString(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', AutoString(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('programme_badge')
    op.drop_table('programme_assessment')
    with op.batch_alter_table('programme_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_document_step_key'))
        batch_op.drop_index(batch_op.f('ix_programme_document_requirement_key'))
    op.drop_table('programme_document')
    op.drop_table('programme_step')
    op.drop_table('programme_requirement')

"""Credentials: sealed repository credentials, hand-over links, DataCite call log, diagnosis transcripts,
and the repository's API target (DataCite or the offline sandbox).

Revision ID: 0009_credentials
Revises: 0008_reports
Create Date: 2026-11-25 16:55:28.838576
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009_credentials'
down_revision: str | Sequence[str] | None = '0008_reports'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('datacite_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('operation', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('request', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('doi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('with_credentials', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('error_class', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('datacite_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_datacite_call_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_datacite_call_repository_created', ['repository_id', 'created_at'], unique=False)

    op.create_table('diagnosis_transcript',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_label', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('doi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('attached_to', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('diagnosis_transcript', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnosis_transcript_repository_id'), ['repository_id'], unique=False)

    op.create_table('repository_credential',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('secret', sa.Text(), nullable=True),
    sa.Column('symbol', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('set_at', sa.DateTime(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_by_label', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('set_via', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('last_verified_at', sa.DateTime(), nullable=True),
    sa.Column('last_verification_ok', sa.Boolean(), nullable=True),
    sa.Column('last_verification_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('needs_attention', sa.Boolean(), nullable=False),
    sa.Column('cleared_at', sa.DateTime(), nullable=True),
    sa.Column('cleared_by_label', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('cleared_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('repository_id')
    )
    with op.batch_alter_table('repository_credential', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repository_credential_needs_attention'), ['needs_attention'], unique=False)

    op.create_table('credential_handover',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('repository_id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('recipient_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('recipient_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['token_id'], ['one_time_token.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_id')
    )
    with op.batch_alter_table('credential_handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credential_handover_repository_id'), ['repository_id'], unique=False)

    with op.batch_alter_table('repository', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_target', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False,
                                      server_default='datacite'))



def downgrade() -> None:
    with op.batch_alter_table('repository', schema=None) as batch_op:
        batch_op.drop_column('api_target')

    with op.batch_alter_table('credential_handover', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credential_handover_repository_id'))

    op.drop_table('credential_handover')
    with op.batch_alter_table('repository_credential', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repository_credential_needs_attention'))

    op.drop_table('repository_credential')
    with op.batch_alter_table('diagnosis_transcript', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnosis_transcript_repository_id'))

    op.drop_table('diagnosis_transcript')
    with op.batch_alter_table('datacite_call', schema=None) as batch_op:
        batch_op.drop_index('ix_datacite_call_repository_created')
        batch_op.drop_index(batch_op.f('ix_datacite_call_created_at'))

    op.drop_table('datacite_call')

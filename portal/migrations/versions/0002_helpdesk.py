"""Helpdesk: tickets, messages, history, DOIs, tags, links, groups, presence, canned answers, escalations.

Revision ID: 0002_helpdesk
Revises: 0001
Create Date: 2026-11-25 16:49:10.913013
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002_helpdesk'
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('canned_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('failure_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('title')
    )
    with op.batch_alter_table('canned_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_canned_answer_failure_key'), ['failure_key'], unique=False)

    op.create_table('ticket_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('assignment', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('last_assigned_user_id', sa.Integer(), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['last_assigned_user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('group_member',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['ticket_group.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('group_id', 'user_id')
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=True),
    sa.Column('requester_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('requester_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('repository_id', sa.Integer(), nullable=True),
    sa.Column('environment', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('error_text', sa.Text(), server_default='', nullable=False),
    sa.Column('failure_key', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('first_response_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('last_message_id', sa.Integer(), nullable=False),
    sa.Column('last_public_message_at', sa.DateTime(), nullable=True),
    sa.Column('message_count', sa.Integer(), nullable=False),
    sa.Column('sla_policy_id', sa.Integer(), nullable=True),
    sa.Column('sla_state', sa.Text(), server_default='', nullable=False),
    sa.Column('first_response_due_at', sa.DateTime(), nullable=True),
    sa.Column('next_update_due_at', sa.DateTime(), nullable=True),
    sa.Column('resolution_due_at', sa.DateTime(), nullable=True),
    sa.Column('sla_due_at', sa.DateTime(), nullable=True),
    sa.Column('sla_warn_at', sa.DateTime(), nullable=True),
    sa.Column('sla_breached', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('csat_score', sa.Integer(), nullable=True),
    sa.Column('csat_comment', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('csat_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['ticket_group.id'], ),
    sa.ForeignKeyConstraint(['merged_into_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['repository_id'], ['repository.id'], ),
    sa.ForeignKeyConstraint(['requester_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_failure_key'), ['failure_key'], unique=False)
        batch_op.create_index('ix_ticket_group_status', ['group_id', 'status'], unique=False)
        batch_op.create_index('ix_ticket_org_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_priority'), ['priority'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_repository_id'), ['repository_id'], unique=False)
        batch_op.create_index('ix_ticket_requester', ['requester_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_sla_breached'), ['sla_breached'], unique=False)
        batch_op.create_index('ix_ticket_status_sla_due', ['status', 'sla_due_at'], unique=False)
        batch_op.create_index('ix_ticket_status_sla_warn', ['status', 'sla_warn_at'], unique=False)
        batch_op.create_index('ix_ticket_status_updated', ['status', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_updated_at'), ['updated_at'], unique=False)

    op.create_table('escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_to', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('package', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('datacite_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('answer', sa.Text(), server_default='', nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_doi',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('doi', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'doi')
    )
    with op.batch_alter_table('ticket_doi', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_doi_doi'), ['doi'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_doi_prefix'), ['prefix'], unique=False)

    op.create_table('ticket_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('old_value', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('new_value', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('internal', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_event_ticket', ['ticket_id', 'id'], unique=False)

    op.create_table('ticket_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['source_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['target_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_id', 'target_id', 'kind', name='uq_ticket_link')
    )
    with op.batch_alter_table('ticket_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_link_source_id'), ['source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_link_target_id'), ['target_id'], unique=False)

    op.create_table('ticket_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('author_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('author_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_message_ticket', ['ticket_id', 'id'], unique=False)

    op.create_table('ticket_presence',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('ticket_id', 'user_id')
    )
    op.create_table('ticket_tag',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('tag', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'tag')
    )
    with op.batch_alter_table('ticket_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_tag_tag'), ['tag'], unique=False)

    op.create_table('ticket_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('storage_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['ticket_message.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('storage_key')
    )
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_attachment_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_attachment_ticket_id'), ['ticket_id'], unique=False)
    create_history_guard()


def downgrade() -> None:
    drop_history_guard()
    with op.batch_alter_table('ticket_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_attachment_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_attachment_message_id'))

    op.drop_table('ticket_attachment')
    with op.batch_alter_table('ticket_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_tag_tag'))

    op.drop_table('ticket_tag')
    op.drop_table('ticket_presence')
    with op.batch_alter_table('ticket_message', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_message_ticket')

    op.drop_table('ticket_message')
    with op.batch_alter_table('ticket_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_link_target_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_link_source_id'))

    op.drop_table('ticket_link')
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_event_ticket')

    op.drop_table('ticket_event')
    with op.batch_alter_table('ticket_doi', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_doi_prefix'))
        batch_op.drop_index(batch_op.f('ix_ticket_doi_doi'))

    op.drop_table('ticket_doi')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_ticket_id'))

    op.drop_table('escalation')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_updated_at'))
        batch_op.drop_index('ix_ticket_status_updated')
        batch_op.drop_index('ix_ticket_status_sla_warn')
        batch_op.drop_index('ix_ticket_status_sla_due')
        batch_op.drop_index(batch_op.f('ix_ticket_sla_breached'))
        batch_op.drop_index('ix_ticket_requester')
        batch_op.drop_index(batch_op.f('ix_ticket_repository_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_priority'))
        batch_op.drop_index('ix_ticket_org_status')
        batch_op.drop_index('ix_ticket_group_status')
        batch_op.drop_index(batch_op.f('ix_ticket_failure_key'))
        batch_op.drop_index(batch_op.f('ix_ticket_created_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_channel'))
        batch_op.drop_index(batch_op.f('ix_ticket_category'))
        batch_op.drop_index('ix_ticket_assignee_status')

    op.drop_table('ticket')
    op.drop_table('group_member')
    op.drop_table('ticket_group')
    with op.batch_alter_table('canned_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_canned_answer_failure_key'))

    op.drop_table('canned_answer')


def create_history_guard() -> None:
    """Ticket history is immutable: no update, and no delete except with the ticket itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ticket_event_immutable() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'ticket_event is immutable'; END $$"
        )
        op.execute(
            "CREATE TRIGGER ticket_event_immutable BEFORE UPDATE ON ticket_event "
            "FOR EACH ROW EXECUTE FUNCTION ticket_event_immutable()"
        )
    else:
        op.execute(
            "CREATE TRIGGER ticket_event_no_update BEFORE UPDATE ON ticket_event "
            "BEGIN SELECT RAISE(ABORT, 'ticket_event is immutable'); END"
        )


def drop_history_guard() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ticket_event_immutable ON ticket_event")
        op.execute("DROP FUNCTION IF EXISTS ticket_event_immutable()")
    else:
        op.execute("DROP TRIGGER IF EXISTS ticket_event_no_update")

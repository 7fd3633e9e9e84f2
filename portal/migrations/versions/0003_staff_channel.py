"""DataCite staff channel: designated contact, staff requests, service profile texts.

Revision ID: 0003_staff_channel
Revises: 0002_helpdesk
Create Date: 2026-11-25 17:15:26.222678
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003_staff_channel'
down_revision: str | Sequence[str] | None = '0002_helpdesk'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('service_profile_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('hosting', sa.Text(), server_default='', nullable=False),
    sa.Column('support_policy', sa.Text(), server_default='', nullable=False),
    sa.Column('documentation_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('designated_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('primary_agent_id', sa.Integer(), nullable=True),
    sa.Column('backup_agent_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('ack_business_minutes', sa.Integer(), nullable=False),
    sa.Column('answer_business_minutes', sa.Integer(), nullable=False),
    sa.Column('backup_after_business_minutes', sa.Integer(), nullable=False),
    sa.Column('bounced_at', sa.DateTime(), nullable=True),
    sa.Column('bounce_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['backup_agent_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['group_id'], ['ticket_group.id'], ),
    sa.ForeignKeyConstraint(['primary_agent_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('staff_request',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('reply_to', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('ack_due_at', sa.DateTime(), nullable=True),
    sa.Column('answer_due_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('primary_alerted_at', sa.DateTime(), nullable=True),
    sa.Column('backup_alerted_at', sa.DateTime(), nullable=True),
    sa.Column('answer_alerted_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    with op.batch_alter_table('staff_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_request_ack_due_at'), ['ack_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_request_answer_due_at'), ['answer_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_request_created_at'), ['created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('staff_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_request_created_at'))
        batch_op.drop_index(batch_op.f('ix_staff_request_answer_due_at'))
        batch_op.drop_index(batch_op.f('ix_staff_request_ack_due_at'))

    op.drop_table('staff_request')
    op.drop_table('designated_contact')
    op.drop_table('service_profile_text')

"""Email channel: mailboxes, the sealed SMTP password, received mail (unique Message-ID), participants, bouncing addresses, and
threading columns on the outbox.

Revision ID: 0013_email
Revises: 0012_search
Create Date: 2026-12-04 12:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0013_email'
down_revision: str | Sequence[str] | None = '0012_search'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('mailbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', S(length=60), nullable=False),
    sa.Column('address', S(length=254), nullable=False),
    sa.Column('purpose', S(length=20), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('arrival', S(length=10), nullable=False),
    sa.Column('imap_host', S(length=253), nullable=False),
    sa.Column('imap_port', sa.Integer(), nullable=False),
    sa.Column('imap_security', S(length=10), nullable=False),
    sa.Column('imap_user', S(length=254), nullable=False),
    sa.Column('imap_password', sa.Text(), nullable=True),
    sa.Column('imap_folder', S(length=200), nullable=False),
    sa.Column('processed_folder', S(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_polled_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', S(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['ticket_group.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name'),
    sa.UniqueConstraint('address'),
    )
    op.create_table('inbound_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', S(length=250), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('from_addr', S(length=254), nullable=False),
    sa.Column('from_name', S(length=200), nullable=False),
    sa.Column('subject', S(length=300), nullable=False),
    sa.Column('outcome', S(length=12), nullable=False),
    sa.Column('reason', S(length=500), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('ticket_message_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('accepted_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailbox.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.ForeignKeyConstraint(['ticket_message_id'], ['ticket_message.id'], ),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id'),
    )
    op.create_index(op.f('ix_inbound_mail_mailbox_id'), 'inbound_mail', ['mailbox_id'], unique=False)
    op.create_index(op.f('ix_inbound_mail_received_at'), 'inbound_mail', ['received_at'], unique=False)
    op.create_index(op.f('ix_inbound_mail_from_addr'), 'inbound_mail', ['from_addr'], unique=False)
    op.create_index(op.f('ix_inbound_mail_outcome'), 'inbound_mail', ['outcome'], unique=False)
    op.create_index(op.f('ix_inbound_mail_ticket_id'), 'inbound_mail', ['ticket_id'], unique=False)
    op.create_table('ticket_participant',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('email', S(length=254), nullable=False),
    sa.Column('name', S(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('ticket_id', 'email'),
    )
    op.create_table('mail_address_flag',
    sa.Column('email', S(length=254), nullable=False),
    sa.Column('bounces', sa.Integer(), nullable=False),
    sa.Column('last_bounce_at', sa.DateTime(), nullable=True),
    sa.Column('reason', S(length=500), nullable=False),
    sa.PrimaryKeyConstraint('email'),
    )
    op.create_table('smtp_secret',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('password', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('in_reply_to', S(length=250), server_default='', nullable=False))
        batch_op.add_column(sa.Column('references', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('auto_submitted', S(length=20), server_default='auto-generated',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_outbox_message_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_foreign_key('fk_outbox_message_ticket_id', 'ticket', ['ticket_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_message_ticket_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_message_ticket_id'))
        batch_op.drop_column('auto_submitted')
        batch_op.drop_column('references')
        batch_op.drop_column('in_reply_to')
        batch_op.drop_column('ticket_id')
    op.drop_table('smtp_secret')
    op.drop_table('mail_address_flag')
    op.drop_table('ticket_participant')
    op.drop_index(op.f('ix_inbound_mail_ticket_id'), table_name='inbound_mail')
    op.drop_index(op.f('ix_inbound_mail_outcome'), table_name='inbound_mail')
    op.drop_index(op.f('ix_inbound_mail_from_addr'), table_name='inbound_mail')
    op.drop_index(op.f('ix_inbound_mail_received_at'), table_name='inbound_mail')
    op.drop_index(op.f('ix_inbound_mail_mailbox_id'), table_name='inbound_mail')
    op.drop_table('inbound_mail')
    op.drop_table('mailbox')

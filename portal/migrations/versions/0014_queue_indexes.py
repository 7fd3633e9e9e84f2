"""Queue indexes for a group's tickets by priority and creation date.

Revision ID: 0014_queue_indexes
Revises: 0013_email
Create Date: 2026-12-04 17:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014_queue_indexes'
down_revision: str | Sequence[str] | None = '0013_email'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_ticket_group_priority_created', 'ticket', ['group_id', 'priority', 'created_at'])
    op.create_index('ix_ticket_group_priority_updated', 'ticket', ['group_id', 'priority', 'updated_at', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_ticket_group_priority_updated', table_name='ticket')
    op.drop_index('ix_ticket_group_priority_created', table_name='ticket')

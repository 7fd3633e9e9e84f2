"""Search: the full-text index of tickets (FTS5 on SQLite, tsvector with GIN on PostgreSQL), filled from the
tickets and messages already there and kept in step by triggers; composite indices for queue filters.

Revision ID: 0012_search
Revises: 0011_programme
Create Date: 2026-12-04 12:45:00
"""

from collections.abc import Sequence

from alembic import op

from portal.services.search.index import create_index, drop_index

revision: str = '0012_search'
down_revision: str | Sequence[str] | None = '0011_programme'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


QUEUE_INDICES = {
    "ix_ticket_priority_updated": ["priority", "updated_at"],
    "ix_ticket_category_updated": ["category", "updated_at"],
    "ix_ticket_group_updated": ["group_id", "updated_at"],
    "ix_ticket_assignee_updated": ["assignee_id", "updated_at"],
    "ix_ticket_org_updated": ["organisation_id", "updated_at"],
}


def upgrade() -> None:
    for name, columns in QUEUE_INDICES.items():
        op.create_index(name, "ticket", columns, unique=False)
    create_index(op.get_bind())


def downgrade() -> None:
    drop_index(op.get_bind())
    for name in QUEUE_INDICES:
        op.drop_index(name, table_name="ticket")

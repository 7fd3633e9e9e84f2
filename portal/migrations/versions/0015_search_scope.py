"""SQLite's search index gains a scope column (the ticket's organisation as a token), so a member's search, or an
agent's within one organisation, intersects with that organisation's tickets inside FTS5. Rebuilt from the rows.
PostgreSQL is unchanged.

Revision ID: 0015_search_scope
Revises: 0014_queue_indexes
Create Date: 2026-12-04 17:45:00
"""

from collections.abc import Sequence

from alembic import op

from portal.services.search.index import create_index, drop_index

revision: str = '0015_search_scope'
down_revision: str | Sequence[str] | None = '0014_queue_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        drop_index(conn)
        create_index(conn)


def downgrade() -> None:
    # The older code reads and writes the index without the scope column, which stays empty for new rows.
    pass

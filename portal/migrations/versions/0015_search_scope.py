"""Search index layout: SQLite's index gains a scope column (the ticket's organisation as a token), so a member's
search, or an agent's within one organisation, intersects with that organisation's tickets inside FTS5 (rebuilt
from the rows). PostgreSQL keeps each document's vectors in its row instead of TOAST (toast_tuple_target), and
rewrites the rows already there so they move in.

Revision ID: 0015_search_scope
Revises: 0014_queue_indexes
Create Date: 2026-12-04 17:45:00
"""

from collections.abc import Sequence

from alembic import op

from portal.services.search.index import PG_TOAST_TUPLE_TARGET, create_index, drop_index

revision: str = '0015_search_scope'
down_revision: str | Sequence[str] | None = '0014_queue_indexes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        drop_index(conn)
        create_index(conn)
    else:
        conn.exec_driver_sql(f"ALTER TABLE ticket_search SET (toast_tuple_target = {PG_TOAST_TUPLE_TARGET})")
        conn.exec_driver_sql("UPDATE ticket_search SET subject = subject")  # new row versions, stored inline


def downgrade() -> None:
    # The older code reads and writes the index the same way; SQLite's scope column stays empty for new rows.
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE ticket_search RESET (toast_tuple_target)")

"""Reports: indexes for the solved-per-day series and the CSAT figures (range scans on resolved_at and csat_at).

Revision ID: 0008_reports
Revises: 0007_scheduler
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_reports"
down_revision: str | Sequence[str] | None = "0007_scheduler"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_resolved_at'), ['resolved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_csat_at'), ['csat_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_csat_at'))
        batch_op.drop_index(batch_op.f('ix_ticket_resolved_at'))

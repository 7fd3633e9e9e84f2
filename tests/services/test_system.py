"""Database upkeep: the planner's statistics are refreshed on SQLite and left to autovacuum on PostgreSQL."""

from __future__ import annotations

from portal.jobs import SCHEDULE
from portal.models.types import utcnow
from portal.services.system import optimise_database


def test_optimise_database_refreshes_sqlite_statistics(session, backend):
    result = optimise_database(session, now=utcnow(), context=None)
    if backend == "sqlite":
        assert result.counts == {"optimised": 1} and "PRAGMA optimize" in result.note
    else:
        assert result.counts == {} and "autovacuum" in result.note


def test_optimise_database_is_scheduled_daily():
    [spec] = [s for s in SCHEDULE if s.name == "db.optimise"]
    assert spec.func == "portal.services.system:optimise_database"

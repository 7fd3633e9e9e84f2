"""C23: the audit log has no update or delete path, enforced by the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal import audit
from portal.db import engine_of


def test_audit_rows_cannot_be_changed_or_deleted(app, session):
    audit.record(session, "test.event", actor_label="someone", detail={"a": 1})
    session.commit()
    engine = engine_of(app)
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_event")).scalar_one() == "test.event"


def test_detail_with_line_breaks_is_one_log_line(session, caplog):
    import logging

    caplog.set_level(logging.DEBUG, logger="portal.audit")
    audit.record(session, "auth.login_failed", actor_label="evil\r\nforged: line", ip="127.0.0.1")
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.audit"]
    assert len(lines) == 1 and "\n" not in lines[0] and "\r" not in lines[0]

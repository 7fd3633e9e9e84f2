"""Held lists: read once, then served from memory until a table they come from changes (portal.services.held)."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text, update
from sqlmodel import Session, select

from portal.db import engine_of, make_engine
from portal.models import Organisation, Role, TicketGroup
from portal.services import held, members
from portal.services.held import Choice, Held
from portal.services.tickets import canned
from portal.services.tickets.assignment import agent_choices
from portal.services.tickets.groups import group_choices


def _counted() -> tuple[Held[tuple[Choice, ...]], list[int]]:
    reads = [0]

    def load(session: Session) -> tuple[Choice, ...]:
        reads[0] += 1
        rows = session.exec(select(Organisation.id, Organisation.name).order_by(Organisation.name)).all()
        return tuple(Choice(int(i or 0), n) for i, n in rows)

    return Held(("organisation",), load), reads


def _names(listed: tuple[Choice, ...]) -> list[str]:
    return [c.name for c in listed]


def test_a_list_is_read_once_and_then_served_from_memory(session, make):
    make.organisation(session, "Alpha")
    orgs, reads = _counted()
    assert _names(orgs(session)) == ["Alpha"]
    assert _names(orgs(session)) == ["Alpha"] and _names(orgs(session)) == ["Alpha"]
    assert reads == [1]


@pytest.mark.parametrize("how", ["orm", "core insert", "raw update", "delete", "core update"])
def test_a_committed_write_by_this_process_shows_at_once(app, session, make, how):
    alpha = make.organisation(session, "Alpha")
    orgs, reads = _counted()
    assert _names(orgs(session)) == ["Alpha"]
    if how == "orm":
        make.organisation(session, "Beta")
        expected = ["Alpha", "Beta"]
    elif how == "core insert":
        session.execute(insert(Organisation).values(name="Gamma", datacite_member_id="GAMMA"))
        session.commit()
        expected = ["Alpha", "Gamma"]
    elif how == "raw update":
        with engine_of(app).begin() as conn:  # another connection of this process, plain SQL
            conn.execute(text("UPDATE organisation SET name = 'Alpha renamed' WHERE id = :id"), {"id": alpha.id})
        session.commit()  # leave the snapshot the test session was reading in
        expected = ["Alpha renamed"]
    elif how == "delete":
        session.delete(alpha)
        session.commit()
        expected = []
    else:
        with engine_of(app).begin() as conn:
            conn.execute(update(Organisation).values(name="Alpha again"))
        session.commit()
        expected = ["Alpha again"]
    assert _names(orgs(session)) == expected
    assert reads == [2]


def test_a_write_to_another_table_keeps_the_list(session, make):
    make.organisation(session, "Alpha")
    orgs, reads = _counted()
    orgs(session)
    make.user(session, Role.agent)
    orgs(session)
    assert reads == [1]


def test_a_session_sees_its_own_uncommitted_changes_without_keeping_them(session, make):
    make.organisation(session, "Alpha")
    orgs, reads = _counted()
    orgs(session)
    session.add(Organisation(name="Pending", datacite_member_id="PEND"))
    assert _names(orgs(session)) == ["Alpha", "Pending"]  # pending in the session
    session.flush()
    assert _names(orgs(session)) == ["Alpha", "Pending"]  # flushed, not committed
    session.rollback()
    assert _names(orgs(session)) == ["Alpha"]
    assert reads[0] >= 3


def test_another_process_change_shows_within_the_ttl(app, session, make, monkeypatch):
    make.organisation(session, "Alpha")
    orgs, reads = _counted()
    moment = [1000.0]
    monkeypatch.setattr(held, "clock", lambda: moment[0])
    assert _names(orgs(session)) == ["Alpha"]
    # A raw DBAPI connection sends SQL the way another process would: this process's engine never sees it.
    raw = engine_of(app).raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("UPDATE organisation SET name = 'Renamed elsewhere'")
        raw.commit()
    finally:
        raw.close()
    session.commit()  # end the test session's transaction so the next read sees the other commit
    moment[0] += held.TTL_SECONDS - 1
    assert _names(orgs(session)) == ["Alpha"]
    moment[0] += 2
    assert _names(orgs(session)) == ["Renamed elsewhere"]
    assert reads == [2]


def test_lists_of_two_databases_never_mix(session, make, tmp_path):
    from portal import migrations
    from portal.db import session_scope

    make.organisation(session, "In the app database")
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        migrations.upgrade(other)
        orgs, _ = _counted()
        with session_scope(other, write=True) as elsewhere:
            make.organisation(elsewhere, "In the other database")
            assert _names(orgs(elsewhere)) == ["In the other database"]
        assert _names(orgs(session)) == ["In the app database"]
    finally:
        other.dispose()


def test_the_desk_lists_follow_their_tables(session, make):
    make.organisation(session, "Zeta")
    agent = make.user(session, Role.agent, name="Ada Agent")
    assert "Zeta" in _names(members.list_all_organisations(session))
    assert "Ada Agent" in _names(agent_choices(session))
    agent.active = False
    session.add(agent)
    session.commit()
    assert "Ada Agent" not in _names(agent_choices(session))
    assert "Prefixes" not in _names(group_choices(session))
    session.add(TicketGroup(name="Prefixes"))
    session.commit()
    assert "Prefixes" in _names(group_choices(session))
    assert canned.answer_choices(session) == ()
    assert canned.seed_defaults(session) > 0
    session.commit()
    answers = canned.answer_choices(session)
    assert answers and all(a.failure_key for a in answers)


@pytest.mark.parametrize(("statement", "tables"), [
    ("INSERT INTO organisation (name) VALUES (?)", {"organisation"}),
    ('UPDATE "user_account" SET name = %(name)s', {"user_account"}),
    ("  delete from canned_answer where id = 1", {"canned_answer"}),
    ("INSERT OR IGNORE INTO ticket_group (name) VALUES ('x')", {"ticket_group"}),
    ("TRUNCATE organisation, user_account RESTART IDENTITY", {"*"}),
    ("ALTER TABLE organisation ADD COLUMN x int", {"*"}),
    ("UPDATE ticket SET status = 'open'", set()),  # not a table any held list reads
    ("SELECT * FROM organisation", set()),
    ("WITH x AS (SELECT 1) SELECT * FROM x", set()),
])
def test_which_statements_count_as_writes(statement, tables):
    assert held.tables_written(statement) == tables

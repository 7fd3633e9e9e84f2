"""The search index: one document per ticket (subject; public text; internal notes), kept in step by triggers.

SQLite holds it in an FTS5 table (rowid = ticket id); PostgreSQL in a plain table with two generated
tsvector columns (what members may match, and everything) under GIN indexes. The index is not a model:
Alembic's comparison skips it through ``include_name`` (see ``SEARCH_TABLES``).
"""

from __future__ import annotations

from sqlalchemy import Connection, text

SEARCH_TABLE = "ticket_search"
# FTS5 keeps its data in shadow tables named after the virtual table.
SEARCH_TABLES = frozenset({SEARCH_TABLE} | {f"{SEARCH_TABLE}_{s}" for s in ("data", "idx", "content", "docsize",
                                                                              "config")})
TRIGGERS = ("ticket_search_ticket_ai", "ticket_search_ticket_au", "ticket_search_ticket_ad",
            "ticket_search_message_ai", "ticket_search_message_au", "ticket_search_message_ad")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: the search index is built by its own DDL, not from the models."""
    return not (type_ == "table" and name in SEARCH_TABLES)


# ------------------------------------------------------------------ SQLite

def _sqlite_public(ticket: str) -> str:
    return (f"(SELECT error_text FROM ticket WHERE id = {ticket}) || coalesce(char(10) || (SELECT group_concat(body, "  # noqa: S608  (constant DDL, no input)
            f"char(10)) FROM (SELECT body FROM ticket_message WHERE ticket_id = {ticket} AND visibility = 'public' "
            f"ORDER BY id)), '')")


def _sqlite_internal(ticket: str) -> str:
    return (f"coalesce(char(10) || (SELECT group_concat(body, char(10)) FROM (SELECT body FROM ticket_message "  # noqa: S608  (constant DDL, no input)
            f"WHERE ticket_id = {ticket} AND visibility <> 'public' ORDER BY id)), '')")


def _sqlite_refresh(ticket: str) -> str:
    return (f"UPDATE ticket_search SET public_text = {_sqlite_public(ticket)}, "  # noqa: S608  (constant DDL, no input)
            f"internal_text = {_sqlite_internal(ticket)} WHERE rowid = {ticket};")


def _sqlite_scope(ticket: str) -> str:
    """The scope column: a token naming the ticket's organisation (``org17``), so a member's search is an FTS5
    intersection with their organisation's few hundred tickets instead of a walk over every match."""
    return f"coalesce('org' || {ticket}.organisation_id, '')"


def scope_token(organisation_id: int) -> str:
    return f"org{int(organisation_id)}"


SQLITE_TABLE = ("CREATE VIRTUAL TABLE IF NOT EXISTS ticket_search USING fts5(subject, public_text, internal_text, scope, "
                "tokenize = 'unicode61 remove_diacritics 2')")
SQLITE_TRIGGERS = (
    "CREATE TRIGGER ticket_search_ticket_ai AFTER INSERT ON ticket BEGIN "  # noqa: S608  (constant DDL, no input)
    "INSERT INTO ticket_search (rowid, subject, public_text, internal_text, scope) "
    f"VALUES (NEW.id, NEW.subject, NEW.error_text, '', {_sqlite_scope('NEW')}); END",
    "CREATE TRIGGER ticket_search_ticket_au AFTER UPDATE OF subject, error_text, organisation_id ON ticket BEGIN "  # noqa: S608  (constant DDL, no input)
    f"UPDATE ticket_search SET subject = NEW.subject, public_text = {_sqlite_public('NEW.id')}, "
    f"scope = {_sqlite_scope('NEW')} WHERE rowid = NEW.id; END",
    "CREATE TRIGGER ticket_search_ticket_ad AFTER DELETE ON ticket BEGIN "
    "DELETE FROM ticket_search WHERE rowid = OLD.id; END",
    "CREATE TRIGGER ticket_search_message_ai AFTER INSERT ON ticket_message BEGIN "
    "UPDATE ticket_search SET public_text = public_text || char(10) || NEW.body "
    "WHERE rowid = NEW.ticket_id AND NEW.visibility = 'public'; "
    "UPDATE ticket_search SET internal_text = internal_text || char(10) || NEW.body "
    "WHERE rowid = NEW.ticket_id AND NEW.visibility <> 'public'; END",
    "CREATE TRIGGER ticket_search_message_au AFTER UPDATE OF ticket_id, body, visibility ON ticket_message BEGIN "
    f"{_sqlite_refresh('OLD.ticket_id')} {_sqlite_refresh('NEW.ticket_id')} END",
    "CREATE TRIGGER ticket_search_message_ad AFTER DELETE ON ticket_message BEGIN "
    f"{_sqlite_refresh('OLD.ticket_id')} END",
)

# ------------------------------------------------------------------ PostgreSQL

# Keep a document's vectors in its row (up to 8 kB) rather than in TOAST: a search that walks the newest
# tickets reads one page per few rows instead of a TOAST index and chunks per row (34 ms -> 13 ms for a word
# in 6% of 100k tickets).
PG_TOAST_TUPLE_TARGET = 8160
PG_PUBLIC = ("setweight(to_tsvector('simple'::regconfig, subject), 'A') || "
             "setweight(to_tsvector('simple'::regconfig, public_text), 'B')")
PG_TABLE = (
    "CREATE TABLE IF NOT EXISTS ticket_search ("
    "ticket_id integer PRIMARY KEY REFERENCES ticket (id) ON DELETE CASCADE, "
    "subject text NOT NULL DEFAULT '', public_text text NOT NULL DEFAULT '', internal_text text NOT NULL DEFAULT '', "
    f"public_tsv tsvector GENERATED ALWAYS AS ({PG_PUBLIC}) STORED, "
    f"all_tsv tsvector GENERATED ALWAYS AS ({PG_PUBLIC} || "
    "setweight(to_tsvector('simple'::regconfig, internal_text), 'C')) STORED) "
    f"WITH (toast_tuple_target = {PG_TOAST_TUPLE_TARGET})",
    "CREATE INDEX IF NOT EXISTS ix_ticket_search_public ON ticket_search USING gin (public_tsv)",
    "CREATE INDEX IF NOT EXISTS ix_ticket_search_all ON ticket_search USING gin (all_tsv)",
)
PG_PUBLIC_OF = ("(SELECT t.error_text FROM ticket t WHERE t.id = {t}) || coalesce(E'\\n' || (SELECT string_agg(m.body, E'\\n' "
                "ORDER BY m.id) FROM ticket_message m WHERE m.ticket_id = {t} AND m.visibility = 'public'), '')")
PG_INTERNAL_OF = ("coalesce(E'\\n' || (SELECT string_agg(m.body, E'\\n' ORDER BY m.id) FROM ticket_message m "
                  "WHERE m.ticket_id = {t} AND m.visibility <> 'public'), '')")
PG_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION ticket_search_refresh(tid integer) RETURNS void LANGUAGE sql AS $$ "  # noqa: S608  (constant DDL, no input)
    f"UPDATE ticket_search SET public_text = {PG_PUBLIC_OF.format(t='tid')}, "
    f"internal_text = {PG_INTERNAL_OF.format(t='tid')} WHERE ticket_id = tid; $$",
    "CREATE OR REPLACE FUNCTION ticket_search_on_ticket() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN INSERT INTO ticket_search (ticket_id, subject, public_text) "
    "VALUES (NEW.id, NEW.subject, NEW.error_text) ON CONFLICT (ticket_id) DO NOTHING; "
    "ELSE UPDATE ticket_search SET subject = NEW.subject WHERE ticket_id = NEW.id; "
    "PERFORM ticket_search_refresh(NEW.id); END IF; RETURN NULL; END $$",
    "CREATE OR REPLACE FUNCTION ticket_search_on_message() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN "
    "IF NEW.visibility = 'public' THEN UPDATE ticket_search SET public_text = public_text || E'\\n' || NEW.body "
    "WHERE ticket_id = NEW.ticket_id; ELSE UPDATE ticket_search SET internal_text = internal_text || E'\\n' || "
    "NEW.body WHERE ticket_id = NEW.ticket_id; END IF; "
    "ELSIF TG_OP = 'UPDATE' THEN PERFORM ticket_search_refresh(OLD.ticket_id); "
    "IF NEW.ticket_id <> OLD.ticket_id THEN PERFORM ticket_search_refresh(NEW.ticket_id); END IF; "
    "ELSE PERFORM ticket_search_refresh(OLD.ticket_id); END IF; RETURN NULL; END $$",
)
PG_TRIGGERS = (
    "CREATE TRIGGER ticket_search_ticket_ai AFTER INSERT ON ticket FOR EACH ROW "
    "EXECUTE FUNCTION ticket_search_on_ticket()",
    "CREATE TRIGGER ticket_search_ticket_au AFTER UPDATE OF subject, error_text ON ticket FOR EACH ROW "
    "WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.error_text IS DISTINCT FROM NEW.error_text) "
    "EXECUTE FUNCTION ticket_search_on_ticket()",
    "CREATE TRIGGER ticket_search_message_ai AFTER INSERT ON ticket_message FOR EACH ROW "
    "EXECUTE FUNCTION ticket_search_on_message()",
    "CREATE TRIGGER ticket_search_message_au AFTER UPDATE OF ticket_id, body, visibility ON ticket_message "
    "FOR EACH ROW EXECUTE FUNCTION ticket_search_on_message()",
    "CREATE TRIGGER ticket_search_message_ad AFTER DELETE ON ticket_message FOR EACH ROW "
    "EXECUTE FUNCTION ticket_search_on_message()",
)


def _run(conn: Connection, statements: tuple[str, ...] | list[str]) -> None:
    for statement in statements:
        conn.exec_driver_sql(statement)


def create_index(conn: Connection) -> None:
    """Create the index table, its triggers, and fill it from the tickets and messages already there."""
    _run(conn, (SQLITE_TABLE,) if conn.dialect.name == "sqlite" else PG_TABLE + PG_FUNCTIONS)
    resume_triggers(conn)
    rebuild_index(conn)


def drop_index(conn: Connection) -> None:
    """Remove the index, its triggers and functions."""
    suspend_triggers(conn)
    conn.exec_driver_sql("DROP TABLE IF EXISTS ticket_search")
    if conn.dialect.name == "postgresql":
        _run(conn, [f"DROP FUNCTION IF EXISTS {f}" for f in ("ticket_search_on_message()", "ticket_search_on_ticket()",
                                                              "ticket_search_refresh(integer)")])


def suspend_triggers(conn: Connection) -> None:
    """Drop the triggers, for bulk loads that rebuild the index afterwards (see ``rebuild_index``)."""
    if conn.dialect.name == "sqlite":
        _run(conn, [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS])
    else:
        _run(conn, [f"DROP TRIGGER IF EXISTS {name} ON {'ticket' if '_ticket_' in name else 'ticket_message'}"
                    for name in TRIGGERS])


def resume_triggers(conn: Connection) -> None:
    """(Re)create the triggers that keep the index in step with tickets and messages."""
    suspend_triggers(conn)
    _run(conn, SQLITE_TRIGGERS if conn.dialect.name == "sqlite" else PG_TRIGGERS)


def rebuild_index(conn: Connection, *, from_ticket: int = 0) -> None:
    """Rewrite the documents of tickets numbered ``from_ticket`` and above from their rows."""
    params = {"first": from_ticket}
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM ticket_search WHERE rowid >= :first"), params)
        conn.execute(text(
            "INSERT INTO ticket_search (rowid, subject, public_text, internal_text, scope) "  # noqa: S608  (constant SQL)
            "SELECT t.id, t.subject, t.error_text || coalesce(char(10) || p.body, ''), coalesce(char(10) || i.body, ''), "
            f"{_sqlite_scope('t')} "
            "FROM ticket t "
            "LEFT JOIN (SELECT ticket_id, group_concat(body, char(10)) AS body FROM (SELECT ticket_id, body "
            "FROM ticket_message WHERE ticket_id >= :first AND visibility = 'public' ORDER BY ticket_id, id) "
            "GROUP BY ticket_id) p ON p.ticket_id = t.id "
            "LEFT JOIN (SELECT ticket_id, group_concat(body, char(10)) AS body FROM (SELECT ticket_id, body "
            "FROM ticket_message WHERE ticket_id >= :first AND visibility <> 'public' ORDER BY ticket_id, id) "
            "GROUP BY ticket_id) i ON i.ticket_id = t.id "
            "WHERE t.id >= :first"), params)
        return
    conn.execute(text("DELETE FROM ticket_search WHERE ticket_id >= :first"), params)
    conn.execute(text(
        "INSERT INTO ticket_search (ticket_id, subject, public_text, internal_text) "
        "SELECT t.id, t.subject, t.error_text || coalesce(E'\\n' || p.body, ''), coalesce(E'\\n' || i.body, '') "
        "FROM ticket t "
        "LEFT JOIN (SELECT ticket_id, string_agg(body, E'\\n' ORDER BY id) AS body FROM ticket_message "
        "WHERE ticket_id >= :first AND visibility = 'public' GROUP BY ticket_id) p ON p.ticket_id = t.id "
        "LEFT JOIN (SELECT ticket_id, string_agg(body, E'\\n' ORDER BY id) AS body FROM ticket_message "
        "WHERE ticket_id >= :first AND visibility <> 'public' GROUP BY ticket_id) i ON i.ticket_id = t.id "
        "WHERE t.id >= :first"), params)

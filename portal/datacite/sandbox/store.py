"""The sandbox's own SQLite storage (stdlib sqlite3, a file or memory): repositories, DOIs, facet counts."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import astuple
from pathlib import Path
from typing import Any

from portal.datacite.sandbox.facets import FACET_KEY_SQL, facet_terms
from portal.datacite.sandbox.repositories import SandboxRepository
from portal.datacite.sandbox.rows import DOI_COLUMNS, DoiRow

_PLACEHOLDERS = ", ".join("?" for _ in DOI_COLUMNS)
# SQL built from our own column names only; every value is a bound parameter.
SELECT_DOI = f"SELECT id, {', '.join(DOI_COLUMNS)} FROM dois WHERE doi = ?"  # noqa: S608  (fixed column names)
INSERT_DOI = f"INSERT INTO dois ({', '.join(DOI_COLUMNS)}) VALUES ({_PLACEHOLDERS})"  # noqa: S608  (fixed column names)
INSERT_NEW_DOI = INSERT_DOI.replace("INSERT INTO", "INSERT OR IGNORE INTO")
UPDATE_DOI = f"UPDATE dois SET {', '.join(f'{c} = ?' for c in DOI_COLUMNS)} WHERE id = ?"  # noqa: S608  (fixed column names)
FACET_KEY_GROUPS = f"SELECT {', '.join(FACET_KEY_SQL)}, count(*) FROM dois GROUP BY {', '.join(FACET_KEY_SQL)}"  # noqa: S608  (fixed)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS repositories (
    symbol TEXT PRIMARY KEY, password TEXT NOT NULL, api_key TEXT NOT NULL DEFAULT '', prefixes TEXT NOT NULL,
    domains TEXT NOT NULL, name TEXT NOT NULL, active INTEGER NOT NULL, contact_email TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '', provider_name TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dois (id INTEGER PRIMARY KEY, {", ".join(DOI_COLUMNS)}, UNIQUE (doi));
CREATE TABLE IF NOT EXISTS templates (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS dois_text USING fts5(title_text, creator_text, content='dois', content_rowid='id');
CREATE TABLE IF NOT EXISTS facet_counts (
    client_id TEXT NOT NULL, provider_id TEXT NOT NULL, prefix TEXT NOT NULL, state TEXT NOT NULL,
    facet TEXT NOT NULL, value TEXT NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (client_id, prefix, state, facet, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_facets_prefix ON facet_counts (prefix, state, facet);
CREATE INDEX IF NOT EXISTS ix_facets_provider ON facet_counts (provider_id, state, facet);
CREATE INDEX IF NOT EXISTS ix_facets_state ON facet_counts (state, facet);
"""  # noqa: S608  (fixed DDL)
# The full-text index follows the dois table through triggers (dropped during bulk loads, then rebuilt).
_TEXT_TRIGGERS = """
CREATE TRIGGER IF NOT EXISTS dois_text_insert AFTER INSERT ON dois BEGIN
    INSERT INTO dois_text (rowid, title_text, creator_text) VALUES (new.id, new.title_text, new.creator_text);
END;
CREATE TRIGGER IF NOT EXISTS dois_text_delete AFTER DELETE ON dois BEGIN
    INSERT INTO dois_text (dois_text, rowid, title_text, creator_text) VALUES ('delete', old.id, old.title_text, old.creator_text);
END;
CREATE TRIGGER IF NOT EXISTS dois_text_update AFTER UPDATE OF title_text, creator_text ON dois BEGIN
    INSERT INTO dois_text (dois_text, rowid, title_text, creator_text) VALUES ('delete', old.id, old.title_text, old.creator_text);
    INSERT INTO dois_text (rowid, title_text, creator_text) VALUES (new.id, new.title_text, new.creator_text);
END;
"""
# Secondary indices: dropped during big bulk loads and rebuilt after (much faster than maintaining them).
INDICES = {
    "ix_dois_client": "dois (client_id, state, updated_ms)",
    "ix_dois_state": "dois (state, updated_ms)",
    "ix_dois_prefix": "dois (prefix, state)",
    "ix_dois_created": "dois (created_ms, doi)",
    "ix_dois_updated": "dois (updated_ms)",
}
_FACET_UPSERT = """
INSERT INTO facet_counts (client_id, provider_id, prefix, state, facet, value, count) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (client_id, prefix, state, facet, value) DO UPDATE SET count = count + excluded.count
"""


class Store:
    """A SQLite database for one sandbox; every method is safe to call from server threads."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.executescript(_SCHEMA)
        self.create_indices()
        self._templates: dict[int, str] = {}

    def close(self) -> None:
        """Close the connection."""
        with self.lock:
            self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work under the store lock."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def create_indices(self, *, analyze: bool = False) -> None:
        """Create the secondary indices and full-text triggers that are missing (rebuilding the text index then)."""
        with self.lock:
            for name, target in INDICES.items():
                self.conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")
            missing = self.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0] == 0
            if missing:
                self.conn.execute("INSERT INTO dois_text (dois_text) VALUES ('rebuild')")
                self.conn.executescript(_TEXT_TRIGGERS)
            if analyze:
                # Full statistics: sampled ones (analysis_limit) led the planner to sort whole tables at 1M rows.
                self.conn.execute("ANALYZE")

    def drop_indices(self) -> None:
        """Drop the secondary indices and full-text triggers (before a bulk load)."""
        with self.lock:
            for name in INDICES:
                self.conn.execute(f"DROP INDEX IF EXISTS {name}")
            for name in ("dois_text_insert", "dois_text_delete", "dois_text_update"):
                self.conn.execute(f"DROP TRIGGER IF EXISTS {name}")

    # ------------------------------------------------------------ repositories

    def save_repository(self, repository: SandboxRepository, now_ms: int) -> None:
        """Insert or replace a repository, keeping its first creation time."""
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO repositories VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (symbol) DO UPDATE SET password=excluded.password, api_key=excluded.api_key,
                   prefixes=excluded.prefixes, domains=excluded.domains, name=excluded.name, active=excluded.active,
                   contact_email=excluded.contact_email, provider=excluded.provider, provider_name=excluded.provider_name,
                   updated_ms=excluded.updated_ms""",
                (repository.symbol, repository.password, repository.api_key, json.dumps(repository.prefixes),
                 repository.domains, repository.name, int(repository.active), repository.contact_email,
                 repository.provider, repository.provider_name, now_ms, now_ms),
            )

    def load_repositories(self) -> dict[str, SandboxRepository]:
        """Every stored repository by upper-case symbol."""
        with self.lock:
            rows = self.conn.execute("SELECT * FROM repositories").fetchall()
        return {
            r["symbol"]: SandboxRepository(
                symbol=r["symbol"], password=r["password"], prefixes=json.loads(r["prefixes"]), domains=r["domains"],
                name=r["name"], active=bool(r["active"]), contact_email=r["contact_email"], api_key=r["api_key"],
                provider=r["provider"], provider_name=r["provider_name"],
            )
            for r in rows
        }

    def repository_times(self, symbol: str) -> tuple[int, int] | None:
        """(created_ms, updated_ms) of a repository."""
        with self.lock:
            row = self.conn.execute("SELECT created_ms, updated_ms FROM repositories WHERE symbol = ?", (symbol,)).fetchone()
        return (row[0], row[1]) if row else None

    # ------------------------------------------------------------ DOIs

    def get(self, doi: str) -> DoiRow | None:
        """The DOI (case-insensitive), or None."""
        with self.lock:
            row = self.conn.execute(SELECT_DOI, (doi.lower(),)).fetchone()
        return self.to_doi(row) if row else None

    def to_doi(self, row: sqlite3.Row) -> DoiRow:
        """A DoiRow from a ``SELECT id, <DOI_COLUMNS>`` result row, its metadata template filled in."""
        doi = DoiRow(**{name: row[name] for name in DOI_COLUMNS}, id=row["id"])
        if doi.template_id is not None:
            title = json.dumps(doi.metadata, ensure_ascii=False)[1:-1]
            doi.metadata = self._template(doi.template_id).format(title, doi.publication_year)
            doi.template_id = None
        return doi

    def _template(self, template_id: int) -> str:
        body = self._templates.get(template_id)
        if body is None:
            with self.lock:
                found = self.conn.execute("SELECT body FROM templates WHERE id = ?", (template_id,)).fetchone()
            body = self._templates[template_id] = found[0] if found else "{{}}"
        return body

    def add_templates(self, bodies: list[str]) -> list[int]:
        """Store str.format metadata templates ({0}: JSON-escaped title, {1}: year); returns their ids."""
        with self.transaction() as conn:
            return [int(conn.execute("INSERT INTO templates (body) VALUES (?)", (b,)).lastrowid or 0) for b in bodies]

    def insert(self, row: DoiRow) -> DoiRow:
        """Store a new DOI and count it in the facets; returns it with its internal id."""
        with self.transaction() as conn:
            cursor = conn.execute(INSERT_DOI, astuple(row)[:-1])
            row.id = cursor.lastrowid
            self._count(conn, [(row.facet_key(), 1)])
        return row

    def update(self, old: DoiRow, new: DoiRow) -> DoiRow:
        """Replace a stored DOI's columns and move its facet counts."""
        with self.transaction() as conn:
            conn.execute(UPDATE_DOI, (*astuple(new)[:-1], old.id))
            if old.facet_key() != new.facet_key():
                self._count(conn, [(old.facet_key(), -1), (new.facet_key(), 1)])
        new.id = old.id
        return new

    def delete(self, row: DoiRow) -> None:
        """Remove a DOI and its facet counts."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM dois WHERE id = ?", (row.id,))
            self._count(conn, [(row.facet_key(), -1)])

    def bulk_insert(self, rows: Iterable[DoiRow]) -> int:
        """Insert many new DOIs in one transaction (existing DOI names are skipped); returns how many went in."""
        inserted = 0
        keys: Counter[tuple[Any, ...]] = Counter()
        with self.transaction() as conn:
            for row in rows:
                cursor = conn.execute(INSERT_NEW_DOI, astuple(row)[:-1])
                if cursor.rowcount:
                    inserted += 1
                    keys[row.facet_key()] += 1
            self._count(conn, list(keys.items()))
        return inserted

    def insert_many(self, rows: list[tuple[Any, ...]], counts: Counter[tuple[str, ...]]) -> int:
        """Fast path for the seeder: column tuples in DOI_COLUMNS order plus their facet counts, keyed
        (client_id, provider_id, prefix, state, facet, value)."""
        with self.transaction() as conn:
            # rowcount excludes the full-text trigger's rows (total_changes would not).
            inserted = conn.executemany(INSERT_NEW_DOI, rows).rowcount
            if inserted == len(rows):
                self._apply_counts(conn, counts)
        if inserted != len(rows):
            # Some names existed already: recount what is stored rather than what was offered.
            self.rebuild_facet_counts()
        return inserted

    def _count(self, conn: sqlite3.Connection, deltas: list[tuple[tuple[Any, ...], int]]) -> None:
        merged: Counter[tuple[str, ...]] = Counter()
        for key, times in deltas:
            client_id, provider_id, prefix, state = key[:4]
            for facet, value, amount in facet_terms(key):
                merged[(client_id, provider_id, prefix, state, facet, value)] += amount * times
        self._apply_counts(conn, merged)

    def _apply_counts(self, conn: sqlite3.Connection, merged: Counter[tuple[str, ...]]) -> None:
        conn.executemany(_FACET_UPSERT, [(*k, n) for k, n in merged.items() if n])
        conn.executemany(
            "DELETE FROM facet_counts WHERE client_id = ? AND prefix = ? AND state = ? AND facet = ? AND value = ? AND count <= 0",
            [(k[0], k[2], k[3], k[4], k[5]) for k, n in merged.items() if n < 0],
        )

    def rebuild_facet_counts(self) -> None:
        """Recount every facet from the DOIs table (after a bulk load, or to repair)."""
        keys: Counter[tuple[Any, ...]] = Counter()
        with self.lock:
            for row in self.conn.execute(FACET_KEY_GROUPS):
                keys[tuple(row)[:-1]] += row[-1]
            with self.transaction() as conn:
                conn.execute("DELETE FROM facet_counts")
                self._count(conn, list(keys.items()))

    def facet_count_rows(self) -> list[tuple[Any, ...]]:
        """Every facet count row, sorted (for consistency checks)."""
        with self.lock:
            return sorted(tuple(r) for r in self.conn.execute("SELECT * FROM facet_counts"))

    def max_id(self) -> int:
        """The highest internal DOI id so far (0 when empty)."""
        with self.lock:
            return self.conn.execute("SELECT coalesce(max(id), 0) FROM dois").fetchone()[0]

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Run a read query under the lock."""
        with self.lock:
            return self.conn.execute(sql, tuple(params)).fetchall()


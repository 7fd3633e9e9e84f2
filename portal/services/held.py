"""Small reference lists held in memory per process: read once, then served from memory until their tables change.

Desk pages show the same short lists on every request (organisations, agents, groups, canned answers). A ``Held``
list is read from the database once and kept as plain data (tuples, never ORM rows: those belong to one session):

- every statement this process sends that begins with INSERT, UPDATE or DELETE is seen on its connection (whatever
  sent it: the ORM, Core, raw SQL, a migration; the portal writes no other way), and when that transaction ends the written tables move on, so this process's next read loads
  the list again;
- whatever happens, a list is kept at most ``TTL_SECONDS``: the bound on how long another process's change (the
  scheduler, a second web worker, a CLI command) takes to show here;
- a session with its own uncommitted changes to such a table reads the database, so it always sees its own writes.

Lists are kept per connection pool, so the databases a test run or a tool opens in one process never mix.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any, Generic, NamedTuple, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Select, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.pool import Pool
from sqlmodel import Session

T = TypeVar("T")


class Choice(NamedTuple):
    """What a choice list needs of a row: its id and the name it is shown by."""

    id: int
    name: str


# Short on purpose: several web workers and the scheduler each hold their own lists, and a person who adds an
# organisation or a canned answer through one worker may load the next page from another. Under load (many requests
# a second per process, when the saving matters) nearly every request is still served from memory.
TTL_SECONDS = 5.0
clock = time.monotonic  # tests move it on

_WRITTEN = "portal.held.written"  # tables written in the connection's current transaction
_ALL = "*"
# An INSERT/UPDATE/DELETE names its table; statements that change a schema or empty tables touch them all.
_WRITE = re.compile(r"\s*(?:(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)"
                    r"|(TRUNCATE|ALTER|DROP|CREATE)\b)", re.IGNORECASE)

_lock = threading.Lock()
_generation: defaultdict[str, int] = defaultdict(int)  # table -> transactions of this process that wrote it
_watched: set[str] = set()
_committed = threading.local()  # tables of this thread's last commit, moved on again once the session has committed


def tables_written(statement: str) -> set[str]:
    """The watched tables a SQL statement may change (all of them for TRUNCATE, ALTER, DROP, CREATE)."""
    found = _WRITE.match(statement)
    if found is None:
        return set()
    if found.group(2):
        return {_ALL}
    table = found.group(1).lower()
    return {table} if table in _watched else set()


def _move_on(tables: Iterable[str]) -> None:
    names = set(tables)
    if _ALL in names:
        names = set(_watched)
    with _lock:
        for name in names:
            _generation[name] += 1


@event.listens_for(Engine, "after_cursor_execute")
def _seen(conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
    tables = tables_written(statement)
    if tables:
        conn.info.setdefault(_WRITTEN, set()).update(tables)


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")  # a rolled-back write only costs one extra read; AUTOCOMMIT writes end here
def _ended(conn: Any) -> None:
    tables = conn.info.pop(_WRITTEN, None)
    if tables:
        _move_on(tables)
        _committed.tables = getattr(_committed, "tables", set()) | tables


@event.listens_for(OrmSession, "after_commit")
def _after_commit(_session: OrmSession) -> None:
    # The commit event above fires just before the database commits: a read in that instant would keep the old
    # list under the new generation. Moving on again once the commit is done closes that gap for sessions.
    tables = getattr(_committed, "tables", None)
    if tables:
        _committed.tables = set()
        _move_on(tables)


def _writing(session: Session, tables: tuple[str, ...]) -> bool:
    """Whether the session holds its own changes to one of ``tables``, pending or flushed but not committed."""
    if session.new or session.deleted or session.identity_map.check_modified():
        for obj in chain(session.new, session.deleted, session.dirty):
            if getattr(obj, "__tablename__", None) in tables:
                return True
    if not session.in_transaction():
        return False
    written = session.connection().info.get(_WRITTEN)
    return bool(written) and (_ALL in written or not written.isdisjoint(tables))


class Held(Generic[T]):
    """What ``load(session, *args)`` reads from ``tables``, held per process (and per ``args``) as described above."""

    def __init__(self, tables: tuple[str, ...], load: Callable[..., T], *, ttl: float | None = None) -> None:
        self.tables = tuple(t.lower() for t in tables)
        self.load = load
        self.ttl = ttl
        self._held: WeakKeyDictionary[Pool, dict[tuple[Any, ...], tuple[tuple[int, ...], float, T]]] = (
            WeakKeyDictionary())
        _watched.update(self.tables)

    def __call__(self, session: Session, *args: Any) -> T:
        if _writing(session, self.tables):
            return self.load(session, *args)
        held = self._held.setdefault(session.get_bind().pool, {})
        key = tuple(_generation[t] for t in self.tables)  # taken before reading: a commit meanwhile moves it on
        moment = clock()
        entry = held.get(args)
        if entry is not None and entry[0] == key and entry[1] > moment:
            return entry[2]
        value = self.load(session, *args)
        if len(held) > 16:  # arguments are few (a date, say): never let them pile up
            held.clear()
        held[args] = (key, moment + (TTL_SECONDS if self.ttl is None else self.ttl), value)
        return value


def choice_list(table: str, stmt: Select[Any]) -> Held[tuple[Choice, ...]]:
    """A held list of choices read from ``table`` by ``stmt``, which selects an id and a name, in order."""
    return Held((table,), lambda session: tuple(Choice(int(i or 0), n) for i, n in session.exec(stmt).all()))

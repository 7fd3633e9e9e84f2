"""search_tickets: ranked, highlighted, paginated ticket search on either database, within what the viewer may see."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import column, func, literal_column, table, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal.models import Organisation, Ticket, User
from portal.services.pagination import Page, clamp_page, paginate
from portal.services.search.highlight import mark, snippet
from portal.services.search.index import scope_token
from portal.services.search.query import Query, fts5_expression, parse_query
from portal.services.tickets.filters import QueueFilters, apply_filters, doi_match
from portal.services.tickets.visibility import is_desk

SQLITE_DOC = table("ticket_search", column("rowid"), column("subject"), column("public_text"), column("internal_text"))
PG_DOC = table("ticket_search", column("ticket_id"), column("subject"), column("public_text"), column("internal_text"),
               column("public_tsv"), column("all_tsv"))
# bm25 column weights: a word in the subject counts most, then the public conversation, then internal notes.
SQLITE_RANK = "bm25(ticket_search, 8.0, 2.0, 1.0, 0.0)"
CANDIDATES = 300  # walking the index newest first costs per row scanned; 300 keeps a common word under 50 ms at 100k tickets
WINDOW = 4  # PostgreSQL: word matches are sought among the newest 4 x CANDIDATES tickets first (then 8x as many, ...)


@dataclass
class Hit:
    """One search result: the ticket row as lists show it, with its subject and an excerpt highlighted."""

    ticket: Ticket
    organisation: str
    assignee: str
    subject_html: Markup
    snippet: Markup | None = None
    snippet_internal: bool = False


@dataclass
class SearchPage(Page[Hit]):
    """A page of hits; ``limited`` when a common query was ranked among the newest CANDIDATES matches only."""

    limited: bool = False


def _ranked_page(session: Session, stmt: Any, scored: list[tuple[int, float]], *, page: int, per_page: int) -> Page[Any]:
    """Rank the candidates in Python (at most CANDIDATES rows) and load only the page's tickets."""
    scored = sorted(scored, key=lambda row: (-(row[1] or 0.0), -row[0]))
    page, per_page = clamp_page(page, per_page)
    page = min(page, max(1, -(-len(scored) // per_page)))
    ids = [int(row[0]) for row in scored[(page - 1) * per_page: page * per_page]]
    rows = {t.id: (t, o, a) for t, o, a in session.execute(stmt.where(Ticket.id.in_(ids))).all()} if ids else {}  # type: ignore[union-attr]
    return Page(items=[rows[i] for i in ids if i in rows], total=len(scored), page=page, per_page=per_page)


def _candidates(session: Session, query: Query, *, include_internal: bool, where: Any, limit: int,
                organisation_id: int | None = None) -> list[tuple[int, float]]:
    """The newest ``limit`` (CANDIDATES) matching tickets (after the filters), each with its relevance score (higher is better).

    Ranking every match of a common word would cost time in proportion to the whole archive; taking the newest
    matches and ranking a bounded set keeps a search fast at any size, and exact whenever fewer match.
    """
    if session.get_bind().dialect.name == "sqlite":
        # FTS5 walks its index newest rowid first and stops at the limit; within one organisation it intersects
        # with that organisation's scope token first (the SQL filters below still decide what is seen).
        columns = None if include_internal else ("subject", "public_text")
        expression = fts5_expression(query, columns=columns)
        if organisation_id is not None:
            expression = f'({expression}) AND scope : "{scope_token(organisation_id)}"'
        inner = (select(Ticket.id.label("tid"), literal_column(f"-{SQLITE_RANK}").label("score"))  # type: ignore[union-attr]
                 .select_from(SQLITE_DOC).join(Ticket, Ticket.id == SQLITE_DOC.c.rowid)
                 .where(text("ticket_search MATCH :fts").bindparams(fts=expression)))
        found = session.execute(where(inner).order_by(SQLITE_DOC.c.rowid.desc()).limit(limit)).all()
        return [(int(tid), float(score or 0.0)) for tid, score in found]
    return _pg_candidates(session, query, include_internal=include_internal, where=where, limit=limit)


def _pg_candidates(session: Session, query: Query, *, include_internal: bool, where: Any,
                   limit: int) -> list[tuple[int, float]]:
    """PostgreSQL: the newest ``limit`` matches, sought among the newest tickets first.

    How far back to look first follows how common the words are (the planner's statistics, then what was seen):
    a word in a quarter of the tickets or more is found by reading the newest WINDOW x limit documents in order,
    without its long GIN posting list (three such words through GIN cost 26 ms at 100k tickets); a rarer one
    through GIN in a window of ticket numbers expected to hold twice ``limit`` matches, which grows eightfold until
    ``limit`` are found or it holds every ticket. Walking the whole primary key newest first instead costs per row
    read (13 ms for a word in 6% of 100k tickets). Ranking reads the chosen documents only.
    """
    tsquery = func.plainto_tsquery(literal_column("'simple'::regconfig"), " ".join(query.terms))
    vector = PG_DOC.c.all_tsv if include_internal else PG_DOC.c.public_tsv
    # Parallel workers cost more to start (5-9 ms) than these bounded reads take.
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    span = WINDOW * limit
    share = _word_share(session, vector.name, query.terms)
    if share is None or share * span >= limit:
        # The subquery's own LIMIT makes it a walk down the primary key, newest first, that stops at ``limit``.
        recent = (select(PG_DOC.c.ticket_id, vector.label("vector")).order_by(PG_DOC.c.ticket_id.desc())
                  .limit(span).subquery())
        ids = _ids(session, where(select(Ticket.id.label("tid")).select_from(recent)  # type: ignore[union-attr]
                                  .join(Ticket, Ticket.id == recent.c.ticket_id)
                                  .where(recent.c.vector.op("@@")(tsquery))
                                  .order_by(recent.c.ticket_id.desc()).limit(limit)))
        if len(ids) >= limit:
            return _ranked(session, vector, tsquery, ids)
        share = len(ids) / span  # what the newest tickets showed, filters included
    newest = session.execute(select(func.max(PG_DOC.c.ticket_id))).scalar() or 0
    span = max(span * 2, int(2 * limit / share)) if share else newest
    while True:
        matching = (select(Ticket.id.label("tid")).select_from(PG_DOC)  # type: ignore[union-attr]
                    .join(Ticket, Ticket.id == PG_DOC.c.ticket_id).where(vector.op("@@")(tsquery)))
        if newest - span > 0:
            matching = matching.where(PG_DOC.c.ticket_id > newest - span)
        ids = _ids(session, where(matching).order_by(PG_DOC.c.ticket_id.desc()).limit(limit))
        if len(ids) >= limit or newest - span <= 0:
            return _ranked(session, vector, tsquery, ids)
        span *= 8


def _ranked(session: Session, vector: Any, tsquery: Any, ids: list[int]) -> list[tuple[int, float]]:
    if not ids:
        return []
    ranked = session.execute(select(PG_DOC.c.ticket_id, func.ts_rank(vector, tsquery))
                             .where(PG_DOC.c.ticket_id.in_(ids))).all()
    return [(int(tid), float(score or 0.0)) for tid, score in ranked]


_SHARES: dict[tuple[str, str], tuple[float, dict[str, float], float]] = {}
SHARES_TTL_SECONDS = 600.0


def _word_share(session: Session, column_name: str, terms: tuple[str, ...]) -> float | None:
    """The planner's estimate of the share of documents holding every term (the least common term's share),
    from the index column's most-common-element statistics; None before ANALYZE has run."""
    key = (str(session.get_bind().url), column_name)
    held = _SHARES.get(key)
    if held is None or held[0] < time.monotonic():
        row = session.execute(text(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = 'ticket_search' AND attname = :column"),
            {"column": column_name}).first()
        elements, freqs = (row[0] or [], row[1] or []) if row else ([], [])
        shares = dict(zip(elements, freqs[:len(elements)], strict=True))
        held = (time.monotonic() + SHARES_TTL_SECONDS, shares, min(shares.values(), default=0.0))
        _SHARES[key] = held
    _, shares, floor = held
    if not shares or not terms:
        return None
    return min(shares.get(term, floor / 2) for term in terms)


def _ids(session: Session, stmt: Any) -> list[int]:
    return [int(i) for i in session.execute(stmt).scalars().all()]


def _documents(session: Session, ids: list[int], *, dialect: str, include_internal: bool) -> dict[int, tuple[str, ...]]:
    if not ids:
        return {}
    doc = SQLITE_DOC if dialect == "sqlite" else PG_DOC
    key = doc.c.rowid if dialect == "sqlite" else doc.c.ticket_id
    internal = doc.c.internal_text if include_internal else literal_column("''")
    rows = session.execute(select(key, doc.c.public_text, internal).where(key.in_(ids))).all()
    return {int(r[0]): (r[1] or "", r[2] or "") for r in rows}


def _hit(ticket: Ticket, organisation: str, assignee: str, query: Query, doc: tuple[str, ...]) -> Hit:
    if query.kind in ("number", "empty"):
        return Hit(ticket, organisation, assignee, escape(ticket.subject))
    public, internal = doc if doc else ("", "")
    excerpt, in_note = snippet(public, query), False
    if excerpt is None and internal:
        excerpt, in_note = snippet(internal, query), True
    return Hit(ticket, organisation, assignee, mark(ticket.subject, query), excerpt, in_note and excerpt is not None)


def search_tickets(
    session: Session,
    *,
    viewer: User,
    query: str,
    filters: QueueFilters | None = None,
    now: datetime,
    page: int = 1,
    per_page: int = 25,
    candidates: int = CANDIDATES,
) -> SearchPage:
    """Tickets matching words (ranked), a DOI (exactly) or a prefix, within the viewer's scope and the filters.

    Words are ranked among the newest ``candidates`` matches (all of them when fewer match).
    """
    parsed = parse_query(query)
    if parsed.kind == "empty":
        page, per_page = clamp_page(page, per_page)
        return SearchPage(items=[], total=0, page=1, per_page=per_page)
    dialect = session.get_bind().dialect.name
    include_internal = is_desk(viewer)
    assignee = aliased(User)
    stmt = (
        select(Ticket, Organisation.name, assignee.name)
        .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)  # type: ignore[arg-type]
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)  # type: ignore[arg-type]
    )
    filters = filters or QueueFilters(view="all")

    def where(statement: Any) -> Any:
        return apply_filters(statement, viewer, filters, now=now)

    if parsed.kind == "words":
        within = filters.organisation_id if is_desk(viewer) else viewer.organisation_id
        scored = _candidates(session, parsed, include_internal=include_internal, where=where, limit=candidates,
                             organisation_id=within)
        result = _ranked_page(session, stmt, scored, page=page, per_page=per_page)
    else:
        if parsed.kind == "number":
            stmt = where(stmt).where(Ticket.id == parsed.number)
        else:
            ids = where(select(Ticket.id).where(Ticket.id.in_(doi_match(parsed.doi or parsed.prefix))))  # type: ignore[union-attr]
            stmt = stmt.where(Ticket.id.in_(ids)).order_by(Ticket.updated_at.desc(), Ticket.id.desc())  # type: ignore[union-attr]
        result = paginate(session, stmt, page=page, per_page=per_page, scalars=False)
    docs = _documents(session, [t.id for t, _, _ in result.items], dialect=dialect, include_internal=include_internal)
    items = [_hit(t, o or "", a or "", parsed, docs.get(t.id or 0, ())) for t, o, a in result.items]
    return SearchPage(items=items, total=result.total, page=result.page, per_page=result.per_page,
                      limited=parsed.kind == "words" and result.total >= candidates)

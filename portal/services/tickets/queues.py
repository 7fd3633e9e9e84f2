"""Ticket lists: the agents' views and the members' list, filtered, sorted and paged with indexed queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal.models import Organisation, Status, Ticket, User
from portal.models.tickets import ACTIVE_STATUSES, PRIORITY_RANK
from portal.services.pagination import Page, clamp_page
from portal.services.tickets.filters import SOON, VIEWS, QueueFilters, apply_filters, doi_match
from portal.services.tickets.visibility import scope

__all__ = ["SOON", "VIEWS", "QueueFilters", "TicketRow", "bulk_targets", "counts", "doi_match", "list_tickets"]


COUNT_CAP = 10_000  # the queue counts matches up to this many


@dataclass
class TicketRow:
    ticket: Ticket
    organisation: str
    assignee: str


def _priority_order() -> Any:
    from sqlalchemy import case

    return case({p.value: rank for p, rank in PRIORITY_RANK.items()}, value=Ticket.priority, else_=1)


SORTS: dict[str, Any] = {
    "updated": Ticket.updated_at,
    "created": Ticket.created_at,
    "number": Ticket.id,
    "due": Ticket.sla_due_at,
    "subject": Ticket.subject,
}


def list_tickets(
    session: Session,
    viewer: User,
    filters: QueueFilters,
    *,
    now: datetime,
    sort: str = "",
    descending: bool = True,
    page: int = 1,
    per_page: int = 25,
    exact_total: bool = False,
    count_cap: int | None = None,
    known_total: int | None = None,
) -> Page[TicketRow]:
    """One page of the tickets the viewer may see, for a view and filters; words in ``q`` search (ranked).

    Unless ``exact_total``, the total is counted up to ``count_cap`` (default COUNT_CAP); beyond it the page says "more than" and paging
    goes on while pages are full. Counting 100,000 closed tickets exactly costs more than the page itself.
    ``known_total``: the caller already counted these tickets (the view's tab count, same ``now``)."""
    q = filters.q.strip().lstrip("#")
    if q and not q.isdigit():
        from portal.services.search.service import search_tickets

        return search_tickets(session, viewer=viewer, query=filters.q, filters=filters, now=now,  # type: ignore[return-value]
                              page=page, per_page=per_page)
    assignee = aliased(User)
    stmt = (
        select(Ticket, Organisation.name, assignee.name)
        .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)  # type: ignore[arg-type]
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)  # type: ignore[arg-type]
    )
    # Counted and sorted on the ticket table alone: the outer joins for names would make SQLite visit every row twice.
    matching = apply_filters(select(Ticket.id), viewer, filters, now=now)
    if q:
        matching = matching.where(Ticket.id == int(q))
    cap = None if exact_total or known_total is not None else (count_cap or COUNT_CAP)
    counted = matching if cap is None else matching.limit(cap + 1)
    column = SORTS.get(sort)
    if sort == "priority":
        order = [_priority_order().desc() if descending else _priority_order().asc(), Ticket.id.desc()]  # type: ignore[union-attr]
    elif column is not None:
        order = [column.desc() if descending else column.asc(), Ticket.id.desc()]  # type: ignore[union-attr]
    elif filters.view == "breaching":
        order = [Ticket.sla_due_at.asc(), Ticket.id]  # type: ignore[union-attr]
    else:
        order = [Ticket.updated_at.desc(), Ticket.id.desc()]  # type: ignore[union-attr]
    page, per_page = clamp_page(page, per_page)
    total = known_total if known_total is not None else int(session.exec(
        select(func.count()).select_from(counted.subquery())).one())
    more = cap is not None and total > cap
    if more:
        total = cap  # type: ignore[assignment]
    else:
        page = min(page, max(1, -(-total // per_page)))
    # The page's ticket numbers first, sorted on the narrow rows of the index; then those 25 tickets with names.
    numbers = matching.order_by(*order).limit(per_page).offset((page - 1) * per_page).subquery()
    rows = session.execute(stmt.where(Ticket.id.in_(select(numbers.c.id))).order_by(*order)).all()  # type: ignore[union-attr]
    items = [TicketRow(ticket=t, organisation=o or "", assignee=a or "") for t, o, a in rows]
    return Page(items=items, total=total, page=page, per_page=per_page, more=more)


def counts(session: Session, viewer: User, *, now: datetime) -> dict[str, int]:
    """How many tickets each agent view holds, for the home page and the queue's tabs: one query over the
    active tickets (a few thousand at most; closed and resolved tickets are not read)."""
    active = Ticket.status.in_(ACTIVE_STATUSES)  # type: ignore[attr-defined]
    views = {
        "mine": Ticket.assignee_id == viewer.id,
        "unassigned": Ticket.assignee_id.is_(None),  # type: ignore[union-attr]
        "breaching": Ticket.sla_due_at <= now + SOON,  # type: ignore[operator]
        "waiting_datacite": Ticket.status == Status.waiting_datacite,
    }
    stmt = select(func.count(), *(func.count().filter(condition) for condition in views.values()))
    row = session.exec(scope(stmt.select_from(Ticket).where(active), viewer)).one()
    return {"open": int(row[0]), **{name: int(n) for name, n in zip(views, row[1:], strict=True)}}


def bulk_targets(session: Session, viewer: User, numbers: list[int]) -> list[Ticket]:
    """The tickets of a bulk action that the viewer may see, in number order."""
    if not numbers:
        return []
    stmt = scope(select(Ticket).where(Ticket.id.in_(numbers[:500])), viewer)  # type: ignore[union-attr]
    return list(session.exec(stmt.order_by(Ticket.id)).all())



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
) -> Page[TicketRow]:
    """One page of the tickets the viewer may see, for a view and filters; words in ``q`` search (ranked)."""
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
    stmt = apply_filters(stmt, viewer, filters, now=now)
    # Counted on the ticket table alone: the outer joins for names would make SQLite visit every row twice.
    count = apply_filters(select(func.count()).select_from(Ticket), viewer, filters, now=now)
    if q:
        stmt = stmt.where(Ticket.id == int(q))
        count = count.where(Ticket.id == int(q))
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
    total = int(session.exec(count).one())
    page = min(page, max(1, -(-total // per_page)))
    rows = session.execute(stmt.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    items = [TicketRow(ticket=t, organisation=o or "", assignee=a or "") for t, o, a in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)


def counts(session: Session, viewer: User, *, now: datetime) -> dict[str, int]:
    """How many tickets each agent view holds, for the home page and the queue's tabs."""
    active = Ticket.status.in_(ACTIVE_STATUSES)  # type: ignore[attr-defined]

    def count(*conditions: Any) -> int:
        return session.exec(scope(select(func.count()).select_from(Ticket), viewer).where(*conditions)).one()

    return {
        "mine": count(active, Ticket.assignee_id == viewer.id),
        "unassigned": count(active, Ticket.assignee_id.is_(None)),  # type: ignore[union-attr]
        "breaching": count(active, Ticket.sla_due_at <= now + SOON),  # type: ignore[operator]
        "waiting_datacite": count(Ticket.status == Status.waiting_datacite),
        "open": count(active),
    }


def bulk_targets(session: Session, viewer: User, numbers: list[int]) -> list[Ticket]:
    """The tickets of a bulk action that the viewer may see, in number order."""
    if not numbers:
        return []
    stmt = scope(select(Ticket).where(Ticket.id.in_(numbers[:500])), viewer)  # type: ignore[union-attr]
    return list(session.exec(stmt.order_by(Ticket.id)).all())



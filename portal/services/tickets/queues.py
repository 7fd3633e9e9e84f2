"""Ticket lists: the agents' views and the members' list, filtered, sorted and paged with indexed queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from portal.identifiers import normalise_doi, normalise_prefix
from portal.models import Organisation, Priority, Status, Ticket, TicketDoi, TicketTag, User
from portal.models.tickets import ACTIVE_STATUSES, PRIORITY_RANK
from portal.services.pagination import Page, paginate
from portal.services.tickets.visibility import scope

VIEWS = {
    "mine": "My open tickets",
    "unassigned": "Unassigned",
    "breaching": "Breaching soon",
    "waiting_datacite": "Waiting on DataCite",
    "open": "All open",
    "all": "All tickets",
}
SOON = timedelta(hours=2)


@dataclass
class QueueFilters:
    view: str = "open"
    status: list[str] = field(default_factory=list)
    priority: str = ""
    category: str = ""
    group_id: int | None = None
    assignee_id: int | None = None
    organisation_id: int | None = None
    repository_id: int | None = None
    tag: str = ""
    doi: str = ""
    channel: str = ""
    q: str = ""


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
    """One page of the tickets the viewer may see, for a view and filters."""
    assignee = aliased(User)
    stmt = (
        select(Ticket, Organisation.name, assignee.name)
        .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)  # type: ignore[arg-type]
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)  # type: ignore[arg-type]
    )
    stmt = scope(stmt, viewer)
    view = filters.view if filters.view in VIEWS else "open"
    if view == "mine":
        stmt = stmt.where(Ticket.assignee_id == viewer.id, Ticket.status.in_(ACTIVE_STATUSES))  # type: ignore[attr-defined]
    elif view == "unassigned":
        stmt = stmt.where(Ticket.assignee_id.is_(None), Ticket.status.in_(ACTIVE_STATUSES))  # type: ignore[union-attr,attr-defined]
    elif view == "breaching":
        stmt = stmt.where(Ticket.status.in_(ACTIVE_STATUSES), Ticket.sla_due_at <= now + SOON)  # type: ignore[attr-defined,operator]
    elif view == "waiting_datacite":
        stmt = stmt.where(Ticket.status == Status.waiting_datacite)
    elif view == "open" and not filters.status:
        stmt = stmt.where(Ticket.status.in_(ACTIVE_STATUSES))  # type: ignore[attr-defined]
    statuses = [s for s in filters.status if s in {x.value for x in Status}]
    if statuses:
        stmt = stmt.where(Ticket.status.in_(statuses))  # type: ignore[attr-defined]
    if filters.priority in {p.value for p in Priority}:
        stmt = stmt.where(Ticket.priority == filters.priority)
    if filters.category:
        stmt = stmt.where(Ticket.category == filters.category)
    if filters.channel:
        stmt = stmt.where(Ticket.channel == filters.channel)
    if filters.group_id is not None:
        stmt = stmt.where(Ticket.group_id == filters.group_id)
    if filters.assignee_id is not None:
        stmt = stmt.where(Ticket.assignee_id == filters.assignee_id)
    if filters.organisation_id is not None:
        stmt = stmt.where(Ticket.organisation_id == filters.organisation_id)
    if filters.repository_id is not None:
        stmt = stmt.where(Ticket.repository_id == filters.repository_id)
    if filters.tag:
        stmt = stmt.where(Ticket.id.in_(select(TicketTag.ticket_id).where(TicketTag.tag == filters.tag.lower())))  # type: ignore[union-attr]
    if filters.doi:
        stmt = stmt.where(Ticket.id.in_(doi_match(filters.doi)))  # type: ignore[union-attr]
    if filters.q:
        q = filters.q.strip().lstrip("#")
        if q.isdigit():
            stmt = stmt.where(Ticket.id == int(q))
        else:
            stmt = stmt.where(func.lower(Ticket.subject).contains(q.lower()))
    column = SORTS.get(sort)
    if sort == "priority":
        order = [_priority_order().desc() if descending else _priority_order().asc(), Ticket.id.desc()]  # type: ignore[union-attr]
    elif column is not None:
        order = [column.desc() if descending else column.asc(), Ticket.id.desc()]  # type: ignore[union-attr]
    elif view == "breaching":
        order = [Ticket.sla_due_at.asc(), Ticket.id]  # type: ignore[union-attr]
    else:
        order = [Ticket.updated_at.desc(), Ticket.id.desc()]  # type: ignore[union-attr]
    result = paginate(session, stmt.order_by(*order), page=page, per_page=per_page, scalars=False)
    result.items = [TicketRow(ticket=t, organisation=o or "", assignee=a or "") for t, o, a in result.items]
    return result


def doi_match(query: str) -> Any:
    """Ticket ids concerning a DOI (exact, case-insensitive) or any DOI under a prefix."""
    doi = normalise_doi(query)
    if doi is not None:
        return select(TicketDoi.ticket_id).where(TicketDoi.doi == doi)
    prefix = normalise_prefix(query).rstrip("/")
    return select(TicketDoi.ticket_id).where(TicketDoi.prefix == prefix)


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



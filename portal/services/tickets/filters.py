"""The filters of ticket lists and search: views, fields, DOIs and date ranges, always within what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import select

from portal.identifiers import normalise_doi, normalise_prefix
from portal.models import Priority, Status, Ticket, TicketDoi, TicketTag, User
from portal.models.tickets import ACTIVE_STATUSES
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
    created_from: date | None = None
    created_to: date | None = None

    @property
    def view_only(self) -> bool:
        """True when nothing but the view is chosen (then the view's tab count is the list's total)."""
        return not (self.status or self.priority or self.category or self.group_id or self.assignee_id
                    or self.organisation_id or self.repository_id or self.tag or self.doi or self.channel
                    or self.q.strip() or self.created_from or self.created_to)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def apply_filters(stmt: Any, viewer: User, filters: QueueFilters, *, now: datetime) -> Any:
    """Restrict a ticket query to the viewer's scope, the view and every filter set (``q`` aside)."""
    stmt = scope(stmt, viewer)
    view = filters.view if filters.view in VIEWS else "open"
    active = Ticket.status.in_(ACTIVE_STATUSES)  # type: ignore[attr-defined]
    if view == "mine":
        stmt = stmt.where(Ticket.assignee_id == viewer.id, active)
    elif view == "unassigned":
        stmt = stmt.where(Ticket.assignee_id.is_(None), active)  # type: ignore[union-attr]
    elif view == "breaching":
        stmt = stmt.where(active, Ticket.sla_due_at <= now + SOON)  # type: ignore[operator]
    elif view == "waiting_datacite":
        stmt = stmt.where(Ticket.status == Status.waiting_datacite)
    elif view == "open" and not filters.status:
        stmt = stmt.where(active)
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
    if filters.created_from is not None:
        stmt = stmt.where(Ticket.created_at >= _day_start(filters.created_from))
    if filters.created_to is not None:
        stmt = stmt.where(Ticket.created_at < _day_start(filters.created_to) + timedelta(days=1))
    return stmt


def doi_match(query: str) -> Any:
    """Ticket ids concerning a DOI (exact, case-insensitive) or any DOI under a prefix."""
    doi = normalise_doi(query)
    if doi is not None:
        return select(TicketDoi.ticket_id).where(TicketDoi.doi == doi)
    prefix = normalise_prefix(query).removeprefix("doi:").rstrip("/")
    return select(TicketDoi.ticket_id).where(TicketDoi.prefix == prefix)

"""Proactive tickets: a high-severity finding opens one ticket for the member; fixing the cause resolves it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from portal.models import Category, Channel, Contact, Finding, Priority, Repository, Status, Ticket
from portal.services.tickets.context import TicketContext
from portal.services.tickets.core import NewTicket, create_ticket
from portal.services.tickets.lifecycle import change_status

# finding kind -> (ticket category, failure key of the DataCite error catalogue and canned answers)
TICKET_KINDS: dict[str, tuple[str, str]] = {
    "credential_rejected": (Category.credentials, "bad-credentials"),
    "url_problem": (Category.landing_page_url, "url-domain-not-allowed"),
    "schema3": (Category.metadata_schema, "schema-3-not-supported"),
    "invalid_newest": (Category.metadata_schema, "invalid-value"),
}
ACTIVE = (Status.new, Status.open, Status.waiting_member, Status.waiting_datacite)


def _explanation(failure_key: str) -> str:
    try:
        from portal.datacite.errors import FAILURE_MODES
    except ImportError:  # pragma: no cover - the catalogue ships with this build
        return ""
    mode = FAILURE_MODES.get(failure_key)
    return f"Why: {mode.explanation}\n\nWhat to do: {mode.fix}" if mode else ""


def _requester_email(session: Session, organisation_id: int, fallback: str) -> str:
    contacts = session.exec(select(Contact).where(Contact.organisation_id == organisation_id)).all()
    for role in ("technical", "general", "service", "billing"):
        for contact in contacts:
            if contact.role == role and contact.email:
                return contact.email
    return fallback


def _open_ticket_for(session: Session, finding: Finding, failure_key: str) -> Ticket | None:
    stmt = select(Ticket).where(Ticket.failure_key == failure_key, Ticket.status.in_(ACTIVE))  # type: ignore[attr-defined]
    if finding.repository_id is not None:
        stmt = stmt.where(Ticket.repository_id == finding.repository_id)
    else:
        stmt = stmt.where(Ticket.organisation_id == finding.organisation_id)
    return session.exec(stmt.order_by(Ticket.id)).first()


def open_proactive_ticket(session: Session, finding: Finding, *, ctx: TicketContext, fallback_email: str,
                          now: datetime) -> Ticket | None:
    """Link a high-severity finding to a ticket: an open one about the same failure, else a new proactive one."""
    if finding.severity != "high" or finding.kind not in TICKET_KINDS or finding.organisation_id is None:
        return None
    if finding.ticket_id is not None:
        linked = session.get(Ticket, finding.ticket_id)
        if linked is not None and linked.status in ACTIVE:
            return linked
    category, failure_key = TICKET_KINDS[finding.kind]
    ticket = _open_ticket_for(session, finding, failure_key)
    if ticket is None:
        repository = session.get(Repository, finding.repository_id) if finding.repository_id else None
        body = (f"Found by the scheduled check on {now:%Y-%m-%d %H:%M} UTC: {finding.title}\n\n{finding.detail}\n\n"
                f"{_explanation(failure_key)}").strip()
        data = NewTicket(subject=finding.title[:300], body=body, channel=Channel.proactive,
                         requester_email=_requester_email(session, finding.organisation_id, fallback_email),
                         organisation_id=finding.organisation_id,
                         repository_id=finding.repository_id, environment=repository.environment if repository else "",
                         category=category, priority=Priority.high, internal=True, tags="proactive")
        ticket = create_ticket(session, data, ctx=ctx, actor=None, now=now)
        ticket.failure_key = failure_key
        session.add(ticket)
    finding.ticket_id = ticket.id
    session.add(finding)
    session.commit()
    return ticket


def resolve_fixed(session: Session, finding: Finding, *, now: datetime) -> bool:
    """Resolve the finding's ticket once no open finding still points at it; True when it was resolved."""
    if finding.ticket_id is None:
        return False
    ticket = session.get(Ticket, finding.ticket_id)
    if ticket is None or ticket.status not in ACTIVE:
        return False
    still = session.exec(select(Finding.id).where(Finding.ticket_id == ticket.id,
                                                  Finding.closed_at.is_(None))).first()  # type: ignore[union-attr]
    if still is not None:
        return False
    change_status(session, ticket, Status.resolved, actor=None, now=now, require_reason=False,
                  reason="The scheduled check no longer finds the problem: " + finding.title[:200])
    session.commit()
    return True

"""Troubleshooting requests from DataCite staff: each is a ticket on the staff channel with response-time targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal.errors import ValidationFailed
from portal.identifiers import normalise_repository_id
from portal.models import Category, Channel, Priority, Repository, StaffRequest, Ticket, User
from portal.services.accounts import email_problem, normalise_email
from portal.services.outbox import queue_mail
from portal.services.staff.clock import business_due
from portal.services.staff.contact import get_contact
from portal.services.tickets.context import TicketContext
from portal.services.tickets.core import NewTicket, create_ticket, validate_new
from portal.services.tickets.notify import subject_tag, ticket_url

URGENCIES = ("low", "normal", "high", "urgent")


@dataclass
class StaffRequestInput:
    subject: str
    observed: str
    urgency: str = Priority.normal
    organisation_id: int | None = None
    repository_id: int | None = None
    dois: str = ""
    error_text: str = ""
    reply_to: str = ""
    repository_symbol: str = ""


def file_request(session: Session, data: StaffRequestInput, *, staff: User | None, ctx: TicketContext, now: datetime,
                 source: str = "form", sender_name: str = "", ip: str = "") -> Ticket:
    """Open a staff-channel ticket routed to the designated contact's agents, with its acknowledgement sent."""
    errors: dict[str, str] = {}
    reply_to = normalise_email(data.reply_to) if data.reply_to.strip() else (staff.email if staff else "")
    if not reply_to:
        errors["reply_to"] = "Give an address for our answers."
    elif problem := email_problem(reply_to):
        errors["reply_to"] = problem
    if data.urgency not in URGENCIES:
        errors["urgency"] = "Choose low, normal, high or urgent."
    repository_id, organisation_id = data.repository_id, data.organisation_id
    if data.repository_symbol.strip():
        repo = find_repository(session, data.repository_symbol)
        if repo is None:
            errors["repository"] = "We do not serve a repository with this ID; check it, or name the member instead."
        else:
            repository_id, organisation_id = repo.id, None
    contact = get_contact(session)
    new = NewTicket(
        subject=data.subject, body=data.observed, channel=Channel.datacite_staff, requester=staff,
        requester_email=reply_to, requester_name=sender_name, reply_to=reply_to,
        organisation_id=organisation_id, repository_id=repository_id, category=Category.other,
        priority=data.urgency if data.urgency in URGENCIES else Priority.normal, error_text=data.error_text,
        dois=data.dois, group_id=contact.group_id if contact else None,
        assignee_id=_available_primary(session, contact),
    )
    try:
        validate_new(session, new, ctx)
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationFailed({"observed" if k == "body" else k: v for k, v in errors.items()})
    ticket = create_ticket(session, new, ctx=ctx, actor=staff, now=now, ip=ip)
    request = StaffRequest(ticket_id=ticket.id or 0, reply_to=reply_to, urgency=data.urgency, source=source,
                           created_at=now)
    if contact is not None:
        request.ack_due_at = business_due(session, now, contact.ack_business_minutes)
        request.answer_due_at = business_due(session, now, contact.answer_business_minutes)
    session.add(request)
    _tell_designated_agents(session, ticket, ctx=ctx, contact=contact, kind="staff-new",
                            what="A new troubleshooting request from DataCite staff arrived")
    session.commit()
    return ticket


def find_repository(session: Session, symbol: str) -> Repository | None:
    """A served repository by its DataCite ID; production wins when it exists in both environments."""
    found = session.exec(select(Repository).where(Repository.symbol == normalise_repository_id(symbol))).all()
    production = [r for r in found if r.environment == "production"]
    return (production or list(found) or [None])[0]


def _person(session: Session, contact: object | None, role: str) -> User | None:
    user_id = getattr(contact, f"{role}_agent_id", None) if contact is not None else None
    return session.get(User, user_id) if user_id else None


def _available_primary(session: Session, contact: object | None) -> int | None:
    for role in ("primary", "backup"):
        person = _person(session, contact, role)
        if person is not None and person.active:
            return person.id
    return None


def _tell_designated_agents(session: Session, ticket: Ticket, *, ctx: TicketContext, contact: object | None, kind: str,
                            what: str, who: tuple[str, ...] = ("primary", "backup")) -> int:
    sent = 0
    for role in who:
        person = _person(session, contact, role)
        if person is None or not person.active:
            continue
        queue_mail(session, to=person.email, subject=f"{subject_tag(ticket)} DataCite request: {ticket.subject}",
                   text=f"Hello {person.name},\n\n{what} (you are the {role} designated contact).\n\n"
                        f"{ticket.subject}\n{ticket_url(ticket, ctx.mail, for_desk=True)}\n",
                   kind=kind, echo=ctx.mail.echo)
        sent += 1
    return sent


def request_of(session: Session, ticket: Ticket) -> StaffRequest | None:
    return session.get(StaffRequest, ticket.id)


def agent_replied(session: Session, ticket: Ticket, now: datetime) -> None:
    """The first public agent reply acknowledges the request (the caller commits)."""
    request = session.get(StaffRequest, ticket.id)
    if request is not None and request.acknowledged_at is None:
        request.acknowledged_at = now
        session.add(request)


def status_changed(session: Session, ticket: Ticket, new: str, now: datetime) -> None:
    """Resolving answers the request; an answer also acknowledges it (the caller commits)."""
    request = session.get(StaffRequest, ticket.id)
    if request is None:
        return
    if new in ("resolved", "closed") and request.answered_at is None:
        request.answered_at = now
        request.acknowledged_at = request.acknowledged_at or now
        session.add(request)
    elif new == "open" and request.answered_at is not None and ticket.status == "open":
        request.answered_at = None  # reopened: the answer did not settle it
        session.add(request)


@dataclass
class OverdueCounts:
    primary: int = 0
    backup: int = 0
    answer: int = 0


def alert_overdue(session: Session, *, ctx: TicketContext, now: datetime) -> OverdueCounts:
    """Alert the primary when an acknowledgement is overdue, the backup when it stays overdue, both when the
    answer is overdue. Each alert is sent once (a scheduled job runs this)."""
    contact = get_contact(session)
    counts = OverdueCounts()
    if contact is None:
        return counts
    pending = session.exec(select(StaffRequest, Ticket).join(Ticket, Ticket.id == StaffRequest.ticket_id)  # type: ignore[arg-type]
                           .where(StaffRequest.answered_at.is_(None), StaffRequest.ack_due_at.is_not(None))  # type: ignore[union-attr]
                           .order_by(StaffRequest.ack_due_at)).all()
    for request, ticket in pending:
        if ticket.status in ("resolved", "closed"):
            continue
        if request.acknowledged_at is None and request.ack_due_at and request.ack_due_at <= now:
            if request.primary_alerted_at is None:
                _tell_designated_agents(session, ticket, ctx=ctx, contact=contact, kind="staff-overdue",
                                        what="A DataCite request has not been acknowledged in time", who=("primary",))
                request.primary_alerted_at = now
                counts.primary += 1
            elif request.backup_alerted_at is None and business_due(
                    session, request.ack_due_at, contact.backup_after_business_minutes) <= now:
                _tell_designated_agents(session, ticket, ctx=ctx, contact=contact, kind="staff-overdue",
                                        what="A DataCite request is still not acknowledged, well past its target",
                                        who=("backup",))
                request.backup_alerted_at = now
                counts.backup += 1
        if request.answer_due_at and request.answer_due_at <= now and request.answer_alerted_at is None:
            _tell_designated_agents(session, ticket, ctx=ctx, contact=contact, kind="staff-overdue",
                                    what="A DataCite request has not been answered in time")
            request.answer_alerted_at = now
            counts.answer += 1
        session.add(request)
    session.commit()
    return counts


def overdue_requests(session: Session, *, now: datetime) -> list[tuple[StaffRequest, Ticket]]:
    """Unanswered requests past their acknowledgement or answer target, most overdue first (the dashboard)."""
    rows = session.exec(select(StaffRequest, Ticket).join(Ticket, Ticket.id == StaffRequest.ticket_id)  # type: ignore[arg-type]
                        .where(StaffRequest.answered_at.is_(None))  # type: ignore[union-attr]
                        .where(Ticket.status.in_(["new", "open", "waiting_member", "waiting_datacite"]))  # type: ignore[attr-defined]
                        .order_by(StaffRequest.ack_due_at)).all()
    return [(r, t) for r, t in rows if (r.acknowledged_at is None and r.ack_due_at and r.ack_due_at <= now)
            or (r.answer_due_at and r.answer_due_at <= now)]

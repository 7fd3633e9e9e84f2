"""Tickets over the API: list, read, create (with Idempotency-Key), reply and change status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, g, url_for

from portal.errors import ValidationFailed
from portal.models import Message, Organisation, Repository, Ticket, User, Visibility
from portal.services import api_tokens
from portal.services.accounts import find_user_by_email
from portal.services.staff.requests import find_repository
from portal.services.tickets import messages as message_service
from portal.services.tickets import queues, sla_hooks, tags
from portal.services.tickets.core import NewTicket, create_ticket
from portal.services.tickets.messages import add_message
from portal.services.tickets.status import set_status
from portal.services.tickets.visibility import get_ticket
from portal.web.api import bp
from portal.web.api.auth import api_route
from portal.web.api.ticket_schemas import (
    NEW_TICKET,
    REPLY,
    STATUS_CHANGE,
    TICKET,
    TICKET_DETAIL,
    TICKET_PAGE,
    TICKET_QUERY,
)
from portal.web.common import client_ip, db, utcnow
from portal.web.ticketing import ticket_ctx


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    session = db()
    org = session.get(Organisation, ticket.organisation_id) if ticket.organisation_id else None
    repo = session.get(Repository, ticket.repository_id) if ticket.repository_id else None
    assignee = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    base = current_app.config["BASE_URL"].rstrip("/")
    return {
        "number": ticket.number, "subject": ticket.subject, "status": ticket.status, "priority": ticket.priority,
        "category": ticket.category, "channel": ticket.channel, "organisation": org.name if org else None,
        "repository": repo.symbol if repo else None, "environment": ticket.environment or None,
        "requester": {"name": ticket.requester_name or None, "email": ticket.requester_email or None},
        "assignee": assignee.name if assignee else None,
        "dois": tags.dois_of(session, ticket), "tags": tags.tags_of(session, ticket),
        "datacite_error": ticket.error_text or None, "failure_key": ticket.failure_key or None,
        "sla": {"state": sla_hooks.state_of(ticket, utcnow()),
                "first_response_due_at": iso(ticket.first_response_due_at),
                "next_update_due_at": iso(ticket.next_update_due_at),
                "resolution_due_at": iso(ticket.resolution_due_at)},
        "created_at": iso(ticket.created_at), "updated_at": iso(ticket.updated_at),
        "first_response_at": iso(ticket.first_response_at), "resolved_at": iso(ticket.resolved_at),
        "url": f"{base}/desk/tickets/{ticket.number}",
    }


def message_json(message: Message) -> dict[str, Any]:
    return {"id": message.id, "author": message.author_name or message.author_email or None,
            "author_role": message.author_role or None,
            "internal": message.visibility == Visibility.internal, "body": message.body,
            "created_at": iso(message.created_at)}


@api_route(bp, "/tickets", ["GET"], scopes={api_tokens.TICKETS_READ}, summary="List tickets",
           query_schema=TICKET_QUERY, response_schema=TICKET_PAGE, tags=("tickets",))
def tickets_list(query: dict[str, Any]) -> object:
    """One page of tickets in a view (mine, unassigned, breaching, waiting_datacite, open, all), newest first."""
    filters = queues.QueueFilters(view=query["view"], status=[query["status"]] if query.get("status") else [],
                                  priority=query.get("priority", ""), organisation_id=query.get("organisation_id"),
                                  doi=query.get("doi", ""), q=query.get("q", ""))
    page = queues.list_tickets(db(), g.api_user, filters, now=utcnow(), page=query["page"], per_page=query["per_page"],
                              exact_total=True)  # scripts rely on an exact total
    return {"items": [ticket_json(row.ticket) for row in page.items], "total": page.total, "page": page.page,
            "per_page": page.per_page, "pages": page.pages}


@api_route(bp, "/tickets", ["POST"], scopes={api_tokens.TICKETS_WRITE}, summary="Open a ticket",
           request_schema=NEW_TICKET, response_schema=TICKET, status=201, idempotent=True, tags=("tickets",))
def tickets_create(body: dict[str, Any]) -> object:
    """Open a ticket for a member (requester_email of a member user, or any contact address with an
    organisation). DOIs in the text and fields are detected; DataCite's error is recognised."""
    session = db()
    requester = find_user_by_email(session, body["requester_email"]) if body.get("requester_email") else None
    repo = None
    if body.get("repository"):
        repo = find_repository(session, body["repository"])
        if repo is None:
            raise ValidationFailed({"repository": "We serve no repository with this ID."})
    data = NewTicket(
        subject=body["subject"], body=body["body"], channel="api",
        requester=requester if requester is not None and requester.role == "member" else None,
        requester_email=body.get("requester_email", "") or g.api_user.email,
        requester_name="" if requester else "", organisation_id=body.get("organisation_id"),
        repository_id=repo.id if repo else None, environment=body.get("environment", ""),
        category=body["category"], priority=body["priority"], error_text=body.get("datacite_error", ""),
        dois="\n".join(body.get("dois", [])), tags=", ".join(body.get("tags", [])),
    )
    ticket = create_ticket(session, data, ctx=ticket_ctx(), actor=g.api_user, now=utcnow(), ip=client_ip())
    location = url_for("api.tickets_get", number=ticket.number)
    return ticket_json(ticket), 201, {"Location": location}


@api_route(bp, "/tickets/<int:number>", ["GET"], scopes={api_tokens.TICKETS_READ}, summary="Read a ticket",
           response_schema=TICKET_DETAIL, tags=("tickets",))
def tickets_get(number: int) -> object:
    """The ticket with its replies and internal notes, oldest first."""
    ticket = get_ticket(db(), number, g.api_user)
    return {"ticket": ticket_json(ticket),
            "messages": [message_json(m) for m in message_service.visible_messages(db(), ticket, g.api_user)]}


@api_route(bp, "/tickets/<int:number>/replies", ["POST"], scopes={api_tokens.TICKETS_WRITE},
           summary="Reply to a ticket, or add an internal note", request_schema=REPLY,
           response_schema=TICKET_DETAIL, status=201, tags=("tickets",))
def tickets_reply(number: int, body: dict[str, Any]) -> object:
    """A public reply (mailed to the requester) or an internal note; a reply may also set the status."""
    session = db()
    ticket = get_ticket(session, number, g.api_user)
    internal = bool(body.get("internal"))
    add_message(session, ticket, author=g.api_user, body=body["body"], ctx=ticket_ctx(), now=utcnow(),
                visibility=Visibility.internal if internal else Visibility.public, source="api",
                set_status=None if internal else body.get("status"), status_reason=body.get("status_reason", ""))
    return {"ticket": ticket_json(ticket),
            "messages": [message_json(m) for m in message_service.visible_messages(session, ticket, g.api_user)]}, 201


@api_route(bp, "/tickets/<int:number>/status", ["POST"], scopes={api_tokens.TICKETS_WRITE},
           summary="Change a ticket's status", request_schema=STATUS_CHANGE, response_schema=TICKET, tags=("tickets",))
def tickets_status(number: int, body: dict[str, Any]) -> object:
    """Move the ticket along its lifecycle; impossible moves get 422 with the reason."""
    ticket = get_ticket(db(), number, g.api_user)
    set_status(db(), ticket, body["status"], actor=g.api_user, ctx=ticket_ctx(), now=utcnow(),
               reason=body.get("reason", ""))
    return ticket_json(ticket)



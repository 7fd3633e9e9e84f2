"""The JSON shapes of tickets, replies and staff requests in the API."""

from __future__ import annotations

from portal.models import Category, Environment, Priority, Status
from portal.web.api.schemas import Schema, array, boolean, integer, nested, record_id, string

STATUSES = tuple(s.value for s in Status)
PRIORITIES = tuple(p.value for p in Priority)
CATEGORIES = tuple(c.value for c in Category)
ENVIRONMENTS = tuple(e.value for e in Environment)
DATE = {"format": "date-time", "nullable": True}

PERSON = Schema("Person", {
    "name": string(required=True, max_length=200, nullable=True),
    "email": string(required=True, max_length=254, nullable=True),
})

SLA = Schema("TicketSla", {
    "state": string(required=True, max_length=12,
                    choices=("ok", "warning", "breached", "paused", "met", "none")),
    "first_response_due_at": string(required=True, max_length=40, **DATE),
    "next_update_due_at": string(required=True, max_length=40, **DATE),
    "resolution_due_at": string(required=True, max_length=40, **DATE),
}, description="The ticket's service-level clocks.")

TICKET = Schema("Ticket", {
    "number": integer(required=True, minimum=1),
    "subject": string(required=True, max_length=300),
    "status": string(required=True, max_length=20, choices=STATUSES),
    "priority": string(required=True, max_length=10, choices=PRIORITIES),
    "category": string(required=True, max_length=30, choices=CATEGORIES),
    "channel": string(required=True, max_length=20),
    "organisation": string(required=True, max_length=200, nullable=True),
    "repository": string(required=True, max_length=40, nullable=True, description="The DataCite repository ID."),
    "environment": string(required=True, max_length=12, nullable=True),
    "requester": nested(PERSON, required=True),
    "assignee": string(required=True, max_length=200, nullable=True),
    "dois": array(string(max_length=300), max_items=200, required=True),
    "tags": array(string(max_length=40), max_items=20, required=True),
    "datacite_error": string(required=True, max_length=20_000, multiline=True, nullable=True),
    "failure_key": string(required=True, max_length=40, nullable=True,
                          description="The recognised DataCite failure, if any."),
    "sla": nested(SLA, required=True),
    "created_at": string(required=True, max_length=40, format="date-time"),
    "updated_at": string(required=True, max_length=40, format="date-time"),
    "first_response_at": string(required=True, max_length=40, **DATE),
    "resolved_at": string(required=True, max_length=40, **DATE),
    "url": string(required=True, max_length=500, description="The ticket in the portal."),
})

MESSAGE = Schema("Message", {
    "id": integer(required=True, minimum=1),
    "author": string(required=True, max_length=254, nullable=True),
    "author_role": string(required=True, max_length=20, nullable=True),
    "internal": boolean(required=True, description="An internal note (never shown to members)."),
    "body": string(required=True, max_length=100_000, multiline=True, description="Markdown."),
    "created_at": string(required=True, max_length=40, format="date-time"),
})

TICKET_DETAIL = Schema("TicketDetail", {
    "ticket": nested(TICKET, required=True),
    "messages": array(nested(MESSAGE), max_items=10_000, required=True),
})

TICKET_PAGE = Schema("TicketPage", {
    "items": array(nested(TICKET), max_items=200, required=True),
    "total": integer(required=True, minimum=0),
    "page": integer(required=True, minimum=1),
    "per_page": integer(required=True, minimum=1),
    "pages": integer(required=True, minimum=1),
})

TICKET_QUERY = Schema("TicketQuery", {
    "view": string(max_length=20, choices=("mine", "unassigned", "breaching", "waiting_datacite", "open", "all"),
                   default="open"),
    "status": string(max_length=20, choices=STATUSES),
    "priority": string(max_length=10, choices=PRIORITIES),
    "organisation_id": record_id(),
    "doi": string(max_length=300, description="A DOI (exact) or a prefix such as 10.5438."),
    "q": string(max_length=200, description="A ticket number, a DOI or DOI prefix, or words searched in subjects and "
                "messages (results then ranked by relevance)."),
    "page": integer(minimum=1, maximum=100_000, default=1),
    "per_page": integer(minimum=1, maximum=200, default=25),
})

NEW_TICKET = Schema("NewTicket", {
    "subject": string(required=True, max_length=300, min_length=1),
    "body": string(required=True, max_length=100_000, min_length=1, multiline=True, description="Markdown."),
    "requester_email": string(max_length=254, format="email",
                              description="Who asks; a member user's address makes them the requester."),
    "organisation_id": record_id(),
    "repository": string(max_length=40, description="The DataCite repository ID, e.g. UNIX.DATA."),
    "environment": string(max_length=12, choices=ENVIRONMENTS),
    "category": string(max_length=30, choices=CATEGORIES, default="other"),
    "priority": string(max_length=10, choices=PRIORITIES, default="normal"),
    "datacite_error": string(max_length=20_000, multiline=True, description="DataCite's error, exactly as shown."),
    "dois": array(string(max_length=300, min_length=1), max_items=200),
    "tags": array(string(max_length=40, min_length=1), max_items=20),
})

REPLY = Schema("NewReply", {
    "body": string(required=True, max_length=100_000, min_length=1, multiline=True, description="Markdown."),
    "internal": boolean(default=False, description="An internal note instead of a reply to the requester."),
    "status": string(max_length=20, choices=STATUSES, description="The status to set after a public reply."),
    "status_reason": string(max_length=500),
})

STATUS_CHANGE = Schema("StatusChange", {
    "status": string(required=True, max_length=20, choices=STATUSES),
    "reason": string(max_length=500, description="Needed to close an unresolved ticket or reopen one."),
})

STAFF_REQUEST = Schema("NewStaffRequest", {
    "subject": string(required=True, max_length=300, min_length=1),
    "observed": string(required=True, max_length=100_000, min_length=1, multiline=True,
                       description="What DataCite observed."),
    "repository": string(max_length=40, description="The DataCite repository ID concerned, if known."),
    "organisation_id": record_id(),
    "dois": array(string(max_length=300, min_length=1), max_items=200),
    "datacite_error": string(max_length=20_000, multiline=True),
    "urgency": string(max_length=10, choices=PRIORITIES, default="normal"),
    "reply_to": string(max_length=254, format="email", description="Where our answers go; default: the token's owner."),
})

STAFF_REQUEST_STATE = Schema("StaffRequest", {
    "reference": integer(required=True, minimum=1),
    "subject": string(required=True, max_length=300),
    "status": string(required=True, max_length=20, choices=STATUSES),
    "reply_to": string(required=True, max_length=254),
    "urgency": string(required=True, max_length=10),
    "created_at": string(required=True, max_length=40, format="date-time"),
    "acknowledge_by": string(required=True, max_length=40, **DATE),
    "acknowledged_at": string(required=True, max_length=40, **DATE),
    "answer_by": string(required=True, max_length=40, **DATE),
    "answered_at": string(required=True, max_length=40, **DATE),
    "replies": array(nested(MESSAGE), max_items=10_000, required=True),
    "url": string(required=True, max_length=500),
})

"""DataCite staff over the API: send a troubleshooting request, follow it, read the service profile."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, url_for

from portal.models import Visibility
from portal.services import api_tokens
from portal.services.staff import profile as profile_service
from portal.services.staff import requests as staff_requests
from portal.services.tickets import messages as message_service
from portal.services.tickets.visibility import get_ticket
from portal.web.api import bp
from portal.web.api.auth import api_route
from portal.web.api.schemas import Schema, array, integer, mapping, nested, string
from portal.web.api.ticket_schemas import STAFF_REQUEST, STAFF_REQUEST_STATE
from portal.web.api.tickets import iso, message_json
from portal.web.common import client_ip, db, utcnow
from portal.web.ticketing import ticket_ctx

API_ENTRY = Schema("DataCiteApi", {
    "name": string(required=True, max_length=100),
    "environment": string(required=True, max_length=20),
    "base_url": string(required=True, max_length=200),
})

SERVICE_PROFILE = Schema("ServiceProfile", {
    "service_name": string(required=True, max_length=200),
    "version": string(required=True, max_length=40),
    "generated_at": string(required=True, max_length=40, format="date-time"),
    "description": string(required=True, max_length=10_000, multiline=True, nullable=True),
    "hosting": string(required=True, max_length=10_000, multiline=True, nullable=True),
    "support_policy": string(required=True, max_length=10_000, multiline=True, nullable=True),
    "documentation_url": string(required=True, max_length=500),
    "apis": array(nested(API_ENTRY), max_items=10, required=True),
    "environments_in_use": mapping(integer(minimum=0), max_items=5, required=True),
    "schema_versions": array(string(max_length=10), max_items=40, required=True),
    "newest_schema": string(required=True, max_length=10),
    "newest_supported": string(required=True, max_length=10),
    "schema_plan": string(required=True, max_length=2000, multiline=True),
    "organisations": integer(required=True, minimum=0),
    "repositories": integer(required=True, minimum=0),
    "dois_last_12_months": mapping(integer(minimum=0), max_items=10, required=True, nullable=True),
    "dois_source": string(required=True, max_length=500),
    "designated_contact": string(required=True, max_length=254),
    "designated_contact_targets": string(required=True, max_length=500, nullable=True),
    "support_hours": string(required=True, max_length=1000),
    "texts_updated_at": string(required=True, max_length=40, format="date-time", nullable=True),
}, description="Generated from live data when asked.")


def request_json(ticket: Any) -> dict[str, Any]:
    record = staff_requests.request_of(db(), ticket)
    replies = [message_json(m) for m in message_service.visible_messages(db(), ticket, g.api_user)
               if m.visibility == Visibility.public]
    base = current_app.config["BASE_URL"].rstrip("/")
    return {
        "reference": ticket.number, "subject": ticket.subject, "status": ticket.status,
        "reply_to": record.reply_to if record else ticket.requester_email,
        "urgency": record.urgency if record else ticket.priority, "created_at": iso(ticket.created_at),
        "acknowledge_by": iso(record.ack_due_at if record else None),
        "acknowledged_at": iso(record.acknowledged_at if record else None),
        "answer_by": iso(record.answer_due_at if record else None),
        "answered_at": iso(record.answered_at if record else None),
        "replies": replies, "url": f"{base}/staff/requests/{ticket.number}",
    }


@api_route(bp, "/staff-requests", ["POST"], scopes={api_tokens.STAFF_REQUESTS_WRITE},
           summary="Send a troubleshooting request to the designated contact", request_schema=STAFF_REQUEST,
           response_schema=STAFF_REQUEST_STATE, status=201, idempotent=True, tags=("datacite-staff",))
def staff_requests_create(body: dict[str, Any]) -> object:
    """Becomes a ticket on the staff channel, routed to the designated contact's agents; the acknowledgement with
    the reference goes to `reply_to`. Send an Idempotency-Key so a retried call never files twice."""
    ticket = staff_requests.file_request(db(), staff_requests.StaffRequestInput(
        subject=body["subject"], observed=body["observed"], urgency=body["urgency"],
        organisation_id=body.get("organisation_id"), repository_symbol=body.get("repository", ""),
        dois="\n".join(body.get("dois", [])), error_text=body.get("datacite_error", ""),
        reply_to=body.get("reply_to", "")), staff=g.api_user, ctx=ticket_ctx(), now=utcnow(), source="api",
        ip=client_ip())
    return request_json(ticket), 201, {"Location": url_for("api.staff_requests_get", number=ticket.number)}


@api_route(bp, "/staff-requests/<int:number>", ["GET"], scopes={api_tokens.STAFF_REQUESTS_WRITE},
           summary="Follow one of your requests", response_schema=STAFF_REQUEST_STATE, tags=("datacite-staff",))
def staff_requests_get(number: int) -> object:
    """Status, response times and our public replies; only the token owner's own requests exist here."""
    return request_json(get_ticket(db(), number, g.api_user))


@api_route(bp, "/service-profile", ["GET"], scopes={api_tokens.PROFILE_READ},
           summary="The service provider's profile", response_schema=SERVICE_PROFILE, tags=("datacite-staff",))
def service_profile() -> object:
    """What DataCite asks an RSP to keep current (requirement 9), generated from live data at the time of the call."""
    data = profile_service.build_profile(db(), config=current_app.config, now=utcnow()).as_dict()
    return {key: (None if value == "" else value) for key, value in data.items()}

"""Where the ticket lifecycle meets the SLA clocks. Until SLA policies exist, tickets carry no clocks."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from portal.models import Status, Ticket


def ticket_created(session: Session, ticket: Ticket, now: datetime) -> None:
    """Start the clocks of a new ticket."""


def status_changed(session: Session, ticket: Ticket, old: Status, new: Status, now: datetime) -> None:
    """Pause, resume or stop clocks on a status change."""
    if ticket.channel == "datacite_staff":
        from portal.services.staff import requests

        requests.status_changed(session, ticket, new, now)


def agent_replied(session: Session, ticket: Ticket, now: datetime) -> None:
    """A public agent reply: first response met, next update restarts."""
    if ticket.channel == "datacite_staff":
        from portal.services.staff import requests

        requests.agent_replied(session, ticket, now)


def targets_changed(session: Session, ticket: Ticket, now: datetime) -> None:
    """Priority or organisation changed: the policy and its targets may differ."""


def describe(ticket: Ticket, now: datetime) -> list[dict[str, object]]:
    """The clocks a ticket page shows: label, due time and state for each."""
    rows: list[dict[str, object]] = []
    for label, due in (("First response", ticket.first_response_due_at), ("Next update", ticket.next_update_due_at),
                       ("Resolution", ticket.resolution_due_at)):
        if due is not None:
            rows.append({"label": label, "due": due, "state": "breached" if due <= now else "ok"})
    return rows

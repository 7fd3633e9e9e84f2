"""Where the ticket lifecycle meets the SLA clocks.

Tickets get clocks from the SLA policy for their priority (and organisation) on its business calendar. The full
clock state is stored as JSON on the ticket; the due times that queues sort and filter on are copied to columns.
DataCite staff requests follow the designated contact's targets instead (portal.services.staff).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlmodel import Session, select

from portal.models import Channel, Status, Ticket
from portal.models.tickets import ACTIVE_STATUSES
from portal.services.sla import clocks as sla
from portal.services.sla.business_time import CalendarSpec
from portal.services.sla.calendars import calendar_spec
from portal.services.sla.clocks import SlaClocks
from portal.services.sla.policies import policy_for, targets_of
from portal.services.sla.summary import ClockSummary, summarise

log = logging.getLogger("portal.sla")


def _staff(ticket: Ticket) -> bool:
    return ticket.channel == Channel.datacite_staff


def _spec(session: Session, ticket: Ticket) -> CalendarSpec | None:
    policy = session.get(_policy_model(), ticket.sla_policy_id) if ticket.sla_policy_id else None
    if policy is None:
        return None
    return calendar_spec(session, policy.calendar_id)


def _policy_model() -> type:
    from portal.models import SlaPolicy

    return SlaPolicy


def load_clocks(ticket: Ticket) -> SlaClocks | None:
    """The ticket's clocks, or None when it has none (or its stored state cannot be read)."""
    if not ticket.sla_state:
        return None
    try:
        return SlaClocks.from_json(ticket.sla_state)
    except ValueError as exc:
        log.error("ticket #%s: SLA state unreadable (%s); its clocks are ignored", ticket.id, exc)
        return None


def _store(ticket: Ticket, clocks: SlaClocks, now: datetime) -> None:
    ticket.sla_state = json.dumps(clocks.to_json(), sort_keys=True)
    ticket.first_response_due_at = clocks.first_response.due_at if clocks.first_response.running else None
    ticket.next_update_due_at = clocks.next_update.due_at if clocks.next_update.running else None
    ticket.resolution_due_at = clocks.resolution.due_at if clocks.resolution.running else None
    ticket.sla_due_at = clocks.earliest_due()
    ticket.sla_warn_at = clocks.next_notice_at()
    ticket.sla_breached = any(c.breached_at is not None for _n, c in clocks.items()) or clocks.state(now) == "breached"


def ticket_created(session: Session, ticket: Ticket, now: datetime) -> None:
    """Start the clocks of a new ticket (the caller commits)."""
    if _staff(ticket):
        return
    policy = policy_for(session, priority=ticket.priority, organisation_id=ticket.organisation_id)
    if policy is None:
        return
    ticket.sla_policy_id = policy.id
    spec = calendar_spec(session, policy.calendar_id)
    _store(ticket, sla.start_clocks(targets_of(policy), spec, now), now)


def status_changed(session: Session, ticket: Ticket, old: Status, new: Status, now: datetime) -> None:
    """Pause, resume or stop clocks on a status change."""
    if _staff(ticket):
        from portal.services.staff import requests

        requests.status_changed(session, ticket, new, now)
        return
    clocks, spec = load_clocks(ticket), _spec(session, ticket)
    if clocks is not None and spec is not None:
        _store(ticket, sla.on_status_change(clocks, spec, str(old), str(new), now), now)


def agent_replied(session: Session, ticket: Ticket, now: datetime) -> None:
    """A public agent reply: first response met, next update restarts."""
    if _staff(ticket):
        from portal.services.staff import requests

        requests.agent_replied(session, ticket, now)
        return
    clocks, spec = load_clocks(ticket), _spec(session, ticket)
    if clocks is not None and spec is not None:
        _store(ticket, sla.on_agent_public_reply(clocks, spec, now), now)


def targets_changed(session: Session, ticket: Ticket, now: datetime) -> None:
    """Priority or organisation changed: the policy and its targets may differ (the caller commits)."""
    if _staff(ticket) or ticket.status not in ACTIVE_STATUSES:
        return
    policy = policy_for(session, priority=ticket.priority, organisation_id=ticket.organisation_id)
    clocks = load_clocks(ticket)
    if policy is None:
        return
    spec = calendar_spec(session, policy.calendar_id)
    ticket.sla_policy_id = policy.id
    if clocks is None:
        _store(ticket, sla.start_clocks(targets_of(policy), spec, now), now)
    else:
        _store(ticket, sla.on_targets_change(clocks, spec, targets_of(policy), now), now)
    session.add(ticket)


def describe(ticket: Ticket, now: datetime) -> list[ClockSummary]:
    """The clocks a ticket page shows: label, due time (or when met) and state for each."""
    clocks = load_clocks(ticket)
    return summarise(clocks, now) if clocks is not None else []


def state_of(ticket: Ticket, now: datetime) -> str:
    """One word for list rows: ok, warning, breached, paused, met or none."""
    clocks = load_clocks(ticket)
    return clocks.state(now) if clocks is not None else "none"


def send_due_notices(session: Session, *, now: datetime, mail: object, batch: int = 200) -> int:
    """Warnings at 80 % and breaches, to the assignee and the group, each sent once; returns notices sent."""
    from portal.services.tickets import notify
    from portal.services.tickets.history import record_event

    sent = 0
    after = 0
    while True:
        tickets = session.exec(
            select(Ticket).where(Ticket.status.in_(ACTIVE_STATUSES), Ticket.sla_warn_at <= now,  # type: ignore[attr-defined,operator]
                                 Ticket.id > after).order_by(Ticket.id).limit(batch)
        ).all()
        if not tickets:
            return sent
        for ticket in tickets:
            after = ticket.id or after
            clocks = load_clocks(ticket)
            if clocks is None:
                ticket.sla_warn_at = None
                session.add(ticket)
                continue
            for notice in sla.due_notices(clocks, now):
                due = notice.at.strftime("%Y-%m-%d %H:%M UTC")
                notify.sla_notice(session, ticket, mail, clock=notice.clock, kind=notice.kind, due=due)  # type: ignore[arg-type]
                record_event(session, ticket, f"sla_{notice.kind}", actor=None, new=notice.clock, now=now, internal=True)
                sent += 1
            _store(ticket, clocks, now)
            session.add(ticket)
        session.commit()

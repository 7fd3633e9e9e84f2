"""Scheduled helpdesk work: SLA notices, closing long-resolved tickets, staff-request alerts, key clean-up."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal.jobs import JobContext, JobResult
from portal.models import Status, Ticket
from portal.services.tickets import sla_hooks
from portal.services.tickets.context import TicketContext
from portal.services.tickets.lifecycle import change_status


def sla_notices(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Send the SLA warnings (80 %) and breach notices that have fallen due."""
    ctx = TicketContext.from_config(context.config)
    sent = sla_hooks.send_due_notices(session, now=now, mail=ctx.mail)
    return JobResult(counts={"notices": sent})


def close_resolved(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Close tickets resolved longer than RESOLVED_CLOSE_DAYS ago (the member had time to say otherwise)."""
    days = int(context.config.get("RESOLVED_CLOSE_DAYS") or 7)
    closed = 0
    while not context.stopping():
        batch = session.exec(select(Ticket).where(Ticket.status == Status.resolved,
                                                  Ticket.resolved_at <= now - timedelta(days=days))  # type: ignore[operator]
                             .order_by(Ticket.id).limit(100)).all()
        if not batch:
            break
        for ticket in batch:
            change_status(session, ticket, Status.closed, actor=None, now=now, require_reason=False,
                          reason=f"Closed automatically {days} days after it was resolved.")
            closed += 1
        session.commit()
    return JobResult(counts={"closed": closed})


def staff_alerts(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Alert the designated contact's agents about overdue DataCite requests."""
    from portal.services.staff.requests import alert_overdue

    counts = alert_overdue(session, ctx=TicketContext.from_config(context.config), now=now)
    return JobResult(counts={"primary": counts.primary, "backup": counts.backup, "answer": counts.answer})


def purge_idempotency_keys(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Forget API idempotency keys older than two days."""
    from portal.services.idempotency import purge_idempotency

    return JobResult(counts={"purged": purge_idempotency(session, now=now)})

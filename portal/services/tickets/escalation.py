"""Escalating a case to DataCite support, and recording DataCite's answer."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from portal import audit
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models import (
    Escalation,
    EscalationStatus,
    Message,
    Organisation,
    Repository,
    Status,
    Ticket,
    User,
    Visibility,
)
from portal.services.outbox import queue_mail
from portal.services.tickets.context import TicketContext
from portal.services.tickets.history import record_event
from portal.services.tickets.lifecycle import change_status, ensure_writable
from portal.services.tickets.tags import dois_of

TRANSCRIPT_MARK = "Diagnosis transcript"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def build_package(session: Session, ticket: Ticket, *, steps_taken: str, now: datetime) -> str:
    """The text DataCite support needs, in one place: who, which repository, which DOIs, the exact error, when."""
    org = session.get(Organisation, ticket.organisation_id) if ticket.organisation_id else None
    repo = session.get(Repository, ticket.repository_id) if ticket.repository_id else None
    dois = dois_of(session, ticket)
    transcripts = session.exec(select(Message).where(
        Message.ticket_id == ticket.id, Message.visibility == Visibility.internal,
        Message.body.contains(TRANSCRIPT_MARK)).order_by(Message.id)).all()  # type: ignore[attr-defined]
    lines = [
        f"Support request from a DataCite Registered Service Provider (our reference: ticket #{ticket.number})",
        "",
        f"Member: {org.name if org else 'unknown'}" + (f" (member ID {org.datacite_member_id})" if org and org.datacite_member_id else ""),
        f"Repository: {repo.symbol if repo else 'unknown'}",
        f"Environment: {ticket.environment or (repo.environment if repo else 'unknown')}",
        "DOIs concerned: " + (", ".join(dois) if dois else "none named"),
        "",
        "DataCite's exact error:",
        *(["    " + line for line in ticket.error_text.splitlines()] if ticket.error_text else ["    (none recorded)"]),
        "",
        f"First reported to us: {_utc(ticket.created_at)}",
        f"Escalated: {_utc(now)}",
        "",
        "Steps already taken:",
        *(["    " + line for line in steps_taken.strip().splitlines()] or ["    (none)"]),
    ]
    for transcript in transcripts:
        lines += ["", f"{TRANSCRIPT_MARK} ({_utc(transcript.created_at)}):",
                  *["    " + line for line in transcript.body.splitlines()]]
    return "\n".join(lines) + "\n"


def escalate(session: Session, ticket: Ticket, *, package: str, send: bool, actor: User, ctx: TicketContext,
             now: datetime, ip: str = "") -> Escalation:
    """Record the escalation (and mail it to DataCite support when ``send``); the ticket waits on DataCite."""
    ensure_writable(ticket)
    if not package.strip():
        raise ValidationFailed({"package": "The package is empty."})
    if len(package) > 100_000:
        raise ValidationFailed({"package": "Keep the package under 100,000 characters; attach logs to the ticket."})
    escalation = Escalation(ticket_id=ticket.id or 0, created_by_id=actor.id, created_at=now, package=package,
                            sent_to=ctx.datacite_support_email if send else "")
    session.add(escalation)
    if send:
        queue_mail(session, to=ctx.datacite_support_email, subject=f"[RSP #{ticket.number}] {ticket.subject}",
                   text=package, kind="escalation", echo=ctx.mail.echo)
    how = f"sent to {ctx.datacite_support_email}" if send else "recorded (sent outside the portal)"
    session.add(Message(ticket_id=ticket.id or 0, author_id=actor.id, author_name=actor.name, author_email=actor.email,
                        author_role=actor.role, visibility=Visibility.internal, created_at=now,
                        body=f"Escalated to DataCite support, {how}:\n\n```\n{package}\n```"))
    session.flush()
    ticket.message_count += 1
    record_event(session, ticket, "escalated", actor=actor, new=how, now=now)
    if ticket.status != Status.waiting_datacite:
        change_status(session, ticket, Status.waiting_datacite, actor=actor, now=now,
                      reason="Escalated to DataCite support.", require_reason=False)
    audit.record(session, "ticket.escalate", actor=actor, target=ticket, detail={"sent": send}, ip=ip)
    session.commit()
    ticket.last_message_id = max(ticket.last_message_id, _last_id(session, ticket))
    session.add(ticket)
    session.commit()
    return escalation


def _last_id(session: Session, ticket: Ticket) -> int:
    return max(session.exec(select(Message.id).where(Message.ticket_id == ticket.id)).all() or [0])  # type: ignore[type-var]


def escalations_of(session: Session, ticket: Ticket) -> list[Escalation]:
    return list(session.exec(select(Escalation).where(Escalation.ticket_id == ticket.id).order_by(Escalation.id)).all())


def record_answer(session: Session, ticket: Ticket, escalation_id: int, *, answer: str, reference: str,
                  actor: User, now: datetime) -> Escalation:
    """DataCite answered: keep the answer on the ticket (internal) and put the ticket back in the agents' hands."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None or escalation.ticket_id != ticket.id:
        raise NotFound("No such escalation on this ticket.")
    if escalation.status == EscalationStatus.answered:
        raise Conflict("DataCite's answer to this escalation is already recorded.")
    if not answer.strip():
        raise ValidationFailed({"answer": "Paste DataCite's answer."})
    escalation.status, escalation.answer, escalation.answered_at = EscalationStatus.answered, answer.strip(), now
    escalation.answered_by_id, escalation.datacite_reference = actor.id, reference.strip()[:100]
    session.add(escalation)
    session.add(Message(ticket_id=ticket.id or 0, author_id=actor.id, author_name=actor.name, author_email=actor.email,
                        author_role=actor.role, visibility=Visibility.internal, created_at=now,
                        body=f"DataCite support answered{' (' + reference.strip() + ')' if reference.strip() else ''}:"
                             f"\n\n{answer.strip()}"))
    ticket.message_count += 1
    record_event(session, ticket, "datacite_answer", actor=actor, new=reference.strip(), now=now)
    if ticket.status == Status.waiting_datacite:
        change_status(session, ticket, Status.open, actor=actor, now=now, reason="DataCite answered.",
                      require_reason=False)
    session.flush()
    ticket.last_message_id = _last_id(session, ticket)
    session.add(ticket)
    session.commit()
    return escalation

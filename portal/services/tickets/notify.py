"""Mail about tickets, queued in the outbox with the change that caused it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal.models import GroupMember, MailAddressFlag, Role, Ticket, User
from portal.services.outbox import queue_mail


@dataclass(frozen=True)
class MailContext:
    """What mail needs from the configuration."""

    base_url: str
    site_name: str
    echo: bool = False


def subject_tag(ticket: Ticket) -> str:
    return f"[RSP #{ticket.number}]"


def ticket_url(ticket: Ticket, ctx: MailContext, *, for_desk: bool) -> str:
    path = f"/desk/tickets/{ticket.number}" if for_desk else (
        f"/staff/requests/{ticket.number}" if ticket.channel == "datacite_staff" else f"/member/tickets/{ticket.number}")
    return f"{ctx.base_url}{path}"


def _requester_address(session: Session, ticket: Ticket) -> tuple[str, str] | None:
    """Where the requester reads our mail: the ticket's reply-to address, else their account's."""
    user = session.get(User, ticket.requester_id) if ticket.requester_id else None
    if user is not None and not user.active:
        return None
    name = user.name if user is not None else ticket.requester_name
    if ticket.requester_email:
        return ticket.requester_email, name
    return (user.email, name) if user is not None else None


def _send(session: Session, ctx: MailContext, to: str, subject: str, text: str, kind: str, *, ticket: Ticket,
          auto_submitted: str = "auto-generated") -> None:
    """Queue a ticket mail, text and HTML; it carries the ticket's signed thread token once it is sent."""
    from portal.services.mail.outgoing import html_version

    queue_mail(session, to=to, subject=subject, text=text, html=html_version(text, site_name=ctx.site_name),
               kind=kind, echo=ctx.echo, ticket_id=ticket.id, auto_submitted=auto_submitted)


def acknowledge(session: Session, ticket: Ticket, ctx: MailContext) -> None:
    """The automatic acknowledgement of a new request; skipped for an address our mail bounced from."""
    address = _requester_address(session, ticket)
    if address is None or session.get(MailAddressFlag, address[0]) is not None:
        return
    email, name = address
    _send(session, ctx, email, f"{subject_tag(ticket)} We received your request: {ticket.subject}",
          f"Hello {name or 'there'},\n\nwe received your request and gave it the reference #{ticket.number}.\n"
          f"Follow it here: {ticket_url(ticket, ctx, for_desk=False)}\n\n{ctx.site_name}\n", "ticket-ack",
          ticket=ticket, auto_submitted="auto-replied")


def public_reply(session: Session, ticket: Ticket, ctx: MailContext, *, author: str, body: str) -> None:
    address = _requester_address(session, ticket)
    if address is None:
        return
    email, name = address
    _send(session, ctx, email, f"{subject_tag(ticket)} {ticket.subject}",
          f"Hello {name or 'there'},\n\n{author} replied to your request #{ticket.number}:\n\n{body}\n\n"
          f"Reply to this mail, or follow the request here: {ticket_url(ticket, ctx, for_desk=False)}\n",
          "ticket-reply", ticket=ticket, auto_submitted="no")


def status_changed(session: Session, ticket: Ticket, ctx: MailContext, *, label: str, reason: str) -> None:
    address = _requester_address(session, ticket)
    if address is None:
        return
    email, name = address
    why = f"\nReason: {reason}\n" if reason else ""
    _send(session, ctx, email, f"{subject_tag(ticket)} Now {label.lower()}: {ticket.subject}",
          f"Hello {name or 'there'},\n\nyour request #{ticket.number} is now {label.lower()}.{why}\n"
          f"See it here: {ticket_url(ticket, ctx, for_desk=False)}\n", "ticket-status", ticket=ticket)


def assigned(session: Session, ticket: Ticket, ctx: MailContext, *, assignee: User, by: str) -> None:
    _send(session, ctx, assignee.email, f"{subject_tag(ticket)} Assigned to you: {ticket.subject}",
          f"Hello {assignee.name},\n\n{by} assigned ticket #{ticket.number} to you.\n"
          f"{ticket_url(ticket, ctx, for_desk=True)}\n", "ticket-assigned", ticket=ticket)


def sla_notice(session: Session, ticket: Ticket, ctx: MailContext, *, clock: str, kind: str, due: str) -> int:
    """A warning (80 %) or breach notice to the assignee and the ticket's group; returns mails queued."""
    recipients: dict[str, str] = {}
    if ticket.assignee_id:
        user = session.get(User, ticket.assignee_id)
        if user is not None and user.active:
            recipients[user.email] = user.name
    if ticket.group_id:
        members = session.exec(
            select(User).join(GroupMember, GroupMember.user_id == User.id).where(  # type: ignore[arg-type]
                GroupMember.group_id == ticket.group_id, User.active.is_(True),  # type: ignore[attr-defined]
                User.role.in_([Role.agent, Role.admin]))  # type: ignore[attr-defined]
        ).all()
        for user in members:
            recipients.setdefault(user.email, user.name)
    what = "is about to miss" if kind == "warning" else "missed"
    for email, name in recipients.items():
        _send(session, ctx, email, f"{subject_tag(ticket)} SLA {kind}: {clock.replace('_', ' ')}",
              f"Hello {name},\n\nticket #{ticket.number} ({ticket.subject}) {what} its {clock.replace('_', ' ')} "
              f"target (due {due}).\n{ticket_url(ticket, ctx, for_desk=True)}\n", f"sla-{kind}", ticket=ticket)
    return len(recipients)

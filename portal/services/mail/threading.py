"""Which ticket a received message belongs to, and whether its sender takes part in that ticket."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from portal.models import InboundMail, Role, Ticket, TicketParticipant, User
from portal.services.mail.parse import ParsedMail
from portal.services.mail.tokens import ticket_from_references

SUBJECT_TAG = re.compile(r"\[(?:RSP\s*)?#\s?(\d{1,12})\]", re.IGNORECASE)


@dataclass(frozen=True)
class Thread:
    ticket: Ticket
    how: str  # "token", "reference" or "subject"


def _follow_merges(session: Session, ticket: Ticket | None) -> Ticket | None:
    seen: set[int] = set()
    while ticket is not None and ticket.merged_into_id and ticket.id not in seen:
        seen.add(ticket.id or 0)
        ticket = session.get(Ticket, ticket.merged_into_id)
    return ticket


def find_thread(session: Session, mail: ParsedMail, *, key: bytes) -> Thread | None:
    """Our signed token in In-Reply-To/References first, then a message we received earlier that it refers to
    (forwards and CC replies), then the ticket tag in the subject; None means a new conversation."""
    ticket_id = ticket_from_references(mail.referenced, key)
    if ticket_id is not None and (ticket := _follow_merges(session, session.get(Ticket, ticket_id))) is not None:
        return Thread(ticket, "token")
    if mail.referenced:
        known = session.exec(select(InboundMail.ticket_id).where(
            InboundMail.message_id.in_(mail.referenced[:50]),  # type: ignore[attr-defined]
            InboundMail.ticket_id.is_not(None)).order_by(InboundMail.id.desc())).first()  # type: ignore[union-attr]
        if known and (ticket := _follow_merges(session, session.get(Ticket, known))) is not None:
            return Thread(ticket, "reference")
    match = SUBJECT_TAG.search(mail.subject)
    if match and (ticket := _follow_merges(session, session.get(Ticket, int(match.group(1))))) is not None:
        return Thread(ticket, "subject")
    return None


def user_by_email(session: Session, email: str) -> User | None:
    """The active account with this address, if any."""
    if not email:
        return None
    return session.exec(select(User).where(User.email == email, User.active.is_(True))).first()  # type: ignore[attr-defined]


def is_participant(session: Session, ticket: Ticket, email: str, user: User | None) -> bool:
    """The requester, someone an agent accepted onto the ticket, or a member of the ticket's organisation."""
    if not email:
        return False
    if email == (ticket.requester_email or "").lower():
        return True
    if ticket.requester_id and user is not None and user.id == ticket.requester_id:
        return True
    if session.get(TicketParticipant, (ticket.id, email)) is not None:
        return True
    return bool(user is not None and user.role == Role.member and ticket.organisation_id
                and user.organisation_id == ticket.organisation_id)

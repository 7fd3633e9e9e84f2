"""The designated contact: who answers DataCite, how fast, and whether anyone is really behind the address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal import audit
from portal.errors import ValidationFailed
from portal.models import DesignatedContact, Role, TicketGroup, User
from portal.services.accounts import email_problem, normalise_email


@dataclass
class ContactInput:
    email: str
    primary_agent_id: int | None
    backup_agent_id: int | None
    group_id: int | None
    ack_business_minutes: int
    answer_business_minutes: int
    backup_after_business_minutes: int


def get_contact(session: Session) -> DesignatedContact | None:
    return session.exec(select(DesignatedContact).order_by(DesignatedContact.id)).first()


def _agent(session: Session, user_id: int | None) -> User | None:
    return session.get(User, user_id) if user_id else None


def save_contact(session: Session, data: ContactInput, *, actor: User, now: datetime, ip: str = "") -> DesignatedContact:
    """Create or change the designated contact; every change is audited with what changed."""
    errors: dict[str, str] = {}
    email = normalise_email(data.email)
    if problem := email_problem(email):
        errors["email"] = problem
    for field in ("primary_agent_id", "backup_agent_id"):
        person = _agent(session, getattr(data, field))
        if getattr(data, field) and (person is None or person.role not in (Role.agent, Role.admin)):
            errors[field] = "Choose an agent or admin."
    if data.primary_agent_id is None:
        errors["primary_agent_id"] = "Someone must stand behind the address: choose the primary agent."
    elif data.backup_agent_id == data.primary_agent_id:
        errors["backup_agent_id"] = "The backup must be someone other than the primary."
    if data.group_id is not None and session.get(TicketGroup, data.group_id) is None:
        errors["group_id"] = "That group does not exist."
    for field, label in (("ack_business_minutes", "acknowledgement"), ("answer_business_minutes", "answer"),
                         ("backup_after_business_minutes", "backup alert")):
        value = getattr(data, field)
        if not isinstance(value, int) or value <= 0 or value > 60 * 24 * 30:
            errors[field] = f"Give the {label} target as a positive number of business hours (at most 30 days)."
    if not errors and data.answer_business_minutes < data.ack_business_minutes:
        errors["answer_business_minutes"] = "The answer target cannot be shorter than the acknowledgement target."
    if errors:
        raise ValidationFailed(errors)
    contact = get_contact(session) or DesignatedContact(email=email)
    changes = {}
    for field, value in (("email", email), *((f, getattr(data, f)) for f in (
            "primary_agent_id", "backup_agent_id", "group_id", "ack_business_minutes", "answer_business_minutes",
            "backup_after_business_minutes"))):
        if getattr(contact, field) != value or contact.id is None:
            changes[field] = [getattr(contact, field) if contact.id else None, value]
            setattr(contact, field, value)
    if "email" in changes:
        contact.bounced_at, contact.bounce_reason = None, ""
    contact.updated_at, contact.updated_by_id = now, actor.id
    session.add(contact)
    session.flush()
    audit.record(session, "designated_contact.update", actor=actor, target=contact, detail=changes, ip=ip)
    session.commit()
    return contact


def record_bounce(session: Session, *, address: str, reason: str, now: datetime) -> bool:
    """Mail to the designated address bounced (the mail channel reports it); True if it was the contact's address."""
    contact = get_contact(session)
    if contact is None or normalise_email(address) != contact.email:
        return False
    contact.bounced_at, contact.bounce_reason = now, reason[:500]
    session.add(contact)
    audit.record(session, "designated_contact.bounced", target=contact, detail={"reason": reason[:200]})
    session.commit()
    return True


def warnings(session: Session) -> list[str]:
    """What admins must fix so DataCite's mail reaches someone (RSP requirement 8)."""
    contact = get_contact(session)
    if contact is None:
        return ["No designated contact is set: DataCite has no address to send troubleshooting requests to."]
    found: list[str] = []
    primary, backup = _agent(session, contact.primary_agent_id), _agent(session, contact.backup_agent_id)
    desk = (Role.agent, Role.admin)
    if not [p for p in (primary, backup) if p is not None and p.active and p.role in desk]:
        found.append(f"No active agent stands behind {contact.email}: choose a primary or backup who can answer.")
    else:
        for label, person in (("primary", primary), ("backup", backup)):
            if person is not None and (not person.active or person.role not in desk):
                found.append(f"The {label} agent, {person.name}, can no longer answer; choose another.")
    if backup is None:
        found.append("No backup agent is set: overdue requests can only alert the primary.")
    if contact.bounced_at is not None:
        found.append(f"Mail to {contact.email} bounced: {contact.bounce_reason or 'no reason given'}.")
    return found

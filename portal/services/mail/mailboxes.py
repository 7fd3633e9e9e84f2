"""Mailboxes, configured by admins: the address, what mail to it means, and how it arrives."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.identifiers import HOSTNAME, is_loopback_host
from portal.models import Arrival, ImapSecurity, InboundMail, Mailbox, MailboxPurpose, TicketGroup, User
from portal.services.accounts import email_problem, normalise_email
from portal.services.pagination import Page, paginate
from portal.vault import Binding, Vault

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


@dataclass
class MailboxInput:
    name: str
    address: str
    purpose: str = MailboxPurpose.member_support
    group_id: int | None = None
    arrival: str = Arrival.pipe
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = ImapSecurity.tls
    imap_user: str = ""
    imap_password: str = ""  # write-only: empty keeps the stored one
    imap_folder: str = "INBOX"
    processed_folder: str = "Processed"
    active: bool = True


def list_mailboxes(session: Session) -> list[Mailbox]:
    return list(session.exec(select(Mailbox).order_by(Mailbox.name)).all())


def get_mailbox(session: Session, mailbox_id: int) -> Mailbox:
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise NotFound("That mailbox does not exist.")
    return mailbox


def _validate(session: Session, data: MailboxInput, existing: Mailbox | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not NAME.match(data.name):
        errors["name"] = "Use lower-case letters, digits, - and _ (it is typed in the mail server's pipe command)."
    elif (other := session.exec(select(Mailbox).where(Mailbox.name == data.name)).first()) and other is not existing:
        errors["name"] = "Another mailbox has this name."
    address = normalise_email(data.address)
    if problem := email_problem(address):
        errors["address"] = problem
    elif (other := session.exec(select(Mailbox).where(Mailbox.address == address)).first()) and other is not existing:
        errors["address"] = "Another mailbox has this address."
    if data.purpose not in {p.value for p in MailboxPurpose}:
        errors["purpose"] = "Choose member support or designated contact."
    if data.group_id is not None and session.get(TicketGroup, data.group_id) is None:
        errors["group_id"] = "That group does not exist."
    if data.arrival not in {a.value for a in Arrival}:
        errors["arrival"] = "Choose piped by the mail server or polled over IMAP."
    if data.arrival == Arrival.imap:
        if not HOSTNAME.match(data.imap_host.strip().lower()) and not re.match(r"^[0-9.:]+$", data.imap_host.strip()):
            errors["imap_host"] = "Give the IMAP server's host name."
        if not 0 < data.imap_port < 65536:
            errors["imap_port"] = "Give a port between 1 and 65535 (993 for TLS, 143 for STARTTLS)."
        if data.imap_security not in {s.value for s in ImapSecurity}:
            errors["imap_security"] = "Choose TLS or STARTTLS."
        elif data.imap_security == ImapSecurity.plain and not is_loopback_host(data.imap_host.strip()):
            errors["imap_security"] = "Unencrypted IMAP is allowed only to a server on this machine."
        if not data.imap_user.strip():
            errors["imap_user"] = "Give the IMAP login."
        if not data.imap_password and not (existing and existing.imap_password):
            errors["imap_password"] = "Give the IMAP password."  # noqa: S105
        for field in ("imap_folder", "processed_folder"):
            value = getattr(data, field).strip()
            if not value or len(value) > 200 or any(ch in value for ch in "\r\n\x00"):
                errors[field] = "Give a folder name (one line, at most 200 characters)."
        if data.imap_folder.strip() == data.processed_folder.strip():
            errors["processed_folder"] = "The processed folder must differ from the folder that is polled."
    return errors


def save_mailbox(session: Session, data: MailboxInput, *, vault: Vault, actor: User, ip: str = "",
                 mailbox_id: int | None = None) -> Mailbox:
    """Create or change a mailbox; the IMAP password is sealed in the vault and never shown again."""
    existing = get_mailbox(session, mailbox_id) if mailbox_id is not None else None
    errors = _validate(session, data, existing)
    if errors:
        raise ValidationFailed(errors)
    mailbox = existing or Mailbox(name=data.name, address=normalise_email(data.address))
    mailbox.name, mailbox.address = data.name, normalise_email(data.address)
    mailbox.purpose, mailbox.group_id, mailbox.arrival = data.purpose, data.group_id, data.arrival
    mailbox.imap_host, mailbox.imap_port = data.imap_host.strip(), data.imap_port
    mailbox.imap_security, mailbox.imap_user = data.imap_security, data.imap_user.strip()
    mailbox.imap_folder, mailbox.processed_folder = data.imap_folder.strip(), data.processed_folder.strip()
    mailbox.active = data.active
    session.add(mailbox)
    session.flush()
    if data.imap_password:
        mailbox.imap_password = vault.seal(data.imap_password, Binding.for_row(mailbox, "imap_password"))
    audit.record(session, "mail.mailbox_save", actor=actor, target=mailbox,
                 detail={"name": mailbox.name, "address": mailbox.address, "arrival": mailbox.arrival,
                         "password_changed": bool(data.imap_password)}, ip=ip)
    session.commit()
    return mailbox


def list_received(session: Session, *, outcome: str = "", page: int = 1, per_page: int = 50) -> Page[InboundMail]:
    """Received mail, newest first, optionally of one outcome."""
    stmt = select(InboundMail)
    if outcome:
        stmt = stmt.where(InboundMail.outcome == outcome)
    return paginate(session, stmt.order_by(InboundMail.id.desc()), page=page, per_page=per_page)  # type: ignore[union-attr]

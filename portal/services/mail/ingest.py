"""Receiving one message: recorded once by its Message-ID, guarded against loops, threaded, and turned into
a ticket, a reply, a note or a staff request in one unit of work.

Nothing is lost: until the commit succeeds the caller reports a temporary failure (the pipe exits 75, the
IMAP poller leaves the message unread), and a second delivery of the same message is recognised by the
unique Message-ID, also when two workers take it at the same moment.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.errors import ValidationFailed
from portal.identifiers import find_repository_ids
from portal.models import (
    Channel,
    InboundMail,
    InboundOutcome,
    MailAddressFlag,
    Mailbox,
    MailboxPurpose,
    Repository,
    Role,
    Status,
    Ticket,
    TicketParticipant,
)
from portal.services.mail.guards import Bounce, auto_reason, bounce_of
from portal.services.mail.parse import ParsedMail, parse_mail
from portal.services.mail.posting import post_message
from portal.services.mail.threading import find_thread, is_participant, user_by_email
from portal.services.mail.tokens import thread_key, ticket_from_references
from portal.services.tickets.attachments import MAX_FILES, Upload, check_upload
from portal.services.tickets.context import TicketContext
from portal.services.tickets.core import MAX_BODY, NewTicket, create_ticket

log = logging.getLogger("portal.mail")


@dataclass(frozen=True)
class InboundSettings:
    """What ingestion needs from the configuration."""

    key: bytes = field(repr=False)
    own_addresses: frozenset[str]
    datacite_domains: tuple[str, ...] = ("datacite.org",)
    loop_limit_per_hour: int = 20

    @classmethod
    def from_config(cls, config: Mapping[str, Any], mailboxes: list[str]) -> InboundSettings:
        """Settings from the app configuration plus every mailbox address (all of them are ours)."""
        sender = parseaddr(str(config.get("MAIL_FROM") or ""))[1].lower()
        domains = tuple(d.strip().lower().lstrip("@") for d in str(config.get("MAIL_DATACITE_DOMAINS") or "").split(",")
                        if d.strip())
        return cls(key=thread_key(str(config["SECRET_KEY"])),
                   own_addresses=frozenset(a.lower() for a in [sender, *mailboxes] if a),
                   datacite_domains=domains, loop_limit_per_hour=int(config.get("MAIL_LOOP_LIMIT_PER_HOUR") or 20))


@dataclass(frozen=True)
class IngestResult:
    outcome: str
    ticket_id: int | None = None
    duplicate: bool = False
    reason: str = ""

    def describe(self) -> str:
        """One line for the mail server's log."""
        what = "duplicate, already received" if self.duplicate else self.outcome
        on = f" (ticket #{self.ticket_id})" if self.ticket_id else ""
        return f"{what}{on}{': ' + self.reason if self.reason else ''}"


def settings_for(session: Session, config: Mapping[str, Any]) -> InboundSettings:
    """Inbound settings with every configured mailbox address counted as our own."""
    return InboundSettings.from_config(config, list(session.exec(select(Mailbox.address)).all()))


def _uploads(mail: ParsedMail, ctx: TicketContext) -> tuple[list[Upload], list[str]]:
    kept: list[Upload] = []
    notes: list[str] = []
    for raw in mail.attachments:
        upload = Upload(raw.filename, raw.data)
        if len(kept) >= MAX_FILES:
            notes.append(f"{raw.filename}: not kept, at most {MAX_FILES} files per message.")
            continue
        try:
            check_upload(upload, ctx.storage)
        except ValidationFailed as exc:
            notes.append(f"not kept: {exc.errors.get('attachments', 'not accepted')}")
            continue
        kept.append(upload)
    return kept, notes


def _body(mail: ParsedMail, notes: list[str], *, fold: bool) -> str:
    from portal.services.mail.folding import fold_reply

    text = mail.text.strip()
    folded = 0
    if fold:
        text, folded = fold_reply(text)
    if len(text) > MAX_BODY - 2000:
        text = text[:MAX_BODY - 2000] + "\n[… the rest of the message was cut: it was too long.]"
    parts = [text or "(The message had no text.)"]
    if folded:
        parts.append(f"[{folded} lines of quoted history and signature folded.]")
    if mail.html_only:
        parts.append("[Sent as HTML only; shown as plain text.]")
    parts += [f"[Attachment {note}]" for note in notes]
    return "\n\n".join(parts)


def _record(session: Session, mail: ParsedMail, mailbox: Mailbox | None, now: datetime) -> InboundMail | None:
    """Claim the Message-ID: the row is flushed at once, so a second worker with the same message fails here."""
    record = InboundMail(message_id=mail.message_id, mailbox_id=mailbox.id if mailbox else None, received_at=now,
                         from_addr=mail.from_addr, from_name=mail.from_name, subject=mail.subject,
                         outcome="pending")
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    return record


def _finish(session: Session, record: InboundMail, outcome: str, *, ticket: Ticket | None = None,
            message_id: int | None = None, reason: str = "", body: str = "") -> IngestResult:
    record.outcome, record.reason = outcome, reason[:500]
    record.ticket_id = ticket.id if ticket is not None else None
    record.ticket_message_id = message_id
    record.body = body
    session.add(record)
    try:
        session.commit()
    except IntegrityError:  # another worker committed the same Message-ID first (SQLite finds out only here)
        session.rollback()
        return IngestResult(outcome="duplicate", duplicate=True)
    return IngestResult(outcome=outcome, ticket_id=record.ticket_id, reason=reason)


def _bounce(session: Session, record: InboundMail, bounce: Bounce, *, settings: InboundSettings,
            now: datetime) -> IngestResult:
    for address in bounce.recipients[:20]:
        flag = session.get(MailAddressFlag, address) or MailAddressFlag(email=address)
        flag.bounces += 1
        flag.last_bounce_at, flag.reason = now, bounce.reason[:500]
        session.add(flag)
    ticket_id = ticket_from_references(bounce.referenced, settings.key)
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    if ticket is None or ticket.status == Status.closed:
        return _finish(session, record, InboundOutcome.bounce, reason=f"bounce for {', '.join(bounce.recipients)}")
    note = (f"Our mail to {', '.join(bounce.recipients) or 'the requester'} bounced: {bounce.reason}\n"
            "Check the address; acknowledgements to it are paused.")
    message = post_message(session, ticket, body=note, name="Mail delivery", email="", user=None, now=now,
                           internal=True)
    return _finish(session, record, InboundOutcome.bounce, ticket=ticket, message_id=message.id,
                   reason=bounce.reason)


def _too_many(session: Session, mail: ParsedMail, settings: InboundSettings, now: datetime) -> bool:
    since = now - timedelta(hours=1)
    count = session.exec(select(func.count()).select_from(InboundMail).where(
        InboundMail.from_addr == mail.from_addr, InboundMail.received_at >= since,  # type: ignore[operator]
        InboundMail.outcome != "pending")).one()
    return count >= settings.loop_limit_per_hour


def _repository(session: Session, text: str) -> Repository | None:
    candidates = session.exec(select(Repository)).all() if "." in text else []
    found = find_repository_ids(text, {r.symbol for r in candidates})
    matches = [r for r in candidates if r.symbol in found]
    return matches[0] if len({r.organisation_id for r in matches}) == 1 else None


def ingest_mail(session: Session, *, raw: bytes, mailbox: Mailbox, ctx: TicketContext, settings: InboundSettings,
                now: datetime) -> IngestResult:
    """Receive one message into ``mailbox``; commits its own unit of work; raises only on failures worth retrying."""
    mail = parse_mail(raw)
    if session.exec(select(InboundMail.id).where(InboundMail.message_id == mail.message_id)).first() is not None:
        return IngestResult(outcome="duplicate", duplicate=True)
    record = _record(session, mail, mailbox, now)
    if record is None:
        return IngestResult(outcome="duplicate", duplicate=True)
    if mail.from_addr in settings.own_addresses:
        return _finish(session, record, InboundOutcome.dropped, reason="sent from one of our own addresses")
    bounce = bounce_of(mail)
    if bounce is not None:
        return _bounce(session, record, bounce, settings=settings, now=now)
    automatic = auto_reason(mail)
    thread = find_thread(session, mail, key=settings.key)
    if automatic:
        if thread is None or thread.ticket.status == Status.closed:
            return _finish(session, record, InboundOutcome.dropped, reason=f"automatic mail ({automatic})")
        note = f"Automatic reply from {mail.from_addr} ({automatic}):\n\n{_body(mail, [], fold=True)}"
        message = post_message(session, thread.ticket, body=note, name=mail.from_name, email=mail.from_addr,
                               user=None, now=now, internal=True)
        return _finish(session, record, InboundOutcome.note, ticket=thread.ticket, message_id=message.id,
                       reason=automatic)
    if not mail.from_addr or _too_many(session, mail, settings, now):
        return _finish(session, record, InboundOutcome.limited,
                       reason="no sender address" if not mail.from_addr else "too much mail from this sender")
    uploads, notes = _uploads(mail, ctx)
    user = user_by_email(session, mail.from_addr)
    if thread is not None and thread.ticket.status != Status.closed:
        ticket = thread.ticket
        if user is not None and user.role in (Role.agent, Role.admin):
            body = f"Mail from agent {mail.from_addr}:\n\n{_body(mail, notes, fold=True)}"
            message = post_message(session, ticket, body=body, name=user.name, email=mail.from_addr, user=user,
                                   now=now, internal=True, uploads=uploads, storage=ctx.storage)
            return _finish(session, record, InboundOutcome.note, ticket=ticket, message_id=message.id)
        if is_participant(session, ticket, mail.from_addr, user):
            message = post_message(session, ticket, body=_body(mail, notes, fold=True), name=mail.from_name or (
                user.name if user else ""), email=mail.from_addr, user=user, now=now, internal=False,
                uploads=uploads, storage=ctx.storage)
            return _finish(session, record, InboundOutcome.reply, ticket=ticket, message_id=message.id,
                           reason=f"threaded by {thread.how}")
        body = _body(mail, notes, fold=True)
        note = (f"Mail from {mail.from_name} <{mail.from_addr}>, who is not part of this ticket. It waits for an "
                f"agent to accept it as a reply (from a participant or the new requester).\n\n{body}")
        message = post_message(session, ticket, body=note, name=mail.from_name, email=mail.from_addr, user=None,
                               now=now, internal=True)
        return _finish(session, record, InboundOutcome.held, ticket=ticket, message_id=message.id,
                       reason=f"stranger, threaded by {thread.how}", body=body)
    return _open(session, record, mail, mailbox=mailbox, ctx=ctx, settings=settings, now=now,
                 follow_up=thread.ticket if thread else None, uploads=uploads, notes=notes)


def _open(session: Session, record: InboundMail, mail: ParsedMail, *, mailbox: Mailbox, ctx: TicketContext,
          settings: InboundSettings, now: datetime, follow_up: Ticket | None, uploads: list[Upload],
          notes: list[str]) -> IngestResult:
    """A new conversation: a staff request when DataCite writes to the designated contact, else a ticket."""
    body = _body(mail, notes, fold=follow_up is not None)
    if follow_up is not None:
        body = f"(Follow-up to closed ticket #{follow_up.number}.)\n\n{body}"
    subject = mail.subject.strip() or "(no subject)"
    domain = mail.from_addr.rpartition("@")[2]
    if mailbox.purpose == MailboxPurpose.designated_contact and domain in settings.datacite_domains:
        from portal.services.staff.requests import StaffRequestInput, file_request

        repo = _repository(session, f"{subject}\n{body}")
        record.outcome = InboundOutcome.request  # file_request commits the ticket before its clock row
        ticket = file_request(session, StaffRequestInput(subject=subject[:300], observed=body,
                                                         reply_to=mail.from_addr,
                                                         repository_symbol=repo.symbol if repo else ""),
                              staff=None, ctx=ctx, now=now, source="email", sender_name=mail.from_name)
        return _finish(session, record, InboundOutcome.request, ticket=ticket, message_id=ticket.last_message_id)
    user = user_by_email(session, mail.from_addr)
    requester = user if user is not None and user.role == Role.member else None
    repo = _repository(session, f"{subject}\n{body}")
    if repo is not None and requester is not None and repo.organisation_id != requester.organisation_id:
        repo = None
    flagged = session.get(MailAddressFlag, mail.from_addr)
    ticket = create_ticket(session, NewTicket(
        subject=subject[:300], body=body, channel=Channel.email, requester=requester,
        requester_email=mail.from_addr, requester_name=mail.from_name, reply_to=mail.from_addr,
        repository_id=repo.id if repo else None, group_id=mailbox.group_id, attachments=uploads,
        internal=False), ctx=ctx, actor=None, now=now, commit=False)
    if flagged is not None:
        log.info("mail from %s, an address that bounced before", mail.from_addr)
    _add_copied(session, ticket, mail, settings, now)
    return _finish(session, record, InboundOutcome.ticket, ticket=ticket, message_id=ticket.last_message_id)


def _add_copied(session: Session, ticket: Ticket, mail: ParsedMail, settings: InboundSettings, now: datetime) -> None:
    """People the requester copied on the first mail take part: their reply-all threads as a reply."""
    for address in dict.fromkeys(mail.to + mail.cc):
        if address in settings.own_addresses or address == mail.from_addr or len(address) > 254:
            continue
        if session.get(TicketParticipant, (ticket.id, address)) is None:
            session.add(TicketParticipant(ticket_id=ticket.id or 0, email=address, added_at=now))


def ingest_raw(session: Session, *, raw: bytes, mailbox_name: str, ctx: TicketContext, config: Mapping[str, Any],
               now: datetime) -> IngestResult:
    """The pipe's entry: find the mailbox by name and receive the message into it."""
    mailbox = session.exec(select(Mailbox).where(Mailbox.name == mailbox_name)).first()
    if mailbox is None or not mailbox.active:
        raise LookupError(f"no active mailbox named {mailbox_name!r}")
    return ingest_mail(session, raw=raw, mailbox=mailbox, ctx=ctx, settings=settings_for(session, config), now=now)

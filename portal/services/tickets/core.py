"""Creating tickets and changing their fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from portal import audit
from portal.errors import Conflict, ValidationFailed
from portal.models import (
    Category,
    Channel,
    Environment,
    Message,
    Organisation,
    Priority,
    Repository,
    Role,
    Status,
    Ticket,
    TicketGroup,
    User,
    Visibility,
)
from portal.services.accounts import email_problem, normalise_email
from portal.services.tickets import notify, sla_hooks
from portal.services.tickets.assignment import assign, auto_assign, default_group
from portal.services.tickets.attachments import Upload, check_uploads, store
from portal.services.tickets.classify import recognise
from portal.services.tickets.context import TicketContext
from portal.services.tickets.history import record_event
from portal.services.tickets.lifecycle import change_status, ensure_writable
from portal.services.tickets.tags import detect_dois, parse_doi_field, parse_tags, set_dois, set_tags

MAX_BODY = 100_000


@dataclass
class NewTicket:
    """What a ticket starts with, from any channel."""

    subject: str
    body: str
    channel: str = Channel.member_portal
    requester: User | None = None
    requester_email: str = ""
    requester_name: str = ""
    organisation_id: int | None = None
    repository_id: int | None = None
    environment: str = ""
    category: str = Category.other
    priority: str = Priority.normal
    error_text: str = ""
    dois: str = ""
    tags: str = ""
    group_id: int | None = None
    assignee_id: int | None = None
    attachments: list[Upload] = field(default_factory=list)
    internal: bool = False  # the first message is an internal note (proactive tickets written by checks)
    reply_to: str = ""  # where answers go when not to the requester's account address


def _check_choice(value: str, choices: type, name: str, label: str, errors: dict[str, str]) -> None:
    if value not in {c.value for c in choices}:
        errors[name] = f"Choose one of the {label}."


def _resolve_context(session: Session, data: NewTicket, errors: dict[str, str]) -> tuple[Organisation | None,
                                                                                        Repository | None]:
    requester = data.requester
    org_id = data.organisation_id
    if requester is not None and requester.role == Role.member:
        org_id = requester.organisation_id  # members file for their own organisation, whatever the form says
    repo = session.get(Repository, data.repository_id) if data.repository_id else None
    if data.repository_id and repo is None:
        errors["repository_id"] = "That repository does not exist."
    if repo is not None:
        if org_id is None:
            org_id = repo.organisation_id
        elif repo.organisation_id != org_id:
            errors["repository_id"] = "Choose one of the organisation's own repositories."
    org = session.get(Organisation, org_id) if org_id else None
    if org_id and org is None:
        errors["organisation_id"] = "That organisation does not exist."
    return org, repo


def validate_new(session: Session, data: NewTicket, ctx: TicketContext) -> tuple[Organisation | None, Repository | None,
                                                                                 list[str], list[str]]:
    """Check a new ticket completely; returns (organisation, repository, DOIs, tags) or raises every problem."""
    errors: dict[str, str] = {}
    if not data.subject.strip():
        errors["subject"] = "Give the ticket a short subject."
    elif len(data.subject.strip()) > 300:
        errors["subject"] = "Keep the subject under 300 characters."
    if not data.body.strip():
        errors["body"] = "Describe the problem."
    elif len(data.body) > MAX_BODY:
        errors["body"] = f"Keep the description under {MAX_BODY:,} characters; attach long logs as files."
    if len(data.error_text) > 20_000:
        errors["error_text"] = "Paste at most 20,000 characters of the error; attach the rest as a file."
    if data.environment and data.environment not in {e.value for e in Environment}:
        errors["environment"] = "Choose test or production."
    _check_choice(data.category, Category, "category", "categories", errors)
    _check_choice(data.priority, Priority, "priority", "priorities", errors)
    _check_choice(data.channel, Channel, "channel", "channels", errors)
    if data.requester is None:
        email = normalise_email(data.requester_email)
        if not email:
            errors["requester_email"] = "Say who is asking: a member user or an email address."
        elif problem := email_problem(email):
            errors["requester_email"] = problem
    org, repo = _resolve_context(session, data, errors)
    dois: list[str] = []
    tags: list[str] = []
    for key, parse in (("dois", lambda: parse_doi_field(data.dois)), ("tags", lambda: parse_tags(data.tags))):
        try:
            value = parse()
        except ValidationFailed as exc:
            errors.update(exc.errors)
        else:
            if key == "dois":
                dois = value
            else:
                tags = value
    try:
        check_uploads(data.attachments, ctx.storage)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if data.group_id is not None and session.get(TicketGroup, data.group_id) is None:
        errors["group_id"] = "That group does not exist."
    if errors:
        raise ValidationFailed(errors)
    dois = list(dict.fromkeys(dois + detect_dois(data.subject, data.body, data.error_text)))
    return org, repo, dois, tags


def create_ticket(session: Session, data: NewTicket, *, ctx: TicketContext, actor: User | None, now: datetime,
                  ip: str = "", commit: bool = True) -> Ticket:
    """Open a ticket with its first message: DOIs detected, error recognised, queue, assignment, clocks, mail.
    With ``commit=False`` the caller commits (the mail channel records the received message in the same unit)."""
    org, repo, dois, tags = validate_new(session, data, ctx)
    requester = data.requester
    recognised = recognise(data.error_text or data.body)
    group = session.get(TicketGroup, data.group_id) if data.group_id else default_group(session)
    ticket = Ticket(
        subject=" ".join(data.subject.split()),
        channel=data.channel,
        requester_id=requester.id if requester else None,
        requester_email=normalise_email(data.reply_to) if data.reply_to else (
            requester.email if requester else normalise_email(data.requester_email)),
        requester_name=requester.name if requester else data.requester_name.strip()[:200],
        organisation_id=org.id if org else None,
        repository_id=repo.id if repo else None,
        environment=data.environment or (repo.environment if repo else ""),
        category=data.category,
        priority=data.priority,
        error_text=data.error_text.strip(),
        failure_key=recognised.key if recognised else "",
        group_id=group.id if group else None,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    author = requester if requester is not None else actor
    message = Message(ticket_id=ticket.id or 0, author_id=getattr(author, "id", None),
                      author_name=author.name if author else ticket.requester_name or ticket.requester_email,
                      author_email=author.email if author else ticket.requester_email,
                      author_role=author.role if author else "",
                      visibility=Visibility.internal if data.internal else Visibility.public,
                      body=data.body.strip(), source={Channel.api: "api", Channel.email: "email"}.get(Channel(data.channel), "web"), created_at=now)
    session.add(message)
    session.flush()
    for upload in data.attachments:
        store(session, ticket, upload, storage=ctx.storage, message_id=message.id, uploader=author)
    ticket.last_message_id = message.id or 0
    ticket.message_count = 1
    if not data.internal:
        ticket.last_public_message_at = now
    set_dois(session, ticket, dois)
    set_tags(session, ticket, tags)
    record_event(session, ticket, "created", actor=actor or requester, new=data.channel, now=now)
    if data.assignee_id:
        assign(session, ticket, session.get(User, data.assignee_id), actor=actor, now=now)
    else:
        agent = auto_assign(session, ticket, now=now)
        if agent is not None:
            notify.assigned(session, ticket, ctx.mail, assignee=agent, by="Automatic assignment")
    sla_hooks.ticket_created(session, ticket, now)
    if data.channel in (Channel.member_portal, Channel.email, Channel.datacite_staff, Channel.api) and not data.internal:
        notify.acknowledge(session, ticket, ctx.mail)
    audit.record(session, "ticket.create", actor=actor or requester, target=ticket,
                 detail={"channel": data.channel, "dois": len(dois)}, ip=ip)
    if commit:
        session.commit()
    else:
        session.flush()
    return ticket


@dataclass
class TicketChanges:
    """Fields an agent may change; None leaves a field as it is."""

    subject: str | None = None
    priority: str | None = None
    category: str | None = None
    environment: str | None = None
    repository_id: int | None = None
    clear_repository: bool = False
    dois: str | None = None
    tags: str | None = None


def update_ticket(session: Session, ticket: Ticket, changes: TicketChanges, *, actor: User, now: datetime) -> list[str]:
    """Apply an agent's edits, recording each change in the history; returns the names of what changed."""
    ensure_writable(ticket)
    errors: dict[str, str] = {}
    changed: list[str] = []
    if changes.subject is not None:
        subject = " ".join(changes.subject.split())
        if not subject:
            errors["subject"] = "The subject cannot be empty."
        elif len(subject) > 300:
            errors["subject"] = "Keep the subject under 300 characters."
    if changes.priority is not None:
        _check_choice(changes.priority, Priority, "priority", "priorities", errors)
    if changes.category is not None:
        _check_choice(changes.category, Category, "category", "categories", errors)
    if changes.environment not in (None, "") and changes.environment not in {e.value for e in Environment}:
        errors["environment"] = "Choose test or production."
    repo = None
    if changes.repository_id is not None:
        repo = session.get(Repository, changes.repository_id)
        if repo is None or (ticket.organisation_id and repo.organisation_id != ticket.organisation_id):
            errors["repository_id"] = "Choose one of the organisation's repositories."
    dois = tags = None
    try:
        dois = parse_doi_field(changes.dois) if changes.dois is not None else None
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        tags = parse_tags(changes.tags) if changes.tags is not None else None
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    for name in ("subject", "priority", "category", "environment"):
        value = getattr(changes, name)
        if name == "subject" and value is not None:
            value = " ".join(value.split())
        if value is not None and value != getattr(ticket, name):
            record_event(session, ticket, name, actor=actor, old=getattr(ticket, name), new=value, now=now)
            setattr(ticket, name, value)
            changed.append(name)
    if repo is not None and repo.id != ticket.repository_id or changes.clear_repository and ticket.repository_id:
        old = session.get(Repository, ticket.repository_id) if ticket.repository_id else None
        record_event(session, ticket, "repository", actor=actor, old=old.symbol if old else "none",
                     new=repo.symbol if repo else "none", now=now)
        ticket.repository_id = repo.id if repo else None
        if repo is not None and ticket.organisation_id is None:
            ticket.organisation_id = repo.organisation_id
        changed.append("repository")
    if dois is not None:
        added, removed = set_dois(session, ticket, dois)
        if added or removed:
            record_event(session, ticket, "dois", actor=actor, old=", ".join(removed), new=", ".join(added), now=now)
            changed.append("dois")
    if tags is not None:
        added, removed = set_tags(session, ticket, tags)
        if added or removed:
            record_event(session, ticket, "tags", actor=actor, old=", ".join(removed), new=", ".join(added),
                         internal=True, now=now)
            changed.append("tags")
    if changed:
        ticket.updated_at = now
        session.add(ticket)
        if "priority" in changed:
            sla_hooks.targets_changed(session, ticket, now)
    session.commit()
    return changed


def close_by_member(session: Session, ticket: Ticket, *, member: User, ctx: TicketContext, now: datetime,
                    reason: str = "") -> Ticket:
    """A member closes their organisation's ticket (their question is answered or gone)."""
    change_status(session, ticket, Status.closed, actor=member, now=now,
                  reason=reason.strip() or "Closed by the member.", require_reason=False)
    session.commit()
    return ticket


def rate(session: Session, ticket: Ticket, *, member: User, score: int, comment: str, now: datetime) -> Ticket:
    """Customer satisfaction: the member rates the answer once the ticket is resolved or closed."""
    if ticket.status not in (Status.resolved, Status.closed):
        raise Conflict("You can rate the answer once the ticket is resolved.")
    if score not in range(1, 6):
        raise ValidationFailed({"score": "Choose from 1 (poor) to 5 (excellent)."})
    if len(comment) > 2000:
        raise ValidationFailed({"comment": "Keep the comment under 2,000 characters."})
    ticket.csat_score, ticket.csat_comment, ticket.csat_at = score, comment.strip(), now
    session.add(ticket)
    record_event(session, ticket, "rating", actor=member, new=str(score), now=now)
    session.commit()
    return ticket

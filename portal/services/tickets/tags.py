"""Tags and DOIs on tickets."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from portal.errors import ValidationFailed
from portal.identifiers import doi_prefix, find_dois, normalise_doi
from portal.models import Ticket, TicketDoi, TicketTag

TAG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,39}$")
MAX_TAGS = 20
MAX_DOIS = 200


def parse_tags(text: str | list[str]) -> list[str]:
    parts = text if isinstance(text, list) else re.split(r"[\s,;]+", text or "")
    tags: list[str] = []
    for part in parts:
        tag = part.strip().lower().lstrip("#")
        if not tag:
            continue
        if not TAG.match(tag):
            raise ValidationFailed({"tags": f"{part!r} is not a tag: use letters, digits, '-', '_' or '.' (40 at most)."})
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationFailed({"tags": f"Use at most {MAX_TAGS} tags."})
    return tags


def parse_doi_field(text: str) -> list[str]:
    """DOIs typed in a DOI field, one per line or separated by commas/spaces; each must be a DOI."""
    dois: list[str] = []
    for part in re.split(r"[\s,;]+", text or ""):
        if not part:
            continue
        doi = normalise_doi(part)
        if doi is None:
            raise ValidationFailed({"dois": f"{part!r} is not a DOI; a DOI looks like 10.12345/abc-123."})
        if doi not in dois:
            dois.append(doi)
    return dois


def detect_dois(*texts: str) -> list[str]:
    found: list[str] = []
    for text in texts:
        for doi in find_dois(text):
            if doi not in found:
                found.append(doi)
    return found[:MAX_DOIS]


def dois_of(session: Session, ticket: Ticket) -> list[str]:
    return list(session.exec(select(TicketDoi.doi).where(TicketDoi.ticket_id == ticket.id).order_by(TicketDoi.doi)).all())


def tags_of(session: Session, ticket: Ticket) -> list[str]:
    return list(session.exec(select(TicketTag.tag).where(TicketTag.ticket_id == ticket.id).order_by(TicketTag.tag)).all())


def set_dois(session: Session, ticket: Ticket, dois: list[str]) -> tuple[list[str], list[str]]:
    """Make the ticket's DOIs exactly ``dois``; returns (added, removed) (the caller commits)."""
    current = {row.doi: row for row in session.exec(select(TicketDoi).where(TicketDoi.ticket_id == ticket.id)).all()}
    wanted = list(dict.fromkeys(dois))[:MAX_DOIS]
    removed = [doi for doi in current if doi not in wanted]
    for doi in removed:
        session.delete(current[doi])
    added = [doi for doi in wanted if doi not in current]
    for doi in added:
        session.add(TicketDoi(ticket_id=ticket.id or 0, doi=doi, prefix=doi_prefix(doi)))
    return added, removed


def add_dois(session: Session, ticket: Ticket, dois: list[str]) -> list[str]:
    existing = set(dois_of(session, ticket))
    return set_dois(session, ticket, list(existing) + [d for d in dois if d not in existing])[0]


def set_tags(session: Session, ticket: Ticket, tags: list[str]) -> tuple[list[str], list[str]]:
    current = {row.tag: row for row in session.exec(select(TicketTag).where(TicketTag.ticket_id == ticket.id)).all()}
    removed = [t for t in current if t not in tags]
    for tag in removed:
        session.delete(current[tag])
    added = [t for t in tags if t not in current]
    for tag in added:
        session.add(TicketTag(ticket_id=ticket.id or 0, tag=tag))
    return added, removed

"""Diagnosis transcripts of a repository: read them, and attach one to a ticket as an internal note."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import DiagnosisTranscript, Message, Repository, Ticket, User


def get_transcript(session: Session, repository: Repository, transcript_id: int) -> DiagnosisTranscript:
    """One of the repository's transcripts; NotFound for another repository's."""
    transcript = session.get(DiagnosisTranscript, transcript_id)
    if transcript is None or transcript.repository_id != repository.id:
        raise NotFound("No such transcript for this repository.")
    return transcript


def list_transcripts(session: Session, repository: Repository, *, limit: int = 10) -> list[DiagnosisTranscript]:
    """The repository's latest transcripts, newest first."""
    return list(session.exec(select(DiagnosisTranscript).where(DiagnosisTranscript.repository_id == repository.id)
                             .order_by(DiagnosisTranscript.id.desc()).limit(limit)).all())  # type: ignore[union-attr]


def parse_ticket_number(raw: str) -> int:
    """A ticket number from "#123" or "123"; ValidationFailed on the ``ticket`` field otherwise."""
    text = (raw or "").strip().lstrip("#").strip()
    if not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise ValidationFailed({"ticket": "Enter a ticket number, like 1234."})
    return int(text)


def attach_transcript(session: Session, transcript: DiagnosisTranscript, *, ticket_number: int, author: User,
                      config: Mapping[str, Any], now: datetime, ip: str) -> Message:
    """Add the transcript to a ticket as an internal note (the escalation package picks it up)."""
    from portal.models import Visibility
    from portal.services.tickets.context import TicketContext
    from portal.services.tickets.messages import add_message

    ticket = session.get(Ticket, ticket_number)
    if ticket is None:
        raise ValidationFailed({"ticket": f"There is no ticket #{ticket_number}."})
    message = add_message(session, ticket, author=author, body=transcript.body,
                          ctx=TicketContext.from_config(config), now=now, visibility=Visibility.internal)
    attached = [part for part in transcript.attached_to.split(",") if part]
    if f"#{ticket_number}" not in attached:
        attached.append(f"#{ticket_number}")
    transcript.attached_to = ",".join(attached)[:500]
    session.add(transcript)
    audit.record(session, "datacite.transcript_attach", actor=author, target=("ticket", ticket.id),
                 detail={"transcript_id": transcript.id, "repository_id": transcript.repository_id}, ip=ip)
    session.commit()
    return message

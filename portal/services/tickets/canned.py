"""Canned answers and their variables."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import CannedAnswer, Organisation, Repository, Ticket, User
from portal.services.held import Held
from portal.services.tickets.canned_defaults import CANNED_DEFAULTS
from portal.services.tickets.tags import dois_of

VARIABLE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
VARIABLES = {
    "ticket_number": "the ticket's number",
    "member_name": "the requester's name",
    "organisation": "the member organisation",
    "repository_id": "the repository ID, e.g. UNIX.DATA",
    "environment": "test or production",
    "doi": "the ticket's first DOI",
    "agent_name": "your name",
    "docs_url": "the documentation's address",
}


def variables_for(session: Session, ticket: Ticket, agent: User, *, base_url: str) -> dict[str, str]:
    org = session.get(Organisation, ticket.organisation_id) if ticket.organisation_id else None
    repo = session.get(Repository, ticket.repository_id) if ticket.repository_id else None
    dois = dois_of(session, ticket)
    return {
        "ticket_number": f"#{ticket.number}",
        "member_name": (ticket.requester_name or "there").split(" ")[0],
        "organisation": org.name if org else "your organisation",
        "repository_id": repo.symbol if repo else "your repository",
        "environment": ticket.environment or (repo.environment if repo else "the right"),
        "doi": dois[0] if dois else "the DOI",
        "agent_name": agent.name,
        "docs_url": f"{base_url}/docs",
    }


def render(body: str, values: dict[str, str]) -> str:
    """Fill known variables; unknown ones stay visible so the agent notices them."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def list_answers(session: Session, *, active_only: bool = True) -> list[CannedAnswer]:
    stmt = select(CannedAnswer)
    if active_only:
        stmt = stmt.where(CannedAnswer.active.is_(True))  # type: ignore[attr-defined]
    return list(session.exec(stmt.order_by(CannedAnswer.title)).all())


def get_answer(session: Session, answer_id: int) -> CannedAnswer:
    answer = session.get(CannedAnswer, answer_id)
    if answer is None:
        raise NotFound("No such canned answer.")
    return answer


class AnswerChoice(NamedTuple):
    """What the reply form needs of an active canned answer to offer and suggest it."""

    id: int
    title: str
    failure_key: str


def _read_answer_choices(session: Session) -> tuple[AnswerChoice, ...]:
    rows = session.exec(select(CannedAnswer.id, CannedAnswer.title, CannedAnswer.failure_key).where(
        CannedAnswer.active.is_(True)).order_by(CannedAnswer.title)).all()  # type: ignore[attr-defined]
    return tuple(AnswerChoice(int(i or 0), t, k or "") for i, t, k in rows)


_answer_choices = Held(("canned_answer",), _read_answer_choices)


def answer_choices(session: Session) -> tuple[AnswerChoice, ...]:
    """The active answers' ids, titles and failures, by title (held in memory: services.held)."""
    return _answer_choices(session)


def suggested_for(ticket: Ticket, answers: Sequence[AnswerChoice]) -> AnswerChoice | None:
    """The answer for the DataCite failure recognised in the ticket, among ``answers`` (the active ones)."""
    if not ticket.failure_key:
        return None
    return next((a for a in answers if a.failure_key == ticket.failure_key), None)


def save_answer(session: Session, answer: CannedAnswer | None, *, title: str, body: str, failure_key: str,
                active: bool, actor: User, now: datetime) -> CannedAnswer:
    errors: dict[str, str] = {}
    title = " ".join(title.split())
    if not title:
        errors["title"] = "Give the answer a title."
    elif len(title) > 200:
        errors["title"] = "Keep the title under 200 characters."
    clash = session.exec(select(CannedAnswer).where(CannedAnswer.title == title)).first()
    if clash is not None and (answer is None or clash.id != answer.id):
        errors["title"] = "Another canned answer has this title."
    if not body.strip():
        errors["body"] = "Write the answer."
    unknown = sorted({m.group(1) for m in VARIABLE.finditer(body)} - set(VARIABLES))
    if unknown:
        errors["body"] = "Unknown variables: " + ", ".join("{{" + u + "}}" for u in unknown)
    if errors:
        raise ValidationFailed(errors)
    if answer is None:
        answer = CannedAnswer(title=title, body=body.strip())
    answer.title, answer.body, answer.failure_key, answer.active = title, body.strip(), failure_key.strip(), active
    answer.updated_at, answer.updated_by_id = now, actor.id
    session.add(answer)
    session.flush()
    audit.record(session, "canned.save", actor=actor, target=answer, detail={"title": title})
    session.commit()
    return answer


def seed_defaults(session: Session) -> int:
    """Add the shipped answers that are missing; returns how many were added."""
    existing = set(session.exec(select(CannedAnswer.title)).all())
    added = 0
    for item in CANNED_DEFAULTS:
        if item["title"] not in existing:
            session.add(CannedAnswer(title=item["title"], body=item["body"], failure_key=item["key"],
                                     category=item["category"]))
            added += 1
    session.commit()
    return added

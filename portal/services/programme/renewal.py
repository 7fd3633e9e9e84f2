"""Yearly renewal: a self-assessment each January, prefilled from the board, with reminders before it is due."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from portal import audit
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models import SelfAssessment, User
from portal.services.outbox import queue_mail
from portal.services.programme.board import admin_addresses, board_rows
from portal.services.programme.steps import is_listed


def due_date(year: int) -> date:
    """The self-assessment of ``year`` is due by the end of January."""
    return date(year, 1, 31)


def upcoming_year(today: date) -> int:
    """The renewal year whose January is now or next."""
    return today.year if today <= due_date(today.year) else today.year + 1


@dataclass(frozen=True)
class Answer:
    """One line of a self-assessment: a board row as it stood, and the admin's comment."""

    key: str
    title: str
    status: str
    reason: str
    comment: str


def answers_of(assessment: SelfAssessment) -> list[Answer]:
    """The assessment's answers, in board order."""
    try:
        raw = json.loads(assessment.answers or "[]")
    except ValueError:
        raw = []
    return [Answer(**{k: str(item.get(k, "")) for k in ("key", "title", "status", "reason", "comment")})
            for item in raw if isinstance(item, dict)]


def _prefill(session: Session) -> str:
    rows = [{"key": r.item.key, "title": f"{r.item.number}. {r.item.title}", "status": r.state.status,
             "reason": r.state.reason, "comment": r.state.notes[:2000]} for r in board_rows(session)]
    return json.dumps(rows)


def get_assessment(session: Session, year: int) -> SelfAssessment | None:
    """The self-assessment of that year, if started."""
    return session.exec(select(SelfAssessment).where(SelfAssessment.year == year)).first()


def history(session: Session) -> list[SelfAssessment]:
    """Every self-assessment, newest year first."""
    return list(session.exec(select(SelfAssessment).order_by(SelfAssessment.year.desc())).all())  # type: ignore[attr-defined]


def draft_assessment(session: Session, *, year: int, now: datetime) -> SelfAssessment:
    """The year's self-assessment as it would start, prefilled from the board, without saving it."""
    return SelfAssessment(year=year, due_on=due_date(year), answers=_prefill(session), created_at=now)


def start_assessment(session: Session, *, year: int, now: datetime) -> SelfAssessment:
    """The year's self-assessment, created and prefilled from the board if it does not exist yet."""
    if year < 2000 or year > now.year + 1:
        raise NotFound("There is no self-assessment for that year.")
    row = get_assessment(session, year)
    if row is None:
        row = draft_assessment(session, year=year, now=now)
        session.add(row)
        session.commit()
    return row


def save_assessment(session: Session, *, year: int, comments: Mapping[str, str], remarks: str, submit: bool,
                    actor: User, now: datetime, ip: str = "") -> SelfAssessment:
    """Keep the comments (and submit the assessment when ``submit``); a submitted one no longer changes."""
    row = start_assessment(session, year=year, now=now)
    if row.submitted_at is not None:
        raise Conflict(f"The {year} self-assessment was submitted on {row.submitted_at:%Y-%m-%d}.")
    if len(remarks) > 20_000 or any(len(v) > 5000 for v in comments.values()):
        raise ValidationFailed({"remarks": "Keep remarks under 20,000 and each comment under 5,000 characters."})
    answers = [a.__dict__ | {"comment": comments.get(a.key, a.comment).strip()} for a in answers_of(row)]
    row.answers, row.remarks = json.dumps(answers), remarks.strip()
    if submit:
        row.submitted_at, row.submitted_by_id = now, actor.id
    session.add(row)
    session.flush()
    audit.record(session, "programme.renewal", actor=actor, target=row, ip=ip,
                 detail={"year": year, "submitted": submit})
    session.commit()
    return row


@dataclass(frozen=True)
class Reminders:
    """What a reminder run sent."""

    reminded: int = 0
    overdue: int = 0


def _mail(session: Session, subject: str, text: str, config: Mapping[str, Any]) -> None:
    for address in admin_addresses(session):
        queue_mail(session, to=address, subject=subject, text=text, kind="programme",
                   echo=bool(config.get("MAIL_PRINT")))


def remind_renewal(session: Session, *, now: datetime, config: Mapping[str, Any]) -> Reminders:
    """Remind admins once before the self-assessment is due, and once more when it is overdue (listed only)."""
    today = now.date()
    if not is_listed(session, today=today):
        return Reminders()
    days = int(config.get("PROGRAMME_RENEWAL_REMIND_DAYS", 30))
    base = str(config.get("BASE_URL", "")).rstrip("/")
    year = upcoming_year(today)
    due = due_date(year)
    result = Reminders()
    if today >= due - timedelta(days=days):
        row = start_assessment(session, year=year, now=now)
        if row.submitted_at is None and row.reminded_at is None:
            _mail(session, f"RSP renewal: the {year} self-assessment is due by {due:%d %B %Y}",
                  f"DataCite asks Registered Service Providers to renew each January with a self-assessment.\n"
                  f"The {year} self-assessment is prefilled from the requirements board: {base}/admin/programme/"
                  f"renewal/{year}\nIt is due by {due:%d %B %Y}.\n", config)
            row.reminded_at = now
            result = Reminders(reminded=1)
    previous = get_assessment(session, today.year)
    if today > due_date(today.year) and previous is not None and previous.submitted_at is None \
            and previous.overdue_reminded_at is None:
        _mail(session, f"RSP renewal overdue: the {today.year} self-assessment",
              f"The {today.year} self-assessment was due by {due_date(today.year):%d %B %Y} and is not submitted:"
              f" {base}/admin/programme/renewal/{today.year}\n", config)
        previous.overdue_reminded_at = now
        result = Reminders(reminded=result.reminded, overdue=1)
    session.commit()
    return result

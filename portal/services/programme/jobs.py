"""The programme's scheduled jobs: the daily board evaluation and the renewal reminders."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from portal.jobs import JobContext, JobResult
from portal.services.programme.board import evaluate_board
from portal.services.programme.renewal import remind_renewal


def evaluate_requirements(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Evaluate the requirements board from live data; admins hear of rows that slip."""
    result = evaluate_board(session, now=now, config=context.config)
    return JobResult({"rows": result.rows, "changed": result.changed, "notified": result.notified},
                     f"{result.rows} rows evaluated, {result.changed} changed, {result.notified} mails queued.")


def renewal_reminders(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Remind admins of the January self-assessment before it is due, and when overdue."""
    result = remind_renewal(session, now=now, config=context.config)
    return JobResult({"reminded": result.reminded, "overdue": result.overdue},
                     f"{result.reminded} reminders, {result.overdue} overdue notices.")

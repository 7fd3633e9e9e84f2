"""Delivering the outbox over SMTP: claim a small batch, send each message, record each outcome at once.

Nothing is sent twice by two deliverers: a message is claimed (status ``sending``) in a committed
conditional UPDATE before it is sent, and marked ``sent`` in its own commit right after the server accepts
it. One window remains, and it is at-least-once by nature: if the process dies after the server accepted a
message but before that commit, the claim grows old and the message is sent again after
``claim_timeout``. It keeps its Message-ID, so the receiving side can recognise the duplicate.

Temporary failures (no connection, a 4xx reply) are retried with exponentially growing delays; permanent
ones (a 5xx reply, an address or header we cannot send) fail the message with the reason. After
``max_attempts`` a message fails for good; admins can retry it from the admin pages.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, select

from portal.jobs import JobContext, JobResult
from portal.models import OutboxMessage, OutboxStatus
from portal.services.mail.outgoing import set_thread_headers
from portal.services.smtp import (
    Failure,
    MailTransportError,
    SmtpSettings,
    address_problem,
    build_message,
    classify,
    close_quietly,
    new_message_id,
    open_connection,
)

log = logging.getLogger("portal.mail")


@dataclass(frozen=True)
class DeliveryPolicy:
    batch_size: int = 20
    max_per_run: int = 500
    max_attempts: int = 8
    first_delay: timedelta = timedelta(minutes=1)
    longest_delay: timedelta = timedelta(hours=6)
    claim_timeout: timedelta = timedelta(minutes=15)

    def delay_after(self, attempts: int) -> timedelta:
        """Wait before the next attempt: 1, 2, 4 ... minutes, at most ``longest_delay``."""
        return min(self.first_delay * (2 ** max(0, attempts - 1)), self.longest_delay)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    transport_error: str = ""

    def counts(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed, "released": self.released}


def _due(now: datetime, claim_timeout: timedelta) -> Any:
    pending = and_(
        OutboxMessage.status == OutboxStatus.pending,
        or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),  # type: ignore[union-attr,operator]
    )
    stale_claim = and_(OutboxMessage.status == OutboxStatus.sending,
                       OutboxMessage.claimed_at < now - claim_timeout)  # type: ignore[operator]
    return or_(pending, stale_claim)


def claim_batch(session: Session, *, now: datetime, limit: int, domain: str,
                claim_timeout: timedelta = DeliveryPolicy.claim_timeout, thread_key: bytes = b"") -> list[OutboxMessage]:
    """Claim up to ``limit`` due messages for this deliverer and commit; others skip them."""
    due = _due(now, claim_timeout)
    candidates = session.exec(
        select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    claimed = []
    for message_id in candidates:
        # The WHERE clause is checked again under the row lock: a message someone else claimed is skipped.
        stmt = (update(OutboxMessage).where(OutboxMessage.id == message_id, due)  # type: ignore[arg-type]
                .values(status=OutboxStatus.sending, claimed_at=now).execution_options(synchronize_session=False))
        if session.execute(stmt).rowcount:  # type: ignore[attr-defined]
            claimed.append(message_id)
    fresh = (select(OutboxMessage).where(OutboxMessage.id.in_(claimed))  # type: ignore[union-attr]
             .order_by(OutboxMessage.id).execution_options(populate_existing=True))
    messages = list(session.exec(fresh).all())
    for message in messages:
        if not message.message_id:
            set_thread_headers(session, message, key=thread_key, domain=domain)
        if not message.message_id:
            message.message_id = new_message_id(message, domain)
            session.add(message)
    session.commit()
    return messages


def _finish(session: Session, message: OutboxMessage, **values: Any) -> None:
    stmt = (update(OutboxMessage).where(OutboxMessage.id == message.id,  # type: ignore[arg-type]
                                        OutboxMessage.status == OutboxStatus.sending)
            .values(claimed_at=None, **values).execution_options(synchronize_session=False))
    session.execute(stmt)
    session.commit()


def _record_failure(session: Session, message: OutboxMessage, failure: Failure, *, policy: DeliveryPolicy,
                    now: datetime, report: DeliveryReport) -> None:
    attempts = message.attempts + 1
    if failure.temporary and attempts < policy.max_attempts:
        report.retrying += 1
        _finish(session, message, status=OutboxStatus.pending, attempts=attempts,
                next_attempt_at=now + policy.delay_after(attempts), last_error=failure.reason[:1000])
        return
    report.failed += 1
    reason = failure.reason if not failure.temporary else f"gave up after {attempts} attempts: {failure.reason}"
    _finish(session, message, status=OutboxStatus.failed, attempts=attempts, next_attempt_at=None,
            last_error=reason[:1000])
    log.warning("mail %s to %r failed: %s", message.id, message.to_addr, reason)


def _release(session: Session, messages: list[OutboxMessage], report: DeliveryReport) -> None:
    """Give claimed but unsent messages back, without counting an attempt."""
    for message in messages:
        _finish(session, message, status=OutboxStatus.pending)
        report.released += 1


def deliver_pending(
    session: Session,
    *,
    settings: SmtpSettings,
    now: datetime,
    policy: DeliveryPolicy | None = None,
    stopping: Callable[[], bool] = lambda: False,
    connect: Callable[[SmtpSettings], smtplib.SMTP] = open_connection,
) -> DeliveryReport:
    """Send every due message, batch by batch, until none is due, the run's cap, or ``stopping()``."""
    policy = policy or DeliveryPolicy()
    report = DeliveryReport()
    conn: smtplib.SMTP | None = None
    handled = 0
    try:
        while handled < policy.max_per_run and not stopping():
            batch = claim_batch(session, now=now, limit=min(policy.batch_size, policy.max_per_run - handled),
                                domain=settings.domain, claim_timeout=policy.claim_timeout,
                                thread_key=settings.thread_key)
            if not batch:
                break
            for index, message in enumerate(batch):
                if stopping():
                    _release(session, batch[index:], report)
                    return report
                handled += 1
                problem = address_problem(message.to_addr)
                try:
                    email = None if problem else build_message(message, settings=settings, now=now)
                except (ValueError, TypeError) as exc:
                    problem = f"the message cannot be written: {exc}"
                if problem or email is None:
                    _record_failure(session, message, Failure(temporary=False, reason=problem), policy=policy,
                                    now=now, report=report)
                    continue
                try:
                    if conn is None:
                        conn = connect(settings)
                except (smtplib.SMTPException, OSError) as exc:
                    failure = classify(exc)
                    report.transport_error = f"{settings.host}:{settings.port}: {failure.reason}"
                    _record_failure(session, message, Failure(True, failure.reason, True), policy=policy, now=now,
                                    report=report)
                    _release(session, batch[index + 1:], report)
                    return report
                try:
                    conn.send_message(email, from_addr=settings.sender, to_addrs=[message.to_addr])
                except (smtplib.SMTPException, OSError) as exc:
                    failure = classify(exc)
                    _record_failure(session, message, failure, policy=policy, now=now, report=report)
                    if failure.connection_lost:
                        close_quietly(conn)
                        conn = None
                    continue
                _finish(session, message, status=OutboxStatus.sent, sent_at=now, attempts=message.attempts + 1,
                        next_attempt_at=None, last_error="")
                report.sent += 1
    finally:
        close_quietly(conn)
    return report


def pending_count(session: Session) -> int:
    """Messages waiting to be sent."""
    stmt = select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status.in_([OutboxStatus.pending, OutboxStatus.sending]))  # type: ignore[attr-defined]
    return session.exec(stmt).one()


def deliver_outbox(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """The ``outbox.deliver`` job: send due mail; fails the run when the SMTP server is unreachable."""
    settings = SmtpSettings.from_config(context.config)
    if settings.host and settings.username and not settings.password:
        from portal.services.mail.smtp_secret import smtp_password
        from portal.vault_app import get_vault

        settings = replace(settings, password=smtp_password(session, get_vault()))
    if not settings.host:
        return JobResult({"waiting": pending_count(session)},
                         "PORTAL_SMTP_HOST is empty: mail stays in the outbox (printed in development).")
    report = deliver_pending(session, settings=settings, now=now, stopping=context.stopping)
    if report.transport_error:
        raise MailTransportError(f"Could not deliver mail via {report.transport_error}. "
                                 f"Sent {report.sent}; the others wait for the next run.")
    return JobResult(report.counts(), f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed.")


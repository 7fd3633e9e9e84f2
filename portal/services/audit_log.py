"""Reading the audit log: filters and pages for admins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models import AuditEvent
from portal.services.pagination import Page, paginate


def list_events(
    session: Session,
    *,
    action: str = "",
    actor: str = "",
    target_type: str = "",
    target_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEvent]:
    """Events newest first by default; ``action`` matches a prefix such as ``auth.``."""
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action.strip()))  # type: ignore[attr-defined]
    if actor:
        stmt = stmt.where(func.lower(AuditEvent.actor).contains(actor.strip().lower()))
    if target_type:
        stmt = stmt.where(AuditEvent.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEvent.target_id == target_id)
    if since:
        stmt = stmt.where(AuditEvent.created_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.created_at < until)
    order = AuditEvent.id.desc() if descending else AuditEvent.id.asc()  # type: ignore[union-attr]
    return paginate(session, stmt.order_by(order), page=page, per_page=per_page)


def action_names(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all())


def target_types(session: Session) -> list[str]:
    rows = session.exec(select(AuditEvent.target_type).distinct().order_by(AuditEvent.target_type)).all()
    return [r for r in rows if r]

"""Append-only audit events: one helper that every feature uses."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlmodel import Session

from portal.models import AuditEvent

log = logging.getLogger("portal.audit")

Target = tuple[str, Any] | Any | None


def _target(target: Target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, tuple):
        kind, ident = target
        return str(kind), "" if ident is None else str(ident)
    table = getattr(target, "__tablename__", type(target).__name__.lower())
    return str(table), str(getattr(target, "id", ""))


def record(
    session: Session,
    action: str,
    *,
    actor: Any = None,
    actor_label: str | None = None,
    target: Target = None,
    detail: dict[str, Any] | str | None = None,
    ip: str = "",
) -> AuditEvent:
    """Add one audit event to the session's unit of work (the caller commits)."""
    kind, ident = _target(target)
    if isinstance(detail, dict):
        text = json.dumps(detail, sort_keys=True, default=str, ensure_ascii=False)
    else:
        text = detail or ""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor=(actor_label or getattr(actor, "email", None) or "system")[:254],
        action=action,
        target_type=kind,
        target_id=ident[:80],
        detail=text,
        ip=(ip or "")[:64],
    )
    session.add(event)
    # One line per event, whatever the values contain (repr escapes CR and LF).
    log.debug("audit action=%s actor=%r target=%s:%r ip=%s", action, event.actor, kind, ident, event.ip)
    return event

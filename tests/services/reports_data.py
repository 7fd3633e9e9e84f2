"""Tickets with chosen timestamps for report tests (inserted directly: reports read only these columns)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from portal.models import Ticket

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def add_ticket(session: Session, created_at: datetime, **fields: Any) -> Ticket:
    ticket = Ticket(subject=fields.pop("subject", "Report test"), created_at=created_at, updated_at=created_at,
                    status=fields.pop("status", "open"), **fields)
    session.add(ticket)
    session.commit()
    return ticket

"""How fast DataCite's requests are acknowledged and answered, month by month, against the targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from portal.models import StaffRequest, Ticket
from portal.services.staff.clock import business_minutes
from portal.services.staff.contact import get_contact
from portal.services.staff.requests import overdue_requests


@dataclass
class MonthRow:
    month: str
    requests: int
    ack_median_hours: float | None
    ack_p90_hours: float | None
    answer_median_hours: float | None
    answer_p90_hours: float | None
    ack_within_target: int
    answered_within_target: int


@dataclass
class StaffReport:
    months: list[MonthRow]
    open: int
    overdue: int
    ack_target_hours: float | None
    answer_target_hours: float | None


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.9 * len(ordered) + 0.5) - 1))]


def _hours(minutes: list[int]) -> list[float]:
    return [m / 60 for m in minutes]


def staff_report(session: Session, *, now: datetime, zone: ZoneInfo, months: int = 12) -> StaffReport:
    """Per month (in the viewer's zone) of the request's arrival: median and 90th percentile of the business hours
    to acknowledge and to answer, and how many met the targets; plus open and overdue counts now."""
    contact = get_contact(session)
    rows = session.exec(select(StaffRequest, Ticket).join(Ticket, Ticket.id == StaffRequest.ticket_id)  # type: ignore[arg-type]
                        .order_by(StaffRequest.created_at)).all()
    by_month: dict[str, list[StaffRequest]] = {}
    for request, _ticket in rows:
        key = request.created_at.astimezone(zone).strftime("%Y-%m")
        by_month.setdefault(key, []).append(request)
    result: list[MonthRow] = []
    for key in sorted(by_month)[-months:]:
        group = by_month[key]
        acks = [business_minutes(session, r.created_at, r.acknowledged_at) for r in group if r.acknowledged_at]
        answers = [business_minutes(session, r.created_at, r.answered_at) for r in group if r.answered_at]
        ack_target = contact.ack_business_minutes if contact else None
        answer_target = contact.answer_business_minutes if contact else None
        result.append(MonthRow(
            month=key, requests=len(group),
            ack_median_hours=round(median(_hours(acks)), 2) if acks else None,
            ack_p90_hours=round(v, 2) if (v := _p90(_hours(acks))) is not None else None,
            answer_median_hours=round(median(_hours(answers)), 2) if answers else None,
            answer_p90_hours=round(v, 2) if (v := _p90(_hours(answers))) is not None else None,
            ack_within_target=sum(1 for m in acks if ack_target is None or m <= ack_target),
            answered_within_target=sum(1 for m in answers if answer_target is None or m <= answer_target),
        ))
    open_count = sum(1 for r, t in rows if r.answered_at is None and t.status not in ("resolved", "closed"))
    return StaffReport(months=list(reversed(result)), open=open_count, overdue=len(overdue_requests(session, now=now)),
                       ack_target_hours=contact.ack_business_minutes / 60 if contact else None,
                       answer_target_hours=contact.answer_business_minutes / 60 if contact else None)

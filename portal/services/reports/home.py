"""The agent's start page: what needs them now, and how the last days went."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models import Escalation, EscalationStatus, Ticket, TicketGroup, User
from portal.models.tickets import ACTIVE_STATUSES, Channel
from portal.services.reports.attainment import Attainment, sla_attainment
from portal.services.reports.period import Period, last_days
from portal.services.reports.series import DayCount, FirstResponses, first_responses, opened_solved_per_day
from portal.services.tickets import queues

TOP = 5
CHART_DAYS = 14
SLA_DAYS = 7
ANSWERED_RECENTLY = timedelta(days=3)
PROACTIVE_RECENTLY = timedelta(days=7)


@dataclass(frozen=True)
class GroupCount:
    group_id: int | None
    name: str
    count: int


@dataclass(frozen=True)
class AnsweredEscalation:
    ticket: Ticket
    answered_at: datetime
    reference: str


@dataclass
class DeskHome:
    counts: dict[str, int]
    mine: list[queues.TicketRow]
    breaching: list[queues.TicketRow]
    unassigned_by_group: list[GroupCount]
    waiting_datacite: list[queues.TicketRow]
    answered_by_datacite: list[AnsweredEscalation]
    answered_count: int
    proactive: list[Ticket]
    proactive_count: int
    sla_period: Period
    sla: Attainment
    chart_period: Period
    opened_solved: list[DayCount]
    responses: FirstResponses


def _top(session: Session, viewer: User, view: str, now: datetime, sort: str = "") -> list[queues.TicketRow]:
    page = queues.list_tickets(session, viewer, queues.QueueFilters(view=view), now=now, sort=sort,
                               descending=False, per_page=TOP)
    return list(page.items)


def unassigned_by_group(session: Session) -> list[GroupCount]:
    """Active unassigned tickets per group (tickets without a group last)."""
    rows = session.exec(
        select(Ticket.group_id, TicketGroup.name, func.count())
        .outerjoin(TicketGroup, TicketGroup.id == Ticket.group_id)  # type: ignore[arg-type]
        .where(Ticket.assignee_id.is_(None), Ticket.status.in_(ACTIVE_STATUSES))  # type: ignore[union-attr,attr-defined]
        .group_by(Ticket.group_id, TicketGroup.name)
    ).all()
    found = [GroupCount(g, n or "No group", int(c)) for g, n, c in rows]
    return sorted(found, key=lambda r: (r.group_id is None, r.name.lower()))


def answered_by_datacite(session: Session, *, now: datetime) -> tuple[list[AnsweredEscalation], int]:
    """Active tickets whose escalation DataCite answered lately (newest answer first, a few), and how many."""
    where = (Escalation.status == EscalationStatus.answered, Escalation.answered_at >= now - ANSWERED_RECENTLY,  # type: ignore[operator]
             Ticket.status.in_(ACTIVE_STATUSES))  # type: ignore[attr-defined]
    joined = select(Ticket, Escalation.answered_at, Escalation.datacite_reference).join(
        Escalation, Escalation.ticket_id == Ticket.id)  # type: ignore[arg-type]
    rows = session.exec(joined.where(*where).order_by(Escalation.answered_at.desc()).limit(TOP)).all()  # type: ignore[union-attr]
    count = session.exec(select(func.count(func.distinct(Ticket.id))).select_from(Ticket).join(
        Escalation, Escalation.ticket_id == Ticket.id).where(*where)).one()  # type: ignore[arg-type]
    return [AnsweredEscalation(ticket=t, answered_at=a, reference=r) for t, a, r in rows], int(count)


def recent_proactive(session: Session, *, now: datetime) -> tuple[list[Ticket], int]:
    """Active tickets the checks opened lately (newest first, a few), and how many there are."""
    where = (Ticket.channel == Channel.proactive, Ticket.created_at >= now - PROACTIVE_RECENTLY,  # type: ignore[operator]
             Ticket.status.in_(ACTIVE_STATUSES))  # type: ignore[attr-defined]
    count = session.exec(select(func.count()).select_from(Ticket).where(*where)).one()
    tickets = session.exec(select(Ticket).where(*where).order_by(Ticket.created_at.desc(), Ticket.id.desc())  # type: ignore[union-attr]
                           .limit(TOP)).all()
    return list(tickets), int(count)


def desk_home(session: Session, viewer: User, *, now: datetime, zone: ZoneInfo) -> DeskHome:
    """Everything the agent's start page shows, for this viewer, at ``now``, with days in ``zone``."""
    sla_period = last_days(SLA_DAYS, now=now, zone=zone, preset=str(SLA_DAYS))
    chart_period = last_days(CHART_DAYS, now=now, zone=zone)
    proactive, proactive_count = recent_proactive(session, now=now)
    answered, answered_count = answered_by_datacite(session, now=now)
    return DeskHome(
        counts=queues.counts(session, viewer, now=now),
        mine=_top(session, viewer, "mine", now),
        breaching=_top(session, viewer, "breaching", now),
        unassigned_by_group=unassigned_by_group(session),
        waiting_datacite=_top(session, viewer, "waiting_datacite", now, sort="updated"),
        answered_by_datacite=answered,
        answered_count=answered_count,
        proactive=proactive,
        proactive_count=proactive_count,
        sla_period=sla_period,
        sla=sla_attainment(session, sla_period, now=now),
        chart_period=chart_period,
        opened_solved=opened_solved_per_day(session, chart_period),
        responses=first_responses(session, chart_period),
    )

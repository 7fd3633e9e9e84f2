"""Customer satisfaction: the members' 1-5 ratings given in a period, with their comments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models import Organisation, Ticket
from portal.services.reports.period import Period
from portal.services.reports.scope import ReportScope

SCORES = (1, 2, 3, 4, 5)
SCORE_LABELS = {1: "1 – poor", 2: "2", 3: "3", 4: "4", 5: "5 – excellent"}
RECENT_COMMENTS = 10


@dataclass(frozen=True)
class Comment:
    ticket_id: int
    subject: str
    organisation: str
    score: int
    comment: str
    at: datetime


@dataclass(frozen=True)
class Csat:
    count: int
    average: float | None
    distribution: dict[int, int]
    solved: int
    comments: list[Comment]

    @property
    def satisfied_percent(self) -> float | None:
        """Share of ratings of 4 or 5, 0-100."""
        if not self.count:
            return None
        return round(100.0 * (self.distribution[4] + self.distribution[5]) / self.count, 1)

    @property
    def response_percent(self) -> float | None:
        """Ratings given per ticket solved in the same period (can pass 100 when old tickets are rated late)."""
        return round(100.0 * self.count / self.solved, 1) if self.solved else None


def csat_summary(session: Session, period: Period, *, scope: ReportScope | None = None,
                 recent: int = RECENT_COMMENTS) -> Csat:
    """Average, count and spread of ratings given in the period, and the latest comments."""
    scope = scope or ReportScope()
    in_period = (Ticket.csat_at >= period.start, Ticket.csat_at < period.end, Ticket.csat_score.is_not(None))  # type: ignore[operator,union-attr]
    rows = session.exec(scope.apply(select(Ticket.csat_score, func.count()).where(*in_period)
                                    .group_by(Ticket.csat_score))).all()  # type: ignore[call-overload]
    distribution = dict.fromkeys(SCORES, 0)
    for score, n in rows:
        if score in distribution:
            distribution[int(score)] += int(n)
    count = sum(distribution.values())
    average = round(sum(s * n for s, n in distribution.items()) / count, 2) if count else None
    solved = session.exec(scope.apply(select(func.count()).select_from(Ticket).where(
        Ticket.resolved_at >= period.start, Ticket.resolved_at < period.end))).one()  # type: ignore[operator]
    latest = session.exec(scope.apply(
        select(Ticket.id, Ticket.subject, Organisation.name, Ticket.csat_score, Ticket.csat_comment, Ticket.csat_at)
        .outerjoin(Organisation, Organisation.id == Ticket.organisation_id)  # type: ignore[arg-type]
        .where(*in_period, Ticket.csat_comment != "")
    ).order_by(Ticket.csat_at.desc(), Ticket.id.desc()).limit(recent)).all()  # type: ignore[union-attr]
    comments = [Comment(ticket_id=i, subject=s, organisation=o or "", score=int(sc), comment=c, at=at)
                for i, s, o, sc, c, at in latest]
    return Csat(count=count, average=average, distribution=distribution, solved=int(solved), comments=comments)

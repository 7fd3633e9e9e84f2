"""Assigning tickets: by hand, or automatically per group by round robin or lowest open load."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal.errors import ValidationFailed
from portal.models import AssignmentMode, GroupMember, Role, Ticket, TicketGroup, User
from portal.models.tickets import ACTIVE_STATUSES
from portal.services.held import Choice, choice_list
from portal.services.tickets.history import record_event
from portal.services.tickets.lifecycle import ensure_writable

DESK_ROLES = (Role.agent, Role.admin)


ASSIGNABLE = (User.role.in_(DESK_ROLES), User.active.is_(True))  # type: ignore[attr-defined]


def assignable_agents(session: Session) -> list[User]:
    return list(session.exec(select(User).where(*ASSIGNABLE).order_by(User.name)).all())


_agent_choices = choice_list("user_account", select(User.id, User.name).where(*ASSIGNABLE).order_by(User.name))


def agent_choices(session: Session) -> tuple[Choice, ...]:
    """The assignable agents' ids and names, by name, for choice lists (held in memory: services.held)."""
    return _agent_choices(session)


def default_group(session: Session) -> TicketGroup | None:
    return session.exec(
        select(TicketGroup).where(TicketGroup.active.is_(True)).order_by(TicketGroup.is_default.desc(), TicketGroup.id)  # type: ignore[attr-defined]
    ).first()


def assign(session: Session, ticket: Ticket, assignee: User | None, *, actor: User | None, now: datetime,
           reason: str = "") -> bool:
    """Give the ticket to an active agent or admin, or to nobody; True when it changed (the caller commits)."""
    ensure_writable(ticket)
    if assignee is not None and (assignee.role not in DESK_ROLES or not assignee.active):
        raise ValidationFailed({"assignee_id": "Tickets go to active agents or admins only."})
    new_id = assignee.id if assignee else None
    if ticket.assignee_id == new_id:
        return False
    old = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    ticket.assignee_id = new_id
    ticket.updated_at = now
    session.add(ticket)
    record_event(session, ticket, "assignee", actor=actor, old=old.name if old else "nobody",
                 new=assignee.name if assignee else "nobody", reason=reason, now=now)
    return True


def set_group(session: Session, ticket: Ticket, group: TicketGroup | None, *, actor: User | None, now: datetime) -> bool:
    ensure_writable(ticket)
    new_id = group.id if group else None
    if ticket.group_id == new_id:
        return False
    old = session.get(TicketGroup, ticket.group_id) if ticket.group_id else None
    ticket.group_id = new_id
    ticket.updated_at = now
    session.add(ticket)
    record_event(session, ticket, "group", actor=actor, old=old.name if old else "none",
                 new=group.name if group else "none", now=now)
    return True


def _candidates(session: Session, group: TicketGroup) -> list[User]:
    """Available, active agents of the group, in a stable order."""
    return list(session.exec(
        select(User)
        .join(GroupMember, GroupMember.user_id == User.id)  # type: ignore[arg-type]
        .where(GroupMember.group_id == group.id, GroupMember.available.is_(True),  # type: ignore[attr-defined]
               User.active.is_(True), User.role.in_(DESK_ROLES))  # type: ignore[attr-defined]
        .order_by(User.id)
    ).all())


def pick_agent(session: Session, group: TicketGroup) -> User | None:
    """Who gets the next ticket of this group, by its assignment mode (None for manual or nobody available)."""
    if group.assignment == AssignmentMode.manual:
        return None
    people = _candidates(session, group)
    if not people:
        return None
    if group.assignment == AssignmentMode.round_robin:
        last = group.last_assigned_user_id
        after = [p for p in people if last is not None and (p.id or 0) > last]
        return after[0] if after else people[0]
    load = dict(session.exec(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_([p.id for p in people]), Ticket.status.in_(ACTIVE_STATUSES))  # type: ignore[union-attr,attr-defined]
        .group_by(Ticket.assignee_id)
    ).all())
    return min(people, key=lambda p: (load.get(p.id, 0), p.id))


def auto_assign(session: Session, ticket: Ticket, *, now: datetime) -> User | None:
    """Assign by the ticket's group rules; remembers the round-robin position (the caller commits)."""
    if ticket.group_id is None or ticket.assignee_id is not None:
        return None
    group = session.exec(select(TicketGroup).where(TicketGroup.id == ticket.group_id).with_for_update()).one()
    agent = pick_agent(session, group)
    if agent is None:
        return None
    assign(session, ticket, agent, actor=None, now=now, reason=f"automatic ({group.assignment.replace('_', ' ')})")
    group.last_assigned_user_id = agent.id
    session.add(group)
    return agent

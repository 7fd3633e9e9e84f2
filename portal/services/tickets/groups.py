"""Groups (queues) of agents and how they get tickets."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import AssignmentMode, GroupMember, Role, TicketGroup, User
from portal.services.held import Choice, choice_list


@dataclass
class GroupView:
    group: TicketGroup
    members: list[tuple[User, bool]]


def list_groups(session: Session, *, active_only: bool = True) -> list[TicketGroup]:
    stmt = select(TicketGroup)
    if active_only:
        stmt = stmt.where(TicketGroup.active.is_(True))  # type: ignore[attr-defined]
    return list(session.exec(stmt.order_by(TicketGroup.name)).all())


_group_choices = choice_list("ticket_group", select(TicketGroup.id, TicketGroup.name).where(
    TicketGroup.active.is_(True)).order_by(TicketGroup.name))  # type: ignore[attr-defined]


def group_choices(session: Session) -> tuple[Choice, ...]:
    """The active groups' ids and names, by name, for choice lists (held in memory: services.held)."""
    return _group_choices(session)


def get_group(session: Session, group_id: int) -> TicketGroup:
    group = session.get(TicketGroup, group_id)
    if group is None:
        raise NotFound("No such group.")
    return group


def group_view(session: Session, group: TicketGroup) -> GroupView:
    rows = session.exec(select(User, GroupMember.available).join(GroupMember, GroupMember.user_id == User.id)  # type: ignore[arg-type]
                        .where(GroupMember.group_id == group.id).order_by(User.name)).all()
    return GroupView(group=group, members=[(u, bool(a)) for u, a in rows])


def save_group(session: Session, group: TicketGroup | None, *, name: str, description: str, assignment: str,
               is_default: bool, active: bool, member_ids: list[int], available_ids: list[int], actor: User,
               ip: str = "") -> TicketGroup:
    """Create or edit a group with its members; exactly one group is the default for new tickets."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Give the group a name."
    clash = session.exec(select(TicketGroup).where(TicketGroup.name == name)).first()
    if clash is not None and (group is None or clash.id != group.id):
        errors["name"] = "Another group has this name."
    if assignment not in {m.value for m in AssignmentMode}:
        errors["assignment"] = "Choose how tickets are assigned."
    people = session.exec(select(User).where(User.id.in_(member_ids))).all() if member_ids else []  # type: ignore[union-attr]
    if any(p.role not in (Role.agent, Role.admin) for p in people):
        errors["members"] = "Only agents and admins can be members of a group."
    if errors:
        raise ValidationFailed(errors)
    if group is None:
        group = TicketGroup(name=name)
    group.name, group.description, group.assignment, group.active = name, description.strip()[:500], assignment, active
    if is_default:
        session.execute(update(TicketGroup).values(is_default=False))
    group.is_default = is_default
    session.add(group)
    session.flush()
    current = {m.user_id: m for m in session.exec(select(GroupMember).where(GroupMember.group_id == group.id)).all()}
    for user_id, row in current.items():
        if user_id not in member_ids:
            session.delete(row)
    for person in people:
        row = current.get(person.id or 0) or GroupMember(group_id=group.id or 0, user_id=person.id or 0)
        row.available = person.id in available_ids
        session.add(row)
    audit.record(session, "group.save", actor=actor, target=group,
                 detail={"name": name, "assignment": assignment, "members": sorted(member_ids)}, ip=ip)
    session.commit()
    return group


def set_availability(session: Session, user: User, group: TicketGroup, available: bool) -> None:
    row = session.get(GroupMember, (group.id, user.id))
    if row is None:
        raise NotFound("You are not in this group.")
    row.available = available
    session.add(row)
    session.commit()


def find_group(session: Session, raw: str) -> TicketGroup | None:
    """The group a form value names, or None for an empty or unknown value."""
    return session.get(TicketGroup, int(raw)) if raw.isdigit() else None

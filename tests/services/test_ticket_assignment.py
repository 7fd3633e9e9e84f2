"""Assignment: by hand, round robin and lowest load per group, skipping unavailable and inactive agents."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import ValidationFailed
from portal.models import AssignmentMode, OutboxMessage, Role, Ticket
from portal.models.types import utcnow
from portal.services.tickets import groups
from portal.services.tickets.assignment import assign


@pytest.fixture
def desk(session, make):
    admin = make.user(session, Role.admin)
    agents = [make.user(session, Role.agent, name=n) for n in ("Ada", "Ben", "Cleo")]
    return admin, agents


def _group(session, admin, agents, mode, available=None):
    ids = [a.id for a in agents]
    return groups.save_group(session, None, name=f"G {mode}", description="", assignment=mode, is_default=True,
                             active=True, member_ids=ids, available_ids=available if available is not None else ids,
                             actor=admin)


def _new(session, make, n):
    org = make.organisation(session)
    return [make.ticket(session, org=org, subject=f"T{i}") for i in range(n)]


def test_round_robin_cycles_and_skips_unavailable_and_inactive(session, make, desk):
    admin, (ada, ben, cleo) = desk
    _group(session, admin, [ada, ben, cleo], AssignmentMode.round_robin, available=[ada.id, cleo.id])
    cleo.active = False
    session.add(cleo)
    session.commit()
    tickets = _new(session, make, 4)
    assert [t.assignee_id for t in tickets] == [ada.id] * 4  # Ben is away, Cleo is deactivated
    cleo.active = True
    session.add(cleo)
    session.commit()
    more = _new(session, make, 3)
    assert [t.assignee_id for t in more] == [cleo.id, ada.id, cleo.id]
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "ticket-assigned")).all()
    assert len(mails) == 7


def test_lowest_load_prefers_the_least_busy(session, make, desk):
    admin, (ada, ben, cleo) = desk
    group = _group(session, admin, [ada, ben, cleo], AssignmentMode.manual)
    org = make.organisation(session)
    for person, count in ((ada, 3), (ben, 1), (cleo, 2)):
        for _ in range(count):
            make.ticket(session, org=org, assignee_id=person.id)
    group.assignment = AssignmentMode.load
    session.add(group)
    session.commit()
    first = make.ticket(session, org=org)
    second = make.ticket(session, org=org)
    assert first.assignee_id == ben.id
    assert second.assignee_id in (ben.id, cleo.id)


def test_manual_groups_leave_tickets_unassigned(session, make, desk):
    admin, agents = desk
    _group(session, admin, agents, AssignmentMode.manual)
    assert all(t.assignee_id is None for t in _new(session, make, 2))


def test_only_active_desk_users_take_tickets(session, make, desk):
    _admin, (ada, _ben, _cleo) = desk
    org = make.organisation(session)
    ticket = make.ticket(session, org=org)
    with pytest.raises(ValidationFailed):
        assign(session, ticket, make.user(session, Role.member, org=org), actor=ada, now=utcnow())
    ada.active = False
    with pytest.raises(ValidationFailed):
        assign(session, ticket, ada, actor=ada, now=utcnow())
    assert session.get(Ticket, ticket.id).assignee_id is None

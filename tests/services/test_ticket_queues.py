"""Queues: the agents' views, filters and sorting, members' scope, and DOI-aware matching."""

from __future__ import annotations

from datetime import timedelta

from portal.models import Role, Status
from portal.models.types import utcnow
from portal.services.tickets import queues
from portal.services.tickets.status import set_status
from tests.helpdesk import ctx_for_tests


def numbers(page):
    return [row.ticket.id for row in page.items]


def test_views_and_counts(session, make):
    agent = make.user(session, Role.agent)
    org = make.organisation(session)
    mine = make.ticket(session, org=org, assignee_id=agent.id, subject="mine")
    unassigned = make.ticket(session, org=org, subject="nobody's")
    waiting = make.ticket(session, org=org, subject="waiting")
    set_status(session, waiting, Status.waiting_datacite, actor=agent, ctx=ctx_for_tests(), now=utcnow())
    done = make.ticket(session, org=org, subject="done")
    set_status(session, done, Status.resolved, actor=agent, ctx=ctx_for_tests(), now=utcnow())
    soon = make.ticket(session, org=org, subject="due soon")
    soon.sla_due_at = utcnow() + timedelta(minutes=30)
    session.add(soon)
    session.commit()
    now = utcnow()
    view = lambda v: numbers(queues.list_tickets(session, agent, queues.QueueFilters(view=v), now=now))  # noqa: E731
    assert view("mine") == [mine.id]
    assert set(view("unassigned")) == {unassigned.id, waiting.id, soon.id}
    assert view("waiting_datacite") == [waiting.id]
    assert view("breaching") == [soon.id]
    assert done.id not in view("open") and done.id in view("all")
    assert queues.counts(session, agent, now=now) == {"mine": 1, "unassigned": 3, "breaching": 1,
                                                      "waiting_datacite": 1, "open": 4}


def test_members_see_only_their_organisation(session, make):
    a, b = make.organisation(session), make.organisation(session)
    member_a = make.user(session, Role.member, org=a)
    ta = make.ticket(session, requester=member_a)
    make.ticket(session, requester=make.user(session, Role.member, org=b))
    colleague = make.ticket(session, requester=make.user(session, Role.member, org=a))
    got = queues.list_tickets(session, member_a, queues.QueueFilters(view="all"), now=utcnow())
    assert set(numbers(got)) == {ta.id, colleague.id}
    # Views meant for agents do not widen a member's scope.
    assert set(numbers(queues.list_tickets(session, member_a, queues.QueueFilters(view="unassigned"), now=utcnow()))) \
        <= {ta.id, colleague.id}
    assert queues.bulk_targets(session, member_a, [t.id for t in (ta, colleague)] + [999]) == \
        queues.bulk_targets(session, member_a, [ta.id, colleague.id])


def test_doi_filter_exact_and_by_prefix(session, make):
    agent = make.user(session, Role.agent)
    org = make.organisation(session)
    one = make.ticket(session, org=org, body="see 10.5438/ABC.DEF-1 please")
    two = make.ticket(session, org=org, body="and 10.5438/other")
    make.ticket(session, org=org, body="and 10.9999/abc.def-1")
    by = lambda q: set(numbers(queues.list_tickets(session, agent, queues.QueueFilters(view="all", doi=q), now=utcnow())))  # noqa: E731
    assert by("10.5438/abc.def-1") == {one.id}
    assert by("https://doi.org/10.5438/ABC.DEF-1") == {one.id}
    assert by("10.5438") == {one.id, two.id}


def test_sort_by_priority_and_filters(session, make):
    agent = make.user(session, Role.agent)
    org = make.organisation(session)
    low = make.ticket(session, org=org, priority="low", tags="schema")
    urgent = make.ticket(session, org=org, priority="urgent")
    high = make.ticket(session, org=org, priority="high", tags="schema, urgent-fix")
    page = queues.list_tickets(session, agent, queues.QueueFilters(view="all"), now=utcnow(), sort="priority")
    assert numbers(page) == [urgent.id, high.id, low.id]
    tagged = queues.list_tickets(session, agent, queues.QueueFilters(view="all", tag="schema"), now=utcnow())
    assert set(numbers(tagged)) == {low.id, high.id}
    by_number = queues.list_tickets(session, agent, queues.QueueFilters(view="all", q=f"#{urgent.id}"), now=utcnow())
    assert numbers(by_number) == [urgent.id]


def test_totals_are_counted_up_to_a_cap_and_paging_goes_on(session, make):
    agent = make.user(session, Role.agent)
    org = make.organisation(session)
    made = [make.ticket(session, org=org, subject=f"ticket {n}") for n in range(7)]
    now = utcnow()
    every = queues.QueueFilters(view="all")

    exact = queues.list_tickets(session, agent, every, now=now, per_page=2, exact_total=True)
    assert (exact.total, exact.more, exact.pages) == (7, False, 4)
    capped = queues.list_tickets(session, agent, every, now=now, per_page=2, count_cap=3)
    assert (capped.total, capped.more) == (3, True)
    assert capped.has_next and (capped.first_index, capped.last_index) == (1, 2)
    # Beyond the counted pages, paging follows the rows: page 4 holds the seventh (oldest) ticket and is the last.
    last = queues.list_tickets(session, agent, every, now=now, page=4, per_page=2, count_cap=3)
    assert numbers(last) == [made[0].id] and not last.has_next and (last.first_index, last.last_index) == (7, 7)
    seen = [n for p in range(1, 5)
            for n in numbers(queues.list_tickets(session, agent, every, now=now, page=p, per_page=2, count_cap=3))]
    assert sorted(seen) == sorted(t.id for t in made)
    # Under the cap the count is exact and says so.
    small = queues.list_tickets(session, agent, every, now=now, per_page=2, count_cap=7)
    assert (small.total, small.more) == (7, False)
    # An exact total still clamps a page beyond the end; a capped one cannot know the end and shows it empty.
    assert queues.list_tickets(session, agent, every, now=now, page=99, per_page=2, exact_total=True).page == 4
    beyond = queues.list_tickets(session, agent, every, now=now, page=99, per_page=2, count_cap=3)
    assert beyond.items == [] and beyond.has_prev and not beyond.has_next

"""Ticket search on both databases: words ranked and highlighted, DOIs exact and by prefix, members' scope,
hostile input, pagination, filters, and the index kept in step with new messages, edits and merges."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.models import Role, Status, Visibility
from portal.models.types import utcnow
from portal.services.search.query import parse_query
from portal.services.search.service import search_tickets
from portal.services.tickets import links
from portal.services.tickets.core import TicketChanges, update_ticket
from portal.services.tickets.filters import QueueFilters
from portal.services.tickets.messages import add_message
from portal.services.tickets.status import set_status
from tests.helpdesk import ctx_for_tests


def found(session, viewer, query, **kwargs):
    return [hit.ticket.id for hit in search_tickets(session, viewer=viewer, query=query, now=utcnow(), **kwargs).items]


@pytest.fixture
def agent(session, make):
    return make.user(session, Role.agent)


def test_words_match_subjects_and_messages_ranked(session, make, agent):
    org = make.organisation(session)
    in_body = make.ticket(session, org=org, subject="Cannot register", body="The landing page returns 404 for us.")
    in_subject = make.ticket(session, org=org, subject="Landing page unreachable", body="Our landing page is down.")
    make.ticket(session, org=org, subject="Credentials lost", body="We forgot the password.")
    assert found(session, agent, "landing page") == [in_subject.id, in_body.id]
    assert found(session, agent, "LANDING") == [in_subject.id, in_body.id]
    assert found(session, agent, "landing password") == []  # every word must match
    assert found(session, agent, "register") == [in_body.id]


def test_highlights_are_escaped_except_our_marks(session, make, agent):
    org = make.organisation(session)
    ticket = make.ticket(session, org=org, subject="<script>alert(1)</script> schema error",
                         body="Error: <b>schema</b> 4.5 & the <img src=x onerror=alert(2)> validator")
    hit = search_tickets(session, viewer=agent, query="schema", now=utcnow()).items[0]
    assert hit.ticket.id == ticket.id
    assert str(hit.subject_html) == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>schema</mark> error"
    assert "&lt;b&gt;<mark>schema</mark>&lt;/b&gt;" in str(hit.snippet)
    assert "<img" not in str(hit.snippet) and "&amp;" in str(hit.snippet)


@pytest.mark.parametrize("query", ["10.5438/ABC.DEF-1", "doi:10.5438/abc.def-1", "https://doi.org/10.5438/abc.def-1"])
def test_a_doi_matches_exactly(session, make, agent, query):
    org = make.organisation(session)
    one = make.ticket(session, org=org, body="Fails for 10.5438/abc.def-1 today")
    make.ticket(session, org=org, body="Fails for 10.5438/abc.def-10 today")
    hits = search_tickets(session, viewer=agent, query=query, now=utcnow()).items
    assert [h.ticket.id for h in hits] == [one.id]
    assert "<mark>10.5438/abc.def-1</mark>" in str(hits[0].snippet)


def test_a_prefix_matches_its_dois(session, make, agent):
    org = make.organisation(session)
    one = make.ticket(session, org=org, body="Fails for 10.5438/abc.def-1")
    two = make.ticket(session, org=org, body="and 10.5438/xyz")
    make.ticket(session, org=org, body="other prefix 10.54381/abc")
    assert set(found(session, agent, "10.5438")) == {one.id, two.id}
    assert set(found(session, agent, "10.5438/")) == {one.id, two.id}


def test_members_see_only_their_organisation_and_never_internal_notes(session, make, agent):
    a, b = make.organisation(session), make.organisation(session)
    member_a = make.user(session, Role.member, org=a)
    member_b = make.user(session, Role.member, org=b)
    own = make.ticket(session, requester=member_a, subject="Minting fails", body="Our minting run fails.")
    make.ticket(session, requester=member_b, subject="Minting fails too", body="Minting broke for 10.5438/b-1")
    add_message(session, own, author=agent, body="Internal: suspect quokka firewall", ctx=ctx_for_tests(),
                now=utcnow(), visibility=Visibility.internal)
    assert found(session, member_a, "minting") == [own.id]
    assert found(session, member_a, "10.5438/b-1") == []
    assert found(session, member_a, "10.5438") == []
    assert found(session, member_a, "quokka") == []
    assert found(session, member_a, "minting quokka") == []
    hit = search_tickets(session, viewer=agent, query="quokka", now=utcnow()).items[0]
    assert hit.ticket.id == own.id and hit.snippet_internal and "<mark>quokka</mark>" in str(hit.snippet)
    member_hit = search_tickets(session, viewer=member_a, query="minting", now=utcnow()).items[0]
    assert "quokka" not in str(member_hit.snippet)


@pytest.mark.parametrize("query", ['"', '"unbalanced', "NEAR(a b)", "a* OR b", "{subject}: x", "subject:x",
                                   "' OR 1=1 --", "x" * 5000, "\x00null", "^start", "-minus", "AND", "(((",
                                   "10.5438/", "doi:", "#", "café:*", "a & b | !c", "<>", "   "])
def test_hostile_input_never_errors(session, make, agent, query):
    make.ticket(session, org=make.organisation(session), subject="Some subject", body="a b c start minus")
    page = search_tickets(session, viewer=agent, query=query, now=utcnow())
    assert page.total == len(page.items) <= 1


def test_parse_query_reduces_to_words():
    assert parse_query('NEAR("a" b*)').terms == ("near", "a", "b")
    assert parse_query("Café " * 100).terms == ("cafe",)
    assert len(parse_query(" ".join(f"w{n}" for n in range(100))).terms) == 8
    assert parse_query("#42").kind == "number"
    assert parse_query("!!!").kind == "empty"


def test_pagination(session, make, agent):
    org = make.organisation(session)
    made = {make.ticket(session, org=org, subject=f"Widget problem {n}").id for n in range(23)}
    pages = [search_tickets(session, viewer=agent, query="widget", now=utcnow(), page=p, per_page=10) for p in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [10, 10, 3] and pages[0].total == 23 and pages[2].pages == 3
    assert {h.ticket.id for p in pages for h in p.items} == made


def test_filters_apply_to_search(session, make, agent):
    org, other = make.organisation(session), make.organisation(session)
    urgent = make.ticket(session, org=org, subject="Orcid problem", priority="urgent")
    old = make.ticket(session, org=org, subject="Orcid problem", now=utcnow() - timedelta(days=40))
    make.ticket(session, org=other, subject="Orcid problem")
    set_status(session, old, Status.resolved, actor=agent, ctx=ctx_for_tests(), now=utcnow())

    def by(**kw):
        return set(found(session, agent, "orcid", filters=QueueFilters(view="all", **kw)))

    assert by(priority="urgent") == {urgent.id}
    assert by(organisation_id=org.id) == {urgent.id, old.id}
    assert by(status=["resolved"]) == {old.id}
    assert by(created_to=(utcnow() - timedelta(days=30)).date()) == {old.id}
    assert old.id not in by(created_from=date.today() - timedelta(days=2))
    assert old.id not in set(found(session, agent, "orcid", filters=QueueFilters(view="open")))


def test_index_follows_messages_edits_and_merges(session, make, agent):
    org = make.organisation(session)
    ticket = make.ticket(session, org=org, subject="Old title", body="nothing special")
    other = make.ticket(session, org=org, subject="Another", body="about a wombat")
    add_message(session, ticket, author=agent, body="Try the zebra endpoint", ctx=ctx_for_tests(), now=utcnow())
    assert found(session, agent, "zebra") == [ticket.id]
    update_ticket(session, ticket, TicketChanges(subject="Fresh heading"), actor=agent, now=utcnow())
    assert found(session, agent, "fresh heading") == [ticket.id]
    assert found(session, agent, "old title") == []
    links.merge(session, other, ticket, actor=agent, now=utcnow())
    assert found(session, agent, "wombat") == [ticket.id]
    assert found(session, agent, "another") == [other.id]  # the closed source keeps its subject


def test_common_words_are_ranked_among_the_newest_matches(session, make, agent):
    org = make.organisation(session)
    made = [make.ticket(session, org=org, subject=f"Kiwi {n}", body="kiwi " * (n + 1)).id for n in range(8)]
    page = search_tickets(session, viewer=agent, query="kiwi", now=utcnow(), candidates=5)
    assert page.limited and page.total == 5
    assert {h.ticket.id for h in page.items} == set(made[-5:])
    assert not search_tickets(session, viewer=agent, query="kiwi", now=utcnow()).limited


def test_old_matches_are_found_when_the_newest_tickets_hold_none(session, make, agent):
    """PostgreSQL looks for words among the newest tickets first, in growing windows (4 x candidates, then 8x):
    matches far back, fewer than asked for, or spread over several windows are all found, newest first."""
    org = make.organisation(session)
    old = [make.ticket(session, org=org, subject=f"Mango {n}").id for n in range(3)]
    middle = make.ticket(session, org=org, subject="Mango in the middle").id
    for n in range(40):
        make.ticket(session, org=org, subject=f"Apple {n}")
    newest = make.ticket(session, org=org, subject="Mango again").id
    # candidates=1: the first window is the newest 4 tickets, then 32, then 256
    assert found(session, agent, "mango", candidates=1) == [newest]
    two = search_tickets(session, viewer=agent, query="mango", now=utcnow(), candidates=2)
    assert {h.ticket.id for h in two.items} == {newest, middle} and two.limited
    every = search_tickets(session, viewer=agent, query="mango", now=utcnow(), candidates=50)
    assert {h.ticket.id for h in every.items} == {*old, middle, newest} and not every.limited
    assert found(session, agent, "durian", candidates=1) == []


def test_search_within_an_organisation_follows_a_ticket_to_another_organisation(session, make, agent):
    a, b = make.organisation(session), make.organisation(session)
    member_a, member_b = make.user(session, Role.member, org=a), make.user(session, Role.member, org=b)
    moving = make.ticket(session, org=a, subject="Papaya harvest fails")
    make.ticket(session, org=b, subject="Papaya in b")
    assert found(session, member_a, "papaya") == [moving.id]
    assert found(session, agent, "papaya", filters=QueueFilters(view="all", organisation_id=a.id)) == [moving.id]
    moving.organisation_id = b.id
    session.add(moving)
    session.commit()
    assert found(session, member_a, "papaya") == []
    assert moving.id in found(session, member_b, "papaya")
    assert found(session, agent, "papaya", filters=QueueFilters(view="all", organisation_id=a.id)) == []
    assert len(found(session, agent, "papaya", filters=QueueFilters(view="all", organisation_id=b.id))) == 2


def test_common_rare_and_unseen_words_after_the_planner_has_statistics(session, make, agent):
    """After ANALYZE, where a search looks first follows how common its words are (PostgreSQL reads the
    vector column's statistics; SQLite's FTS5 needs none): every kind of word still finds exactly its tickets."""
    from sqlalchemy import text

    from portal.services.search import service

    org = make.organisation(session)
    made = [make.ticket(session, org=org, subject=f"Kiwi report {n}" + (" mango" if n == 7 else "")).id
            for n in range(30)]
    session.execute(text("ANALYZE"))
    session.commit()
    service._SHARES.clear()
    assert found(session, agent, "kiwi", candidates=5) == made[-5:][::-1]  # a common word: the newest five
    assert found(session, agent, "mango") == [made[7]]  # a rare one, far back
    assert found(session, agent, "kiwi mango") == [made[7]]  # the least common word decides
    assert found(session, agent, "durian") == []  # never seen
    if session.get_bind().dialect.name == "postgresql":
        kiwi, mango, never = (service._word_share(session, "all_tsv", (w,)) for w in ("kiwi", "mango", "durian"))
        assert kiwi == pytest.approx(1.0) and mango is not None and never is not None
        assert kiwi > mango > never
        assert service._word_share(session, "all_tsv", ("kiwi", "mango")) == mango

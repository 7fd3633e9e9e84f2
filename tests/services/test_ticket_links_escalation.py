"""Links, merging, escalation packages and canned answers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import Conflict, ValidationFailed
from portal.models import Escalation, Message, OutboxMessage, Role, Status, Visibility
from portal.models.types import utcnow
from portal.services.tickets import canned, escalation, links
from portal.services.tickets.messages import add_message
from portal.services.tickets.tags import dois_of
from tests.helpdesk import ctx_for_tests


@pytest.fixture
def ctx():
    return ctx_for_tests()


def test_links_show_from_both_sides(session, make):
    agent = make.user(session, Role.agent)
    org = make.organisation(session)
    parent, child = make.ticket(session, org=org, subject="Parent"), make.ticket(session, org=org, subject="Child")
    links.link(session, parent, child.id, "parent_of", actor=agent, now=utcnow())
    assert [(v.label, v.other.id) for v in links.links_of(session, parent)] == [("parent of", child.id)]
    assert [(v.label, v.other.id) for v in links.links_of(session, child)] == [("child of", parent.id)]
    with pytest.raises(ValidationFailed, match="already linked"):
        links.link(session, child, parent.id, "parent_of", actor=agent, now=utcnow())
    with pytest.raises(ValidationFailed, match="itself"):
        links.link(session, parent, parent.id, "relates", actor=agent, now=utcnow())


def test_merge_moves_messages_and_dois_and_closes_the_source(session, make, ctx):
    agent = make.user(session, Role.agent)
    org = make.organisation(session)
    member = make.user(session, Role.member, org=org)
    a = make.ticket(session, requester=member, body="About 10.80001/a-1")
    b = make.ticket(session, requester=member, body="About 10.80001/b-2")
    add_message(session, a, author=agent, body="reply on a", ctx=ctx, now=utcnow())
    links.merge(session, a, b, actor=agent, now=utcnow())
    assert a.status == Status.closed and a.merged_into_id == b.id
    bodies = [m.body for m in session.exec(select(Message).where(Message.ticket_id == b.id).order_by(Message.id)).all()]
    assert bodies == ["About 10.80001/a-1", "About 10.80001/b-2", "reply on a"]
    assert dois_of(session, b) == ["10.80001/a-1", "10.80001/b-2"]


def test_tickets_of_different_members_cannot_merge(session, make):
    agent = make.user(session, Role.agent)
    a = make.ticket(session, org=make.organisation(session))
    b = make.ticket(session, org=make.organisation(session))
    with pytest.raises(Conflict, match="different member organisations"):
        links.merge(session, a, b, actor=agent, now=utcnow())


def test_escalation_package_and_answer(session, make, ctx):
    agent = make.user(session, Role.agent, name="Priya")
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    repo = make.repository(session, org, "UNIX.DATA", environment="production")
    member = make.user(session, Role.member, org=org)
    ticket = make.ticket(session, requester=member, repository_id=repo.id, body="Fails for 10.80001/x-1",
                         error_text="422 Schema http://datacite.org/schema/kernel-3 is no longer supported")
    add_message(session, ticket, author=agent, body="Diagnosis transcript\n1. GET /dois/10.80001/x-1: 200",
                ctx=ctx, now=utcnow(), visibility=Visibility.internal)
    package = escalation.build_package(session, ticket, steps_taken="Converted one record by hand.", now=utcnow())
    for needle in ("UNIX.DATA", "production", "10.80001/x-1", "kernel-3 is no longer supported", "Converted one record",
                   "University of Unix (member ID UNIX)", "Diagnosis transcript", "GET /dois/10.80001/x-1",
                   f"ticket #{ticket.id}"):
        assert needle in package
    esc = escalation.escalate(session, ticket, package=package, send=True, actor=agent, ctx=ctx, now=utcnow())
    assert ticket.status == Status.waiting_datacite
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "escalation")).one()
    assert mail.to_addr == "support@datacite.org" and mail.body_text == package
    escalation.record_answer(session, ticket, esc.id, answer="Fixed on our side.", reference="DC-123", actor=agent,
                             now=utcnow())
    assert ticket.status == Status.open
    assert session.get(Escalation, esc.id).status == "answered"
    with pytest.raises(Conflict):
        escalation.record_answer(session, ticket, esc.id, answer="again", reference="", actor=agent, now=utcnow())


def test_canned_answers_fill_variables_and_keep_unknown_ones(session, make):
    agent = make.user(session, Role.agent, name="Priya Raman")
    org = make.organisation(session, "Unix")
    repo = make.repository(session, org, "UNIX.DATA", environment="production")
    ticket = make.ticket(session, org=org, repository_id=repo.id, body="10.80001/abc fails")
    ticket.requester_name = "Tomás Herrera"
    values = canned.variables_for(session, ticket, agent, base_url="https://portal.example")
    text = canned.render("Hi {{member_name}}, {{repository_id}} ({{environment}}) {{doi}} {{ticket_number}} "
                         "{{docs_url}} {{nope}} — {{agent_name}}", values)
    assert text == (f"Hi Tomás, UNIX.DATA (production) 10.80001/abc #{ticket.id} https://portal.example/docs "
                    "{{nope}} — Priya Raman")


def test_shipped_canned_answers_cover_every_failure_mode(session, make):
    from portal.datacite.errors import FAILURE_MODES

    assert canned.seed_defaults(session) == len(FAILURE_MODES)
    assert canned.seed_defaults(session) == 0
    answers = canned.list_answers(session)
    assert {a.failure_key for a in answers} == set(FAILURE_MODES)
    for answer in answers:
        assert f"/troubleshooting/{answer.failure_key}" in answer.body
        assert not set(canned.VARIABLE.findall(answer.body)) - set(canned.VARIABLES)


def test_canned_answer_validation(session, make):
    agent = make.user(session, Role.agent)
    with pytest.raises(ValidationFailed) as info:
        canned.save_answer(session, None, title="", body="Hi {{who}}", failure_key="", active=True, actor=agent,
                           now=utcnow())
    assert set(info.value.errors) == {"title", "body"} and "{{who}}" in info.value.errors["body"]

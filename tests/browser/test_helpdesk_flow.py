"""A member files a ticket and an agent answers it with a canned answer, in Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal.models import Message, Role, Status, Ticket
from portal.services.tickets import canned
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_member_files_and_agent_answers_with_canned_answer(browser, live_server, session, make):
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    make.repository(session, org, "UNIX.DATA", environment="production", prefixes=("10.80001",),
                    domains="unix.example")
    make.user(session, Role.member, org=org, name="Tomás Herrera", email="tomas@unix.example")
    make.user(session, Role.agent, name="Priya Raman", email="priya@rsp.example")
    canned.seed_defaults(session)

    member = browser.new_context(base_url=live_server).new_page()
    sign_in(member, "tomas@unix.example", PASSWORD)
    member.get_by_role("link", name="New ticket").first.click()
    member.get_by_label("Subject").fill("Publishing fails: URL not allowed")
    member.get_by_label("Repository").select_option(label="UNIX.DATA (production)")
    member.get_by_label("DataCite's error message, exactly as shown").fill(
        "422 URL https://data.unix.example/record/17 is not allowed by repository unix.data domain settings.")
    member.get_by_role("button", name="Check my error first").click()
    assert member.get_by_role("heading", name="We recognise this error").is_visible()
    member.get_by_label("What happened, and what did you expect?").fill("10.80001/unix.2026-17 cannot be published.")
    member.get_by_role("button", name="Send the request").click()
    assert member.get_by_text("Thank you. Your request has the number").is_visible()
    session.commit()
    ticket = session.exec(select(Ticket)).one()
    assert ticket.failure_key == "url-domain-not-allowed"

    agent = browser.new_context(base_url=live_server).new_page()
    sign_in(agent, "priya@rsp.example", PASSWORD)
    agent.get_by_role("link", name="Tickets").first.click()
    agent.get_by_role("link", name="Publishing fails: URL not allowed").click()
    agent.wait_for_load_state("load")
    ticket_url = agent.url
    assert agent.get_by_text("What it means:").is_visible()
    picker = agent.get_by_label("Canned answer")
    assert "URL not allowed" in picker.locator("option:checked").inner_text()  # suggested from the error
    agent.get_by_role("button", name="Insert").click()
    message = agent.get_by_label("Message")
    # Polled by Playwright itself: a string predicate would need eval in the page, which the CSP refuses.
    expect(message).to_have_value(re.compile(r"UNIX\.DATA"))
    assert agent.url == ticket_url  # inserted at the cursor by the page's script, nothing submitted
    assert message.input_value().startswith("Hello Tomás,") and "Priya Raman" in message.input_value()
    agent.get_by_label("Then set the status to").select_option(label="Waiting on member")
    agent.get_by_role("button", name="Send reply").click()
    assert agent.get_by_text("Reply sent.").is_visible()

    member.reload()
    assert member.get_by_text("domain list").first.is_visible()
    session.commit()
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert ticket.status == Status.waiting_member
    reply = session.exec(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())).first()
    assert reply.author_name == "Priya Raman" and "UNIX.DATA" in reply.body
    member.context.close()
    agent.context.close()

"""Outgoing ticket mail: signed Message-ID, In-Reply-To/References, Auto-Submitted, HTML from the template."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.models import OutboxMessage, Role, Ticket
from portal.services.mail.tokens import signed_message_id, thread_key, verified_ticket
from portal.services.mail_delivery import claim_batch
from portal.services.smtp import SmtpSettings, build_message
from portal.services.tickets.context import TicketContext
from portal.services.tickets.messages import add_message
from tests import factories
from tests.mail.helpers import NOW, corpus, ingest, make_mailbox


def test_tokens_verify_only_with_our_key_and_unchanged():
    key = thread_key("secret one")
    mid = signed_message_id(ticket_id=42, key=key, domain="rsp.example")
    assert verified_ticket(mid, key) == 42
    assert verified_ticket(mid, thread_key("secret two")) is None
    assert verified_ticket(mid.replace("rsp.42.", "rsp.43."), key) is None
    assert verified_ticket("<rsp.42.0123456789abcdef.000000000000000000000000@rsp.example>", key) is None


def test_reply_and_acknowledgement_carry_thread_headers(app, session):
    make_mailbox(session)
    ticket = session.get(Ticket, ingest(app, session, corpus("new_plain.eml")).ticket_id)
    agent = factories.user(session, Role.agent)
    add_message(session, ticket, author=agent, body="See https://example.org/help & <try> again.",
                ctx=TicketContext.from_config(app.config), now=NOW)
    settings = SmtpSettings(host="smtp.invalid", mail_from="RSP Portal <support@rsp.example>",
                            thread_key=thread_key(app.config["SECRET_KEY"]))
    claimed = {m.kind: m for m in claim_batch(session, now=NOW + timedelta(minutes=1), limit=10, domain="rsp.example",
                                              thread_key=settings.thread_key)}
    ack, reply = claimed["ticket-ack"], claimed["ticket-reply"]
    key = settings.thread_key
    assert verified_ticket(ack.message_id, key) == verified_ticket(reply.message_id, key) == ticket.id
    assert reply.in_reply_to == "<new-plain-1@uni-a.example>"
    assert reply.references.split() == ["<new-plain-1@uni-a.example>", ack.message_id]
    ack_mail, reply_mail = (build_message(m, settings=settings, now=NOW) for m in (ack, reply))
    assert ack_mail["Auto-Submitted"] == "auto-replied" and reply_mail["Auto-Submitted"] is None
    assert reply_mail["In-Reply-To"] == "<new-plain-1@uni-a.example>"
    html = reply_mail.get_body(("html",)).get_content()
    assert '<a href="https://example.org/help">https://example.org/help</a>' in html
    assert "&amp; &lt;try&gt; again." in html
    assert session.exec(select(OutboxMessage).where(OutboxMessage.message_id == "")).all() == []


def test_notices_without_a_ticket_keep_a_plain_message_id(app, session):
    from portal.services.outbox import queue_mail

    queue_mail(session, to="someone@example.org", subject="Hello", text="Hi")
    session.commit()
    (message,) = claim_batch(session, now=NOW, limit=5, domain="rsp.example", thread_key=b"k" * 32)
    assert message.message_id.startswith("<outbox.") and message.in_reply_to == "" and message.references == ""

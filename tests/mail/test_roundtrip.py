"""End to end against real servers on loopback: a member's mail opens a ticket (IMAP), the agent's reply
reaches the member's mailbox (SMTP, read back over IMAP), and the member's answer threads back."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from portal.models import InboundMail, Message, OutboxMessage, OutboxStatus, Role, Ticket, Visibility
from portal.services.mail.mailboxes import MailboxInput, save_mailbox
from portal.services.mail.polling import poll_all
from portal.services.mail.tokens import thread_key, verified_ticket
from portal.services.mail_delivery import deliver_pending
from portal.services.smtp import SmtpSettings
from portal.services.tickets.attachments import Storage
from portal.services.tickets.context import TicketContext
from portal.services.tickets.messages import add_message
from tests import factories
from tests.mail import servers
from tests.mail.helpers import NOW, corpus

# These tests read mail back over IMAP from a real dovecot that they start themselves; a mock would prove nothing.
# Where Debian's dovecot-imapd is absent (a developer machine) they skip and say so; .ci/run installs it.
pytestmark = pytest.mark.skipif(
    servers.DOVECOT is None,
    reason="dovecot is not installed, and these tests need a real IMAP server (apt-get install dovecot-imapd)")
USERS = {"support@rsp.example": "support-imap-pw", "ada@uni-a.example": "ada-imap-pw"}


@pytest.fixture(scope="module")
def dovecot():
    yield from servers.start_dovecot(USERS)


@pytest.fixture
def world(app, session, dovecot):
    admin = factories.user(session, Role.admin)
    mailbox = save_mailbox(session, MailboxInput(
        name="support", address="support@rsp.example", arrival="imap", imap_host="127.0.0.1",
        imap_port=dovecot.port, imap_security="plain", imap_user="support@rsp.example",
        imap_password=USERS["support@rsp.example"], imap_folder="INBOX", processed_folder=f"Processed-{uuid.uuid4().hex[:12]}"),
        vault=app.extensions["portal.vault"], actor=admin)
    return mailbox


def _poll(app, session, now, ctx=None):
    reports = poll_all(session, config=app.config, ctx=ctx or TicketContext.from_config(app.config),
                       vault=app.extensions["portal.vault"], now=now)
    session.expire_all()
    return reports


def _deliver(app, session, port, now):
    settings = SmtpSettings(host="127.0.0.1", port=port, security="none", mail_from="RSP Portal <support@rsp.example>",
                            thread_key=thread_key(app.config["SECRET_KEY"]))
    report = deliver_pending(session, settings=settings, now=now)
    session.expire_all()
    return report


def test_member_mail_agent_reply_member_answer_all_on_one_ticket(app, session, dovecot, world):
    key = thread_key(app.config["SECRET_KEY"])
    dovecot.deliver("support@rsp.example", corpus("new_plain.eml"))
    (report,) = _poll(app, session, NOW)
    assert (report.received, report.failed, report.error) == (1, 0, "")
    (ticket,) = session.exec(select(Ticket)).all()
    assert dovecot.messages("support@rsp.example", criteria="UNSEEN") == []
    assert len(dovecot.messages("support@rsp.example", folder=world.processed_folder)) == 1

    agent = factories.user(session, Role.agent)
    add_message(session, ticket, author=agent, body="Please update the landing page URL, then try again.",
                ctx=TicketContext.from_config(app.config), now=NOW + timedelta(minutes=5))
    with servers.smtp_relay(dovecot) as (relay, port):
        sent = _deliver(app, session, port, NOW + timedelta(minutes=6))
        assert sent.sent == 2 and sent.failed == 0  # the acknowledgement and the agent's reply
        again = _deliver(app, session, port, NOW + timedelta(hours=1))
        assert again.sent == 0 and len(relay.accepted) == 2  # nothing is sent twice

    inbox = {m["Subject"]: m for m in dovecot.messages("ada@uni-a.example")}
    ack = next(m for s, m in inbox.items() if "We received your request" in s)
    reply = next(m for s, m in inbox.items() if "We received" not in s)
    assert ack["Auto-Submitted"] == "auto-replied" and reply["Auto-Submitted"] is None
    assert f"[RSP #{ticket.id}]" in reply["Subject"]
    assert verified_ticket(reply["Message-ID"], key) == ticket.id
    assert reply["In-Reply-To"] == "<new-plain-1@uni-a.example>"
    assert "<new-plain-1@uni-a.example>" in reply["References"]
    assert reply.get_content_type() == "multipart/alternative"
    assert "landing page URL" in reply.get_body(("plain",)).get_content()
    assert "landing page URL" in reply.get_body(("html",)).get_content()

    answer = (f"From: Ada Member <ada@uni-a.example>\nTo: support@rsp.example\nSubject: Re: {reply['Subject']}\n"
              f"Message-ID: <ada-answer-1@uni-a.example>\nIn-Reply-To: {reply['Message-ID']}\n"
              f"References: {reply['References']} {reply['Message-ID']}\nContent-Type: text/plain; charset=utf-8\n\n"
              f"Done, it resolves now.\n\nOn Fri, Dec 4, 2026 RSP Portal wrote:\n> Please update the landing page URL\n")
    dovecot.deliver("support@rsp.example", answer.encode())
    dovecot.deliver("support@rsp.example", answer.encode())  # the same message delivered twice
    (report,) = _poll(app, session, NOW + timedelta(minutes=10))
    assert (report.received, report.duplicates) == (1, 1)
    assert len(session.exec(select(Ticket)).all()) == 1
    last = session.exec(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())).first()
    assert last.body.startswith("Done, it resolves now.") and last.visibility == Visibility.public
    assert "> Please update" not in last.body

    # An out-of-office answer to our reply: an internal note, and nothing goes back out.
    ooo = corpus("out_of_office.eml", ticket=ticket.id, token=reply["Message-ID"])
    dovecot.deliver("support@rsp.example", ooo)
    _poll(app, session, NOW + timedelta(minutes=11))
    assert session.exec(select(InboundMail).where(InboundMail.message_id == "<ooo-1@uni-a.example>")).one().outcome == "note"
    pending = session.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)).all()
    assert pending == []


def test_a_message_that_fails_stays_unread_in_the_inbox_and_is_received_later(app, session, dovecot, world, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    broken = TicketContext(mail=TicketContext.from_config(app.config).mail,
                           storage=Storage(root=blocker / "x", max_bytes=10 * 1024 * 1024))
    raw = corpus("oversized_attachment.eml").replace(b"<att-1@", b"<att-imap-1@")
    dovecot.deliver("support@rsp.example", raw)
    (report,) = _poll(app, session, NOW, ctx=broken)
    assert (report.received, report.failed) == (0, 1)
    assert session.exec(select(InboundMail)).all() == []
    assert len(dovecot.messages("support@rsp.example", criteria="UNSEEN")) == 1
    (report,) = _poll(app, session, NOW + timedelta(minutes=1))
    assert (report.received, report.failed) == (1, 0)
    assert dovecot.messages("support@rsp.example", criteria="UNSEEN") == []


def test_a_wrong_imap_password_is_reported_on_the_mailbox(app, session, dovecot, world):
    admin = factories.user(session, Role.admin)
    save_mailbox(session, MailboxInput(
        name="support", address="support@rsp.example", arrival="imap", imap_host="127.0.0.1", imap_port=dovecot.port,
        imap_security="plain", imap_user="support@rsp.example", imap_password="wrong",
        processed_folder=world.processed_folder), vault=app.extensions["portal.vault"], actor=admin, mailbox_id=world.id)
    (report,) = _poll(app, session, NOW)
    assert "AUTHENTICATIONFAILED" in report.error or "failed" in report.error.lower()
    session.refresh(world)
    assert world.last_error == report.error and "wrong" not in world.last_error

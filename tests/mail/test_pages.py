"""Admin pages for mailboxes (the IMAP password is write-only) and the agent's accept action for held mail."""

from __future__ import annotations

from sqlmodel import select

from portal.models import InboundMail, Mailbox, Message, Role, Ticket, TicketParticipant, Visibility
from portal.services.mail.polling import imap_password
from tests import factories
from tests.mail.helpers import corpus, ingest, make_mailbox, token

FORM = {"name": "support", "address": "Support@RSP.example", "purpose": "member_support", "group_id": "",
        "arrival": "imap", "imap_host": "imap.rsp.example", "imap_port": "993", "imap_security": "tls",
        "imap_user": "support", "imap_password": "Imap-Secret-123", "imap_folder": "INBOX",
        "processed_folder": "Processed", "active": "y"}


def test_admin_creates_a_mailbox_with_a_sealed_write_only_password(app, client, session, login_as):
    admin = factories.user(session, Role.admin)
    login_as(admin)
    response = client.post("/admin/mailboxes/new", data=FORM)
    assert response.status_code == 302
    mailbox = session.exec(select(Mailbox)).one()
    assert mailbox.address == "support@rsp.example" and "Imap-Secret-123" not in (mailbox.imap_password or "")
    assert imap_password(mailbox, app.extensions["portal.vault"]) == "Imap-Secret-123"
    page = client.get(f"/admin/mailboxes/{mailbox.id}")
    assert page.status_code == 200 and b"Imap-Secret-123" not in page.data and b"Leave empty to keep it" in page.data
    kept = client.post(f"/admin/mailboxes/{mailbox.id}", data={**FORM, "imap_password": "", "imap_port": "994"})
    assert kept.status_code == 302
    session.expire_all()
    mailbox = session.get(Mailbox, mailbox.id)
    assert mailbox.imap_port == 994 and imap_password(mailbox, app.extensions["portal.vault"]) == "Imap-Secret-123"
    listing = client.get("/admin/mailboxes")
    assert b"imap.rsp.example:994" in listing.data and b"Imap-Secret-123" not in listing.data


def test_mailbox_form_shows_field_errors(client, session, login_as):
    login_as(factories.user(session, Role.admin))
    response = client.post("/admin/mailboxes/new", data={**FORM, "name": "Bad Name!", "imap_security": "plain",
                                                         "imap_password": "", "processed_folder": "INBOX"})
    assert response.status_code == 200
    for text in (b"Use lower-case letters", b"only to a server on this machine", b"Give the IMAP password",
                 b"must differ from the folder"):
        assert text in response.data
    assert session.exec(select(Mailbox)).all() == []


def test_received_mail_is_listed_with_its_outcome(app, client, session, login_as):
    make_mailbox(session)
    ingest(app, session, corpus("new_plain.eml"))
    ingest(app, session, corpus("autoreply_precedence.eml"))
    login_as(factories.user(session, Role.admin))
    page = client.get("/admin/mailboxes?outcome=dropped")
    assert b"noreply@uni-b.example" in page.data and b"ada@uni-a.example" not in page.data


def test_agent_accepts_held_mail_as_the_new_requester(app, client, session, login_as):
    make_mailbox(session)
    first = ingest(app, session, corpus("new_plain.eml"))
    ticket = session.get(Ticket, first.ticket_id)
    ingest(app, session, corpus("stranger_reply.eml", ticket=ticket.id, token=token(app, ticket.id)))
    held = session.exec(select(InboundMail).where(InboundMail.outcome == "held")).one()
    agent = factories.user(session, Role.agent)
    login_as(agent)
    page = client.get(f"/desk/tickets/{ticket.id}")
    assert b"Mail from people outside this ticket" in page.data and b"Accept as requester" in page.data
    response = client.post(f"/desk/tickets/{ticket.id}/held/{held.id}/accept", data={"as": "requester"})
    assert response.status_code == 302
    session.expire_all()
    ticket = session.get(Ticket, ticket.id)
    assert ticket.requester_email == "mallory@elsewhere.example"
    last = session.exec(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id.desc())).first()
    assert last.visibility == Visibility.public and "new contact" in last.body
    again = client.post(f"/desk/tickets/{ticket.id}/held/{held.id}/accept", data={"as": "participant"},
                        follow_redirects=True)
    assert b"already accepted" in again.data
    assert session.exec(select(TicketParticipant)).all() == []


def test_held_mail_cannot_be_accepted_through_another_ticket(app, client, session, login_as):
    make_mailbox(session)
    first = ingest(app, session, corpus("new_plain.eml"))
    other = ingest(app, session, corpus("shared_references.eml"))
    ingest(app, session, corpus("stranger_reply.eml", ticket=first.ticket_id, token=token(app, first.ticket_id)))
    held = session.exec(select(InboundMail).where(InboundMail.outcome == "held")).one()
    login_as(factories.user(session, Role.agent))
    response = client.post(f"/desk/tickets/{other.ticket_id}/held/{held.id}/accept", data={"as": "participant"},
                           follow_redirects=True)
    assert b"does not exist" in response.data
    session.expire_all()
    assert session.get(InboundMail, held.id).accepted_at is None

"""Receiving mail: the corpus of real-world shapes, threading, guards and idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.models import (
    Attachment,
    Channel,
    InboundMail,
    MailAddressFlag,
    Message,
    OutboxMessage,
    Role,
    Status,
    Ticket,
    TicketDoi,
    Visibility,
)
from portal.services.mail.posting import accept_held, held_mail
from tests import factories
from tests.mail.helpers import NOW, corpus, ingest, make_mailbox, token


def messages(session, ticket_id):
    return list(session.exec(select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)).all())


def outbox(session):
    return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


@pytest.fixture
def opened(app, session):
    """A ticket opened by Ada's first mail."""
    make_mailbox(session)
    result = ingest(app, session, corpus("new_plain.eml"))
    return session.get(Ticket, result.ticket_id)


def test_new_mail_opens_a_ticket_with_dois_repository_and_acknowledgement(app, session):
    make_mailbox(session)
    org = factories.organisation(session)
    repo = factories.repository(session, org, "UNIA.REPO")
    result = ingest(app, session, corpus("new_plain.eml"))
    assert result.outcome == "ticket" and not result.duplicate
    ticket = session.get(Ticket, result.ticket_id)
    assert ticket.channel == Channel.email and ticket.requester_email == "ada@uni-a.example"
    assert ticket.requester_name == "Ada Member" and ticket.repository_id == repo.id
    assert [d.doi for d in session.exec(select(TicketDoi).where(TicketDoi.ticket_id == ticket.id))] == ["10.5555/abc-123"]
    (first,) = messages(session, ticket.id)
    assert first.source == "email" and "does not resolve" in first.body
    (ack,) = [m for m in outbox(session) if m.kind == "ticket-ack"]
    assert ack.to_addr == "ada@uni-a.example" and ack.ticket_id == ticket.id
    assert ack.auto_submitted == "auto-replied" and "<p>" in (ack.body_html or "")
    assert f"[RSP #{ticket.id}]" in ack.subject


def test_the_same_message_twice_gives_one_ticket(app, session, opened):
    again = ingest(app, session, corpus("new_plain.eml"))
    assert again.duplicate and again.ticket_id is None
    assert len(session.exec(select(Ticket)).all()) == 1
    assert len(session.exec(select(InboundMail)).all()) == 1
    assert len([m for m in outbox(session) if m.kind == "ticket-ack"]) == 1


@pytest.mark.parametrize(("name", "expected", "not_expected"), [
    ("reply_gmail.eml", "It works now, thank you!", "we fixed the landing page"),
    ("reply_outlook.eml", "Thanks – one more question", "Hello Ada, we fixed it"),
    ("reply_thunderbird.eml", "Still broken after all.", "Ada Member, Library"),
    ("reply_apple_subject_only.eml", "the subject tag still finds the ticket", "> Hello Ada"),
])
def test_replies_from_common_clients_thread_with_history_folded(app, session, opened, name, expected, not_expected):
    result = ingest(app, session, corpus(name, ticket=opened.id, token=token(app, opened.id)), now=NOW + timedelta(hours=1))
    assert result.outcome == "reply" and result.ticket_id == opened.id
    last = messages(session, opened.id)[-1]
    assert last.visibility == Visibility.public and last.source == "email"
    assert expected in last.body and not_expected not in last.body
    assert len(session.exec(select(Ticket)).all()) == 1


def test_outlook_reply_in_windows_1252_adds_its_doi(app, session, opened):
    ingest(app, session, corpus("reply_outlook.eml", ticket=opened.id, token=token(app, opened.id)))
    dois = {d.doi for d in session.exec(select(TicketDoi).where(TicketDoi.ticket_id == opened.id))}
    assert dois == {"10.5555/abc-123", "10.5555/xyz-9"}


def test_a_reply_reopens_a_resolved_ticket_but_an_out_of_office_does_not(app, session, opened):
    opened.status = Status.resolved
    session.add(opened)
    session.commit()
    before = len(outbox(session))
    auto = ingest(app, session, corpus("out_of_office.eml", ticket=opened.id, token=token(app, opened.id)))
    assert auto.outcome == "note" and session.get(Ticket, opened.id).status == Status.resolved
    assert messages(session, opened.id)[-1].visibility == Visibility.internal
    assert len(outbox(session)) == before  # no acknowledgement, no notice: nothing to loop on
    reply = ingest(app, session, corpus("reply_thunderbird.eml", ticket=opened.id, token=token(app, opened.id)))
    assert reply.outcome == "reply" and session.get(Ticket, opened.id).status == Status.open


def test_a_forged_thread_token_opens_a_new_ticket_instead(app, session, opened):
    result = ingest(app, session, corpus("forged_token.eml", ticket=opened.id))
    assert result.outcome == "ticket" and result.ticket_id != opened.id
    assert len(messages(session, opened.id)) == 1


def test_a_stranger_in_the_thread_is_held_until_an_agent_accepts(app, session, opened):
    result = ingest(app, session, corpus("stranger_reply.eml", ticket=opened.id, token=token(app, opened.id)))
    assert result.outcome == "held" and result.ticket_id == opened.id
    note = messages(session, opened.id)[-1]
    assert note.visibility == Visibility.internal and "not part of this ticket" in note.body
    assert session.get(Ticket, opened.id).requester_email == "ada@uni-a.example"
    agent = factories.user(session, Role.agent)
    (held,) = held_mail(session, opened)
    message = accept_held(session, inbound_id=held.id, as_requester=False, actor=agent, now=NOW)
    assert message.visibility == Visibility.public and message.author_email == "mallory@elsewhere.example"
    assert held_mail(session, opened) == []
    follow = corpus("stranger_reply.eml", ticket=opened.id, token=token(app, opened.id)).replace(
        b"<stranger-1@", b"<stranger-2@")
    assert ingest(app, session, follow).outcome == "reply"


def test_a_forward_without_in_reply_to_threads_by_its_references(app, session, opened):
    result = ingest(app, session, corpus("forward_no_reply_to.eml"))
    assert result.ticket_id == opened.id and result.outcome == "held"  # Bob is not on the ticket yet
    assert "Forwarded message" in session.get(InboundMail, 2).body  # forwards are never folded


def test_shared_unrelated_references_open_their_own_ticket(app, session, opened):
    result = ingest(app, session, corpus("shared_references.eml"))
    assert result.outcome == "ticket" and result.ticket_id != opened.id


@pytest.mark.parametrize("name", ["autoreply_precedence.eml", "autoreply_x_autorespond.eml"])
def test_automatic_mail_about_no_ticket_is_dropped_without_an_answer(app, session, name):
    make_mailbox(session)
    result = ingest(app, session, corpus(name))
    assert result.outcome == "dropped" and result.ticket_id is None
    assert session.exec(select(Ticket)).all() == [] and outbox(session) == []


def test_a_bounce_lands_on_its_ticket_and_flags_the_address(app, session, opened):
    result = ingest(app, session, corpus("bounce_dsn.eml", ticket=opened.id, token=token(app, opened.id)))
    assert result.outcome == "bounce" and result.ticket_id == opened.id
    note = messages(session, opened.id)[-1]
    assert note.visibility == Visibility.internal and "550 5.1.1 user unknown" in note.body
    flag = session.get(MailAddressFlag, "ada@uni-a.example")
    assert flag is not None and flag.bounces == 1
    assert session.get(Ticket, opened.id).status == Status.new


def test_a_bounce_named_only_by_x_failed_recipients_flags_that_address(app, session):
    make_mailbox(session)
    result = ingest(app, session, corpus("bounce_failed_recipients.eml"))
    assert result.outcome == "bounce" and session.get(MailAddressFlag, "gone@uni-a.example") is not None
    assert session.exec(select(Ticket)).all() == []


def test_mail_from_our_own_address_is_dropped(app, session, opened):
    result = ingest(app, session, corpus("from_ourselves.eml", ticket=opened.id))
    assert result.outcome == "dropped" and len(messages(session, opened.id)) == 1


def test_html_only_mail_is_reduced_to_safe_text(app, session):
    make_mailbox(session)
    result = ingest(app, session, corpus("html_only.eml"))
    body = messages(session, result.ticket_id)[0].body
    assert "Our prefix 10.5555 fails & stops." in body and "Second line" in body
    assert "<" not in body.split("[Sent as HTML")[0] and "alert" not in body and "color:red" not in body


@pytest.mark.parametrize(("name", "subject", "text"), [
    ("charset_latin1.eml", "Grüße aus Köln", "Die DOI für unsere Sammlung fehlt."),
    ("charset_shift_jis.eml", "登録エラー", "DOIの登録ができません。"),
    ("charset_broken.eml", "Broken charset", "Caf"),
])
def test_odd_and_broken_charsets_are_read(app, session, name, subject, text):
    make_mailbox(session)
    result = ingest(app, session, corpus(name))
    ticket = session.get(Ticket, result.ticket_id)
    assert ticket.subject == subject and text in messages(session, ticket.id)[0].body


def test_attachments_within_limits_are_kept_and_the_rest_noted(app, session):
    make_mailbox(session)
    raw = corpus("oversized_attachment.eml", huge_bytes=11 * 1024 * 1024)
    result = ingest(app, session, raw)
    assert result.outcome == "ticket"
    files = session.exec(select(Attachment).where(Attachment.ticket_id == result.ticket_id)).all()
    assert [f.filename for f in files] == ["harvest.log"]
    body = messages(session, result.ticket_id)[0].body
    assert "huge.log is larger than 10 MB" in body and "setup.exe" in body


def test_mail_from_datacite_to_the_designated_contact_becomes_a_staff_request(app, session):
    from portal.models import StaffRequest

    make_mailbox(session, name="contact", address="contact@rsp.example", purpose="designated_contact")
    org = factories.organisation(session)
    factories.repository(session, org, "UNIA.REPO")
    result = ingest(app, session, corpus("datacite_request.eml"), mailbox="contact")
    assert result.outcome == "request"
    ticket = session.get(Ticket, result.ticket_id)
    request = session.get(StaffRequest, ticket.id)
    assert ticket.channel == Channel.datacite_staff and request.source == "email" and request.reply_to == "dora@datacite.org"
    reply = corpus("reply_thunderbird.eml", ticket=ticket.id, token=token(app, ticket.id)).replace(
        b"Ada Member <ada@uni-a.example>", b"Dora Staff <dora@datacite.org>")
    assert ingest(app, session, reply, mailbox="contact").outcome == "reply"


def test_mail_to_the_designated_contact_from_elsewhere_is_an_ordinary_ticket(app, session):
    make_mailbox(session, name="contact", address="contact@rsp.example", purpose="designated_contact")
    raw = corpus("datacite_request.eml").replace(b"dora@datacite.org", b"dora@datacite.org.evil.example")
    result = ingest(app, session, raw, mailbox="contact")
    assert result.outcome == "ticket"


def test_a_looping_sender_is_rate_limited(app, session):
    app.config["MAIL_LOOP_LIMIT_PER_HOUR"] = 3
    make_mailbox(session)
    outcomes = []
    for n in range(5):
        raw = corpus("shared_references.eml").replace(b"<shared-ref-1@", f"<loop-{n}@".encode())
        outcomes.append(ingest(app, session, raw, now=NOW + timedelta(minutes=n)).outcome)
    assert outcomes == ["ticket", "ticket", "ticket", "limited", "limited"]
    assert len([m for m in outbox(session) if m.kind == "ticket-ack"]) == 3
    later = corpus("shared_references.eml").replace(b"<shared-ref-1@", b"<loop-later@")
    assert ingest(app, session, later, now=NOW + timedelta(hours=2)).outcome == "ticket"


def test_people_copied_on_the_first_mail_reply_all_as_participants(app, session):
    make_mailbox(session)
    first = ingest(app, session, corpus("cc_original.eml"))
    reply = ingest(app, session, corpus("cc_reply_all.eml", ticket=first.ticket_id, token=token(app, first.ticket_id)))
    assert reply.outcome == "reply" and reply.ticket_id == first.ticket_id
    last = messages(session, first.ticket_id)[-1]
    assert last.visibility == Visibility.public and last.body.startswith("Bob here") and "Original Message" not in last.body

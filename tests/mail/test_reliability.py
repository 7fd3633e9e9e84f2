"""The email channel never duplicates or loses a message: two workers at once, a crash before the commit,
and the pipe's exit codes."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from portal.db import engine_of, session_scope
from portal.models import InboundMail, Message, Ticket
from portal.services.mail.ingest import ingest_raw
from portal.services.tickets.attachments import Storage
from portal.services.tickets.context import TicketContext
from tests.mail.helpers import NOW, corpus, ingest, make_mailbox


def test_two_workers_with_the_same_message_at_once_give_one_ticket(app, session):
    make_mailbox(session)
    raw = corpus("new_plain.eml")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker() -> None:
        with app.app_context(), session_scope(engine_of(app)) as own:
            barrier.wait()
            try:
                results.append(ingest_raw(own, raw=raw, mailbox_name="support",
                                          ctx=TicketContext.from_config(app.config), config=app.config, now=NOW))
            except Exception as exc:  # noqa: BLE001 - recorded and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r.duplicate for r in results) == [False, True]
    session.expire_all()
    assert len(session.exec(select(Ticket)).all()) == 1
    assert len(session.exec(select(InboundMail)).all()) == 1


def test_a_crash_before_the_commit_keeps_nothing_and_the_retry_is_received(app, session, tmp_path: Path):
    make_mailbox(session)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("the attachment store cannot be created here")
    broken = TicketContext(mail=TicketContext.from_config(app.config).mail,
                           storage=Storage(root=blocker / "attachments", max_bytes=10 * 1024 * 1024))
    raw = corpus("oversized_attachment.eml")
    try:
        ingest(app, session, raw, ctx=broken)
    except OSError:
        pass
    else:  # pragma: no cover - the assertion explains
        raise AssertionError("storing the attachment should have failed")
    session.rollback()
    assert session.exec(select(InboundMail)).all() == [] and session.exec(select(Ticket)).all() == []
    retry = ingest(app, session, raw)
    assert retry.outcome == "ticket" and not retry.duplicate
    assert len(session.exec(select(Message)).all()) == 1


def _pipe(app, raw: bytes, mailbox: str = "support"):
    return app.test_cli_runner().invoke(args=["mail", "ingest", "--mailbox", mailbox], input=raw)


def test_the_pipe_exits_0_when_accepted_and_again_for_a_duplicate(app, session):
    make_mailbox(session)
    session.commit()
    first = _pipe(app, corpus("new_plain.eml"))
    assert first.exit_code == 0, first.output
    assert "Accepted: ticket (ticket #" in first.output
    second = _pipe(app, corpus("new_plain.eml"))
    assert second.exit_code == 0 and "duplicate" in second.output


def test_the_pipe_asks_for_a_retry_for_an_unknown_mailbox_or_a_broken_database(app, session):
    make_mailbox(session)
    session.commit()
    unknown = _pipe(app, corpus("new_plain.eml"), mailbox="nope")
    assert unknown.exit_code == 75 and "no active mailbox named 'nope'" in unknown.output
    engine = engine_of(app)
    session.commit()
    with engine.begin() as conn:  # the database breaks under the message: a crash before the commit
        conn.execute(text("ALTER TABLE ticket_message RENAME TO ticket_message_away"))
    try:
        broken = _pipe(app, corpus("new_plain.eml"))
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE ticket_message_away RENAME TO ticket_message"))
    assert broken.exit_code == 75 and "temporary failure" in broken.output
    session.expire_all()
    assert session.exec(select(InboundMail)).all() == []

"""The email channel: time to parse a message, and to receive one into a ticket or a reply (SQLite, migrated).

Run: .venv/bin/python bench/mail_ingest.py [--messages 300]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from portal import migrations
from portal.db import make_engine
from portal.models import Mailbox
from portal.services.mail.folding import fold_reply
from portal.services.mail.ingest import InboundSettings, ingest_mail
from portal.services.mail.parse import parse_mail
from portal.services.mail.tokens import signed_message_id, thread_key
from portal.services.tickets.attachments import Storage
from portal.services.tickets.context import TicketContext
from portal.services.tickets.notify import MailContext

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "mail" / "corpus"
KEY = thread_key("bench-secret")


def new_mail(n: int) -> bytes:
    return (f"From: Member {n} <member{n % 50}@uni{n % 7}.example>\nTo: support@rsp.example\n"
            f"Subject: DOI 10.5555/bench-{n} does not resolve\nMessage-ID: <bench-new-{n}@uni.example>\n"
            f"Content-Type: text/plain; charset=utf-8\n\nOur DOI 10.5555/bench-{n} fails with a 404.\n").encode()


def reply_mail(n: int, ticket_id: int) -> bytes:
    token = signed_message_id(ticket_id=ticket_id, key=KEY, domain="rsp.example")
    return (f"From: Member {n} <member{n % 50}@uni{n % 7}.example>\nTo: support@rsp.example\n"
            f"Subject: Re: [RSP #{ticket_id}] DOI\nMessage-ID: <bench-reply-{n}@uni.example>\nIn-Reply-To: {token}\n"
            f"Content-Type: text/plain; charset=utf-8\n\nThanks, it works.\n\nOn Fri, someone wrote:\n> quoted\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    count = parser.parse_args().messages
    samples = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    began = time.perf_counter()
    rounds = 50
    for _ in range(rounds):
        for raw in samples:
            fold_reply(parse_mail(raw).text)
    per = (time.perf_counter() - began) / (rounds * len(samples))
    print(f"parse + fold, corpus of {len(samples)} messages:           {per * 1e6:9.1f} µs per message")

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        migrations.upgrade(engine, "head")
        ctx = TicketContext(mail=MailContext(base_url="http://localhost", site_name="RSP Portal"),
                            storage=Storage(root=Path(tmp) / "files", max_bytes=10 * 1024 * 1024))
        settings = InboundSettings(key=KEY, own_addresses=frozenset({"support@rsp.example"}),
                                   loop_limit_per_hour=10**6)
        now = datetime(2026, 12, 4, 9, tzinfo=UTC)
        with Session(engine, expire_on_commit=False) as session:
            mailbox = Mailbox(name="support", address="support@rsp.example")
            session.add(mailbox)
            session.commit()
            ticket_ids = []
            began = time.perf_counter()
            for n in range(count):
                result = ingest_mail(session, raw=new_mail(n), mailbox=mailbox, ctx=ctx, settings=settings,
                                     now=now + timedelta(seconds=n))
                ticket_ids.append(result.ticket_id or 0)
            opened = time.perf_counter() - began
            began = time.perf_counter()
            for n, ticket_id in enumerate(ticket_ids):
                ingest_mail(session, raw=reply_mail(n, ticket_id), mailbox=mailbox, ctx=ctx, settings=settings,
                            now=now + timedelta(hours=1, seconds=n))
            replied = time.perf_counter() - began
            began = time.perf_counter()
            for n in range(count):
                ingest_mail(session, raw=new_mail(n), mailbox=mailbox, ctx=ctx, settings=settings, now=now)
            duplicate = time.perf_counter() - began
        engine.dispose()
    print(f"new mail -> ticket (SQLite, {count} messages):             {opened / count * 1e3:9.2f} ms per message")
    print(f"reply -> threaded message (SQLite, {count} messages):      {replied / count * 1e3:9.2f} ms per message")
    print(f"the same Message-ID again -> duplicate ({count} messages): {duplicate / count * 1e3:9.2f} ms per message")


if __name__ == "__main__":
    main()

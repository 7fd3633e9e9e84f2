"""Outbox delivery over SMTP against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import asyncio
import logging
import re
import smtplib
import socket
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import select

from portal.db import engine_of, session_scope
from portal.jobs import SCHEDULE
from portal.models import OutboxMessage
from portal.scheduler.runner import JobRunner
from portal.services import outbox
from portal.services.mail_delivery import DeliveryPolicy, deliver_pending
from portal.services.smtp import SmtpSettings, classify

NOW = datetime(2026, 11, 25, 16, 52, 44, tzinfo=UTC)
PASSWORD = "Sm7p-pa55word-xyz"


class Recorder:
    """Accepts every message; answers with ``replies`` first (e.g. a 451), then 250."""

    def __init__(self, replies: tuple[str, ...] = (), rcpt_reply: str = "", delay: float = 0.0) -> None:
        self.replies = list(replies)
        self.rcpt_reply = rcpt_reply
        self.delay = delay
        self.accepted: list[tuple[str, list[str], bytes]] = []
        self.attempted_ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=email_policy.default)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.attempted_ids.append(parsed["Message-ID"])
            if self.replies:
                return self.replies.pop(0)
            self.accepted.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def messages(self):
        return [message_from_bytes(content, policy=email_policy.default) for _f, _t, content in self.accepted]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    controllers = []

    def start(handler, **kwargs):
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        controllers.append(controller)
        return SmtpSettings(host="127.0.0.1", port=controller.port, security="none", timeout=5,
                            mail_from="RSP Portal <support@rsp.example>", helo_name="portal.test")

    yield start
    for controller in controllers:
        controller.stop()


def queue(app, count=1, **fields):
    with session_scope(engine_of(app)) as s:
        made = []
        for n in range(count):
            made.append(outbox.queue_mail(s, to=fields.get("to", f"person{n}@member.example"),
                                          subject=fields.get("subject", f"Notice {n}"),
                                          text=fields.get("text", f"Hello {n},\nsomething happened.\n"),
                                          html=fields.get("html")))
        s.commit()
        return [m.id for m in made]


def deliver(app, settings, now=NOW, **kwargs):
    with session_scope(engine_of(app)) as s:
        return deliver_pending(s, settings=settings, now=now, **kwargs)


def rows(app):
    with session_scope(engine_of(app), write=False) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_delivered_once_with_proper_headers_and_parts(app, smtp_server):
    handler = Recorder()
    settings = smtp_server(handler)
    plain_id, = queue(app, to="anna@meeresdaten.example", subject="Your ticket", text="Plain words.\n")
    rich_id, = queue(app, to="li@unix.example", subject="Grüße", text="Text part.\n", html="<p>HTML part.</p>")
    report = deliver(app, settings)
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert deliver(app, settings).sent == 0  # nothing is sent twice
    assert len(handler.accepted) == 2
    plain, rich = handler.messages()
    by_id = {row.id: row for row in rows(app)}
    for parsed, row_id, to in ((plain, plain_id, "anna@meeresdaten.example"), (rich, rich_id, "li@unix.example")):
        row = by_id[row_id]
        assert (row.status, row.attempts, row.sent_at, row.claimed_at) == ("sent", 1, NOW, None)
        assert parsed["From"] == "RSP Portal <support@rsp.example>" and parsed["To"] == to
        assert parsed["Message-ID"] == row.message_id
        assert re.fullmatch(rf"<outbox\.{row_id}\.[0-9a-f]{{16}}@rsp\.example>", row.message_id)
        assert parsed["Date"].datetime == NOW
        assert parsed["Auto-Submitted"] == "auto-generated"
    assert handler.accepted[0][0] == "support@rsp.example" and handler.accepted[0][1] == ["anna@meeresdaten.example"]
    assert plain["Subject"] == "Your ticket" and plain.get_content_type() == "text/plain"
    assert plain.get_content().replace("\r\n", "\n") == "Plain words.\n"
    assert rich["Subject"] == "Grüße" and rich.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content().replace("\r\n", "\n") for part in rich.iter_parts()}
    assert parts == {"text/plain": "Text part.\n", "text/html": "<p>HTML part.</p>\n"}


def test_a_temporary_failure_is_retried_after_a_delay_then_sent(app, smtp_server):
    handler = Recorder(replies=("451 4.3.0 Try again later",))
    settings = smtp_server(handler)
    queue(app)
    first = deliver(app, settings)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = rows(app)
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, NOW + timedelta(minutes=1))
    assert row.last_error == "server refused the message: 451 4.3.0 Try again later"
    assert deliver(app, settings, now=NOW + timedelta(seconds=59)).sent == 0  # not due yet
    assert deliver(app, settings, now=NOW + timedelta(minutes=1)).sent == 1
    [row] = rows(app)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert len(handler.accepted) == 1
    assert handler.attempted_ids == [row.message_id, row.message_id]  # the retry keeps its Message-ID


def test_delays_grow_and_delivery_gives_up_after_the_last_attempt(app, smtp_server):
    policy = DeliveryPolicy(max_attempts=3)
    assert [policy.delay_after(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert DeliveryPolicy().delay_after(30) == timedelta(hours=6)
    settings = smtp_server(Recorder(replies=("421 4.7.0 Busy, come back",) * 5))
    queue(app)
    now = NOW
    for attempt in (1, 2):
        assert deliver(app, settings, now=now, policy=policy).retrying == 1
        [row] = rows(app)
        assert row.attempts == attempt and row.next_attempt_at == now + policy.delay_after(attempt)
        now = row.next_attempt_at
    assert deliver(app, settings, now=now, policy=policy).failed == 1
    [row] = rows(app)
    assert row.status == "failed" and row.attempts == 3 and row.next_attempt_at is None
    assert row.last_error == "gave up after 3 attempts: server refused the message: 421 4.7.0 Busy, come back"


def test_a_permanent_refusal_fails_the_message_with_the_reason(app, smtp_server):
    handler = Recorder(rcpt_reply="550 5.1.1 No such user here")
    settings = smtp_server(handler)
    queue(app, to="gone@member.example")
    assert deliver(app, settings).failed == 1
    [row] = rows(app)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "recipient refused: 550 5.1.1 No such user here"
    assert deliver(app, settings, now=NOW + timedelta(days=1)).failed == 0  # never retried by itself
    assert handler.accepted == []


@pytest.mark.parametrize(("fields", "reason"), [
    ({"to": "not-an-address"}, "not of the form name@domain"),
    ({"to": "a@b.example\r\nBcc: victim@else.example"}, "control characters"),
    ({"subject": "Hello\r\nBcc: victim@else.example"}, "the message cannot be written"),
])
def test_mail_that_cannot_be_sent_fails_without_reaching_the_server(app, fields, reason):
    queue(app, **fields)

    def no_connection(_settings):
        raise AssertionError("no connection should be opened")

    report = deliver(app, SmtpSettings(host="127.0.0.1", port=1), connect=no_connection)
    assert report.failed == 1
    [row] = rows(app)
    assert row.status == "failed" and reason in row.last_error


def test_two_deliverers_in_parallel_never_send_a_message_twice(app, smtp_server):
    handler = Recorder(delay=0.02)
    settings = smtp_server(handler)
    ids = queue(app, 40)
    policy = DeliveryPolicy(batch_size=5)
    reports = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        reports.append(deliver(app, settings, policy=policy))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.sent for r in reports) == 40 and all(r.sent for r in reports)  # both took part
    received = [m["Message-ID"] for m in handler.messages()]
    assert len(received) == len(set(received)) == 40
    assert {row.id for row in rows(app) if row.status == "sent"} == set(ids)


def test_an_unreachable_server_leaves_mail_waiting_and_fails_the_run(app):
    queue(app, 3)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_SECURITY="none", SMTP_TIMEOUT_SECONDS=2)
    runner = JobRunner(app, schedule=SCHEDULE, holder="me:1:x", may_run=lambda _now: True, stopping=lambda: False)
    run = runner.run_scheduled("outbox.deliver")
    assert run.status == "failed"
    assert run.error.startswith("MailTransportError: Could not deliver mail via 127.0.0.1:")
    assert "ConnectionRefusedError" in run.error and "the others wait for the next run" in run.error
    first, *others = rows(app)
    assert (first.status, first.attempts) == ("pending", 1) and first.next_attempt_at is not None
    assert all((m.status, m.attempts, m.claimed_at) == ("pending", 0, None) for m in others)


def test_the_outbox_job_sends_through_the_runner_and_counts(app, smtp_server):
    handler = Recorder()
    settings = smtp_server(handler)
    queue(app, 2)
    app.config.update(SMTP_HOST=settings.host, SMTP_PORT=settings.port, SMTP_SECURITY="none")
    runner = JobRunner(app, schedule=SCHEDULE, holder="me:1:x", may_run=lambda _now: True, stopping=lambda: False)
    run = runner.run_scheduled("outbox.deliver")
    assert run.status == "succeeded" and run.counts == {"sent": 2, "retrying": 0, "failed": 0, "released": 0}
    assert run.note == "2 sent, 0 to retry, 0 failed."
    assert len(handler.accepted) == 2


def test_without_an_smtp_host_mail_waits(app):
    queue(app, 2)
    app.config["SMTP_HOST"] = ""
    runner = JobRunner(app, schedule=SCHEDULE, holder="me:1:x", may_run=lambda _now: True, stopping=lambda: False)
    run = runner.run_scheduled("outbox.deliver")
    assert run.status == "succeeded" and run.counts == {"waiting": 2} and "PORTAL_SMTP_HOST is empty" in run.note
    assert [m.status for m in rows(app)] == ["pending", "pending"]


def test_an_old_claim_is_taken_over_and_a_fresh_one_left_alone(app, smtp_server):
    handler = Recorder()
    settings = smtp_server(handler)
    old, fresh = queue(app, 2)
    with session_scope(engine_of(app)) as s:
        for message_id, claimed in ((old, NOW - timedelta(minutes=16)), (fresh, NOW - timedelta(minutes=1))):
            row = s.get(OutboxMessage, message_id)
            row.status, row.claimed_at, row.message_id = "sending", claimed, f"<kept.{message_id}@rsp.example>"
            s.add(row)
        s.commit()
    assert deliver(app, settings).sent == 1
    by_id = {row.id: row for row in rows(app)}
    assert by_id[old].status == "sent" and by_id[fresh].status == "sending"
    assert handler.messages()[0]["Message-ID"] == f"<kept.{old}@rsp.example>"  # a resend keeps its Message-ID


def test_stopping_gives_the_rest_of_the_batch_back(app, smtp_server):
    handler = Recorder()
    settings = smtp_server(handler)
    queue(app, 4)
    report = deliver(app, settings, stopping=lambda: len(handler.accepted) >= 1)
    assert (report.sent, report.released) == (1, 3)
    assert [(m.status, m.attempts, m.claimed_at) for m in rows(app)][1:] == [("pending", 0, None)] * 3


def test_the_smtp_password_stays_out_of_logs_errors_and_reprs(app, smtp_server, caplog):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    handler = Recorder()
    settings = smtp_server(handler, authenticator=authenticator, auth_require_tls=False)
    wrong = SmtpSettings(**{**settings.__dict__, "username": "portal", "password": PASSWORD + "-wrong"})
    right = SmtpSettings(**{**settings.__dict__, "username": "portal", "password": PASSWORD})
    queue(app, 2)
    with caplog.at_level(logging.DEBUG):
        failed = deliver(app, wrong)
        assert failed.transport_error and "535" in failed.transport_error
        sent = deliver(app, right, now=NOW + timedelta(hours=1))
    assert sent.sent == 2 and len(handler.accepted) == 2
    assert PASSWORD not in repr(right) and PASSWORD not in str(right)
    texts = [caplog.text, failed.transport_error, *(m.last_error for m in rows(app))]
    assert not any(PASSWORD in text for text in texts)


@pytest.mark.parametrize(("exc", "temporary", "lost"), [
    (smtplib.SMTPRecipientsRefused({"a@x.example": (450, b"mailbox busy")}), True, False),
    (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"no such user")}), False, False),
    (smtplib.SMTPDataError(552, b"too big"), False, False),
    (smtplib.SMTPSenderRefused(451, b"later", "support@rsp.example"), True, False),
    (smtplib.SMTPResponseException(421, b"closing"), True, True),
    (smtplib.SMTPAuthenticationError(535, b"bad credentials"), True, True),
    (smtplib.SMTPServerDisconnected("gone"), True, True),
    (ConnectionRefusedError(111, "refused"), True, True),
    (TimeoutError("timed out"), True, True),
])
def test_failures_are_classified(exc, temporary, lost):
    failure = classify(exc)
    assert (failure.temporary, failure.connection_lost) == (temporary, lost)
    assert failure.reason

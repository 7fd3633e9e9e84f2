"""Polling IMAP mailboxes: fetch unread mail without marking it, receive it, and move it to the processed
folder only after its ticket is committed. A message that fails stays unread in the inbox for the next run."""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from portal.identifiers import is_loopback_host
from portal.jobs import JobContext, JobResult
from portal.models import Arrival, ImapSecurity, Mailbox
from portal.services.mail.ingest import InboundSettings, ingest_mail, settings_for
from portal.services.tickets.context import TicketContext
from portal.vault import Binding, Vault, VaultError

log = logging.getLogger("portal.mail")
MAX_PER_RUN = 200


class ImapError(Exception):
    """The IMAP server could not be reached, refused the login, or answered with an error."""


@dataclass
class PollReport:
    mailbox: str
    received: int = 0
    duplicates: int = 0
    failed: int = 0
    error: str = ""

    def describe(self) -> str:
        """One line for people."""
        head = f"{self.mailbox}: {self.received} received, {self.duplicates} duplicates, {self.failed} failed"
        return f"{head}; {self.error}" if self.error else head



def open_imap(mailbox: Mailbox, password: str, timeout: float = 30.0) -> imaplib.IMAP4:
    """A logged-in IMAP session over TLS or STARTTLS (plain only to a server on this machine)."""
    context = ssl.create_default_context()
    conn: imaplib.IMAP4 | None = None
    try:
        if mailbox.imap_security == ImapSecurity.tls:
            conn = imaplib.IMAP4_SSL(mailbox.imap_host, mailbox.imap_port, ssl_context=context,
                                                    timeout=timeout)
        else:
            if mailbox.imap_security == ImapSecurity.plain and not is_loopback_host(mailbox.imap_host):
                raise ImapError("plain IMAP is allowed only to a server on this machine; use TLS or STARTTLS")
            conn = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=timeout)
            if mailbox.imap_security == ImapSecurity.starttls:
                conn.starttls(ssl_context=context)
        conn.login(mailbox.imap_user, password)
        status, data = conn.capability()  # servers announce more (MOVE, UIDPLUS) once logged in
        if status == "OK" and data and isinstance(data[-1], bytes):
            conn.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
    except (imaplib.IMAP4.error, OSError, ImapError) as exc:
        if conn is not None:
            try:
                conn.shutdown()
            except OSError:
                pass
        if isinstance(exc, ImapError):
            raise
        raise ImapError(f"{mailbox.imap_host}:{mailbox.imap_port}: {type(exc).__name__}: {exc}") from None
    return conn


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(reply: tuple[str, Any], what: str) -> Any:
    status, data = reply
    if status != "OK":
        raise ImapError(f"{what}: {status} {data!r}"[:300])
    return data


def _move(conn: imaplib.IMAP4, uid: bytes, folder: str) -> None:
    if "MOVE" in conn.capabilities:
        _check(conn.uid("MOVE", uid, _quote(folder)), "move")
        return
    _check(conn.uid("COPY", uid, _quote(folder)), "copy")
    _check(conn.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen \\Deleted)"), "flag")
    conn.expunge()


def poll_mailbox(session: Session, mailbox: Mailbox, *, conn: imaplib.IMAP4, ctx: TicketContext,
                 settings: InboundSettings, now: datetime, stopping: Callable[[], bool] = lambda: False) -> PollReport:
    """Receive every unread message of one mailbox on an open connection."""
    report = PollReport(mailbox.name)
    _check(conn.select(_quote(mailbox.imap_folder)), f"select {mailbox.imap_folder}")
    conn.create(_quote(mailbox.processed_folder))  # fails harmlessly when it exists
    uids = (_check(conn.uid("SEARCH", None, "UNSEEN"), "search")[0] or b"").split()
    for uid in uids[:MAX_PER_RUN]:
        if stopping():
            break
        data = _check(conn.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch")
        raw = next((item[1] for item in data if isinstance(item, tuple) and len(item) > 1), None)
        if not isinstance(raw, bytes):
            report.failed += 1
            continue
        try:
            result = ingest_mail(session, raw=raw, mailbox=mailbox, ctx=ctx, settings=settings, now=now)
        except Exception:  # any failure: nothing was committed; the message stays unread for the next run
            session.rollback()
            log.exception("mailbox %s: message uid %s could not be received; left unread", mailbox.name, uid)
            report.failed += 1
            continue
        if result.duplicate:
            report.duplicates += 1
        else:
            report.received += 1
        _move(conn, uid, mailbox.processed_folder)
    return report


def imap_password(mailbox: Mailbox, vault: Vault) -> str:
    """The mailbox's IMAP password, opened from the vault."""
    if not mailbox.imap_password:
        return ""
    return vault.open(mailbox.imap_password, Binding.for_row(mailbox, "imap_password")).reveal()


def poll_all(session: Session, *, config: Mapping[str, Any], ctx: TicketContext, vault: Vault, now: datetime,
             stopping: Callable[[], bool] = lambda: False,
             connect: Callable[[Mailbox, str], imaplib.IMAP4] = open_imap) -> list[PollReport]:
    """Poll every active IMAP mailbox; one mailbox's failure is recorded on it and does not stop the others."""
    settings = settings_for(session, config)
    mailboxes = session.exec(select(Mailbox).where(Mailbox.active.is_(True),  # type: ignore[attr-defined]
                                                   Mailbox.arrival == Arrival.imap).order_by(Mailbox.id)).all()
    reports = []
    for mailbox in mailboxes:
        if stopping():
            break
        mailbox_id = mailbox.id
        conn = None
        try:
            conn = connect(mailbox, imap_password(mailbox, vault))
            report = poll_mailbox(session, mailbox, conn=conn, ctx=ctx, settings=settings, now=now, stopping=stopping)
        except (ImapError, imaplib.IMAP4.error, OSError, VaultError) as exc:
            session.rollback()
            report = PollReport(mailbox.name, error=str(exc)[:500])
        finally:
            if conn is not None:
                try:
                    conn.logout()
                except (imaplib.IMAP4.error, OSError):
                    pass
        fresh = session.get(Mailbox, mailbox_id)
        if fresh is not None:
            fresh.last_polled_at, fresh.last_error = now, report.error
            session.add(fresh)
            session.commit()
        reports.append(report)
    return reports


def poll_mailboxes(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """The ``mail.poll`` job: receive unread mail from every IMAP mailbox."""
    from portal.vault_app import get_vault

    reports = poll_all(session, config=context.config, ctx=TicketContext.from_config(context.config),
                       vault=get_vault(), now=now, stopping=context.stopping)
    counts = {"received": sum(r.received for r in reports), "duplicates": sum(r.duplicates for r in reports),
              "failed": sum(r.failed for r in reports), "mailbox_errors": sum(1 for r in reports if r.error)}
    return JobResult(counts, "; ".join(r.describe() for r in reports) or "No IMAP mailboxes.")

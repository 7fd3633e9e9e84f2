"""Real mail servers on loopback for the tests: Debian's dovecot (IMAP) with a throw-away configuration, and
an aiosmtpd SMTP server that delivers what it accepts into the recipients' dovecot mailboxes."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = portal-test-{port}
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    port: int
    users: dict[str, str]

    @contextmanager
    def login(self, user: str) -> Iterator[imaplib.IMAP4]:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            conn.login(user, self.users[user])
            yield conn
        finally:
            conn.logout()

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in a mailbox, as the mail server's delivery agent would."""
        with self.login(user) as conn:
            status, data = conn.append(folder, None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            assert status == "OK", data

    def messages(self, user: str, folder: str = "INBOX", criteria: str = "ALL") -> list[EmailMessage]:
        """The messages of a folder, parsed, read without marking them seen."""
        found = []
        with self.login(user) as conn:
            status, _ = conn.select(f'"{folder}"', readonly=True)
            if status != "OK":
                return []
            uids = (conn.uid("SEARCH", None, criteria)[1][0] or b"").split()
            for uid in uids:
                data = conn.uid("FETCH", uid, "(BODY.PEEK[])")[1]
                found.append(message_from_bytes(data[0][1], policy=policy.default))
        return found


def start_dovecot(users: dict[str, str]) -> Iterator[Dovecot]:
    """Start dovecot in the foreground with its own configuration; stop it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="portal-dovecot-"))
    mail = Path(tempfile.mkdtemp(prefix="portal-maildir-"))
    if os.geteuid() == 0:  # dovecot never gives mail to uid 0: use its own unprivileged user
        entry = pwd.getpwnam("dovecot")
        uid, gid = entry.pw_uid, entry.pw_gid
        os.chown(mail, uid, gid)
    else:
        uid, gid = os.getuid(), os.getgid()
    root.chmod(0o755)  # dovecot's auth process (an unprivileged user) reads the passwd file
    port = free_port()
    for sub in ("run", "state"):
        (root / sub).mkdir()
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()))
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, mail=mail, port=port, uid=uid, gid=gid))
    errors = (root / "stderr.log").open("wb")
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")],  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    started = (root / "stderr.log").read_text(errors="replace")
                    raise RuntimeError(f"dovecot did not start: {started} {log}") from None
                time.sleep(0.1)
        yield Dovecot(port=port, users=users)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        errors.close()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(mail, ignore_errors=True)


@dataclass
class Relay:
    """An SMTP server that hands every accepted message to dovecot, one copy per recipient."""

    dovecot: Dovecot
    accepted: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.dovecot.users:
                self.dovecot.deliver(rcpt, envelope.content)
        with self.lock:
            self.accepted.append(envelope.content)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_relay(dovecot: Dovecot) -> Iterator[tuple[Relay, int]]:
    relay = Relay(dovecot)
    port = free_port()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield relay, port
    finally:
        controller.stop()

"""The SMTP password set on the admin page is sealed in the vault and used by the delivery job to log in."""

from __future__ import annotations

import socket

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlmodel import select

from portal.jobs import JobContext
from portal.models import OutboxMessage, Role, SmtpSecret
from portal.services.mail_delivery import deliver_outbox
from portal.services.outbox import queue_mail
from tests import factories
from tests.mail.helpers import NOW

PASSWORD = "Smtp-Vault-Pa55"


class Sink:
    def __init__(self) -> None:
        self.accepted: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.accepted.append(envelope.content)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_stored_smtp_password_logs_the_delivery_job_in(app, client, session, login_as):
    login_as(factories.user(session, Role.admin))
    assert client.post("/admin/mail/smtp-password", data={"password": PASSWORD}).status_code == 302
    session.expire_all()
    row = session.exec(select(SmtpSecret)).one()
    assert PASSWORD not in (row.password or "")
    page = client.get("/admin/mail")
    assert b"A password is stored, encrypted" in page.data and PASSWORD.encode() not in page.data

    def authenticator(server, smtp_session, envelope, mechanism, auth_data):
        return AuthResult(success=isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode(),
                          handled=False)

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        queue_mail(session, to="member@example.org", subject="Hello", text="Hi")
        session.commit()
        config = {**app.config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": controller.port, "SMTP_SECURITY": "none",
                  "SMTP_USERNAME": "portal", "SMTP_PASSWORD": ""}
        context = JobContext(job="outbox.deliver", slot="test", trigger="manual", holder="test", config=config,
                             stopping=lambda: False)
        with app.app_context():
            result = deliver_outbox(session, now=NOW, context=context)
    finally:
        controller.stop()
    assert result.counts["sent"] == 1 and len(sink.accepted) == 1
    assert session.exec(select(OutboxMessage)).one().status == "sent"

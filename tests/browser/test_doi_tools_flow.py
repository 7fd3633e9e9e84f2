"""In Chromium, against the sandbox on a real socket: an agent sets and verifies a repository's credential,
diagnoses a DOI, runs a test registration and attaches the transcript to a ticket."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from portal.datacite import Credentials, client_for
from portal.datacite.retry import RetryPolicy
from portal.models import DataCiteCall, Message, Role, Visibility
from portal.models.types import utcnow
from portal.services import credentials
from portal.services.datacite_calls import Connector
from portal.services.tickets.context import TicketContext
from portal.services.tickets.core import NewTicket, create_ticket
from portal.vault import Secret
from portal.web.common import CONNECTOR_EXTENSION
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
sandbox_module = pytest.importorskip("portal.datacite.sandbox",
                                     reason="the offline DataCite sandbox is not in this build yet")

REPOSITORY_PASSWORD = "browser-sandbox-pw"


@pytest.fixture
def sandbox_url(app) -> Iterator[str]:
    """The sandbox served on a loopback port, and the app's DataCite calls going there over real HTTP."""
    sandbox = sandbox_module.create_sandbox(repositories=[sandbox_module.parse_repository_spec(
        f"UNIX.DATA:{REPOSITORY_PASSWORD}:10.80901:*")])
    server = make_server("127.0.0.1", 0, sandbox, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["DATACITE_SANDBOX_URL"] = url
    app.extensions[CONNECTOR_EXTENSION] = Connector(config=app.config, retry=RetryPolicy(attempts=2, base=0.1))
    yield url
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    sandbox.close()


def test_agent_verifies_diagnoses_and_runs_a_test_registration(page, app, session, make, sandbox_url):
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    repo = make.repository(session, org, "UNIX.DATA", prefixes=("10.80901",), domains="*", environment="test",
                           api_target="sandbox")
    agent = make.user(session, Role.agent, name="Priya Raman", email="priya@rsp.example")
    ticket = create_ticket(session, NewTicket(subject="Our test registrations fail", body="Please check.",
                                              requester_email="tomas@unix.example", repository_id=repo.id),
                           ctx=TicketContext.from_config(app.config), actor=agent, now=utcnow())
    with client_for(app.config, "sandbox") as datacite:  # the member's own system left a draft behind
        draft = datacite.create_draft(Credentials("UNIX.DATA", Secret(REPOSITORY_PASSWORD)),
                                      {"url": "https://unix.example/17", "titles": [{"title": "Half done"}]},
                                      prefix="10.80901")

    sign_in(page, agent.email, PASSWORD)
    page.get_by_role("link", name="Members").click()
    page.get_by_role("link", name="University of Unix").click()
    page.get_by_role("link", name="UNIX.DATA").click()
    assert page.get_by_text("No credential stored.").is_visible()

    page.get_by_role("link", name="Set the credential").click()
    page.get_by_label("Password or API key").fill(REPOSITORY_PASSWORD)
    page.get_by_role("button", name="Save and verify").click()
    assert page.get_by_text("Verified: DataCite accepted the password for UNIX.DATA in the sandbox system.").is_visible()
    assert REPOSITORY_PASSWORD not in page.content()

    page.get_by_label("Look up a DOI").fill(f"https://doi.org/{draft.doi.upper()}")
    page.get_by_role("button", name="Look up").click()
    assert page.locator(".doi-state").inner_text() == "draft"
    problems = page.locator("table.problems").inner_text()
    assert "publisher" in problems and "publicationYear" in problems and "Name the publisher" in problems

    page.get_by_role("link", name="UNIX.DATA").click()
    page.get_by_role("button", name="Run a test registration").click()
    assert page.get_by_role("heading", name="Test registration passed").is_visible()
    transcript = page.locator("#transcript-text").inner_text()
    assert transcript.startswith("Diagnosis transcript: test registration for UNIX.DATA")
    assert "Register: PUT /dois/10.80901/" in transcript and "Result: passed" in transcript

    page.get_by_label("Attach to ticket #").fill(f"#{ticket.id}")
    page.get_by_role("button", name="Attach").click()
    assert page.get_by_text(f"The transcript is attached to ticket #{ticket.id} as an internal note.").is_visible()
    page.goto(f"/desk/tickets/{ticket.id}")
    assert page.get_by_text("Diagnosis transcript: test registration for UNIX.DATA").first.is_visible()

    session.expire_all()
    note = session.exec(select(Message).where(Message.ticket_id == ticket.id,
                                              Message.visibility == Visibility.internal)).one()
    assert "Result: passed" in note.body and REPOSITORY_PASSWORD not in note.body
    assert credentials.credential_status(session, repo).verified_ok
    operations = [c.operation for c in session.exec(select(DataCiteCall).order_by(DataCiteCall.id)).all()]
    assert operations == ["verify", "get_doi", "create_draft", "register", "get_doi"]

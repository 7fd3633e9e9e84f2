"""Test registration: draft, validate, register and clean up one DOI, with a transcript for a ticket.

Only in the DataCite test system or the sandbox: a registered DOI can never be deleted, so production is
refused before anything is sent. Each step notes its time, request line, status and outcome; the
transcript starts with "Diagnosis transcript" so that the helpdesk's escalation package picks it up
when an agent attaches it to a ticket as an internal note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session

from portal import audit
from portal.datacite import Credentials, DataCiteError, Doi
from portal.datacite.schema import LATEST, validate_attributes
from portal.errors import Conflict
from portal.models import DiagnosisTranscript, Organisation, Repository
from portal.models.types import utcnow
from portal.services.credentials import flag_credential, open_credentials
from portal.services.datacite_calls import TARGET_LABELS, Caller, Connector, RecordedConnection, connect
from portal.services.members import prefixes_of
from portal.services.tickets.escalation import TRANSCRIPT_MARK
from portal.vault import Vault

T = TypeVar("T")
REGISTRABLE_TARGETS = frozenset({"test", "sandbox"})
LANDING_PATH = "/rsp-portal-test-registration"
LOCAL = "local"


def landing_url(domains: str) -> str:
    """A landing page URL DataCite accepts under the repository's allowed domains."""
    for entry in (d.strip().lower() for d in domains.split(",")):
        if not entry or entry == "*":
            continue
        host = f"www.{entry[2:]}" if entry.startswith("*.") else entry
        return f"https://{host}{LANDING_PATH}"
    return f"https://example.org{LANDING_PATH}"


def minimal_record(repository: Repository, organisation: Organisation | None, *, site_name: str,
                   now: datetime) -> dict[str, Any]:
    """The smallest record DataCite registers: the six mandatory properties and a URL in the allowed domains."""
    return {
        "url": landing_url(repository.domains),
        "titles": [{"title": f"{site_name} test registration for {repository.symbol} "
                             f"({now.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"}],
        "creators": [{"name": site_name, "nameType": "Organizational"}],
        "publisher": organisation.name if organisation else site_name,
        "publicationYear": str(now.year),
        "types": {"resourceTypeGeneral": "Other", "resourceType": "Test registration"},
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }


@dataclass
class Step:
    """One step of the run: what was asked, how DataCite answered, and what that means."""

    name: str
    at: datetime
    request: str
    status: str
    outcome: str
    ok: bool | None  # None: skipped
    duration_ms: int = 0
    error: DataCiteError | None = None

    def lines(self, number: int) -> list[str]:
        verdict = {True: "ok", False: "FAILED", None: "skipped"}[self.ok]
        timing = f" ({self.duration_ms} ms)" if self.duration_ms else ""
        answer = "" if self.status == LOCAL else f": {self.status}"
        lines = [f"{number}. {self.at.astimezone(UTC):%H:%M:%S} {self.name}: {self.request}{answer}{timing}",
                 f"   {verdict}: {self.outcome}"]
        if self.error is not None:
            lines.append(f"   Explanation: {self.error.explanation}")
            lines.append(f"   Fix: {self.error.fix}")
            if self.error.article:
                lines.append(f"   See: {self.error.article}")
        return lines


@dataclass
class _Run:
    connection: RecordedConnection
    credentials: Credentials
    clock: Callable[[], datetime]
    steps: list[Step] = field(default_factory=list)

    def call(self, name: str, operation: str, action: Callable[[Any], T], *, doi: str,
             outcome: Callable[[T], str]) -> T | None:
        """Run one DataCite step and note it; None when DataCite refused (the step says why)."""
        at = self.clock()
        try:
            result = self.connection.call(operation, action, doi=doi, with_credentials=True,
                                          summarise=lambda r: outcome(r)[:200])
        except DataCiteError as err:
            self.steps.append(Step(name, at, self._request(), self._status(err.status), err.title or err.error_class,
                                   False, self._duration(), err))
            return None
        self.steps.append(Step(name, at, self._request(), self._status(self.connection.last_status), outcome(result),
                               True, self._duration()))
        return result

    def note(self, name: str, outcome: str, ok: bool | None) -> None:
        self.steps.append(Step(name, self.clock(), "checked here, nothing sent", LOCAL, outcome, ok))

    def _request(self) -> str:
        attempts = self.connection.attempts
        if not attempts:
            return "not sent"
        line = f"{attempts[0].method} {attempts[0].path}"
        return line + (f" ({len(attempts)} attempts)" if len(attempts) > 1 else "")

    def _status(self, status: int | None) -> str:
        if status is not None:
            return f"HTTP {status}"
        failure = self.connection.attempts[-1].failure if self.connection.attempts else ""
        return f"no answer ({failure})" if failure else "no answer"

    def _duration(self) -> int:
        return sum(a.duration_ms for a in self.connection.attempts)


def _steps(run: _Run, record: dict[str, Any], prefix: str, target_label: str) -> str:
    """Draft, validate, register, read back, clean up; returns the DOI tried ("" when no draft was made)."""
    draft: Doi | None = run.call("Create a draft", "create_draft",
                                 lambda client: client.create_draft(run.credentials, record, prefix=prefix), doi="",
                                 outcome=lambda d: f"draft {d.doi} created (state {d.state or '?'})")
    if draft is None:
        run.note("Clean up", "no draft was created, so there is nothing to delete", None)
        return ""
    doi = draft.doi
    problems = validate_attributes(draft.attributes or record, LATEST)
    if problems:
        listed = "; ".join(f"{p.source}: {p.title} ({p.hint})" if p.hint else f"{p.source}: {p.title}"
                           for p in problems)
        run.note(f"Validate against schema {LATEST}", f"{len(problems)} problem(s): {listed}", False)
    else:
        run.note(f"Validate against schema {LATEST}", "the draft's metadata has no problems", True)
        run.call("Register", "register", lambda client: client.register(run.credentials, doi), doi=doi,
                 outcome=lambda d: f"{d.doi} is now {d.state or '?'}")
    current = run.call("Read back", "get_doi", lambda client: client.get_doi(doi, run.credentials), doi=doi,
                       outcome=lambda d: f"DataCite shows {d.doi} as {d.state or '?'}, URL {d.url or '-'}")
    state = current.state if current is not None else draft.state
    if state == "draft":
        run.call("Clean up", "delete_draft", lambda client: client.delete_draft(run.credentials, doi), doi=doi,
                 outcome=lambda _r: f"draft {doi} deleted")
    else:
        run.note("Clean up", f"{doi} is {state or 'not a draft'}: DataCite never deletes registered DOIs, so it stays "
                 f"in the {target_label} (which is why test registrations run only there, never in production)", None)
    return doi


def run_test_registration(session: Session, repository: Repository, *, connector: Connector, vault: Vault,
                          caller: Caller, site_name: str, ip: str,
                          clock: Callable[[], datetime] = utcnow) -> DiagnosisTranscript:
    """Run the steps with the stored credential and keep the transcript; Conflict or NoCredential before any call."""
    target = repository.datacite_target
    target_label = TARGET_LABELS.get(target, target)
    if target not in REGISTRABLE_TARGETS:
        raise Conflict(f"{repository.symbol} is a production repository: test registrations run only in the DataCite "
                       "test system or the sandbox, because a registered DOI can never be deleted.")
    prefixes = prefixes_of(session, repository)
    if not prefixes:
        raise Conflict(f"{repository.symbol} has no DOI prefix yet; add one before a test registration.")
    started = clock()
    credentials = open_credentials(session, repository, vault=vault, caller=caller, purpose="test registration",
                                   ip=ip, now=started, audit_use=False)
    kind = "API key" if credentials.is_api_key else "password"
    organisation = session.get(Organisation, repository.organisation_id)
    record = minimal_record(repository, organisation, site_name=site_name, now=started)
    with connect(session, connector, repository, caller=caller, clock=clock) as connection:
        run = _Run(connection=connection, credentials=credentials, clock=clock)
        doi = _steps(run, record, prefixes[0], target_label)
    failed = next(((n, s) for n, s in enumerate(run.steps, 1) if s.ok is False), None)
    refused = next((s.error for s in run.steps if s.error is not None and s.error.credential_problem), None)
    if refused is not None:
        flag_credential(session, repository, reason=f"DataCite refused it during a test registration ({refused.title})")
    lines = [
        f"{TRANSCRIPT_MARK}: test registration for {repository.symbol}",
        f"Repository: {repository.symbol} ({organisation.name if organisation else 'no organisation'}), "
        f"{repository.environment} environment, calls sent to the {target_label}",
        f"Run by {caller.display} at {started.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC with the stored {kind} "
        "(never shown here)",
        f"Test DOI: {doi or 'none created'}",
        "",
    ]
    for number, step in enumerate(run.steps, 1):
        lines += step.lines(number)
    lines.append("")
    if failed is None:
        lines.append(f"Result: passed. DataCite accepted the {kind}, created a draft under {prefixes[0]} and "
                     "registered it.")
    else:
        number, step = failed
        why = step.error.explanation if step.error is not None else step.outcome
        lines.append(f"Result: FAILED at step {number} ({step.name}): {why}")
    transcript = DiagnosisTranscript(repository_id=repository.id or 0, kind="test_registration", created_at=started,
                                     created_by_id=getattr(caller.user, "id", None), created_by_label=caller.display,
                                     ok=failed is None, doi=doi, body="\n".join(lines) + "\n")
    session.add(transcript)
    audit.record(session, "datacite.test_registration", actor=caller.user, target=repository,
                 detail={"ok": failed is None, "doi": doi, "target": target}, ip=ip)
    session.commit()
    return transcript
